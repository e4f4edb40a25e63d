from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from stadtallianz.core.testing import query_count
from stadtallianz.events.models import Event, Registration

pytestmark = pytest.mark.django_db
ROLES = [None, "citizen", "other_member", "member", "lead", "coordinator"]
SEES_MEMBERS_ONLY = {"member", "lead", "coordinator"}


def _url(name, event):
    return reverse(f"events:{name}", kwargs={"slug": event.slug})


@pytest.mark.parametrize("role", ROLES)
def test_members_only_event_visibility_per_role(as_role, role, members_event, event):
    """A members-only event is a 404 for everyone but the group's members and the coordinator,
    on its page, its .ics and the list; public events are there for all."""
    client = as_role(role)
    expected = 200 if role in SEES_MEMBERS_ONLY else 404
    assert client.get(_url("detail", members_event)).status_code == expected
    assert client.get(_url("ics", members_event)).status_code == expected
    listing = client.get(reverse("events:list")).content.decode()
    assert (members_event.title_de in listing) == (role in SEES_MEMBERS_ONLY)
    assert event.title_de in listing
    assert client.get(_url("detail", event)).status_code == 200


@pytest.mark.parametrize("role", ["citizen", "other_member"])
def test_non_member_cannot_register_or_post_to_members_only_event(as_role, role, members_event):
    client = as_role(role)
    for name in ("register", "unregister", "attendance", "edit", "cancel"):
        method = client.get if name in ("attendance", "edit") else client.post
        assert method(_url(name, members_event)).status_code == 404
    assert not Registration.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_online_link_only_for_registered(as_role, role, event):
    """The online link is on the page only for people with a confirmed place."""
    client = as_role(role)
    assert "secret-room" not in client.get(_url("detail", event)).content.decode()
    if role is None:
        return
    client.post(_url("register", event))
    assert "secret-room" in client.get(_url("detail", event)).content.decode()


def test_waiting_list_person_does_not_see_link_but_position(
        client_for, event, member, citizen, django_capture_on_commit_callbacks):
    """Someone on the waiting list sees their position, not the link, until they move up."""
    event.capacity = 1
    event.save()
    client_for(member).post(_url("register", event))
    waiting = client_for(citizen)
    waiting.post(_url("register", event))
    page = waiting.get(_url("detail", event)).content.decode()
    assert "secret-room" not in page and "Warteliste, Platz 1" in page
    assert Registration.objects.get(user=citizen).position == 1
    # Cancelling the first place moves the waiting person up, who is e-mailed.
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(_url("unregister", event))
    assert Registration.objects.get(user=citizen).state == Registration.State.REGISTERED
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    assert "secret-room" in waiting.get(_url("detail", event)).content.decode()


def test_visitor_is_sent_to_login_for_register(client, event):
    response = client.post(_url("register", event))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Registration.objects.exists()


def test_register_needs_post(client_for, event, member):
    assert client_for(member).get(_url("register", event)).status_code == 405


@pytest.mark.parametrize("role", ["citizen", "member", "other_member"])
def test_edit_attendance_cancel_forbidden_for_non_leads(as_role, role, event):
    client = as_role(role)
    assert client.get(_url("edit", event)).status_code == 403
    assert client.get(_url("attendance", event)).status_code == 403
    assert client.post(_url("cancel", event)).status_code == 403
    event.refresh_from_db()
    assert not event.is_cancelled


def test_visitor_sent_to_login_for_edit(client, event):
    response = client.get(_url("edit", event))
    assert response.status_code == 302 and "login" in response["Location"]


def test_lead_sees_attendance_list(client_for, event, lead, member):
    client_for(member).post(_url("register", event))
    page = client_for(lead).get(_url("attendance", event)).content.decode()
    assert member.email in page and "<caption>" in page


def test_lead_creates_event_for_group_times_in_berlin(client_for, group, lead):
    """A lead's form input 18:00 is Münster time, stored as 17:00 UTC in winter."""
    response = client_for(lead).post(reverse("events:create") + "?group=mobilitaet", {
        "group": "mobilitaet", "title_de": "Treffen", "format": "in_person",
        "starts_at": "2030-01-10T18:00", "ends_at": "2030-01-10T20:00",
        "visibility": "members"})
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.group == group
    assert event.starts_at.astimezone(UTC).hour == 17


