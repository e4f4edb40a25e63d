"""iCalendar output (RFC 5545) with the `icalendar` library: one event or a feed of many.

Times are written as local times with TZID=Europe/Berlin plus a VTIMEZONE, so calendar programs
keep a meeting at 18:00 across daylight saving time. UID never changes; SEQUENCE follows the
event's `sequence`, so an import updates the entry instead of adding a second one.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import translation

from stadtallianz.core import timerange
from stadtallianz.core.text import attachment_header, single_line, without_controls

from .models import Event

TZID = "Europe/Berlin"
BERLIN = ZoneInfo(TZID)


def berlin_timezone() -> icalendar.Timezone:
    """Europe/Berlin with the EU rules (since 1996) as recurrences: short, and valid after
    2038, unlike a list of single transition dates."""
    zone = icalendar.Timezone()
    zone.add("tzid", TZID)
    daylight = icalendar.TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    standard = icalendar.TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    zone.add_component(daylight)
    zone.add_component(standard)
    return zone


def _location(event: Event) -> str:
    if event.format == Event.Format.ONLINE:
        return "Online"
    return event.address


def _vevent(event: Event, site_url: str) -> icalendar.Event:
    entry = icalendar.Event()
    entry.add("uid", event.uid)
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", event.updated_at.astimezone(ZoneInfo("UTC")))
    entry.add("created", event.created_at.astimezone(ZoneInfo("UTC")))
    entry.add("last-modified", event.updated_at.astimezone(ZoneInfo("UTC")))
    # In UTC where Berlin time would lie beyond the year 9999: one stored extreme must not
    # break the feed of everyone.
    entry.add("dtstart", timerange.shown(event.starts_at, BERLIN))
    entry.add("dtend", timerange.shown(event.ends_at, BERLIN))
    # People's texts without control characters, which iCalendar forbids (line breaks stay:
    # the library escapes them); the title on one line.
    entry.add("summary", single_line(event.title))
    if event.description:
        entry.add("description", without_controls(event.description))
    location = single_line(_location(event))
    if location:
        entry.add("location", location)
    entry.add("url", site_url + event.get_absolute_url())
    entry.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    entry.add("class", "PUBLIC" if event.is_public else "PRIVATE")
    return entry


def calendar_for(events, name: str) -> bytes:
    site_url = settings.SITE_URL.rstrip("/")
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Stadtallianz//{translation.get_language()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", single_line(name))  # written as it is: one line
    calendar.add("x-wr-timezone", TZID)
    calendar.add_component(berlin_timezone())
    for event in events:
        calendar.add_component(_vevent(event, site_url))
    return calendar.to_ical()


def ics_response(events, name: str, filename: str) -> HttpResponse:
    response = HttpResponse(calendar_for(events, name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = attachment_header(filename)
    return response
