"""Changes to organisations and their offers. Each is one transaction with an audit entry."""

from django.db import transaction

from stadtallianz.core.audit import audit_log, snapshot

from .models import Offer, Organisation

PROFILE_FIELDS = [
    "name", "type", "description_de", "description_en", "website", "street", "postal_code",
    "city", "latitude", "longitude",
]


@transaction.atomic
def organisation_update(*, organisation: Organisation, by, data: dict, focus_areas=None) -> Organisation:
    """Applies validated profile data (field name to value) and records what changed."""
    before = snapshot(organisation, PROFILE_FIELDS)
    before["focus_areas"] = sorted(organisation.focus_areas.values_list("slug", flat=True))
    for field, value in data.items():
        if field not in PROFILE_FIELDS and field != "logo":
            raise ValueError(f"{field} is not a profile field")
        setattr(organisation, field, value)
    organisation.full_clean(exclude=["slug"])
    organisation.save()
    if focus_areas is not None:
        organisation.focus_areas.set(focus_areas)
    after = snapshot(organisation, PROFILE_FIELDS)
    after["focus_areas"] = sorted(organisation.focus_areas.values_list("slug", flat=True))
    changed = {key for key in after if before.get(key) != after.get(key)}
    if "logo" in data:
        changed.add("logo")
    if changed:
        audit_log(actor=by, action="partner.profile.changed", target=organisation,
                  before={key: before.get(key) for key in changed if key != "logo"},
                  after={key: after.get(key) for key in changed if key != "logo"})
    return organisation


@transaction.atomic
def offer_create(*, organisation: Organisation, by, kind: str, category: str, text: str) -> Offer:
    offer = Offer(organisation=organisation, kind=kind, category=category, text=text)
    offer.full_clean()
    offer.save()
    audit_log(actor=by, action=f"partner.{kind}.created", target=organisation,
              after={"id": offer.pk, "category": category, "text": text})
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, by, category: str, text: str) -> Offer:
    before = {"category": offer.category, "text": offer.text}
    offer.category, offer.text = category, text
    offer.full_clean()
    offer.save()
    audit_log(actor=by, action=f"partner.{offer.kind}.changed", target=offer.organisation,
              before={"id": offer.pk, **before},
              after={"id": offer.pk, "category": category, "text": text})
    return offer


@transaction.atomic
def offer_delete(*, offer: Offer, by) -> None:
    audit_log(actor=by, action=f"partner.{offer.kind}.deleted", target=offer.organisation,
              before={"id": offer.pk, "category": offer.category, "text": offer.text})
    offer.delete()
