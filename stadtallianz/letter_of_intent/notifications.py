"""E-mails about signatures and versions, each in its recipient's preferred language.

The services call these through `transaction.on_commit`, so nobody is told about a change that
was rolled back.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from stadtallianz.accounts.models import User
from stadtallianz.core.mail import send_or_keep
from stadtallianz.core.text import single_line
from stadtallianz.partners.models import Membership


def coordinators():
    return User.objects.filter(Q(is_coordinator=True) | Q(is_superuser=True), is_active=True)


def admins_of(organisation_ids: Iterable[int]):
    return (Membership.objects.filter(organisation_id__in=list(organisation_ids),
                                      role=Membership.Role.ADMIN, user__is_active=True)
            .select_related("user", "organisation"))


def _message(user, template: str, context: dict) -> EmailMessage:
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {**context, "recipient": user, "site_name": settings.SITE_NAME,
                   "site_url": settings.SITE_URL.rstrip("/")}
        subject = render_to_string(f"letter_of_intent/email/{template}_subject.txt", context)
        body = render_to_string(f"letter_of_intent/email/{template}_body.txt", context)
    return EmailMessage(single_line(subject), body, to=[user.email])


def send(recipients: Iterable[User], template: str, context: dict) -> None:
    send_or_keep([_message(user, template, context) for user in recipients])


def notify_signature_submitted(signature) -> None:
    send(coordinators(), "signature_submitted", {"signature": signature,
                                                  "organisation": signature.organisation})


def notify_signature_confirmed(signature) -> None:
    send([m.user for m in admins_of([signature.organisation_id])], "signature_confirmed",
         {"signature": signature, "organisation": signature.organisation})


def notify_signature_rejected(signature) -> None:
    send([m.user for m in admins_of([signature.organisation_id])], "signature_rejected",
         {"signature": signature, "organisation": signature.organisation})


def notify_withdrawn(organisation) -> None:
    send(coordinators(), "withdrawn", {"organisation": organisation})


def notify_resign_required(version, organisation_ids: list[int]) -> None:
    # In chunks: a database limits the number of parameters in one query.
    for start in range(0, len(organisation_ids), 500):
        messages = [
            _message(membership.user, "resign_required",
                     {"version": version, "organisation": membership.organisation})
            for membership in admins_of(organisation_ids[start:start + 500])
        ]
        send_or_keep(messages)
