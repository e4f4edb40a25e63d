from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.core.mail import FIRST_RETRY
from stadtallianz.notifications import services
from stadtallianz.notifications.models import Notification, NotificationSettings

pytestmark = pytest.mark.django_db
Mode = NotificationSettings.EmailMode


def test_the_same_key_twice_gives_one_notification_and_one_email(member, make_notification):
    first = make_notification(member, "mention:post:17")
    second = make_notification(member, "mention:post:17")
    assert first is not None and second is None
    assert Notification.objects.filter(recipient=member).count() == 1
    assert len(mail.outbox) == 1
    # Another person may get the same event.
    assert make_notification(services.User.objects.create_user("x@example.org", "x" * 12),
                             "mention:post:17") is not None


def test_immediate_email_carries_text_link_and_one_click_unsubscribe(member, make_notification):
    notification = make_notification(member, thing="Radweg & Ring")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert message.subject == "Benachrichtigungen: Radweg & Ring"  # no HTML escaping
    assert "http://127.0.0.1:8000/de/working-groups/" in message.body
    token = services.unsubscribe_token(member)
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<http://127.0.0.1:8000/de/notifications/unsubscribe/{token}/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/de/notifications/unsubscribe/{token}/" in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.email_attempts == 1
    assert notification.next_attempt_at is None


def test_the_email_follows_the_recipients_language(lead, member, make_notification):
    make_notification(lead, "a")  # prefers English
    make_notification(member, "b")  # German
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {lead.email: "Notifications: Radweg",
                        member.email: "Benachrichtigungen: Radweg"}
    english = next(m for m in mail.outbox if m.to == [lead.email])
    assert "/en/notifications/unsubscribe/" in english.body
    assert "Unsubscribe from these e-mails with one click" in english.body
    assert Notification.objects.get(recipient=lead).subject == "Notifications: Radweg"


def test_never_sends_no_email_but_keeps_the_notification(member, make_notification):
    services.set_email_mode(member, Mode.NEVER, by=member)
    make_notification(member)
    call_command("send_pending_notifications", stdout=StringIO())
    call_command("send_notification_digests", stdout=StringIO())
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=member, emailed_at__isnull=True).count() == 1


def test_the_daily_digest_sends_one_email_once(member, lead, make_notification):
    services.set_email_mode(member, Mode.DIGEST, by=member)
    make_notification(member, "a", thing="Erstes")
    make_notification(member, "b", thing="Zweites")
    make_notification(lead, "c")  # immediately: not in any digest
    assert [m.to for m in mail.outbox] == [[lead.email]]
    mail.outbox.clear()
    out = StringIO()
    call_command("send_notification_digests", stdout=out)
    assert "1/1 people" in out.getvalue()
    assert "1 digest(s) sent with 2 notification(s)." in out.getvalue()
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [member.email]
    assert digest.subject == "2 neue Benachrichtigungen auf Stadtallianz"
    assert "Benachrichtigungen: Erstes" in digest.body and "Zweites" in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Notification.objects.filter(recipient=member, emailed_at__isnull=True).exists()
    call_command("send_notification_digests", stdout=StringIO())  # idempotent
    assert len(mail.outbox) == 1


def test_switching_from_digest_to_immediately_sends_what_was_waiting(
        member, make_notification, django_capture_on_commit_callbacks):
    services.set_email_mode(member, Mode.DIGEST, by=member)
    make_notification(member, "waiting", thing="Wartend")
    make_notification(member, "old")
    Notification.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(days=2))
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.set_email_mode(member, Mode.IMMEDIATELY, by=member)
    assert [m.subject for m in mail.outbox] == ["Benachrichtigungen: Wartend"]
    assert Notification.objects.get(key="waiting").emailed_at is not None
    call_command("send_notification_digests", stdout=StringIO())
    call_command("send_pending_notifications", stdout=StringIO())
    assert len(mail.outbox) == 1  # nothing twice, and nothing older than the digest's day


def test_switching_to_immediately_leaves_what_a_running_digest_holds(
        member, make_notification, django_capture_on_commit_callbacks):
    """A digest being sent holds its rows (lease); switching to `immediately` meanwhile must not
    hand them to the immediate sender too: the person would get them twice."""
    services.set_email_mode(member, Mode.DIGEST, by=member)
    make_notification(member, "held", thing="Gehalten")
    lease = timezone.now() + services.CLAIM_TIME
    Notification.objects.filter(key="held").update(next_attempt_at=lease)  # the digest's claim
    with django_capture_on_commit_callbacks(execute=True):
        services.set_email_mode(member, Mode.IMMEDIATELY, by=member)
    assert mail.outbox == []
    assert Notification.objects.get(key="held").next_attempt_at == lease


def test_the_digest_takes_only_the_past_day(member, make_notification):
    services.set_email_mode(member, Mode.DIGEST, by=member)
    make_notification(member, "old")
    Notification.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(days=2))
    assert services.send_digests() == (0, 0)
    assert mail.outbox == []


