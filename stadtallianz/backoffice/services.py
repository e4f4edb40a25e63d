"""Changes the back office makes to reference data. Each is one transaction with an audit entry."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404

from stadtallianz.core.audit import audit_log, snapshot
from stadtallianz.core.models import FocusArea

from .permissions import can_use_backoffice

FOCUS_AREA_FIELDS = ["slug", "name_de", "name_en", "description_de", "description_en", "position",
                     "is_active"]


@transaction.atomic
def focus_area_create(*, by, data: dict) -> FocusArea:
    if not can_use_backoffice(by):
        raise PermissionDenied
    focus_area = FocusArea(**{field: data[field] for field in FOCUS_AREA_FIELDS if field in data})
    focus_area.full_clean()
    focus_area.save()
    audit_log(actor=by, action="core.focus_area.created", target=focus_area,
              after=snapshot(focus_area, FOCUS_AREA_FIELDS))
    return focus_area


@transaction.atomic
def focus_area_update(*, focus_area: FocusArea, by, data: dict) -> FocusArea:
    if not can_use_backoffice(by):
        raise PermissionDenied
    # Deleted by another request meanwhile: a 404, and not brought back by the save below.
    focus_area = get_object_or_404(FocusArea.objects.select_for_update(), pk=focus_area.pk)
    before = snapshot(focus_area, FOCUS_AREA_FIELDS)
    for field in FOCUS_AREA_FIELDS:
        if field in data:
            setattr(focus_area, field, data[field])
    focus_area.full_clean()
    focus_area.save()
    after = snapshot(focus_area, FOCUS_AREA_FIELDS)
    changed = [field for field in FOCUS_AREA_FIELDS if before[field] != after[field]]
    if changed:
        audit_log(actor=by, action="core.focus_area.changed", target=focus_area,
                  before={field: before[field] for field in changed},
                  after={field: after[field] for field in changed})
    return focus_area
