"""Issue 11, item 3: every date and time a person sends is checked against the plausible range
of its kind (stadtallianz/core/timerange.py) before anything is written. A value outside is a
422 naming the field (API) or an error next to the field (web form), and nothing is stored;
an odd but valid offset is turned into UTC, never a 500.

The SensorThings side (observations over HTTP and MQTT) is tested in
stadtallianz/sensorthings/tests/test_plausible_times.py."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stadtallianz.core.testing import field_errors
from stadtallianz.events.models import Event
from stadtallianz.workinggroups.tests.api_fixtures import *  # noqa: F403 - the shared people and group

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/events"


def _far_future() -> str:
    return f"{timezone.now().year + 11}-06-01T10:00:00Z"


# Members of the class: the edges of the calendar, just outside the documented range, and
# offsets that Python reads but PostgreSQL cannot store.
IMPLAUSIBLE = ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+22:23", "9999-12-31T23:59:59Z",
               "9999-12-31T23:59:59-23:59", "1969-12-31T23:59:59Z", "1999-12-31T12:00:00Z",
               "far future"]
UNREADABLE = ["2031-05-04T18:00:00+24:00", "2031-13-01T10:00:00Z", "10000-01-01T00:00:00Z"]


def _event(**fields):
    return {"group": "mobilitaet", "title_de": "Plenum", "starts_at": "2031-05-04T18:00",
            "ends_at": "2031-05-04T20:00", "visibility": "public", **fields}


def _value(text: str) -> str:
    return _far_future() if text == "far future" else text


@pytest.mark.parametrize("value", IMPLAUSIBLE + UNREADABLE)
@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_an_event_time_outside_the_range_is_422_and_stores_nothing(call, key_for, group, field,
                                                                   value):
    response = call("POST", EVENTS, _event(**{field: _value(value)}), key=key_for("coordinator"))
    assert field in field_errors(response)
    assert not Event.objects.exists()


@pytest.mark.parametrize("value", IMPLAUSIBLE)
def test_changing_an_event_to_an_implausible_time_is_422_and_changes_nothing(
        call, key_for, make_event, group, value):
    event = make_event(group, slug="plenum")
    before = (event.starts_at, event.ends_at, event.sequence)
    response = call("PATCH", f"{EVENTS}/plenum", {"starts_at": _value(value)},
                    key=key_for("coordinator"))
    assert "starts_at" in field_errors(response)
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at, event.sequence) == before


@pytest.mark.parametrize(("starts", "ends", "utc_start"), [
    ("2031-05-04T18:00:00+22:23", "2031-05-04T20:00:00+22:23", datetime(2031, 5, 3, 19, 37)),
    ("2031-05-04T18:00:00-23:59", "2031-05-04T20:00:00-23:59", datetime(2031, 5, 5, 17, 59)),
    ("2031-05-04T18:00:00+14:00", "2031-05-04T20:00:00+00:00", datetime(2031, 5, 4, 4, 0))])
def test_an_odd_offset_is_stored_in_utc(call, key_for, group, starts, ends, utc_start):
    response = call("POST", EVENTS, _event(starts_at=starts, ends_at=ends),
                    key=key_for("coordinator"))
    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert event.starts_at == utc_start.replace(tzinfo=UTC)
    assert call("GET", f"{EVENTS}/{event.slug}").status_code == 200
    assert call("GET", EVENTS).status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1969-12-31T23:59",
                                   "1999-12-31T23:00", "2031-05-04T18:00+22:23",
                                   "0001-01-01T00:00+22:23", "far future"])
def test_the_event_form_shows_the_error_next_to_the_field(client_for, coordinator, group,
                                                          value):
    value = value if value != "far future" else _far_future()[:16]
    response = client_for(coordinator).post(reverse("events:create"), {
        "group": "mobilitaet", "title_de": "Treffen", "format": "in_person",
        "starts_at": value, "ends_at": "2031-05-04T20:00", "visibility": "public"},
        HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    if value == "2031-05-04T18:00+22:23":  # a valid offset: stored in UTC
        assert response.status_code == 302
        assert Event.objects.get().starts_at == datetime(2031, 5, 3, 19, 37, tzinfo=UTC)
        return
    assert response.status_code == 400
    assert 'id="id_starts_at_error"' in page
    assert not Event.objects.exists()


def test_the_edges_of_the_event_range_are_accepted(call, key_for, group):
    latest = (timezone.now() + timedelta(days=3650)).replace(microsecond=0)
    response = call("POST", EVENTS, _event(starts_at="2000-01-01T00:00:00Z",
                                           ends_at=latest.isoformat()),
                    key=key_for("coordinator"))
    assert response.status_code == 201, response.content
