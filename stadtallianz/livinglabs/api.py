"""REST API of living labs: read by everyone; created by the coordination office and admins of
partner organisations, changed by the operator's admins and the coordination office, who also
manage the lab's device tokens (the key is returned once, on creation).

Writes go through services.py, whose refusals the API's global handlers answer
(core/api_errors.py): refusals are 403, bad input 422 naming the field. The sensor data itself
is served by the SensorThings API at /sta/v1.1; the lab's answer lists the datastreams the
caller may know of (restricted ones only for the lab's insiders) with their SensorThings
address.
"""

from datetime import date, datetime
from enum import StrEnum

from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from stadtallianz.core.api import (
    CHANGE_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    InputSchema,
    OrganisationRef,
    Pagination,
    absolute_url,
    refuse_nulls,
)
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.api_refs import referenced_all, referenced_one
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.office import with_office
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project
from stadtallianz.sensorthings.models import PrivacyLevel

from . import permissions, readings, services
from .models import LabToken, LivingLab

router = Router(tags=["living labs"])

LabState = StrEnum("LabState", [(c.name, c.value) for c in LivingLab.State])
Privacy = StrEnum("PrivacyLevel", [(c.name, c.value) for c in PrivacyLevel])
READ_ERRORS = {404: ErrorOut}


class LabFilters(InputSchema):
    state: LabState | None = None


class LabSummaryOut(Schema):
    slug: str
    name: str
    name_de: str
    name_en: str
    state: LabState
    starts_on: date
    ends_on: date | None
    operator: OrganisationRef
    web_url: str

    @staticmethod
    def resolve_web_url(obj):
        return absolute_url(obj.get_absolute_url())


class ProjectRef(Schema):
    slug: str
    title: str


class DatastreamRef(Schema):
    id: int = Field(..., description="The datastream's @iot.id in the SensorThings API.")
    name: str
    thing: str
    privacy_level: Privacy
    aggregation_window: int | None = Field(None, description=(
        "Aggregated datastreams: the window in seconds over which values are served."))
    k_threshold: int | None = Field(None, description=(
        "Aggregated counts of people: windows with a smaller count are withheld."))
    sta_url: str


class LabDetailOut(LabSummaryOut):
    description: str
    description_de: str
    description_en: str
    description_html: str
    trial_de: str
    trial_en: str
    learnings_de: str
    learnings_en: str
    permits_de: str
    permits_en: str
    area: dict = Field(..., description="GeoJSON geometry (Point, Polygon or MultiPolygon).")
    contact_name: str
    contact_email: str
    default_privacy_level: Privacy
    partners: list[OrganisationRef]
    projects: list[ProjectRef]
    datastreams: list[DatastreamRef] = Field(..., description=(
        "The datastreams the caller may know of (restricted ones only for the lab's "
        "insiders)."))
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_description_html(obj):
        return str(render_markdown(obj.description, top_level=3))

    @staticmethod
    def resolve_partners(obj):
        return list(Organisation.objects.public().filter(living_labs=obj).order_by("name"))

    @staticmethod
    def resolve_projects(obj):
        return list(obj.projects.order_by("title_de"))

    @staticmethod
    def resolve_datastreams(obj, context):
        request = context["request"]
        caller = readings.Caller(api_user(request))
        streams = readings.visible_datastreams(caller, obj, with_newest=False)
        base = request.build_absolute_uri("/sta/v1.1")
        return [{
            "id": s.pk, "name": s.name, "thing": s.thing.name, "privacy_level": s.privacy_level,
            "aggregation_window": s.aggregation_window
            if s.privacy_level == PrivacyLevel.AGGREGATED else None,
            "k_threshold": s.k_threshold
            if s.privacy_level == PrivacyLevel.AGGREGATED and s.counts_people else None,
            "sta_url": f"{base}/Datastreams({s.pk})"} for s in streams]


