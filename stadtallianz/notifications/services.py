"""Notifications: `notify` is the one way any app tells a person about something.

`notify` writes the row in the caller's transaction (so it exists exactly when the change it
reports does), renders subject and text in the recipient's language, and after the commit hands
the e-mail to the task queue (django-tasks: in-process by default, the database queue and
`db_worker` in production). The row is the outbox: a send that fails leaves it un-emailed with
the error and a later attempt time, and `send_pending` (the periodic job) tries again with
back-off. A sender first claims a row by moving its attempt time into the future, so two workers
never send the same e-mail.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Min, Q, Value
from django.db.models.functions import Least
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from stadtallianz.accounts.models import User
from stadtallianz.core.audit import audit_log
from stadtallianz.core.mail import (
    CLAIM_TIME,
    MAX_ATTEMPTS,
    language_of,
    render_mail,
    render_text,
    retry_delay,
)
from stadtallianz.core.text import single_line

from .models import Notification, NotificationSettings

logger = logging.getLogger(__name__)
Mode = NotificationSettings.EmailMode

UNSUBSCRIBE_SALT = "stadtallianz.notifications.unsubscribe"
# One back-off rule for every e-mail the platform sends (core/mail.py): 5 min, 10, 20, … at
# most 6 hours apart; after MAX_ATTEMPTS the row stays in the app, un-emailed, with its last
# error (visible in the admin). CLAIM_TIME: how long a sender may hold a row before another
# may take it over (a crashed worker).
DIGEST_PERIOD = timedelta(days=1)


def absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def email_mode(user) -> str:
    mode = (NotificationSettings.objects.filter(user=user)
            .values_list("email_mode", flat=True).first())
    return mode or Mode.IMMEDIATELY


# ---------------------------------------------------------------------------------------------
# Creating


def notify(user, *, kind: str, key: str, template: str, context: dict | None = None,
           url="", members_of=None) -> Notification | None:
    """Tells `user` about something once: a second call with the same `key` does nothing.

    `template` names a pair `<template>_subject.txt` / `<template>_body.txt`, rendered in the
    recipient's language with `context`, `user`, `SITE_NAME`, `SITE_URL` and `url` (absolute).
    `url` is a path, or a callable returning one, evaluated in the recipient's language.
    The caller decides who may know about the thing (members-only: members only) and names
    the group in `members_of` then: the notification is shown and e-mailed only while the
    person is still in it.
    Returns the new notification, or None when it existed already (or the person is inactive).
    """
    if not user.is_active or Notification.objects.filter(recipient=user, key=key).exists():
        return None
    language = language_of(user)
    with translation.override(language):
        path = url() if callable(url) else url
    subject, body = render_mail(template, {**(context or {}), "user": user,
                                           "url": absolute(path)}, language=language)
    body = body.strip() + "\n"
    immediately = email_mode(user) == Mode.IMMEDIATELY
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=user, kind=kind, key=key, subject=subject[:300], body=body, url=path,
                members_of=members_of,
                next_attempt_at=timezone.now() if immediately else None)
    except IntegrityError:
        return None  # a concurrent request has just created it
    if immediately:
        transaction.on_commit(partial(_enqueue, notification.pk))
    return notification


def _enqueue(pk: int) -> None:
    from .tasks import send_notification_email

    try:
        send_notification_email.enqueue(pk)
    except Exception:
        # The row is due already: the periodic send_pending_notifications sends it.
        logger.exception("Could not queue the e-mail of notification %s", pk)


# ---------------------------------------------------------------------------------------------
# Sending


def unsubscribe_token(user) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(user.pk))


def user_for_unsubscribe_token(token: str):
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk).first() if pk.isdigit() else None


def _email(user, subject: str, body: str) -> EmailMessage:
    """One e-mail with the footer: settings link and the one-click unsubscribe (RFC 8058)."""
    with translation.override(language_of(user)):
        unsubscribe = absolute(reverse("notifications:unsubscribe",
                                       args=[unsubscribe_token(user)]))
        footer = render_text("notifications/emails/footer.txt", {
            "SITE_NAME": settings.SITE_NAME, "unsubscribe_url": unsubscribe,
            "settings_url": absolute(reverse("notifications:settings"))})
    # The subject carries people's texts (an event's title, a group's name): one line, or
    # Django refuses the header.
    return EmailMessage(single_line(subject), f"{body.rstrip()}\n\n{footer.strip()}\n", None,
                        [user.email],
                        headers={"List-Unsubscribe": f"<{unsubscribe}>",
                                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def _failed(queryset, error: Exception, now) -> None:
    for notification in queryset:
        attempts = notification.email_attempts + 1
        notification.email_attempts = attempts
        notification.last_error = f"{type(error).__name__}: {error}"[:2000]
        notification.next_attempt_at = (now + retry_delay(attempts)
                                        if attempts < MAX_ATTEMPTS else None)
        notification.save(update_fields=["email_attempts", "last_error", "next_attempt_at"])
    logger.warning("Sending notification e-mail failed: %s", error)


def send_email(pk: int, *, now=None) -> bool:
    """Sends one notification's e-mail if it is due and the person wants it immediately.
    True when it was sent by this call."""
    now = now or timezone.now()
    claimed = Notification.objects.email_due(now).filter(pk=pk).update(
        next_attempt_at=now + CLAIM_TIME)
    if not claimed:
        return False  # sent already, not due, or another sender holds it
    notification = Notification.objects.select_related("recipient").get(pk=pk)
    user = notification.recipient
    if (not user.is_active or not user.email or email_mode(user) != Mode.IMMEDIATELY
            or not Notification.objects.for_reader(user).filter(pk=pk).exists()):
        # Changed to the digest or to never since, or left the group it speaks of: not an
        # immediate e-mail any more.
        Notification.objects.filter(pk=pk).update(next_attempt_at=None)
        return False
    try:
        _email(user, notification.subject, notification.body).send()
    except Exception as error:
        _failed([notification], error, now)
        return False
    Notification.objects.filter(pk=pk).update(
        emailed_at=timezone.now(), next_attempt_at=None, last_error="",
        email_attempts=F("email_attempts") + 1)
    return True


def _digest_since(now):
    """The oldest notification a digest carries, per person: of the past day, or anything
    since a day before the person chose the digest, whichever is earlier. A fixed "past day"
    alone would leave for good what came in between yesterday's run and a day before today's
    when today's starts later (or a day's run is missed); the choice's day keeps the backlog of
    another mode out."""
    chosen = ExpressionWrapper(F("notification_settings__updated_at") - DIGEST_PERIOD,
                               output_field=DateTimeField())
    return Least(Value(now - DIGEST_PERIOD, output_field=DateTimeField()), chosen)


def send_digest(user, *, now=None, since=None) -> int:
    """One e-mail with all of the person's un-emailed notifications since `since` (default: see
    `_digest_since`). Returns how many notifications it carried (0: nothing to send, or it
    failed)."""
    now = now or timezone.now()
    if since is None:
        since = (User.objects.filter(pk=user.pk).annotate(since=_digest_since(now))
                 .values_list("since", flat=True).get() or now - DIGEST_PERIOD)
    readable = Notification.objects.for_reader(user)
    # What speaks of a group the person has left is never e-mailed, nor retried.
    (Notification.objects.filter(recipient=user, emailed_at__isnull=True,
                                 next_attempt_at__isnull=False)
     .exclude(pk__in=readable.values("pk")).update(next_attempt_at=None))
    due = (readable
           .filter(emailed_at__isnull=True, created_at__gte=since,
                   email_attempts__lt=MAX_ATTEMPTS)
           .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)))
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    lease = now + CLAIM_TIME
    due.filter(pk__in=ids).update(next_attempt_at=lease)
    items = list(Notification.objects.filter(pk__in=ids, emailed_at__isnull=True,
                                             next_attempt_at=lease).order_by("created_at", "pk"))
    if not items:
        return 0
    language = language_of(user)
    with translation.override(language):
        list_url = absolute(reverse("notifications:list"))
    subject, body = render_mail("notifications/emails/digest", {
        "user": user, "count": len(items), "list_url": list_url,
        "notifications": [{"subject": n.subject, "link": absolute(n.url)} for n in items],
    }, language=language)
    try:
        _email(user, subject, body).send()
    except Exception as error:
        _failed(items, error, now)
        return 0
    Notification.objects.filter(pk__in=[n.pk for n in items]).update(
        emailed_at=timezone.now(), next_attempt_at=None, last_error="",
        email_attempts=F("email_attempts") + 1)
    return len(items)


def send_digests(*, now=None, progress=None) -> tuple[int, int]:
    """The daily digest for everyone who chose it. Running it twice sends nothing twice.
    Returns (e-mails sent, notifications in them); `progress(done, total)` is told per person."""
    now = now or timezone.now()
    people = (User.objects.filter(
        is_active=True, notification_settings__email_mode=Mode.DIGEST,
        notifications__emailed_at__isnull=True,
        notifications__created_at__gte=_digest_since(now))
        .distinct().order_by("pk"))
    total, emails, carried = people.count(), 0, 0
    for done, user in enumerate(people.iterator(), start=1):
        sent = send_digest(user, now=now)
        emails, carried = emails + bool(sent), carried + sent
        if progress:
            progress(done, total)
    return emails, carried


def send_pending(*, now=None, progress=None) -> int:
    """Everything due: immediate e-mails whose first try failed or was never queued, and
    digests that failed. Returns how many e-mails went out."""
    now = now or timezone.now()
    due = (Notification.objects.email_due(now)
           .values("recipient_id").annotate(first=Min("created_at")).order_by("recipient_id"))
    due = list(due)
    modes = dict(NotificationSettings.objects.filter(user_id__in=[d["recipient_id"] for d in due])
                 .values_list("user_id", "email_mode"))
    sent = 0
    for done, row in enumerate(due, start=1):
        recipient_id = row["recipient_id"]
        mode = modes.get(recipient_id, Mode.IMMEDIATELY)
        if mode == Mode.DIGEST:
            user = User.objects.get(pk=recipient_id)
            sent += bool(send_digest(user, now=now, since=row["first"]))
        else:
            for pk in (Notification.objects.email_due(now).filter(recipient_id=recipient_id)
                       .values_list("pk", flat=True)):
                sent += send_email(pk, now=now)
        if progress:
            progress(done, len(due))
    return sent


# ---------------------------------------------------------------------------------------------
# Reading and settings


def unread_count(user) -> int:
    return Notification.objects.for_reader(user).filter(read_at__isnull=True).count()


def mark_read(notification: Notification, *, by) -> Notification:
    if notification.recipient_id != by.pk:
        raise Notification.DoesNotExist  # someone else's: as if it did not exist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at)
    return notification


def mark_all_read(*, by) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now())


@transaction.atomic
def set_email_mode(user, mode: str, *, by=None) -> NotificationSettings:
    """`by` is None for the one-click unsubscribe link (no one is logged in)."""
    if mode not in Mode.values:
        raise ValidationError({"email_mode": _("Choose how you want to get e-mails.")},
                              code="invalid_choice")
    current, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    before = current.email_mode
    if before != mode:
        current.email_mode = mode
        current.save(update_fields=["email_mode", "updated_at"])
        # Not the rows a sender holds right now (a running digest, an immediate send): they
        # stay its own, or another sender would e-mail them too.
        waiting = Notification.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()),
            recipient=user, emailed_at__isnull=True)
        if mode != Mode.IMMEDIATELY:
            # Nothing more is sent one by one; a digest picks up what is still waiting.
            waiting.update(next_attempt_at=None)
        elif before == Mode.DIGEST:
            # What the next digest would have carried now goes out one by one instead.
            due = waiting.filter(created_at__gte=timezone.now() - DIGEST_PERIOD,
                                 email_attempts__lt=MAX_ATTEMPTS)
            pks = list(due.values_list("pk", flat=True))
            due.update(next_attempt_at=timezone.now())
            for pk in pks:
                transaction.on_commit(partial(_enqueue, pk))
        audit_log(actor=by, action="notification.settings.changed", target=current,
                  before={"email_mode": before}, after={"email_mode": mode})
    return current
