"""Sending the platform's own e-mails (account confirmation and password reset, invitations,
letter of intent) so that a mail that cannot be sent never breaks the request that wrote it:
`send_or_keep` sends at once and, when that fails, keeps the message (KeptMail) and logs the
error; `send_kept` (run by `send_pending_notifications` every few minutes) tries again with
back-off. Notification e-mails have their own queue (notifications/services.py) with the same
back-off."""

import logging
from datetime import timedelta

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from .models import KeptMail

logger = logging.getLogger(__name__)

# 5 minutes, 10, 20, … at most 6 hours apart; after MAX_ATTEMPTS it is given up (and stays,
# with its last error, for the administrator).
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 12
CLAIM_TIME = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def send_or_keep(messages: list[EmailMessage]) -> int:
    """Sends the messages; those that fail are kept for send_kept. Returns how many went out."""
    sent = 0
    for message in messages:
        try:
            get_connection().send_messages([message])
            sent += 1
        except Exception as error:  # noqa: BLE001 - any failure of the mail backend
            logger.warning("Sending an e-mail to %s failed, kept to try again: %s",
                           ", ".join(message.to), error)
            with transaction.atomic():  # a savepoint: the request's own writes stay
                KeptMail.objects.create(
                    subject=message.subject, body=message.body,
                    from_email=message.from_email or "", to=list(message.to),
                    headers=dict(message.extra_headers),
                    last_error=f"{type(error).__name__}: {error}"[:2000],
                    next_attempt_at=timezone.now() + retry_delay(1))
    return sent


def send_kept(*, now=None) -> int:
    """Sends the kept e-mails that are due; returns how many went out."""
    now = now or timezone.now()
    sent = 0
    for pk in KeptMail.objects.due(now).order_by("pk").values_list("pk", flat=True):
        claimed = KeptMail.objects.due(now).filter(pk=pk).update(
            next_attempt_at=now + CLAIM_TIME)
        if not claimed:
            continue  # another sender has it
        kept = KeptMail.objects.get(pk=pk)
        message = EmailMessage(kept.subject, kept.body, kept.from_email or None, kept.to,
                               headers=kept.headers)
        try:
            get_connection().send_messages([message])
        except Exception as error:  # noqa: BLE001 - any failure of the mail backend
            attempts = kept.attempts + 1
            KeptMail.objects.filter(pk=pk).update(
                attempts=attempts, last_error=f"{type(error).__name__}: {error}"[:2000],
                next_attempt_at=(now + retry_delay(attempts) if attempts < MAX_ATTEMPTS
                                 else None))
            logger.warning("Sending a kept e-mail to %s failed again: %s", ", ".join(kept.to),
                           error)
            continue
        KeptMail.objects.filter(pk=pk).update(sent_at=timezone.now(), next_attempt_at=None,
                                              last_error="")
        sent += 1
    return sent