def test_end_before_start_error_next_to_field(client_for, group, lead):
    response = client_for(lead).post(reverse("events:create"), {
        "group": "mobilitaet", "title_de": "Treffen", "format": "in_person",
        "starts_at": "2030-01-10T18:00", "ends_at": "2030-01-10T17:00",
        "visibility": "public"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert 'id="id_ends_at_error"' in response.content.decode()
    assert not Event.objects.exists()


def test_lead_cannot_create_alliance_event_or_for_other_group(client_for, lead, other_member,
                                                              group):
    assert client_for(lead).get(reverse("events:create")).status_code == 403
    assert client_for(other_member).get(
        reverse("events:create") + "?group=mobilitaet").status_code == 403


def test_lead_edits_and_cancels(client_for, event, lead):
    client = client_for(lead)
    response = client.post(_url("edit", event), {
        "title_de": "Radtreffen neu", "format": "hybrid", "visibility": "public",
        "starts_at": "2030-03-05T19:00", "ends_at": "2030-03-05T21:00",
        "online_link": event.online_link, "minutes": "## Ergebnis\n\n<script>x</script>ok"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title_de == "Radtreffen neu" and event.sequence == 1
    page = client.get(_url("detail", event)).content.decode()
    assert "<script>x" not in page and "Ergebnis</h3>" in page
    client.post(_url("cancel", event))
    event.refresh_from_db()
    assert event.is_cancelled and event.sequence == 2


def test_list_separates_upcoming_and_past_and_filters_by_group(client, make_event, group, event):
    past = make_event(group, slug="alt", title_de="Altes Treffen",
                      starts_at=timezone.now() - timedelta(days=30))
    alliance = make_event(None, slug="allianz", title_de="Allianztag")
    page = client.get(reverse("events:list")).content.decode()
    upcoming_part, past_part = page.split('id="past-heading"')
    assert event.title_de in upcoming_part and past.title_de in past_part
    filtered = client.get(reverse("events:list"), {"group": "mobilitaet"}).content.decode()
    assert alliance.title_de not in filtered and event.title_de in filtered
    only_alliance = client.get(reverse("events:list"), {"group": "alliance"}).content.decode()
    assert alliance.title_de in only_alliance and event.title_de not in only_alliance


def test_list_query_count_constant(client_for, make_event, group, member):
    client = client_for(member)
    make_event(group)
    make_event(None)
    few = query_count(client.get, reverse("events:list"))
    for _ in range(10):
        make_event(group)
        make_event(None, visibility=Event.Visibility.MEMBERS)
    assert query_count(client.get, reverse("events:list")) == few


def test_english_page(client, event):
    page = client.get("/en" + _url("detail", event)[3:]).content.decode()
    assert "Cycling meetup" in page


def test_event_page_query_count_constant_with_many_registrations(client_for, event, make_user,
                                                                 lead):
    client = client_for(lead)
    url = _url("detail", event)
    few = query_count(client.get, url)
    for number in range(10):
        Registration.objects.create(event=event, user=make_user(f"p{number}@example.org"))
    assert query_count(client.get, url) == few
    assert "10 von" not in client.get(url).content.decode()  # no capacity: no "of" count
    assert "10 Anmeldungen" in client.get(url).content.decode()


def test_map_point_only_with_coordinates_and_a_room(client, event, make_event):
    assert 'id="event-map"' not in client.get(_url("detail", event)).content.decode()
    event.latitude, event.longitude = "51.9618", "7.628"
    event.save()
    page = client.get(_url("detail", event)).content.decode()
    assert 'id="event-map"' in page and 'data-lat="51.961800"' in page
    online = make_event(None, slug="nur-online", format=Event.Format.ONLINE,
                        latitude="51.9", longitude="7.6")
    assert 'id="event-map"' not in client.get(_url("detail", online)).content.decode()


def test_edit_form_shows_berlin_time(client_for, event, lead):
    """The form shows the stored UTC time as Münster time (18:00, not 17:00)."""
    page = client_for(lead).get(_url("edit", event)).content.decode()
    assert 'value="2030-03-05T18:00"' in page


def test_coordinator_chooses_group_or_whole_alliance(client_for, coordinator, group):
    """The coordinator's form has a group choice; empty means the whole alliance."""
    client = client_for(coordinator)
    fields = {"title_de": "Allianztag", "format": "in_person", "visibility": "public",
              "starts_at": "2030-05-10T10:00", "ends_at": "2030-05-10T16:00"}
    page = client.get(reverse("events:create") + "?group=mobilitaet").content.decode()
    assert 'value="mobilitaet" selected' in page
    assert client.post(reverse("events:create"), {**fields, "group": ""}).status_code == 302
    assert client.post(reverse("events:create"),
                       {**fields, "group": "mobilitaet"}).status_code == 302
    assert [event.group for event in Event.objects.order_by("pk")] == [None, group]
    # An unknown group is not there, as everywhere.
    assert client.post(reverse("events:create"), {**fields, "group": "nope"}).status_code == 404
    assert Event.objects.count() == 2
