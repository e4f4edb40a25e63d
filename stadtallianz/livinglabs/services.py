"""Changes to living labs, shared by the pages and the REST API: each checks the permission,
validates the whole lab (model rules and the GeoJSON area) and writes in one transaction, with
an entry in the audit log."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stadtallianz.core.audit import audit_log
from stadtallianz.core.geo import validate_geometry
from stadtallianz.core.office import with_office
from stadtallianz.core.slugs import unique_slug

from . import permissions
from .models import LabToken, LivingLab

RESERVED_SLUGS = frozenset({"new"})


def _apply(lab: LivingLab, data: dict, relations: dict) -> LivingLab:
    if "area" in data:
        try:  # only the keys of a geometry are kept (no "properties" or foreign members)
            data = {**data, "area": validate_geometry(data["area"])}
        except ValidationError as error:
            raise ValidationError({"area": error.messages}) from error
    for name, value in data.items():
        setattr(lab, name, value)
    lab.full_clean(exclude=["created_by"])  # SET_NULL: a lab outlives its creator
    lab.save()
    for name, objects in relations.items():
        getattr(lab, name).set(objects)
    return lab


@transaction.atomic
def create_lab(*, actor, operator, data: dict, relations: dict) -> LivingLab:
    if not permissions.can_create(actor):
        raise PermissionDenied(with_office(_("Only the %(office)s and admins of partner "
                                             "organisations create living labs.")))
    if operator is None or not permissions.operators_for(actor).filter(pk=operator.pk).exists():
        raise ValidationError({"operator": _("Choose a partner organisation you administer.")})
    lab = LivingLab(operator=operator, created_by=actor)
    lab.slug = unique_slug(LivingLab.objects.all(), data.get("name_de") or "",
                           fallback="reallabor", reserved=RESERVED_SLUGS)
    _apply(lab, data, relations)
    audit_log(actor=actor, action="livinglab.created", target=lab,
              after={"name": lab.name_de, "operator": operator.slug})
    return lab


@transaction.atomic
def update_lab(*, lab: LivingLab, actor, data: dict, relations: dict) -> LivingLab:
    if not permissions.can_manage(actor, lab):
        raise PermissionDenied(with_office(_("Only the operator's admins and the %(office)s "
                                             "change a living lab.")))
    lab = LivingLab.objects.select_for_update().get(pk=lab.pk)
    _apply(lab, data, relations)
    audit_log(actor=actor, action="livinglab.changed", target=lab,
              after={"fields": sorted([*data, *relations])})
    return lab


def issue_token(*, lab: LivingLab, actor, name: str) -> tuple[LabToken, str]:
    if not permissions.can_manage(actor, lab):
        raise PermissionDenied(with_office(_("Only the operator's admins and the %(office)s "
                                             "manage the lab's tokens.")))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("At most 100 characters.")})
    with transaction.atomic():
        token, key = LabToken.issue(lab=lab, name=name, created_by=actor)
        audit_log(actor=actor, action="livinglab.token_issued", target=lab,
                  after={"token": token.username, "name": name})
    return token, key


@transaction.atomic
def revoke_token(*, token: LabToken, actor) -> LabToken:
    if not permissions.can_manage(actor, token.lab):
        raise PermissionDenied(with_office(_("Only the operator's admins and the %(office)s "
                                             "manage the lab's tokens.")))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, action="livinglab.token_revoked", target=token.lab,
                  after={"token": token.username})
    return token


@transaction.atomic
def set_privacy(*, datastream, actor, level: str, aggregation_window: int,
                counts_people: bool, k_threshold: int, retention_days: int | None):
    """The operator's privacy and retention settings of one datastream. The level change itself
    (folding raw values into windows, refusing a way back from aggregated) is the ingest
    layer's rule."""
    from stadtallianz.sensorthings import ingest

    if not permissions.can_manage(actor, datastream.lab):
        raise PermissionDenied(with_office(_("Only the operator's admins and the %(office)s "
                                             "change a datastream's privacy.")))
    before = {"privacy_level": datastream.privacy_level,
              "retention_days": datastream.retention_days}
    ingest.change_privacy(datastream, level=level, aggregation_window=aggregation_window,
                          counts_people=counts_people, k_threshold=k_threshold)
    type(datastream).objects.filter(pk=datastream.pk).update(retention_days=retention_days)
    datastream.retention_days = retention_days
    audit_log(actor=actor, action="livinglab.privacy_changed", target=datastream.lab,
              before=before, after={"datastream": datastream.pk, "privacy_level": level,
                                    "retention_days": retention_days})
