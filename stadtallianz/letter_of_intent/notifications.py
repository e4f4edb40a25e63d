"""E-mails about signatures and versions, each in its recipient's preferred language.

The services call these through `transaction.on_commit`, so nobody is told about a change that
was rolled back.
"""

from collections.abc import Iterable

from django.db.models import Q

from stadtallianz.accounts.models import User
from stadtallianz.core.mail import send_mail_to
from stadtallianz.partners.models import Membership


def coordinators():
    return User.objects.filter(Q(is_coordinator=True) | Q(is_superuser=True), is_active=True)


def admins_of(organisation_ids: Iterable[int]):
    return (Membership.objects.filter(organisation_id__in=list(organisation_ids),
                                      role=Membership.Role.ADMIN, user__is_active=True)
            .select_related("user", "organisation"))


def send(recipients: Iterable[User], template: str, context: dict) -> None:
    """`letter_of_intent/email/<template>_*.txt` to each person, in their language, through
    the outbox (core.mail)."""
    for user in recipients:
        send_mail_to(user, template=f"letter_of_intent/email/{template}", context=context)


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
        for membership in admins_of(organisation_ids[start:start + 500]):
            send([membership.user], "resign_required",
                 {"version": version, "organisation": membership.organisation})
