"""The notifications other apps send through `notify`: who gets one (members-only things only
reach those who may see them), once, in the app's list and by e-mail."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.discussions import services as discussions
from stadtallianz.discussions.models import Thread
from stadtallianz.events import services as events
from stadtallianz.events.models import Event
from stadtallianz.notifications.models import Notification
from stadtallianz.workinggroups import services as workinggroups
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

pytestmark = pytest.mark.django_db
MEMBERS, PUBLIC = Thread.Visibility.MEMBERS, Thread.Visibility.PUBLIC


def _keys(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("key", flat=True))


def _waiting_entry(user) -> int:
    from stadtallianz.core.models import AuditEntry

    return AuditEntry.objects.get(action="event.registration.waiting", actor=user).pk


def test_a_non_member_mentioned_in_a_members_only_thread_is_not_notified(
        group, member, lead, citizen, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        thread = discussions.thread_create(
            group=group, title="Intern", visibility=MEMBERS, by=member,
            body=f"@[Lena Lead] @[{citizen.full_name}] @{coordinator.email}")
    post = thread.posts.get()
    assert _keys(lead) == [f"mention:post:{post.pk}"]
    assert _keys(citizen) == [] and _keys(coordinator) == []
    assert [m.to for m in mail.outbox] == [[lead.email]]
    notification = Notification.objects.get(recipient=lead)
    assert notification.kind == "mention"
    # The link is in the recipient's language (the lead prefers English).
    assert notification.url.startswith(f"/en/working-groups/mobilitaet/discussions/{thread.pk}/")


def test_replies_notify_earlier_participants_who_may_still_read_the_thread(
        group, member, lead, make_user, django_capture_on_commit_callbacks):
    leaver = make_user("leaver@example.org", full_name="Lea Leaver")
    GroupMembership.objects.create(group=group, user=leaver)
    for visibility in (MEMBERS, PUBLIC):
        thread = discussions.thread_create(group=group, title=f"T {visibility}", body="Start",
                                           visibility=visibility, by=member)
        discussions.post_reply(thread=thread, body="Ich auch", by=leaver)
    GroupMembership.objects.filter(user=leaver).delete()  # left the group
    mail.outbox.clear()
    Notification.objects.all().delete()
    for thread in Thread.objects.order_by("pk"):
        with django_capture_on_commit_callbacks(execute=True):
            reply = discussions.post_reply(thread=thread, body="Antwort @[Mia Member]", by=lead)
        # The mentioned member gets the mention, not a second "reply" notification.
        assert _keys(member)[-1] == f"mention:post:{reply.pk}"
    public = Thread.objects.get(visibility=PUBLIC)
    # The leaver hears of the public thread only.
    assert _keys(leaver) == [f"reply:post:{public.posts.order_by('pk').last().pk}"]
    assert Notification.objects.filter(kind="reply").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [member.email, member.email, leaver.email])


def test_event_reminders_go_through_notify_once(make_group, lead, member,
                                                django_capture_on_commit_callbacks):
    group = make_group("Energie", slug="energie", leads=[lead], members=[member])
    event = Event.objects.create(group=group, title_de="Bald", title_en="Soon", slug="bald",
                                 starts_at=timezone.now() + timedelta(hours=3),
                                 ends_at=timezone.now() + timedelta(hours=5))
    registration = events.registration_register(event=event, by=member)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_event_reminders", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Erinnerung: Bald"
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers
    # Even if the registration's own mark is reset, the key keeps it to one.
    registration.refresh_from_db()
    type(registration).objects.filter(pk=registration.pk).update(reminded_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_event_reminders", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=member, kind="event-reminder").count() == 1


def test_membership_request_and_decision_reach_lead_and_person(
        make_group, lead, citizen, django_capture_on_commit_callbacks):
    group = make_group("Daten", slug="daten", leads=[lead],
                       join_policy=WorkingGroup.JoinPolicy.REQUEST)
    with django_capture_on_commit_callbacks(execute=True):
        membership = workinggroups.membership_join(group=group, by=citizen, message="Gern")
    request = Notification.objects.get(recipient=lead)
    assert request.key == f"membership-request:{membership.pk}"
    assert request.url == "/en/working-groups/daten/manage/"
    assert "/en/working-groups/daten/manage/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        workinggroups.membership_decide(membership=membership, by=lead, approve=False)
    assert _keys(citizen) == [f"membership-decision:{membership.pk}"]
    assert len(mail.outbox) == 2 and mail.outbox[1].to == [citizen.email]


def test_moving_up_in_a_members_only_event_is_not_told_to_someone_who_left(
        make_group, lead, member, django_capture_on_commit_callbacks):
    group = make_group("Energie", slug="energie", leads=[lead], members=[member])
    event = Event.objects.create(group=group, title_de="Intern", title_en="Internal",
                                 slug="intern", visibility=Event.Visibility.MEMBERS, capacity=1,
                                 starts_at=timezone.now() + timedelta(days=3),
                                 ends_at=timezone.now() + timedelta(days=3, hours=2))
    events.registration_register(event=event, by=lead)
    events.registration_register(event=event, by=member)  # waiting list
    GroupMembership.objects.filter(group=group, user=member).delete()
    with django_capture_on_commit_callbacks(execute=True):
        events.registration_cancel(event=event, by=lead)
    # Only the receipt of the waiting-list place, given while still a member.
    assert _keys(member) == [f"receipt:event-registration:{_waiting_entry(member)}"]
    assert mail.outbox == []


def test_leaving_the_group_hides_what_was_about_its_members_only_things(
        group, member, lead, client_for, django_capture_on_commit_callbacks):
    """A mention in a members-only thread disappears from the list, the count and the API of a
    person who left the group, and a digest not yet sent never carries it; a mention in a
    public thread stays theirs."""
    from stadtallianz.notifications import services

    services.set_email_mode(lead, services.Mode.DIGEST, by=lead)
    with django_capture_on_commit_callbacks(execute=True):
        discussions.thread_create(group=group, title="Interne Planung", visibility=MEMBERS,
                                  by=member, body="@[Lena Lead] bitte ansehen")
        discussions.thread_create(group=group, title="Offene Frage", visibility=PUBLIC,
                                  by=member, body="@[Lena Lead] und hier")
    assert services.unread_count(lead) == 2
    GroupMembership.objects.filter(group=group, user=lead).delete()

    assert services.unread_count(lead) == 1
    page = client_for(lead).get("/en/notifications/").content.decode()
    assert "Offene Frage" in page and "Interne Planung" not in page
    items = client_for(lead).get("/api/v1/notifications").json()["items"]
    assert [item["subject"] for item in items] == [
        Notification.objects.get(recipient=lead, members_of=None).subject]
    hidden = Notification.objects.get(recipient=lead, members_of=group)
    assert client_for(lead).post(f"/api/v1/notifications/{hidden.pk}/read").status_code == 404

    mail.outbox.clear()
    assert services.send_digest(lead) == 1
    assert "Offene Frage" in mail.outbox[0].body
    assert "Interne Planung" not in mail.outbox[0].body
    hidden.refresh_from_db()
    assert hidden.emailed_at is None and hidden.next_attempt_at is None
