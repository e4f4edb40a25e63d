from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse

from stadtallianz.core.models import AuditEntry
from stadtallianz.funding import feeds, services
from stadtallianz.funding.models import Call, Deadline, DeadlineFeed


def _parse(response):
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _events(calendar):
    return [component for component in calendar.walk("VEVENT")]


def test_the_public_feed_holds_every_open_calls_deadlines(client, funding_call, coordinator,
                                                         call_data, due_in):
    closed = services.create_call(actor=coordinator, data=call_data(
        source_id="CLOSED-1", title_de="Geschlossen", state=Call.State.CLOSED),
        deadlines=[{"stage": "single", "due_at": due_in(5)}])
    calendar = _parse(client.get(reverse("funding:feed")))
    events = _events(calendar)
    assert [str(event["uid"]) for event in events] == [funding_call.deadlines.get().uid]
    event = events[0]
    assert "Klimaneutrale Quartiere" in str(event["summary"])
    start = event.decoded("dtstart")
    assert start.tzinfo is not None and start == funding_call.deadlines.get().due_at
    assert str(event["url"]).endswith(funding_call.get_absolute_url())
    assert calendar.walk("VTIMEZONE") and calendar.walk("VALARM")
    assert closed.title_de not in client.get(reverse("funding:feed")).content.decode()


def test_a_moved_deadline_keeps_its_uid_and_raises_its_sequence(client, funding_call,
                                                                coordinator, due_in):
    before = _events(_parse(client.get(reverse("funding:feed"))))[0]
    deadline = funding_call.deadlines.get()
    services.update_call(call=funding_call, actor=coordinator, data={},
                         deadlines=[{"stage": "single", "due_at": due_in(41)}])
    # A later change (the clock of a test runs too fast for the minutes of SEQUENCE).
    Deadline.objects.filter(pk=deadline.pk).update(
        updated_at=deadline.updated_at + timedelta(minutes=5))
    after = _events(_parse(client.get(reverse("funding:feed"))))[0]
    assert after["uid"] == before["uid"]
    assert int(after["sequence"]) > int(before["sequence"])
    assert after.decoded("dtstart") == due_in(41)


def test_the_personal_feed_shows_followed_calls_only_with_its_secret_key(
        client, funding_call, coordinator, citizen, call_data, due_in):
    other = services.create_call(actor=coordinator, data=call_data(
        source_id="OTHER-1", title_de="Anderer Aufruf"),
        deadlines=[{"stage": "single", "due_at": due_in(12)}])
    services.follow(call=funding_call, user=citizen)
    _feed, key = feeds.feed_create(user=citizen)
    assert key.startswith("fcal_")
    assert DeadlineFeed.objects.get().key_hash == feeds.hash_key(key)  # only the hash
    url = reverse("funding:personal_feed", kwargs={"key": key})
    response = client.get(url)
    assert response["X-Robots-Tag"] == "noindex"
    summaries = [str(event["summary"]) for event in _events(_parse(response))]
    assert summaries == ["Frist: Klimaneutrale Quartiere"]
    assert other.title_de not in response.content.decode()
    # Renew: the old key stops working at once; revoke: the new one too.
    _feed, new_key = feeds.feed_create(user=citizen)
    assert client.get(url).status_code == 404
    assert client.get(reverse("funding:personal_feed", kwargs={"key": new_key})).status_code \
        == 200
    assert feeds.feed_revoke(user=citizen)
    assert client.get(reverse("funding:personal_feed",
                              kwargs={"key": new_key})).status_code == 404
    assert set(AuditEntry.objects.filter(action__startswith="funding.feed").values_list(
        "action", flat=True)) == {"funding.feed.created", "funding.feed.renewed",
                                  "funding.feed.revoked"}


@pytest.mark.parametrize("key", ["nope", "fcal_" + "x" * 43, "fcal_" + "x" * 200])
def test_wrong_keys_are_404(db, client, key):
    assert client.get(reverse("funding:personal_feed", kwargs={"key": key})).status_code == 404


def test_the_manage_page_shows_the_address_once(client, citizen):
    url = reverse("funding:personal_feed_manage")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(citizen)
    response = client.post(url, {"action": "create"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    new_url = response.context["new_url"]
    assert "/funding/feed/fcal_" in new_url
    assert new_url not in client.get(url).content.decode()
    client.post(url, {"action": "revoke"})
    assert not DeadlineFeed.objects.exists()
