"""The personal calendar feed: a secret address per person with the events that person may see,
members-only meetings of their groups included; wrong, renewed or revoked keys are 404, and a
group the person left drops out at once."""

import re

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import query_count
from stadtallianz.events.feeds import CalendarFeed, feed_create, feed_revoke, hash_key
from stadtallianz.events.models import Event
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

pytestmark = pytest.mark.django_db
MANAGE = "/de/events/feed/"


def _url(key: str) -> str:
    return reverse("events:personal_feed", kwargs={"key": key})


def _summaries(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(entry["summary"]) for entry in calendar.walk("VEVENT")}


@pytest.fixture
def other_groups_event(make_event, other_member):
    return make_event(WorkingGroup.objects.get(slug="energie"), slug="energie-intern",
                      title_de="Energie intern", visibility=Event.Visibility.MEMBERS)


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(MANAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(MANAGE, {"action": "create"}).status_code == 302
    assert not CalendarFeed.objects.exists()


def test_the_address_is_shown_once_and_only_its_hash_is_kept(client_for, member):
    client = client_for(member)
    assert "Make my calendar address" in client.get("/en/events/feed/").content.decode()
    response = client.post(MANAGE, {"action": "create"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    key = re.search(r"/events/feed/(cal_[A-Za-z0-9_-]+)\.ics", html).group(1)
    assert len(key) > 40
    feed = CalendarFeed.objects.get(user=member)
    assert feed.key_hash == hash_key(key) and key not in feed.key_hash
    assert key not in client.get(MANAGE).content.decode()
    assert AuditEntry.objects.filter(action="event.feed.created", actor=member).exists()


def test_the_feed_has_the_members_only_events_of_ones_groups(client, member, event,
                                                            members_event, other_groups_event):
    _feed, key = feed_create(user=member)
    titles = _summaries(client.get(_url(key)))  # a calendar program: no session
    assert titles == {"Radtreffen", "Internes Treffen"}


def test_the_feed_is_neither_cached_nor_indexed(client, member, event):
    _feed, key = feed_create(user=member)
    response = client.get(_url(key))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_citizens_feed_has_public_events_only(client, citizen, event, members_event):
    _feed, key = feed_create(user=citizen)
    assert _summaries(client.get(_url(key))) == {"Radtreffen"}


@pytest.mark.parametrize("key", ["cal_wrong", "sta_x", "x" * 40, "cal_" + "a" * 200])
def test_a_wrong_key_is_404(client, member, members_event, key):
    feed_create(user=member)
    assert client.get(_url(key)).status_code == 404


def test_a_revoked_key_is_404(client, client_for, member, members_event):
    _feed, key = feed_create(user=member)
    client_for(member).post(MANAGE, {"action": "revoke"})
    assert not CalendarFeed.objects.exists()
    assert client.get(_url(key)).status_code == 404
    assert AuditEntry.objects.filter(action="event.feed.revoked").exists()
    assert feed_revoke(user=member) is False


def test_a_new_address_ends_the_old_one(client, member, members_event):
    _feed, old = feed_create(user=member)
    _feed, new = feed_create(user=member)
    assert client.get(_url(old)).status_code == 404
    assert "Internes Treffen" in _summaries(client.get(_url(new)))
    assert CalendarFeed.objects.count() == 1


def test_leaving_the_group_removes_its_members_only_events(client, member, group, event,
                                                            members_event):
    _feed, key = feed_create(user=member)
    assert "Internes Treffen" in _summaries(client.get(_url(key)))
    GroupMembership.objects.filter(group=group, user=member).delete()
    assert _summaries(client.get(_url(key))) == {"Radtreffen"}


def test_a_pending_request_does_not_count_as_membership(client, make_user, group, members_event):
    person = make_user("asking@example.org")
    GroupMembership.objects.create(group=group, user=person,
                                   state=GroupMembership.State.REQUESTED)
    _feed, key = feed_create(user=person)
    assert "Internes Treffen" not in _summaries(client.get(_url(key)))


def test_a_deactivated_account_has_no_feed(client, member, members_event):
    _feed, key = feed_create(user=member)
    member.is_active = False
    member.save()
    assert client.get(_url(key)).status_code == 404


def test_the_feed_query_count_does_not_grow(client, member, group, make_event):
    _feed, key = feed_create(user=member)
    make_event(group)
    client.get(_url(key))  # the first call notes when it was used
    few = query_count(client.get, _url(key))
    for _n in range(10):
        make_event(group, visibility=Event.Visibility.MEMBERS)
    assert query_count(client.get, _url(key)) == few


def test_the_events_page_links_to_it_for_logged_in_people(client, client_for, citizen):
    link = 'href="/de/events/feed/"'
    assert link in client_for(citizen).get("/de/events/").content.decode()
    assert link not in client.get("/de/events/").content.decode()


def test_making_an_address_needs_the_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(MANAGE, {"action": "create"}).status_code == 403
    assert not CalendarFeed.objects.exists()
