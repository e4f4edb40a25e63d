"""The platform's e-mail, written once.

`render_mail` renders a pair of templates `<template>_subject.txt` / `<template>_body.txt` as
plain text in a given language; every e-mail is rendered by it, notifications included.

`send_mail_to` is the one way to send the platform's own e-mails (account confirmation and
password reset, invitations, letter of intent): rendered in the recipient's language and sent
through the outbox, so that a mail that cannot be sent never breaks the request that wrote it
and is not lost: `send_or_keep` sends at once and, when that fails, keeps the message
(KeptMail) and logs the error; `send_kept` (run by `send_pending_notifications` every few
minutes) tries again with back-off. Notifications (notifications/services.py) keep their own
rows as their outbox, because a person chooses there how and when they get them (at once, a
daily digest, never) and may unsubscribe; they share the back-off below and `render_mail`.

Both live in core because every app sends e-mail, accounts (below notifications) included.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from .models import KeptMail
from .office import office_name
from .text import single_line

logger = logging.getLogger(__name__)

# 5 minutes, 10, 20, … at most 6 hours apart; after MAX_ATTEMPTS it is given up (and stays,
# with its last error, for the administrator).
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 12
CLAIM_TIME = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def language_of(user) -> str:
    """The language a person gets e-mails in: their preferred one, else the site's default."""
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template without HTML escaping (an e-mail, a subject)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_mail(template: str, context: dict, *, language: str) -> tuple[str, str]:
    """Subject (one line: a header cannot hold more) and body of `<template>_subject.txt` and
    `<template>_body.txt`, rendered in `language` with `context` and the site's SITE_NAME,
    SITE_URL and COORDINATION_OFFICE_NAME (core/office.py, in `language`)."""
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL.rstrip("/"),
               **context}
    with translation.override(language):
        # The office's name in the recipient's language (core/office.py), as on the pages.
        context = {"COORDINATION_OFFICE_NAME": office_name(), **context}
        subject = render_text(f"{template}_subject.txt", context)
        body = render_text(f"{template}_body.txt", context)
    return single_line(subject), body


def send_mail_to(recipient, *, template: str, context: dict | None = None,
                 language: str | None = None, from_email: str | None = None) -> bool:
    """Sends the e-mail `template` (see render_mail) to `recipient`, a person (in their
    language; `user` in the templates is the person) or an e-mail address (in `language`, else
    the site's default), through the outbox: sent at once, or kept and sent again later.
    Call it after the transaction that made the change has committed. True when it went out
    at once."""
    if isinstance(recipient, str):
        address, context = recipient, dict(context or {})
        language = language or settings.LANGUAGE_CODE
    else:
        address, context = recipient.email, {**(context or {}), "user": recipient}
        language = language or language_of(recipient)
    subject, body = render_mail(template, context, language=language)
    return send_or_keep([EmailMessage(subject, body, from_email, [address])]) == 1


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