def test_a_digest_run_later_than_the_day_before_loses_nothing(member, make_notification):
    """Yesterday's run at 07:00, today's at 07:10: what came in between 07:00 and 07:10
    yesterday is in today's digest (not left un-e-mailed for good)."""
    services.set_email_mode(member, Mode.DIGEST, by=member)
    NotificationSettings.objects.filter(user=member).update(
        updated_at=timezone.now() - timedelta(days=30))  # a digest reader for a month
    make_notification(member, "after-yesterdays-run", thing="Dazwischen")
    today = timezone.now() + timedelta(days=1, minutes=10)
    assert services.send_digests(now=today) == (1, 1)
    assert "Benachrichtigungen: Dazwischen" in mail.outbox[0].body
    assert services.send_digests(now=today + timedelta(days=1)) == (0, 0)  # once only


def test_a_digest_stops_retrying_after_the_last_attempt(member, make_notification, settings):
    services.set_email_mode(member, Mode.DIGEST, by=member)
    make_notification(member, "a")
    Notification.objects.filter(key="a").update(email_attempts=services.MAX_ATTEMPTS)
    assert services.send_digests() == (0, 0)
    assert mail.outbox == []


def test_a_failed_send_is_retried_with_back_off_and_sent_exactly_once(
        member, make_notification, smtp_down, settings):
    notification = make_notification(member)
    notification.refresh_from_db()
    assert mail.outbox == []
    assert notification.emailed_at is None and notification.email_attempts == 1
    assert "SMTP server unreachable" in notification.last_error
    first_retry = notification.next_attempt_at
    assert first_retry > timezone.now()
    # Not due yet: the periodic job leaves it alone.
    assert services.send_pending() == 0
    # Due, still down: one more attempt, a longer wait.
    assert services.send_pending(now=first_retry) == 0
    notification.refresh_from_db()
    assert notification.email_attempts == 2
    assert notification.next_attempt_at - first_retry >= FIRST_RETRY * 2
    # The server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = notification.next_attempt_at
    assert services.send_pending(now=later) == 1
    assert services.send_pending(now=later + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.last_error == ""
    assert notification.email_attempts == 3


def test_the_periodic_command_sends_what_was_never_queued(member, make_notification):
    """A crash between the commit and the queue: the row is due, the sweep sends it."""
    make_notification(member, send=False)
    assert mail.outbox == []
    out = StringIO()
    call_command("send_pending_notifications", stdout=out)
    assert "1 e-mail(s) sent." in out.getvalue()
    assert len(mail.outbox) == 1


def test_a_claimed_notification_is_not_sent_by_a_second_sender(member, make_notification):
    notification = make_notification(member, send=False)
    now = timezone.now()
    assert services.send_email(notification.pk, now=now) is True
    assert services.send_email(notification.pk, now=now) is False
    assert len(mail.outbox) == 1


def test_a_failed_digest_is_retried_by_the_periodic_job(member, make_notification, settings):
    services.set_email_mode(member, Mode.DIGEST, by=member)
    make_notification(member, "a")
    settings.EMAIL_BACKEND = "stadtallianz.notifications.tests.conftest.FailingBackend"
    assert services.send_digests() == (0, 0)
    notification = Notification.objects.get(key="a")
    assert notification.email_attempts == 1 and notification.emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_pending(now=notification.next_attempt_at) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]


def test_switching_to_never_stops_a_pending_retry(member, make_notification, smtp_down,
                                                  settings):
    notification = make_notification(member)
    services.set_email_mode(member, Mode.NEVER, by=member)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_pending(now=timezone.now() + timedelta(days=1)) == 0
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.next_attempt_at is None


def test_inactive_people_get_nothing(member, make_notification):
    member.is_active = False
    member.save()
    assert make_notification(member) is None
    assert not Notification.objects.exists()


def test_set_email_mode_refuses_unknown_modes_and_is_audited(member):
    from django.core.exceptions import ValidationError

    from stadtallianz.core.models import AuditEntry

    with pytest.raises(ValidationError):
        services.set_email_mode(member, "hourly", by=member)
    services.set_email_mode(member, Mode.DIGEST, by=member)
    assert services.email_mode(member) == Mode.DIGEST
    assert AuditEntry.objects.filter(action="notification.settings.changed").count() == 1


def test_unread_count_and_mark_read(member, lead, make_notification):
    one = make_notification(member, "a")
    make_notification(member, "b")
    make_notification(lead, "c")
    assert services.unread_count(member) == 2
    services.mark_read(one, by=member)
    assert services.unread_count(member) == 1
    with pytest.raises(Notification.DoesNotExist):
        services.mark_read(one, by=lead)
    assert services.mark_all_read(by=member) == 1
    assert services.unread_count(member) == 0
    assert services.unread_count(lead) == 1