class LabTokenOut(Schema):
    id: int
    name: str
    username: str = Field(..., description="The user name for HTTP Basic and MQTT.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedLabTokenOut(LabTokenOut):
    key: str = Field(..., description=(
        "The full key, shown only in this answer: send it as `Authorization: Bearer <key>`, "
        "or `username` and `secret` as HTTP Basic or MQTT credentials."))
    secret: str


def _lab(slug: str) -> LivingLab:
    if not slug_re.match(slug):
        raise Http404
    return get_object_or_404(LivingLab.objects.select_related("operator"), slug=slug)


@router.get("", response=list[LabSummaryOut], summary="Living labs")
@paginate(Pagination)
def living_lab_list(request, filters: Query[LabFilters]):
    """Every living lab (all are public), by name; `state` filters."""
    labs = LivingLab.objects.select_related("operator").order_by("name_de", "pk")
    if filters.state:
        labs = labs.filter(state=filters.state.value)
    return labs


@router.get("/{slug}", response={200: LabDetailOut, **READ_ERRORS}, summary="One living lab")
def living_lab_detail(request, slug: str):
    return _lab(slug)


class _LabFields(InputSchema):
    name_en: str = Field("", max_length=200)
    description_en: str = Field("", max_length=50000, description="Markdown.")
    trial_de: str = Field("", max_length=10000, description="Markdown.")
    trial_en: str = Field("", max_length=10000, description="Markdown.")
    learnings_de: str = Field("", max_length=50000, description="Markdown.")
    learnings_en: str = Field("", max_length=50000, description="Markdown.")
    permits_de: str = Field("", max_length=10000)
    permits_en: str = Field("", max_length=10000)
    ends_on: date | None = None
    state: LabState = LabState.PLANNED
    default_privacy_level: Privacy = Privacy.RESTRICTED
    partners: list[str] | None = Field(None, max_length=200,
                                       description="Slugs of partner organisations.")
    projects: list[str] | None = Field(None, max_length=200, description="Slugs of projects.")


class LabIn(_LabFields):
    operator: str = Field(..., max_length=220, description=(
        "Slug of the partner organisation that runs the lab (one you administer)."))
    name_de: str = Field(..., min_length=1, max_length=200)
    description_de: str = Field(..., min_length=1, max_length=50000, description="Markdown.")
    area: dict = Field(..., description="GeoJSON geometry (Point, Polygon or MultiPolygon).")
    starts_on: date
    contact_name: str = Field(..., min_length=1, max_length=200)
    contact_email: str = Field(..., min_length=3, max_length=254)


class LabPatchIn(InputSchema):
    """Only the fields sent change."""

    name_de: str = Field(None, min_length=1, max_length=200)
    name_en: str = Field(None, max_length=200)
    description_de: str = Field(None, min_length=1, max_length=50000)
    description_en: str = Field(None, max_length=50000)
    trial_de: str = Field(None, max_length=10000)
    trial_en: str = Field(None, max_length=10000)
    learnings_de: str = Field(None, max_length=50000)
    learnings_en: str = Field(None, max_length=50000)
    permits_de: str = Field(None, max_length=10000)
    permits_en: str = Field(None, max_length=10000)
    area: dict = None
    starts_on: date = None
    ends_on: date | None = None
    state: LabState = None
    contact_name: str = Field(None, min_length=1, max_length=200)
    contact_email: str = Field(None, min_length=3, max_length=254)
    default_privacy_level: Privacy = None
    partners: list[str] | None = Field(None, max_length=200)
    projects: list[str] | None = Field(None, max_length=200)


def _lookup(queryset, values, name: str, field: str = "slug") -> list | None:
    return referenced_all(queryset, values, name, lookup=field)


def _relations(payload) -> dict:
    data = {"partners": _lookup(Organisation.objects.public(), payload.partners, "partners"),
            "projects": _lookup(Project.objects.all(), payload.projects, "projects")}
    return {k: v for k, v in data.items() if v is not None}


def _plain(data: dict) -> dict:
    return {k: v.value if isinstance(v, StrEnum) else v for k, v in data.items()}


@router.post("", auth=write_auth, response={201: LabDetailOut, **CHANGE_ERRORS},
             summary="Create a living lab")
def living_lab_create(request, payload: LabIn):
    """The coordination office, or an admin of the operating partner organisation."""
    if not permissions.can_create(request.auth):
        raise HttpError(403, with_office(gettext("Only the %(office)s and admins of partner "
                                                 "organisations create living labs.")))
    operator = referenced_one(Organisation.objects.public(), payload.operator, "operator",
                              required=True)
    data = _plain(payload.dict(exclude={"operator", "partners", "projects"}))
    relations = _relations(payload)
    lab = services.create_lab(actor=request.auth, operator=operator, data=data,
                              relations=relations)
    return Status(201, lab)


def _managed(request, slug: str) -> LivingLab:
    lab = _lab(slug)
    if not permissions.can_manage(request.auth, lab):
        raise HttpError(403, with_office(gettext("Only the operator's admins and the %(office)s "
                                                 "manage a living lab.")))
    return lab


@router.patch("/{slug}", auth=write_auth, response={200: LabDetailOut, **CHANGE_ERRORS},
              summary="Change a living lab")
def living_lab_update(request, slug: str, payload: LabPatchIn):
    lab = _managed(request, slug)
    data = payload.dict(exclude_unset=True, exclude={"partners", "projects"})
    refuse_nulls({name: value for name, value in data.items() if name != "ends_on"})
    lab = services.update_lab(lab=lab, actor=request.auth, data=_plain(data),
                              relations=_relations(payload))
    return lab


@router.get("/{slug}/tokens", auth=write_auth, response={200: list[LabTokenOut], **WRITE_ERRORS},
            summary="Device tokens of a living lab")
def living_lab_token_list(request, slug: str):
    """Every token of the lab, newest first, revoked ones included (never a key)."""
    return list(_managed(request, slug).tokens.all())


class LabTokenIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100,
                      description="What the token is for, e.g. the device it sits in.")


@router.post("/{slug}/tokens", auth=write_auth,
             response={201: IssuedLabTokenOut, **CHANGE_ERRORS}, summary="Create a device token")
def living_lab_token_create(request, slug: str, payload: LabTokenIn):
    """The answer holds the key; it is not stored and cannot be shown again."""
    lab = _managed(request, slug)
    token, key = services.issue_token(lab=lab, actor=request.auth, name=payload.name)
    token.key = key
    token.secret = key[len(token.username) + 1:]
    return Status(201, token)


@router.post("/{slug}/tokens/{token_id}/revoke", auth=write_auth,
             response={200: LabTokenOut, **CHANGE_ERRORS}, summary="Revoke a device token")
def living_lab_token_revoke(request, slug: str, token_id: int):
    """The token stops working at once for HTTP; the broker learns it with its next password
    file. Revoking a revoked token changes nothing."""
    lab = _managed(request, slug)
    token = get_object_or_404(LabToken.objects.select_related("lab"), lab=lab, pk=token_id)
    return services.revoke_token(token=token, actor=request.auth)
