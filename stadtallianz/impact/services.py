"""Setting and deleting the targets of the key figures: the coordination office only, in one
transaction with an entry in the audit log."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from stadtallianz.core.audit import audit_log
from stadtallianz.core.office import with_office

from . import permissions
from .models import ImpactTarget


def _denied():
    return PermissionDenied(with_office(_("Only the %(office)s sets the targets of the impact "
                                          "dashboard.")))


@transaction.atomic
def target_set(*, actor, key: str, year: int, value: Decimal, note: str = "") -> ImpactTarget:
    """Sets the target of figure `key` for `year` (replacing an earlier one)."""
    if not permissions.can_set_targets(actor):
        raise _denied()
    target = ImpactTarget.objects.select_for_update().filter(key=key, year=year).first()
    before = None
    if target is None:
        target = ImpactTarget(key=key, year=year)
    else:
        before = {"value": str(target.value), "note": target.note}
    target.value, target.note, target.set_by = value, note, actor
    target.full_clean(exclude=["set_by"])
    target.save()
    audit_log(actor=actor, action="impact.target.set", target=target, before=before,
              after={"key": key, "year": year, "value": str(value), "note": note})
    return target


@transaction.atomic
def target_delete(*, actor, target: ImpactTarget) -> None:
    if not permissions.can_set_targets(actor):
        raise _denied()
    audit_log(actor=actor, action="impact.target.deleted", target=target,
              before={"key": target.key, "year": target.year, "value": str(target.value)})
    target.delete()
