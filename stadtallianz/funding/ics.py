"""Deadlines as iCalendar (RFC 5545), in the way of events/ics.py: local Berlin times with a
VTIMEZONE, a UID per deadline that never changes and a SEQUENCE that grows when the deadline
moves, so a calendar program updates the entry instead of adding a second one.

A deadline is a moment, not a meeting: the entry has a start and no end (RFC 5545 3.6.1: it
then ends when it starts), and an alarm a day before."""

from datetime import UTC, datetime, timedelta

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from stadtallianz.core import timerange
from stadtallianz.core.text import attachment_header, single_line, without_controls
from stadtallianz.events.ics import BERLIN, TZID, berlin_timezone

SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def _sequence(deadline) -> int:
    """Grows with every change of the deadline (minutes since 2020)."""
    return max(int((deadline.updated_at - SEQUENCE_EPOCH).total_seconds() // 60), 0)


def _vevent(deadline, site_url: str) -> icalendar.Event:
    call = deadline.call
    entry = icalendar.Event()
    entry.add("uid", deadline.uid)
    entry.add("sequence", _sequence(deadline))
    entry.add("dtstamp", deadline.updated_at.astimezone(UTC))
    entry.add("last-modified", deadline.updated_at.astimezone(UTC))
    entry.add("dtstart", timerange.shown(deadline.due_at, BERLIN))
    if deadline.stage == deadline.Stage.SINGLE:
        summary = _("Deadline: %(title)s") % {"title": call.title}
    else:
        summary = _("Deadline (%(stage)s): %(title)s") % {
            "stage": deadline.get_stage_display(), "title": call.title}
    entry.add("summary", single_line(summary))
    description = [call.programme.name]
    if call.source_id:
        description.append(call.source_id)
    entry.add("description", without_controls("\n".join(description)))
    entry.add("url", site_url + call.get_absolute_url())
    entry.add("categories", [_("Funding deadline")])
    entry.add("transp", "TRANSPARENT")
    entry.add("status", "CANCELLED" if call.state == call.State.CLOSED else "CONFIRMED")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", single_line(summary))
    alarm.add("trigger", timedelta(days=-1))
    entry.add_component(alarm)
    return entry


def calendar_for(deadlines, name: str) -> bytes:
    site_url = settings.SITE_URL.rstrip("/")
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Stadtallianz funding//"
                           f"{translation.get_language()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", single_line(name))
    calendar.add("x-wr-timezone", TZID)
    calendar.add_component(berlin_timezone())
    for deadline in deadlines:
        calendar.add_component(_vevent(deadline, site_url))
    return calendar.to_ical()


def ics_response(deadlines, name: str, filename: str) -> HttpResponse:
    response = HttpResponse(calendar_for(deadlines, name),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = attachment_header(filename)
    return response
