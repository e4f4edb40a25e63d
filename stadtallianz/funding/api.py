"""REST API of funding programmes, calls and deadlines: read by everyone (calls are public
information); programmes and calls created and changed by the coordination office and the
admins of alliance partners (permissions.py says why); following a call by any signed-in
person.

Writes go through services.py, whose refusals the API's global handlers answer
(core/api_errors.py): refusals are 403, bad input 422 naming the field (`rates` and
`deadlines` for the rates per applicant type and the deadlines). Amounts are euros, rates
percent of the eligible costs; both are decimals written as strings."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from stadtallianz.core.api import (
    CHANGE_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    FocusAreaRef,
    InputSchema,
    Pagination,
    absolute_url,
    refuse_nulls,
)
from stadtallianz.core.api_auth import write_auth
from stadtallianz.core.api_refs import referenced_all, referenced_one
from stadtallianz.core.models import FocusArea
from stadtallianz.partners.models import Organisation

from . import queries, services
from .models import Call, Deadline, Programme

router = Router(tags=["funding"])

Level = StrEnum("FundingProgrammeLevel", [(c.name, c.value) for c in Programme.Level])
CallState = StrEnum("FundingCallState", [(c.name, c.value) for c in Call.State])
Source = StrEnum("FundingCallSource", [(c.name, c.value) for c in Call.Source])
FundingType = StrEnum("FundingType", [(c.name, c.value) for c in Call.FundingType])
Stage = StrEnum("FundingDeadlineStage", [(c.name, c.value) for c in Deadline.Stage])
ApplicantType = StrEnum("FundingApplicantType", [(c.name, c.value) for c in Organisation.Type])
READ_ERRORS = {404: ErrorOut}

PROGRAMME_EXAMPLE = {
    "slug": "horizont-europa", "name": "Horizont Europa", "name_de": "Horizont Europa",
    "name_en": "Horizon Europe", "funder": "Europäische Kommission", "level": "eu",
    "description_de": "Das Rahmenprogramm der EU für Forschung und Innovation.",
    "description_en": "", "url": "https://research-and-innovation.ec.europa.eu/",
    "web_url": "https://allianz.example/de/funding/programmes/horizont-europa/"}
DEADLINE_EXAMPLE = {"stage": "single", "due_at": "2027-04-22T15:00:00Z"}
CALL_EXAMPLE = {
    "slug": "horizon-cl5-2027-02-d4-04", "source": "eu_ft",
    "source_id": "HORIZON-CL5-2027-02-D4-04",
    "programme": {"slug": "horizont-europa", "name": "Horizont Europa"},
    "title": "Plusenergiequartiere in mittelgroßen Städten",
    "title_de": "Plusenergiequartiere in mittelgroßen Städten",
    "title_en": "Positive-energy districts: replication in mid-sized cities",
    "state": "open", "opens_on": "2027-01-14", "next_deadline": "2027-04-22T15:00:00Z",
    "deadlines": [DEADLINE_EXAMPLE], "total_budget": "24000000.00",
    "min_amount": "6000000.00", "max_amount": "8000000.00", "expected_grants": 3,
    "funding_type": "grant", "funding_rate": "70.00",
    "rates": [{"applicant_type": "research", "rate": "100.00"}],
    "eligible_types": ["company", "research", "municipal"], "region": "EU",
    "focus_areas": [{"slug": "energie", "name": "Energie", "name_de": "Energie",
                     "name_en": "Energy"}],
    "keywords": "Plusenergiequartier, Energiegemeinschaft", "verified_on": "2026-12-01",
    "web_url": "https://allianz.example/de/funding/calls/horizon-cl5-2027-02-d4-04/"}


class FundingProgrammeRef(Schema):
    slug: str
    name: str


class FundingProgrammeOut(Schema):
    slug: str
    name: str
    name_de: str
    name_en: str
    funder: str
    level: Level
    description_de: str
    description_en: str
    url: str
    web_url: str

    model_config = {"json_schema_extra": {"examples": [PROGRAMME_EXAMPLE]}}

    @staticmethod
    def resolve_web_url(obj):
        return absolute_url(obj.get_absolute_url())


class FundingDeadlineOut(Schema):
    stage: Stage
    due_at: datetime = Field(..., description="In UTC; EU deadlines are 17:00 Brussels time.")

    model_config = {"json_schema_extra": {"examples": [DEADLINE_EXAMPLE]}}


class FundingRateOut(Schema):
    applicant_type: ApplicantType
    rate: Decimal


class FundingCallSummaryOut(Schema):
    slug: str
    source: Source
    source_id: str
    programme: FundingProgrammeRef
    title: str
    title_de: str
    title_en: str
    state: CallState
    opens_on: date | None
    next_deadline: datetime | None = Field(..., description="The earliest deadline ahead.")
    max_amount: Decimal | None
    funding_type: FundingType
    focus_areas: list[FocusAreaRef]
    web_url: str

    @staticmethod
    def resolve_focus_areas(obj):
        return list(obj.focus_areas.all())

    @staticmethod
    def resolve_web_url(obj):
        return absolute_url(obj.get_absolute_url())


class FundingCallOut(FundingCallSummaryOut):
    summary_de: str
    summary_en: str
    deadlines: list[FundingDeadlineOut]
    total_budget: Decimal | None
    min_amount: Decimal | None
    expected_grants: int | None
    funding_rate: Decimal | None
    rates: list[FundingRateOut] = Field(..., description="Rates per applicant type that override "
                                                  "funding_rate.")
    eligible_types: list[ApplicantType] = Field(..., description="Empty: every type.")
    region: str
    keywords: str
    legal_basis: str
    contact: str
    url: str
    links: list[str]
    checklist: list[str] = Field(..., description="What an application to the call needs; a "
                                                  "joint application starts with it.")
    verified_on: date | None = Field(..., description="When the data was last checked "
                                                      "against the source.")
    followers: int

    model_config = {"json_schema_extra": {"examples": [CALL_EXAMPLE]}}

    @staticmethod
    def resolve_deadlines(obj):
        return list(obj.deadlines.all())

    @staticmethod
    def resolve_rates(obj):
        return list(obj.rates.all())

    @staticmethod
    def resolve_links(obj):
        return obj.link_list

    @staticmethod
    def resolve_checklist(obj):
        return obj.checklist_items

    @staticmethod
    def resolve_followers(obj):
        return obj.follows.count()


class FundingCallDeadlineOut(FundingDeadlineOut):
    call: FundingProgrammeRef = Field(..., description="The call (slug and title).")

    @staticmethod
    def resolve_call(obj):
        return {"slug": obj.call.slug, "name": obj.call.title}


class FundingCallFilters(InputSchema):
    q: str = Field("", max_length=200, description="Words in title, summary, identifier, "
                                                   "keywords or programme.")
    state: CallState | None = Field(None, description="Empty: open and forthcoming.")
    all_states: bool = False
    focus_area: str = Field("", max_length=60, description="Slug of a focus area.")
    level: Level | None = None
    applicant_type: ApplicantType | None = Field(None, description="Calls this type may "
                                                                   "apply to.")
    programme: str = Field("", max_length=220, description="Slug of a programme.")


def _slug(slug: str) -> str:
    if not slug_re.match(slug):
        raise Http404
    return slug


def _calls():
    return queries.listed().prefetch_related(*queries.detail_prefetch())


# ---------------------------------------------------------------------------------------------
# Reading


@router.get("/programmes", response=list[FundingProgrammeOut], summary="Funding programmes")
@paginate(Pagination)
def programme_list(request, level: Level | None = None):
    programmes = Programme.objects.order_by("name_de", "pk")
    return programmes.filter(level=level.value) if level else programmes


@router.get("/programmes/{slug}", response={200: FundingProgrammeOut, **READ_ERRORS},
            summary="One funding programme")
def programme_detail(request, slug: str):
    return get_object_or_404(Programme, slug=_slug(slug))


@router.get("/calls", response=list[FundingCallSummaryOut], summary="Funding calls")
@paginate(Pagination)
def call_list(request, filters: Query[FundingCallFilters]):
    """Open and forthcoming calls by their next deadline (`state` or `all_states` for
    others), filtered like the calls page."""
    state = "all" if filters.all_states else (filters.state.value if filters.state else "")
    calls = queries.filter_calls(
        queries.listed(), q=filters.q, state=state, focus_area=filters.focus_area,
        level=filters.level.value if filters.level else "",
        applicant_type=filters.applicant_type.value if filters.applicant_type else "")
    if filters.programme:
        calls = calls.filter(programme__slug=filters.programme)
    return calls.order_by("next_due_at", "title_de", "pk")


@router.get("/calls/{slug}", response={200: FundingCallOut, **READ_ERRORS},
            summary="One funding call")
def call_detail(request, slug: str):
    return get_object_or_404(_calls(), slug=_slug(slug))


@router.get("/deadlines", response=list[FundingCallDeadlineOut], summary="Upcoming deadlines")
@paginate(Pagination)
def deadline_list(request, until: date | None = None):
    """Deadlines ahead of open and forthcoming calls, soonest first (until a day if given)."""
    deadlines = queries.upcoming_deadlines()
    if until:
        deadlines = deadlines.filter(due_at__date__lte=until)
    return deadlines


# ---------------------------------------------------------------------------------------------
# Following


@router.get("/follows", auth=write_auth,
            response={200: list[FundingCallSummaryOut], **WRITE_ERRORS}, summary="Calls I follow")
def follow_list(request):
    return list(queries.followed_calls(request.auth))


@router.post("/calls/{slug}/follow", auth=write_auth,
             response={200: FundingCallOut, **WRITE_ERRORS}, summary="Follow a call")
def call_follow(request, slug: str):
    """Its deadlines go into the personal deadline feed, with reminders 30, 14 and 3 days
    before. Following twice changes nothing."""
    call = get_object_or_404(Call, slug=_slug(slug))
    services.follow(call=call, user=request.auth)
    return get_object_or_404(_calls(), pk=call.pk)


@router.delete("/calls/{slug}/follow", auth=write_auth, response={204: None, **WRITE_ERRORS},
               summary="Stop following a call")
def call_unfollow(request, slug: str):
    call = get_object_or_404(Call, slug=_slug(slug))
    services.unfollow(call=call, user=request.auth)
    return Status(204, None)


# ---------------------------------------------------------------------------------------------
# Writing


class FundingProgrammeIn(InputSchema):
    name_de: str = Field(..., min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    funder: str = Field(..., min_length=1, max_length=200)
    level: Level
    description_de: str = Field("", max_length=20000, description="Markdown.")
    description_en: str = Field("", max_length=20000, description="Markdown.")
    url: str = Field("", max_length=500)

    model_config = {"json_schema_extra": {"examples": [{
        "name_de": "Modellprojekte Smart Cities", "funder": "Bundesministerium (Beispiel)",
        "level": "federal", "url": "https://www.smart-city-dialog.de/"}]}}


class FundingProgrammePatchIn(InputSchema):
    """Only the fields sent change."""

    name_de: str = Field(None, min_length=1, max_length=200)
    name_en: str = Field(None, max_length=200)
    funder: str = Field(None, min_length=1, max_length=200)
    level: Level = None
    description_de: str = Field(None, max_length=20000)
    description_en: str = Field(None, max_length=20000)
    url: str = Field(None, max_length=500)


def _plain(data: dict) -> dict:
    return {k: v.value if isinstance(v, StrEnum) else v for k, v in data.items()}


@router.post("/programmes", auth=write_auth, response={201: FundingProgrammeOut, **CHANGE_ERRORS},
             summary="Create a funding programme")
def programme_create(request, payload: FundingProgrammeIn):
    return Status(201, services.create_programme(actor=request.auth,
                                                 data=_plain(payload.dict())))


@router.patch("/programmes/{slug}", auth=write_auth,
              response={200: FundingProgrammeOut, **CHANGE_ERRORS},
              summary="Change a funding programme")
def programme_update(request, slug: str, payload: FundingProgrammePatchIn):
    programme = get_object_or_404(Programme, slug=_slug(slug))
    data = payload.dict(exclude_unset=True)
    refuse_nulls(data)
    return services.update_programme(programme=programme, actor=request.auth,
                                      data=_plain(data))


class FundingDeadlineIn(InputSchema):
    stage: Stage = Stage.SINGLE
    due_at: datetime = Field(..., description="With an offset; without one, German local "
                                              "time.")


class FundingCallFields(InputSchema):
    source: Source = Source.MANUAL
    source_id: str = Field("", max_length=120)
    title_en: str = Field("", max_length=300)
    summary_de: str = Field("", max_length=20000, description="Markdown.")
    summary_en: str = Field("", max_length=20000, description="Markdown.")
    state: CallState = CallState.OPEN
    opens_on: date | None = None
    total_budget: Decimal | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    expected_grants: int | None = Field(None, ge=0)
    funding_type: FundingType = FundingType.GRANT
    funding_rate: Decimal | None = None
    eligible_types: list[str] = Field([], max_length=20, description=(
        "Organisation types (company, startup, research, association, chamber, civil_society, "
        "municipal); empty: every type."))
    region: str = Field("", max_length=200)
    keywords: str = Field("", max_length=1000)
    legal_basis: str = Field("", max_length=500)
    contact: str = Field("", max_length=2000)
    url: str = Field("", max_length=500)
    links: str = Field("", max_length=5000, description="One address per line.")
    checklist: str = Field("", max_length=5000, description="One item per line.")


class FundingCallIn(FundingCallFields):
    programme: str = Field(..., max_length=220, description="Slug of the programme.")
    title_de: str = Field(..., min_length=1, max_length=300)
    focus_areas: list[str] = Field([], max_length=50, description="Slugs of focus areas.")
    rates: dict[str, Decimal] = Field({}, description="Percent per applicant type.")
    deadlines: list[FundingDeadlineIn] = Field([], max_length=3)
    verified: bool = Field(True, description="I have checked the data against the source "
                                             "today.")

    model_config = {"json_schema_extra": {"examples": [{
        "programme": "horizont-europa", "source": "eu_ft",
        "source_id": "HORIZON-CL5-2027-02-D4-04",
        "title_de": "Plusenergiequartiere in mittelgroßen Städten", "state": "open",
        "opens_on": "2027-01-14", "total_budget": "24000000", "min_amount": "6000000",
        "max_amount": "8000000", "expected_grants": 3, "funding_rate": "70",
        "rates": {"research": "100"}, "eligible_types": ["company", "research", "municipal"],
        "focus_areas": ["energie"],
        "deadlines": [{"stage": "single", "due_at": "2027-04-22T17:00:00+02:00"}]}]}}


class FundingCallPatchIn(InputSchema):
    """Only the fields sent change; `rates`, `deadlines` and `focus_areas` are replaced as a
    whole when sent."""

    programme: str = Field(None, max_length=220)
    source: Source = None
    source_id: str = Field(None, max_length=120)
    title_de: str = Field(None, min_length=1, max_length=300)
    title_en: str = Field(None, max_length=300)
    summary_de: str = Field(None, max_length=20000)
    summary_en: str = Field(None, max_length=20000)
    state: CallState = None
    opens_on: date | None = None
    total_budget: Decimal | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    expected_grants: int | None = Field(None, ge=0)
    funding_type: FundingType = None
    funding_rate: Decimal | None = None
    eligible_types: list[str] = Field(None, max_length=20)
    region: str = Field(None, max_length=200)
    keywords: str = Field(None, max_length=1000)
    legal_basis: str = Field(None, max_length=500)
    contact: str = Field(None, max_length=2000)
    url: str = Field(None, max_length=500)
    links: str = Field(None, max_length=5000)
    checklist: str = Field(None, max_length=5000)
    focus_areas: list[str] = Field(None, max_length=50)
    rates: dict[str, Decimal] = None
    deadlines: list[FundingDeadlineIn] = Field(None, max_length=3)
    verified: bool = False

    model_config = {"json_schema_extra": {"examples": [{
        "state": "closed", "verified": True}]}}


NULLABLE = {"opens_on", "total_budget", "min_amount", "max_amount", "expected_grants",
            "funding_rate"}


def _arguments(data: dict) -> dict:
    arguments = {"verified": data.pop("verified", False)}
    if "programme" in data:
        data["programme"] = referenced_one(Programme.objects.all(), data["programme"],
                                           "programme", required=True)
    if "focus_areas" in data:
        arguments["focus_areas"] = referenced_all(FocusArea.objects.all(),
                                                  data.pop("focus_areas"), "focus_areas")
    if "rates" in data:
        arguments["rates"] = data.pop("rates")
    if "deadlines" in data:
        arguments["deadlines"] = [
            {"stage": item["stage"].value if isinstance(item["stage"], StrEnum)
             else item["stage"],
             "due_at": item["due_at"] if timezone.is_aware(item["due_at"])
             else timezone.make_aware(item["due_at"], services.BERLIN)}
            for item in data.pop("deadlines")]
    arguments["data"] = _plain(data)
    return arguments


@router.post("/calls", auth=write_auth, response={201: FundingCallOut, **CHANGE_ERRORS},
             summary="Create a funding call")
def call_create(request, payload: FundingCallIn):
    """The coordination office and admins of alliance partners."""
    call = services.create_call(actor=request.auth, **_arguments(payload.dict()))
    return Status(201, get_object_or_404(_calls(), pk=call.pk))


@router.patch("/calls/{slug}", auth=write_auth, response={200: FundingCallOut, **CHANGE_ERRORS},
              summary="Change a funding call")
def call_update(request, slug: str, payload: FundingCallPatchIn):
    call = get_object_or_404(Call, slug=_slug(slug))
    data = payload.dict(exclude_unset=True)
    refuse_nulls({name: value for name, value in data.items() if name not in NULLABLE})
    services.update_call(call=call, actor=request.auth, **_arguments(data))
    return get_object_or_404(_calls(), pk=call.pk)


@router.post("/calls/{slug}/verify", auth=write_auth,
             response={200: FundingCallOut, **CHANGE_ERRORS},
             summary="Mark a call as checked against its source today")
def call_verify(request, slug: str):
    call = get_object_or_404(Call, slug=_slug(slug))
    services.verify_call(call=call, actor=request.auth)
    return get_object_or_404(_calls(), pk=call.pk)


