"""Hiding a suggestion ("not relevant") and bringing it back: each one transaction with an audit
entry. The person hides it for themselves only; the ranking leaves it out for them from then on."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.audit import audit_log
from stadtallianz.core.office import with_office_lazy
from stadtallianz.funding.models import Call
from stadtallianz.partnering.models import Notice
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project

from .models import Dismissal, Kind
from .permissions import can_dismiss

DENIED = with_office_lazy(_("Only partners of the alliance and the %(office)s see suggestions."))


# The largest id the tables hold (a 64-bit key): a larger number names nothing.
MAX_ID = 2**63 - 1


MODELS = {Kind.ORGANISATION: Organisation, Kind.PROJECT: Project, Kind.NOTICE: Notice,
          Kind.CALL: Call}


def _check(subject_kind, subject_id, object_kind, object_id) -> None:
    errors = {}
    for name, value in (("subject_kind", subject_kind), ("object_kind", object_kind)):
        if value not in Kind.values:
            errors[name] = _("Unknown kind: %(value)s.") % {"value": value}
    for name, value in (("subject_id", subject_id), ("object_id", object_id)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:
            errors[name] = _("Expected a positive whole number.")
    if not errors and (subject_kind == Kind.ORGANISATION) == (object_kind == Kind.ORGANISATION):
        errors["object_kind"] = _("A suggestion pairs an organisation with a project, a partner "
                                  "search or a call.")
    # Only pairs of things that exist: hiding is remembered per person, and ids of nothing
    # would only fill the table.
    for kind, name, pk in ((subject_kind, "subject_id", subject_id),
                           (object_kind, "object_id", object_id)):
        if not errors and not MODELS[kind].objects.filter(pk=pk).exists():
            errors[name] = _("There is no such %(kind)s.") % {"kind": Kind(kind).label}
    if errors:
        raise ValidationError(errors)


def _describe(subject_kind, subject_id, object_kind, object_id) -> str:
    return f"{object_kind}:{object_id} ({subject_kind}:{subject_id})"


@transaction.atomic
def dismiss(*, by, subject_kind: str, subject_id: int, object_kind: str,
            object_id: int) -> Dismissal:
    """Hides a suggestion for `by`; hiding it twice keeps one."""
    if not can_dismiss(by):
        raise PermissionDenied(DENIED)
    _check(subject_kind, subject_id, object_kind, object_id)
    dismissal, created = Dismissal.objects.get_or_create(
        user=by, subject_kind=subject_kind, subject_id=subject_id, object_kind=object_kind,
        object_id=object_id)
    if created:
        audit_log(actor=by, action="matchmaking.suggestion.dismissed", target=dismissal,
                  object_repr=_describe(subject_kind, subject_id, object_kind, object_id))
    return dismissal


@transaction.atomic
def undo(*, by, subject_kind: str, subject_id: int, object_kind: str, object_id: int) -> bool:
    """Shows a hidden suggestion again; False if it was not hidden."""
    if not can_dismiss(by):
        raise PermissionDenied(DENIED)
    _check(subject_kind, subject_id, object_kind, object_id)
    deleted, _rows = Dismissal.objects.filter(
        user=by, subject_kind=subject_kind, subject_id=subject_id, object_kind=object_kind,
        object_id=object_id).delete()
    if deleted:
        audit_log(actor=by, action="matchmaking.suggestion.restored",
                  object_repr=_describe(subject_kind, subject_id, object_kind, object_id))
    return bool(deleted)


def personal_data(user) -> dict:
    """The person's rows for the privacy export (GDPR Art. 15, 20), as querysets by table: the
    suggestions they hid (which subject, which suggestion, when). Deleting the account deletes
    them (CASCADE); nothing else of the person is kept by matchmaking (the audit log keeps
    the hiding and showing again, as for every change)."""
    return {"matchmaking_hidden_suggestions": Dismissal.objects.filter(user=user)}
