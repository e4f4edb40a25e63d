from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.core.models import AuditEntry
from stadtallianz.funding import reminders, services
from stadtallianz.funding.models import Call, CallFollow, DeadlineReminder
from stadtallianz.funding.signals import deadline_recipients
from stadtallianz.notifications.models import Notification


def _run(capture):
    out = StringIO()
    with capture(execute=True):
        call_command("send_funding_reminders", stdout=out)
    return out.getvalue()


@pytest.fixture
def soon_call(coordinator, call_data):
    """A call whose deadline is 13 days and a few hours away: in the 14-day round."""
    return services.create_call(
        actor=coordinator, data=call_data(source_id="SOON-1", title_de="Bald fällig",
                                          title_en="Due soon"),
        deadlines=[{"stage": "single", "due_at": timezone.now() + timedelta(days=13, hours=5)}])


def test_followers_are_reminded_once_even_when_the_job_runs_twice(
        soon_call, funding_call, citizen, make_user, django_capture_on_commit_callbacks):
    english = make_user("en@example.org", full_name="Emma English", preferred_language="en")
    services.follow(call=soon_call, user=citizen)
    services.follow(call=soon_call, user=english)
    services.follow(call=funding_call, user=citizen)  # 40 days ahead: no round yet
    assert "2 reminder(s) sent." in _run(django_capture_on_commit_callbacks)
    assert "0 reminder(s) sent." in _run(django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 2
    subjects = {tuple(message.to): message.subject for message in mail.outbox}
    assert subjects[(citizen.email,)] == "Frist in 13 Tagen: Bald fällig"
    assert subjects[(english.email,)] == "Deadline in 13 days: Due soon"
    body = next(m.body for m in mail.outbox if m.to == [english.email])
    assert "/en/funding/calls/soon-1/" in body
    round_ = DeadlineReminder.objects.get()
    assert round_.days_before == 14 and round_.recipients == 2
    assert AuditEntry.objects.filter(action="funding.reminder.sent").count() == 1


def test_the_rounds_30_14_3_and_a_moved_deadline(soon_call, citizen, coordinator):
    services.follow(call=soon_call, user=citizen)
    deadline = soon_call.deadlines.get()
    due = deadline.due_at
    for days_before, expected in ((31, None), (29.9, 30), (13.5, 14), (2.5, 3), (-1, None)):
        assert reminders.due_round(deadline, due - timedelta(days=days_before)) == expected
    assert reminders.send_reminders(now=due - timedelta(days=29)) == 1
    assert reminders.send_reminders(now=due - timedelta(days=28)) == 0
    assert reminders.send_reminders(now=due - timedelta(days=13)) == 1
    assert reminders.send_reminders(now=due - timedelta(days=2)) == 1
    assert reminders.send_reminders(now=due - timedelta(days=1)) == 0
    # Moved by a week: its rounds come again for the new time.
    services.update_call(call=soon_call, actor=coordinator, data={}, deadlines=[
        {"stage": "single", "due_at": due + timedelta(days=7)}])
    assert reminders.send_reminders(now=due - timedelta(days=1)) == 1
    assert Notification.objects.filter(recipient=citizen).count() == 4


def test_closed_calls_and_inactive_people_get_no_reminders(soon_call, citizen, make_user):
    gone = make_user("gone@example.org", is_active=False)
    services.follow(call=soon_call, user=citizen)
    CallFollow.objects.create(call=soon_call, user=gone)
    Call.objects.filter(pk=soon_call.pk).update(state=Call.State.CLOSED)
    assert reminders.send_reminders() == 0
    Call.objects.filter(pk=soon_call.pk).update(state=Call.State.OPEN)
    assert reminders.send_reminders() == 1


def test_higher_apps_add_recipients_through_the_signal(soon_call, citizen, partner_admin):
    services.follow(call=soon_call, user=citizen)

    def consortium(sender, call, deadline, **kwargs):
        assert call == soon_call
        return [partner_admin, citizen]  # citizen follows too: reminded once

    deadline_recipients.connect(consortium)
    try:
        assert reminders.send_reminders() == 2
    finally:
        deadline_recipients.disconnect(consortium)
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {
        citizen.email, partner_admin.email}


def test_open_calls_close_when_their_last_deadline_has_passed(soon_call, funding_call,
                                                              coordinator, call_data):
    rolling = services.create_call(actor=coordinator, data=call_data(source_id="ROLLING"))
    due = soon_call.deadlines.get().due_at
    assert reminders.close_passed_calls(now=due - timedelta(minutes=1)) == 0
    assert reminders.close_passed_calls(now=due + timedelta(minutes=1)) == 1
    assert reminders.close_passed_calls(now=due + timedelta(minutes=2)) == 0
    states = dict(Call.objects.values_list("slug", "state"))
    assert states == {soon_call.slug: "closed", funding_call.slug: "open", rolling.slug: "open"}
    assert AuditEntry.objects.filter(action="funding.call.closed").count() == 1
