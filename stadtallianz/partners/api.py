"""REST API of the partner directory, and of a partner's own profile, offers and needs.

Every write goes through `services.py`, so the API validates and audits exactly as the web pages
do; a model's ValidationError becomes a 422 answer naming the field.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from stadtallianz.core.api import (
    ErrorOut,
    FocusAreaRef,
    InputSchema,
    Pagination,
    ValidationErrorOut,
)
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.i18n import active_language, shown_language
from stadtallianz.core.models import FocusArea

from . import services
from .models import SUMMARY_MAX_LENGTH, Offer, Organisation
from .permissions import can_edit

router = Router(tags=["partners"])

# The model's choices under names of their own: OpenAPI names an enum after its class, and
# "Type" or "Status" would clash with other apps' enums.
OrganisationType = StrEnum("OrganisationType", [(c.name, c.value) for c in Organisation.Type])
PartnerStatus = StrEnum("PartnerStatus", [(c.name, c.value) for c in Organisation.Status])
OfferKind = StrEnum("OfferKind", [(c.name, c.value) for c in Offer.Kind])
OfferCategory = StrEnum("OfferCategory", [(c.name, c.value) for c in Offer.Category])

WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}

# ---------------------------------------------------------------------------------------------
# Schemas


class LocationOut(Schema):
    """WGS 84 decimal degrees."""

    latitude: float
    longitude: float


class AddressOut(Schema):
    street: str
    postal_code: str
    city: str


class ContactOut(Schema):
    """The public contact: a person (name and role), an e-mail address and a phone number, each
    empty when not given."""

    name: str
    role: str
    email: str
    phone: str


class OfferOut(Schema):
    id: int
    kind: OfferKind
    category: OfferCategory
    category_label: str = Field(..., alias="get_category_display")
    text: str
    created_at: datetime


def _location(organisation: Organisation) -> dict | None:
    if not organisation.has_location:
        return None
    return {"latitude": organisation.latitude, "longitude": organisation.longitude}


def _logo_url(organisation: Organisation, context) -> str | None:
    if not organisation.logo:
        return None
    request = context.get("request") if context else None
    url = organisation.logo.url
    return request.build_absolute_uri(url) if request is not None else url


class PartnerSummaryOut(Schema):
    slug: str
    name: str
    type: OrganisationType
    type_label: str = Field(..., alias="get_type_display")
    status: PartnerStatus
    status_label: str = Field(..., alias="get_status_display")
    partner_since: datetime | None
    summary: str = Field(..., description="One line on what the organisation offers, in the "
                         "requested language or, without it, the other one.")
    description: str
    website: str
    city: str
    location: LocationOut | None
    logo_url: str | None
    focus_areas: list[FocusAreaRef]
    web_url: str = Field(..., alias="get_absolute_url")

    @staticmethod
    def resolve_location(obj: Organisation):
        return _location(obj)

    @staticmethod
    def resolve_logo_url(obj: Organisation, context):
        return _logo_url(obj, context)

    @staticmethod
    def resolve_focus_areas(obj: Organisation):
        return obj.focus_areas.all()


class PartnerDetailOut(PartnerSummaryOut):
    summary_de: str
    summary_en: str
    description_de: str
    description_en: str
    address: AddressOut
    contact: ContactOut
    offers: list[OfferOut]
    needs: list[OfferOut]

    @staticmethod
    def resolve_address(obj: Organisation):
        return {"street": obj.street, "postal_code": obj.postal_code, "city": obj.city}

    @staticmethod
    def resolve_contact(obj: Organisation):
        return {"name": obj.contact_name, "role": obj.contact_role, "email": obj.contact_email,
                "phone": obj.phone}

    @staticmethod
    def resolve_offers(obj: Organisation):
        return [offer for offer in obj.offers.all() if offer.kind == Offer.Kind.OFFER]

    @staticmethod
    def resolve_needs(obj: Organisation):
        return [offer for offer in obj.offers.all() if offer.kind == Offer.Kind.NEED]


class PartnerFilters(InputSchema):
    q: str | None = Field(None, max_length=100, description="Text in the name or description.")
    type: OrganisationType | None = None
    focus_area: str | None = Field(None, description="Slug of a focus area.")
    offer_category: OfferCategory | None = Field(
        None, description="Has an offer or a need in this category.")


class PartnerPatchIn(InputSchema):
    """Only the fields sent are changed. `focus_areas` replaces the list with these slugs."""

    name: str = Field(None, min_length=1, max_length=200)
    type: OrganisationType = None
    summary: str = Field(None, max_length=SUMMARY_MAX_LENGTH,
                         description="The summary as it is read: the text of the request's "
                                     "language, or the other one where that is shown.")
    summary_de: str = Field(None, max_length=SUMMARY_MAX_LENGTH,
                            description="One line on what the organisation offers, in German.")
    summary_en: str = Field(None, max_length=SUMMARY_MAX_LENGTH,
                            description="The same line in English.")
    description_de: str = Field(None, max_length=20000)
    description_en: str = Field(None, max_length=20000)
    website: str = Field(None, max_length=200, description="http(s) URL, or empty to remove it.")
    street: str = Field(None, max_length=200)
    postal_code: str = Field(None, max_length=10)
    city: str = Field(None, max_length=100)
    contact_name: str = Field(None, max_length=200, description="The public contact person.")
    contact_role: str = Field(None, max_length=200, description="The contact person's role.")
    contact_email: str = Field(None, max_length=254, description="Public contact e-mail.")
    phone: str = Field(None, max_length=40,
                       description="Digits, spaces and + / - ( ) only, at least five digits.")
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    focus_areas: list[str] = Field(None, description="Slugs of focus areas.")


class OfferIn(InputSchema):
    kind: OfferKind
    category: OfferCategory
    text: str = Field(..., min_length=1, max_length=2000)


class OfferPatchIn(InputSchema):
    category: OfferCategory = None
    text: str = Field(None, min_length=1, max_length=2000)


# ---------------------------------------------------------------------------------------------
# Look-ups


def _with_relations(queryset):
    return queryset.prefetch_related(
        Prefetch("focus_areas", queryset=FocusArea.objects.order_by("position", "slug")),
    )


def _visible_organisation(user, slug: str, *, with_offers: bool = False) -> Organisation:
    """The organisation if the caller may see it; 404 otherwise, so its existence stays hidden."""
    # Text that cannot be a slug (a NUL character would even fail the query) names nothing.
    if not slug_re.match(slug):
        raise Http404
    queryset = Organisation.objects.visible_to(user)
    if with_offers:
        queryset = _with_relations(queryset).prefetch_related("offers")
    return get_object_or_404(queryset, slug=slug)


def _editable_organisation(request, slug: str) -> Organisation:
    organisation = _visible_organisation(request.auth, slug)
    if not can_edit(request.auth, organisation):
        raise HttpError(403, str(services.EDIT_DENIED))
    return organisation


def _detail(organisation: Organisation) -> Organisation:
    return _with_relations(Organisation.objects.filter(pk=organisation.pk)).prefetch_related(
        "offers").get()


# ---------------------------------------------------------------------------------------------
# Reads


@router.get("", response=list[PartnerSummaryOut], summary="Partner directory")
@paginate(Pagination)
def partner_list(request, filters: Query[PartnerFilters]):
    """Confirmed alliance partners, by name. A logged-in caller also sees the organisations they
    belong to, whatever their status; the coordination office sees every organisation."""
    organisations = Organisation.objects.visible_to(api_user(request)).search(
        q=(filters.q or "").strip(), type=filters.type or "",
        focus_area=filters.focus_area or "", category=filters.offer_category or "")
    return _with_relations(organisations.order_by("name", "pk"))


@router.get("/{slug}", response={200: PartnerDetailOut, 404: ErrorOut}, summary="One partner")
def partner_detail(request, slug: str):
    """A partner's profile with its offers and needs."""
    return _visible_organisation(api_user(request), slug, with_offers=True)


