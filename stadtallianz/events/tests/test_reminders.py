from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.events import services
from stadtallianz.events.models import Event, Registration

pytestmark = pytest.mark.django_db


def _run(capture):
    out = StringIO()
    with capture(execute=True):
        call_command("send_event_reminders", stdout=out)
    return out.getvalue()


def test_reminder_sent_once_to_registered_for_event_within_24_hours(
        make_event, group, member, lead, citizen, django_capture_on_commit_callbacks):
    """Registered people get one reminder; the waiting list, later events and cancelled
    registrations get none, and a second run sends nothing again."""
    soon = make_event(group, slug="bald", title_de="Bald",
                      starts_at=timezone.now() + timedelta(hours=5), capacity=1)
    later = make_event(group, slug="spaeter", starts_at=timezone.now() + timedelta(days=3))
    services.registration_register(event=soon, by=member)
    services.registration_register(event=soon, by=citizen)  # waiting list
    services.registration_register(event=later, by=member)
    assert "1 reminder(s) sent." in _run(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert mail.outbox[0].subject == "Erinnerung: Bald"
    assert Registration.objects.get(event=soon, user=member).reminded_at is not None
    assert "0 reminder(s) sent." in _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_no_reminder_for_cancelled_event(make_event, group, member, lead,
                                         django_capture_on_commit_callbacks):
    soon = make_event(group, starts_at=timezone.now() + timedelta(hours=2))
    services.registration_register(event=soon, by=member)
    services.event_cancel(event=soon, by=lead)
    mail.outbox.clear()
    _run(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert Event.objects.get(pk=soon.pk).is_cancelled


def test_reminder_of_members_only_event_goes_only_to_registered_members(
        members_event, member, django_capture_on_commit_callbacks):
    members_event.starts_at = timezone.now() + timedelta(hours=1)
    members_event.ends_at = members_event.starts_at + timedelta(hours=1)
    members_event.save()
    services.registration_register(event=members_event, by=member)
    _run(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_no_reminder_or_cancellation_mail_after_leaving_the_group(
        members_event, member, lead, django_capture_on_commit_callbacks):
    """Someone who left the group gets no e-mail about its members-only event any more."""
    from stadtallianz.workinggroups.models import GroupMembership

    members_event.starts_at = timezone.now() + timedelta(hours=1)
    members_event.ends_at = members_event.starts_at + timedelta(hours=1)
    members_event.save()
    services.registration_register(event=members_event, by=member)
    GroupMembership.objects.filter(user=member).delete()
    _run(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=members_event, by=lead)
    assert mail.outbox == []
