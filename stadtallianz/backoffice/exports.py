"""The organisation and audit-log queries of the back office, and the rows of their CSV and
XLSX exports (written, formula-safe, by core/exports.py)."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from stadtallianz.core import audit_sentences
from stadtallianz.letter_of_intent.models import Signature
from stadtallianz.partners.models import Offer, Organisation


def _count_of(kind: str):
    counts = (Offer.objects.filter(organisation=OuterRef("pk"), kind=kind).order_by()
              .values("organisation").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def organisations_with_signatures():
    """Organisations annotated with the version of their confirmed signature and a pending flag."""
    signed_version = (Signature.objects.filter(organisation=OuterRef("pk"),
                                               state=Signature.State.CONFIRMED)
                      .order_by("-version__number").values("version__number")[:1])
    return Organisation.objects.annotate(
        signed_version=Subquery(signed_version, output_field=IntegerField()),
        has_pending_signature=Exists(Signature.objects.pending().filter(organisation=OuterRef("pk"))),
    )


def filter_organisations(queryset, data: dict):
    if data.get("q"):
        query = data["q"]
        queryset = queryset.filter(Q(name__icontains=query) | Q(slug__icontains=query)
                                   | Q(city__icontains=query))
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    if data.get("type"):
        queryset = queryset.filter(type=data["type"])
    return queryset


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def partner_headers() -> list[str]:
    return [_("Name"), _("Type"), _("Status"), _("Partner since"), _("Website"), _("Address"),
            _("Focus areas"), _("Offers"), _("Needs"), _("Signed version")]


def partner_rows(queryset):
    """One row per organisation, in chunks: two queries per 500 organisations, never one each."""
    queryset = (queryset.annotate(offers_count=_count_of(Offer.Kind.OFFER),
                                  needs_count=_count_of(Offer.Kind.NEED))
                .prefetch_related("focus_areas").order_by("name", "pk"))
    for organisation in queryset.iterator(chunk_size=500):
        address = ", ".join(part for part in [
            organisation.street,
            " ".join(part for part in [organisation.postal_code, organisation.city] if part),
        ] if part)
        yield [
            organisation.name,
            organisation.get_type_display(),
            organisation.get_status_display(),
            _local(organisation.partner_since),
            organisation.website,
            address,
            "; ".join(str(area.name) for area in organisation.focus_areas.all()),
            organisation.offers_count,
            organisation.needs_count,
            organisation.signed_version,
        ]


def audit_headers() -> list[str]:
    return [_("Time"), _("Person"), _("What happened"), _("Type of object"), _("Object"),
            _("Changes"), _("Action code")]


def audit_rows(queryset):
    """One row per entry, in the reader's language: the sentence and the changes as text
    ("field: old → new; …"); the action code last, for machines."""
    for entry in queryset.select_related("actor", "content_type").iterator(chunk_size=2000):
        model = entry.content_type.model_class() if entry.content_type_id else None
        yield [
            _local(entry.created_at),
            audit_sentences.actor_name(entry),
            audit_sentences.sentence(entry),
            str(model._meta.verbose_name) if model else "",
            entry.object_repr,
            audit_sentences.changes_text(entry),
            entry.action,
        ]