# ---------------------------------------------------------------------------------------------
# Writes


@router.patch("/{slug}", auth=write_auth, response={200: PartnerDetailOut, **WRITE_ERRORS},
              summary="Change a partner's profile")
def partner_update(request, slug: str, payload: PartnerPatchIn):
    """For the organisation's administrators and the coordination office."""
    organisation = _editable_organisation(request, slug)
    data = payload.dict(exclude_unset=True)
    focus_area_slugs = data.pop("focus_areas", None)
    focus_areas = None
    if focus_area_slugs is not None:
        focus_areas = list(FocusArea.objects.active().filter(slug__in=set(focus_area_slugs)))
        unknown = set(focus_area_slugs) - {area.slug for area in focus_areas}
        if unknown:
            raise ValidationError(
                {"focus_areas": f"Unknown focus area: {', '.join(sorted(unknown))}."},
                code="unknown_focus_area",
            )
    if "summary" in data:
        # `summary` as it is read: the text of the request's language, or the fallback shown in
        # its place; a client that reads it and writes it back changes that same text.
        language = shown_language(organisation, "summary") or active_language()
        data.setdefault(f"summary_{language}", data.pop("summary"))
    for field in ("website", "summary_de", "summary_en", "description_de", "description_en",
                  "street", "postal_code", "city", "contact_name", "contact_role", "contact_email",
                  "phone"):
        if field in data and data[field] is not None:
            data[field] = data[field].strip()
    services.organisation_update(organisation=organisation, by=request.auth, data=data,
                                 focus_areas=focus_areas)
    return _detail(organisation)


def _offer_of(organisation: Organisation, offer_id: int) -> Offer:
    offer = organisation.offers.filter(pk=offer_id).first()
    if offer is None:
        raise Http404
    return offer


@router.post("/{slug}/offers", auth=write_auth, response={201: OfferOut, **WRITE_ERRORS},
             summary="Add an offer or a need")
def offer_create(request, slug: str, payload: OfferIn):
    organisation = _editable_organisation(request, slug)
    offer = services.offer_create(organisation=organisation, by=request.auth, kind=payload.kind,
                                  category=payload.category, text=payload.text.strip())
    return Status(201, offer)


@router.patch("/{slug}/offers/{offer_id}", auth=write_auth,
              response={200: OfferOut, **WRITE_ERRORS}, summary="Change an offer or a need")
def offer_update(request, slug: str, offer_id: int, payload: OfferPatchIn):
    organisation = _editable_organisation(request, slug)
    offer = _offer_of(organisation, offer_id)
    data = payload.dict(exclude_unset=True)
    return services.offer_update(
        offer=offer, by=request.auth,
        category=data.get("category") or offer.category,
        text=(data.get("text") or offer.text).strip(),
    )


@router.delete("/{slug}/offers/{offer_id}", auth=write_auth,
               response={204: None, **WRITE_ERRORS}, summary="Remove an offer or a need")
def offer_delete(request, slug: str, offer_id: int):
    organisation = _editable_organisation(request, slug)
    services.offer_delete(offer=_offer_of(organisation, offer_id), by=request.auth)
    return Status(204, None)
