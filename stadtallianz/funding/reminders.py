"""Reminders 30, 14 and 3 days before each deadline of an open or forthcoming call, to the
call's followers and to whoever a higher app adds through `signals.deadline_recipients`
(the consortia applying), through the notifications outbox in each person's language.

Each round is sent once, even when the job runs twice or twice at the same time: the round is
claimed by inserting its `DeadlineReminder` row (unique per deadline, days and due time), and
each person's notification has a key of its own (notify sends a key once). A deadline that
moves is reminded of again for its new time. A job that did not run for a while sends only the
round that is due now (the nearest), not the ones it missed."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from stadtallianz.core.audit import audit_log
from stadtallianz.notifications.services import notify

from .models import Call, CallFollow, Deadline, DeadlineReminder
from .signals import deadline_recipients
from .templatetags.funding import days_left

REMINDER_DAYS = (30, 14, 3)


def due_round(deadline: Deadline, now) -> int | None:
    """The round (days before) a deadline is in now, or None when none is due yet."""
    left = deadline.due_at - now
    if left <= timedelta(0):
        return None
    rounds = [days for days in REMINDER_DAYS if left <= timedelta(days=days)]
    return min(rounds) if rounds else None


def recipients(deadline: Deadline) -> list:
    """The call's active followers and the people the other apps add, each once."""
    people = {follow.user.pk: follow.user for follow in CallFollow.objects.filter(
        call=deadline.call, user__is_active=True).select_related("user")}
    for _receiver, answer in deadline_recipients.send(sender=Call, call=deadline.call,
                                                      deadline=deadline):
        for user in answer or ():
            if user is not None and user.is_active:
                people.setdefault(user.pk, user)
    return sorted(people.values(), key=lambda user: user.pk)


def reminder_key(deadline: Deadline, days: int, user) -> str:
    return f"funding-deadline:{deadline.pk}:{deadline.due_at:%Y%m%dT%H%M}:{days}:{user.pk}"


def send_reminders(*, now=None) -> int:
    """Sends the due rounds; returns how many notifications were made."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(REMINDER_DAYS))
    deadlines = (Deadline.objects.filter(due_at__gt=now, due_at__lte=horizon,
                                         call__in=Call.objects.current())
                 .select_related("call", "call__programme").order_by("due_at", "pk"))
    sent = 0
    for deadline in deadlines:
        days = due_round(deadline, now)
        if days is None:
            continue
        try:
            with transaction.atomic():
                round_ = DeadlineReminder.objects.create(deadline=deadline, days_before=days,
                                                         due_at=deadline.due_at, sent_at=now)
                count = 0
                for user in recipients(deadline):
                    made = notify(
                        user, kind="funding-deadline", key=reminder_key(deadline, days, user),
                        template="funding/emails/deadline_reminder",
                        context={"call": deadline.call, "deadline": deadline,
                                 "days": days_left(deadline.due_at, now)},
                        url=deadline.call.get_absolute_url)
                    count += made is not None
                round_.recipients = count
                round_.save(update_fields=["recipients"])
                audit_log(actor=None, action="funding.reminder.sent", target=deadline.call,
                          after={"deadline": deadline.pk, "days_before": days,
                                 "recipients": count})
        except IntegrityError:
            continue  # another run has claimed this round
        sent += count
    return sent


def close_passed_calls(*, now=None) -> int:
    """Open calls whose every deadline has passed are closed (calls without deadlines stay as
    they are: rolling calls). Returns how many were closed."""
    now = now or timezone.now()
    passed = (Call.objects.filter(state=Call.State.OPEN, deadlines__isnull=False)
              .exclude(deadlines__due_at__gt=now).distinct())
    closed = 0
    for call in passed:
        with transaction.atomic():
            if Call.objects.filter(pk=call.pk, state=Call.State.OPEN).update(
                    state=Call.State.CLOSED):
                audit_log(actor=None, action="funding.call.closed", target=call)
                closed += 1
    return closed
