"""Events through the API: plan, change, cancel; register and cancel one's place (confirmed or
waiting list); the attendance list. Every endpoint for every role, denied paths first; a
members-only event is 404 to everyone outside its group, on every path."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import field_errors, query_count
from stadtallianz.events import services
from stadtallianz.events.models import Event, Registration
from stadtallianz.workinggroups.models import WorkingGroup
from stadtallianz.workinggroups.tests.api_fixtures import *  # noqa: F403 - the shared people and group
from stadtallianz.workinggroups.tests.api_fixtures import ROLES

pytestmark = pytest.mark.django_db
URL = "/api/v1/events"
INSIDERS = {"member", "lead", "coordinator"}
PLANNERS = {"lead", "coordinator"}


@pytest.fixture
def event(make_event, group):
    return make_event(group, slug="radtreffen", title_de="Radtreffen", capacity=1,
                      online_link="https://meet.example.org/offen")


@pytest.fixture
def members_event(make_event, group):
    return make_event(group, slug="intern", title_de="Internes Treffen",
                      visibility=Event.Visibility.MEMBERS,
                      online_link="https://meet.example.org/intern")


def _new(**fields):
    return {"group": "mobilitaet", "title_de": "Plenum", "title_en": "Plenary",
            "starts_at": "2031-05-04T18:00", "ends_at": "2031-05-04T20:00",
            "format": "hybrid", "address": "Stadthaus 1", "latitude": 51.962944,
            "longitude": 7.628694, "online_link": "https://meet.example.org/plenum",
            "capacity": 20, "visibility": "members", "agenda": "1. Begrüßung", **fields}


def _writes(event):
    return [
        ("PATCH", f"{URL}/{event.slug}", {"title_en": "Changed"}),
        ("POST", f"{URL}/{event.slug}/cancel", None),
        ("POST", f"{URL}/{event.slug}/registration", None),
        ("DELETE", f"{URL}/{event.slug}/registration", None),
        ("GET", f"{URL}/{event.slug}/attendees", None),
    ]


# --- Members-only events: 404 outside the group, on every path ---------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r not in INSIDERS])
def test_a_members_only_event_is_404_to_everyone_outside_the_group(call, key_for, members_event,
                                                                   role):
    key = key_for(role)
    for method, path, body in _writes(members_event):
        response = call(method, path, body, key=key)
        assert response.status_code == (401 if role is None else 404), (method, path)
        assert "Internes" not in response.content.decode()
    members_event.refresh_from_db()
    assert members_event.title_en == "Meeting 1" and not members_event.is_cancelled
    assert not Registration.objects.exists()


# --- Planning ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    (None, 401), ("citizen", 403), ("partner_member", 403), ("partner_admin", 403),
    ("outsider", 403), ("member", 403), ("lead", 201), ("coordinator", 201)])
def test_leads_and_the_coordinator_plan_a_group_event(call, key_for, group, role, status):
    response = call("POST", URL, _new(), key=key_for(role))
    assert response.status_code == status, response.content
    assert Event.objects.filter(title_de="Plenum").exists() == (status == 201)
    if status == 201:
        body = response.json()
        assert body["slug"] == "plenum-2031-05-04" and body["group"] == "mobilitaet"
        # Münster time without an offset: 18:00 in summer time is 16:00 UTC.
        assert body["starts_at"].startswith("2031-05-04T16:00:00")
        assert body["ical_url"].endswith("/events/plenum-2031-05-04.ics")
        assert body["group_ical_url"].endswith("/working-groups/mobilitaet/events.ics")
        assert body["alliance_ical_url"].endswith("/events.ics")
        assert AuditEntry.objects.filter(action="event.created").count() == 1


@pytest.mark.parametrize(("role", "status"), [
    ("citizen", 403), ("outsider", 403), ("lead", 403), ("coordinator", 201)])
def test_only_the_coordinator_plans_an_alliance_event(call, key_for, group, role, status):
    response = call("POST", URL, _new(group=None, visibility="public"), key=key_for(role))
    assert response.status_code == status
    if status == 201:
        assert response.json()["group"] is None


def test_a_time_with_an_offset_is_kept(call, key_for, group):
    response = call("POST", URL, _new(starts_at="2031-01-10T09:00:00Z",
                                      ends_at="2031-01-10T10:00:00+00:00"),
                    key=key_for("lead"))
    assert response.json()["starts_at"].startswith("2031-01-10T09:00:00")


@pytest.mark.parametrize(("fields", "field"), [
    ({"title_de": ""}, "title_de"), ({"title_de": "x" * 201}, "title_de"),
    ({"ends_at": "2031-05-04T17:00"}, "ends_at"), ({"starts_at": "morgen"}, "starts_at"),
    ({"format": "telepathy"}, "format"), ({"visibility": "secret"}, "visibility"),
    ({"capacity": 0}, "capacity"), ({"latitude": 91}, "latitude"),
    ({"longitude": "x"}, "longitude"), ({"online_link": "not a link"}, "online_link"),
    ({"group": "nope"}, "group"), ({"address": "a\x00b"}, "address")])
def test_a_bad_event_is_422_naming_the_field(call, key_for, group, fields, field):
    response = call("POST", URL, _new(**fields), key=key_for("coordinator"))
    assert field in field_errors(response)
    assert not Event.objects.exists()


def test_an_archived_group_gets_no_new_events(call, key_for, group):
    WorkingGroup.objects.filter(pk=group.pk).update(state=WorkingGroup.State.ARCHIVED)
    assert "group" in field_errors(call("POST", URL, _new(), key=key_for("coordinator")))


# --- Changing and cancelling -------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    (None, 401), ("citizen", 403), ("partner_admin", 403), ("outsider", 403), ("member", 403),
    ("lead", 200), ("coordinator", 200)])
def test_leads_and_the_coordinator_change_an_event(call, key_for, event, role, status):
    response = call("PATCH", f"{URL}/{event.slug}", {"title_en": "Cycling"}, key=key_for(role))
    assert response.status_code == status
    event.refresh_from_db()
    assert (event.title_en == "Cycling") == (status == 200)
    assert event.sequence == (1 if status == 200 else 0)


def test_a_change_sends_only_what_changed_and_more_places_move_the_waiting_list_up(
        call, key_for, event, citizen, member):
    services.registration_register(event=event, by=member)
    waiting = services.registration_register(event=event, by=citizen)
    assert waiting.state == Registration.State.WAITING
    response = call("PATCH", f"{URL}/{event.slug}", {"capacity": None}, key=key_for("lead"))
    assert response.status_code == 200
    assert response.json()["capacity"] is None and response.json()["title_de"] == "Radtreffen"
    waiting.refresh_from_db()
    assert waiting.state == Registration.State.REGISTERED
    assert response.json()["sequence"] == 0  # capacity does not reach calendars


@pytest.mark.parametrize(("body", "field"), [
    ({"title_de": None}, "title_de"), ({"title_de": ""}, "title_de"),
    ({"ends_at": "2000-01-01T10:00"}, "ends_at"), ({"format": None}, "format"),
    ({"capacity": -1}, "capacity")])
def test_a_bad_change_is_422_naming_the_field(call, key_for, event, body, field):
    response = call("PATCH", f"{URL}/{event.slug}", body, key=key_for("lead"))
    assert field in field_errors(response)
    event.refresh_from_db()
    assert event.title_de == "Radtreffen" and event.sequence == 0


@pytest.mark.parametrize("role", [r for r in ROLES if r not in PLANNERS])
def test_no_one_else_cancels_an_event(call, key_for, event, role):
    response = call("POST", f"{URL}/{event.slug}/cancel", key=key_for(role))
    assert response.status_code == (401 if role is None else 403)
    event.refresh_from_db()
    assert not event.is_cancelled


@pytest.mark.parametrize("role", sorted(PLANNERS))
def test_cancelling_marks_the_event_and_a_second_time_is_409(call, key_for, event, role):
    response = call("POST", f"{URL}/{event.slug}/cancel", key=key_for(role))
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled" and response.json()["sequence"] == 1
    assert call("POST", f"{URL}/{event.slug}/cancel", key=key_for(role)).status_code == 409


# --- Registration ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r is not None])
def test_everyone_logged_in_registers_for_a_public_event(call, key_for, make_event, group, role):
    make_event(group, slug="offen")
    response = call("POST", f"{URL}/offen/registration", key=key_for(role))
    assert response.status_code == 201
    assert response.json() == {"state": "registered", "confirmed": True,
                               "waiting_position": None}


def test_a_visitor_cannot_register(call, event):
    assert call("POST", f"{URL}/{event.slug}/registration").status_code == 401
    assert call("DELETE", f"{URL}/{event.slug}/registration").status_code == 401


def test_the_answer_says_confirmed_or_waiting_list(call, key_for, event):
    first = call("POST", f"{URL}/{event.slug}/registration", key=key_for("citizen"))
    second = call("POST", f"{URL}/{event.slug}/registration", key=key_for("member"))
    assert first.json()["confirmed"] is True
    assert second.json() == {"state": "waiting", "confirmed": False, "waiting_position": 1}
    detail = call("GET", f"{URL}/{event.slug}", key=key_for("member")).json()
    assert detail["registration"] == "waiting" and detail["online_link"] is None


def test_registering_twice_or_for_a_cancelled_or_past_event_is_409(call, key_for, event,
                                                                   make_event, group, lead):
    key = key_for("citizen")
    assert call("POST", f"{URL}/{event.slug}/registration", key=key).status_code == 201
    assert call("POST", f"{URL}/{event.slug}/registration", key=key).status_code == 409
    services.event_cancel(event=make_event(group, slug="abgesagt"), by=lead)
    assert call("POST", f"{URL}/abgesagt/registration", key=key).status_code == 409
    make_event(group, slug="vorbei", starts_at=timezone.now() - timedelta(days=2))
    assert call("POST", f"{URL}/vorbei/registration", key=key).status_code == 409


def test_cancelling_a_place_moves_the_waiting_list_up(call, key_for, event, citizen, member):
    services.registration_register(event=event, by=citizen)
    waiting = services.registration_register(event=event, by=member)
    response = call("DELETE", f"{URL}/{event.slug}/registration", key=key_for("citizen"))
    assert response.status_code == 204
    waiting.refresh_from_db()
    assert waiting.state == Registration.State.REGISTERED
    again = call("DELETE", f"{URL}/{event.slug}/registration", key=key_for("citizen"))
    assert again.status_code == 409


def test_members_register_for_a_members_only_event(call, key_for, members_event):
    response = call("POST", f"{URL}/{members_event.slug}/registration", key=key_for("member"))
    assert response.status_code == 201
    detail = call("GET", f"{URL}/{members_event.slug}", key=key_for("member")).json()
    assert detail["online_link"] == "https://meet.example.org/intern"


# --- Attendance list ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r not in PLANNERS])
def test_no_one_else_sees_the_attendance_list(call, key_for, event, citizen, role):
    services.registration_register(event=event, by=citizen)
    response = call("GET", f"{URL}/{event.slug}/attendees", key=key_for(role))
    assert response.status_code == (401 if role is None else 403)
    assert "citizen@example.org" not in response.content.decode()


@pytest.mark.parametrize("role", sorted(PLANNERS))
def test_leads_and_the_coordinator_see_places_then_the_waiting_list(call, key_for, event,
                                                                    citizen, member, role):
    services.registration_register(event=event, by=citizen)
    services.registration_register(event=event, by=member)
    items = call("GET", f"{URL}/{event.slug}/attendees", key=key_for(role)).json()["items"]
    assert [(i["name"], i["state"], i["waiting_position"]) for i in items] == [
        ("Clara Citizen", "registered", None), ("Mia Member", "waiting", 1)]
    assert items[0]["email"] == "citizen@example.org"


def test_the_attendance_list_query_count_does_not_grow(client_for, lead, event, make_user):
    Event.objects.filter(pk=event.pk).update(capacity=None)
    client = client_for(lead)
    path = f"{URL}/{event.slug}/attendees"
    services.registration_register(event=event, by=make_user("a0@example.org"))
    few = query_count(client.get, path)
    for n in range(1, 11):
        services.registration_register(event=event, by=make_user(f"a{n}@example.org"))
    assert query_count(client.get, path) == few
    assert client.get(path).json()["count"] == 11


def test_a_session_without_the_csrf_token_changes_nothing(event, citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"{URL}/{event.slug}/registration").status_code == 403
    assert not Registration.objects.exists()


def test_unknown_events_are_404(call, key_for):
    key = key_for("coordinator")
    for method, path, body in [("PATCH", f"{URL}/nope", {"title_en": "x"}),
                               ("POST", f"{URL}/nope/cancel", None),
                               ("POST", f"{URL}/nope/registration", None),
                               ("GET", f"{URL}/nope/attendees", None)]:
        assert call(method, path, body, key=key).status_code == 404


# --- Personal calendar address -----------------------------------------------------------------


def test_a_person_makes_and_revokes_their_calendar_address(call, key_for, client, member,
                                                          members_event):
    from stadtallianz.events.feeds import CalendarFeed

    key = key_for("member")
    response = call("POST", f"{URL}/feed", key=key)
    assert response.status_code == 201
    url = response.json()["url"]
    assert url.startswith("http") and url.endswith(".ics") and "/events/feed/cal_" in url
    path = url.split("testserver", 1)[-1] if "testserver" in url else "/" + url.split("/", 3)[3]
    assert b"Internes Treffen" in client.get(path).content
    assert CalendarFeed.objects.get(user=member).key_hash not in url
    assert call("DELETE", f"{URL}/feed", key=key).status_code == 204
    assert client.get(path).status_code == 404
    assert call("DELETE", f"{URL}/feed", key=key).status_code == 204


def test_a_visitor_has_no_calendar_address(call, client):
    assert call("POST", f"{URL}/feed").status_code == 401
    assert call("DELETE", f"{URL}/feed").status_code == 401


def test_making_a_calendar_address_by_session_needs_the_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"{URL}/feed").status_code == 403
