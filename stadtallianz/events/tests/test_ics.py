from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from stadtallianz.events import services
from stadtallianz.events.models import Event

from .conftest import BERLIN

pytestmark = pytest.mark.django_db


def _parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _events(calendar):
    return {str(entry["UID"]): entry for entry in calendar.walk("VEVENT")}


def test_event_ics_has_timezone_uid_sequence_location_url(client, event):
    """One event's .ics parses, with VTIMEZONE Europe/Berlin, TZID times and all fields."""
    calendar = _parse(client.get(reverse("events:ics", kwargs={"slug": event.slug})))
    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/Berlin"]
    entry = _events(calendar)[event.uid]
    assert entry["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert entry["DTEND"].params["TZID"] == "Europe/Berlin"
    assert entry.decoded("DTSTART") == datetime(2030, 3, 5, 18, 0, tzinfo=BERLIN)
    assert entry.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert entry["SEQUENCE"] == 0
    assert "DTSTAMP" in entry
    assert str(entry["LOCATION"]).startswith("Stadthaus 1")
    assert str(entry["URL"]).endswith("/events/radtreffen/")
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert b"secret-room" not in client.get(
        reverse("events:ics", kwargs={"slug": event.slug})).content


def test_dst_date_keeps_local_time(client, make_event, group):
    """In summer time 18:00 in Münster is 16:00 UTC, and the file says 18:00 Europe/Berlin."""
    summer = make_event(group, slug="sommer",
                        starts_at=datetime(2030, 7, 1, 18, 0, tzinfo=BERLIN))
    content = client.get(reverse("events:ics", kwargs={"slug": summer.slug})).content
    assert b"DTSTART;TZID=Europe/Berlin:20300701T180000" in content
    entry = _events(icalendar.Calendar.from_ical(content))[summer.uid]
    assert entry.decoded("DTSTART").astimezone(ZoneInfo("UTC")).hour == 16
    # The VTIMEZONE carries the daylight rule calendar programs need for that offset.
    daylight = icalendar.Calendar.from_ical(content).walk("DAYLIGHT")[0]
    assert daylight["TZOFFSETTO"].td == timedelta(hours=2)


def test_uid_stable_sequence_rises_and_cancelled_marked(client, event, lead):
    """After an edit the UID is the same and SEQUENCE higher; a cancelled event says so."""
    url = reverse("events:ics", kwargs={"slug": event.slug})
    uid = str(_events(_parse(client.get(url))).popitem()[0])
    services.event_update(event=event, by=lead, data={"title_en": "Cycling meetup (moved)",
                                                      "address": "Rathaus"})
    entry = _events(_parse(client.get(url)))[uid]
    assert entry["SEQUENCE"] == 1 and str(entry["LOCATION"]) == "Rathaus"
    services.event_cancel(event=event, by=lead)
    entry = _events(_parse(client.get(url)))[uid]
    assert entry["SEQUENCE"] == 2 and str(entry["STATUS"]) == "CANCELLED"


def test_group_feed_has_group_events_members_only_for_members(client_for, event, members_event,
                                                               make_event, member, citizen,
                                                               group):
    """The group feed lists the group's events; members-only ones only for its members."""
    other = make_event(None, slug="alliance-wide")
    url = reverse("events:group_feed", kwargs={"slug": group.slug})
    assert set(_events(_parse(client_for(None).get(url)))) == {event.uid}
    assert set(_events(_parse(client_for(citizen).get(url)))) == {event.uid}
    assert set(_events(_parse(client_for(member).get(url)))) == {event.uid, members_event.uid}
    assert other.uid not in _events(_parse(client_for(member).get(url)))


def test_alliance_feed_has_public_events_only_even_for_coordinator(client_for, event,
                                                                   members_event, make_event,
                                                                   coordinator):
    """The whole alliance's feed holds public events only, whoever asks."""
    alliance = make_event(None, slug="alliance-wide")
    calendar = _parse(client_for(coordinator).get(reverse("events:feed")))
    assert set(_events(calendar)) == {event.uid, alliance.uid}
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_members_only_event_ics_is_404_for_non_members(client_for, members_event, citizen,
                                                       other_member, member):
    url = reverse("events:ics", kwargs={"slug": members_event.slug})
    for user in (None, citizen, other_member):
        assert client_for(user).get(url).status_code == 404
    assert client_for(member).get(url).status_code == 200


def test_online_only_event_location_is_online(client, make_event):
    online = make_event(None, slug="online", format=Event.Format.ONLINE,
                        online_link="https://meet.example.org/x")
    entry = _events(_parse(client.get(reverse("events:ics", kwargs={"slug": "online"}))))
    assert str(entry[online.uid]["LOCATION"]) == "Online"
