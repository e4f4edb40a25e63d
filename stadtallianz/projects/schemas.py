"""The shapes of the projects API (projects/api.py): what it answers and what it takes.

The names are the schema names of the OpenAPI document (`ProjectDetailOut`, `ProjectPhase`, …);
the API's contract pins them, so a class here is renamed only with a new API version.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ninja import Field, Schema

from stadtallianz.core.api import (
    FocusAreaRef,
    InputSchema,
    OrganisationRef,
    PrincipleRef,
    absolute_url,
)
from stadtallianz.core.api_auth import api_user
from stadtallianz.core.markdown import render_markdown

from . import permissions, queries, services
from .models import BudgetLine, ConsortiumMember, Milestone, Project, Result


def _choices(name, choices):
    return StrEnum(name, [(value.upper(), value) for value, _label in choices])


Phase = _choices("ProjectPhase", Project.Phase.choices)
MilestoneState = _choices("MilestoneState", Milestone.State.choices)
ResultState = _choices("ResultState", Result.State.choices)
BudgetSource = _choices("BudgetSource", BudgetLine.Source.choices)
ConsortiumRole = _choices("ConsortiumRole", ConsortiumMember.Role.choices)
ConsortiumState = _choices("ConsortiumState", ConsortiumMember.State.choices)
InviteRole = _choices("InviteRole", ConsortiumMember.Role.choices)


# ---------------------------------------------------------------------------------------------
# Output


class ProjectSummaryOut(Schema):
    slug: str
    title: str
    title_de: str
    title_en: str
    summary: str
    phase: Phase
    progress: int | None = Field(None, description="Mean progress of the results, percent.")
    version: int
    working_group: str | None = Field(None, description="Slug of the working group.")
    lead: OrganisationRef | None = Field(None, description="The accepted lead organisation.")
    focus_areas: list[FocusAreaRef]
    created_at: datetime
    updated_at: datetime
    web_url: str

    @staticmethod
    def resolve_working_group(obj):
        return obj.working_group.slug if obj.working_group_id else None

    @staticmethod
    def resolve_lead(obj):
        leads = getattr(obj, "leads", None)
        if leads is None:
            lead = permissions.lead_of(obj)
            return lead.organisation if lead else None
        return leads[0].organisation if leads else None

    @staticmethod
    def resolve_focus_areas(obj):
        return obj.focus_areas.all()

    @staticmethod
    def resolve_web_url(obj):
        return absolute_url(obj.get_absolute_url())


class ConsortiumOut(Schema):
    id: int
    organisation: OrganisationRef
    role: ConsortiumRole
    state: ConsortiumState
    created_at: datetime
    responded_at: datetime | None


class MilestoneOut(Schema):
    id: int
    title: str
    due: date
    state: MilestoneState
    done_at: date | None


class UpdateOut(Schema):
    id: int
    title: str
    body: str = Field(..., description="Markdown.")
    body_html: str
    published_at: datetime

    @staticmethod
    def resolve_body_html(obj):
        return str(render_markdown(obj.body, top_level=4))


class ResultOut(Schema):
    id: int
    title: str
    description: str
    progress: int
    state: ResultState
    position: int


class BudgetLineOut(Schema):
    id: int
    source: BudgetSource
    label: str
    amount: Decimal
    currency: str


class TotalOut(Schema):
    currency: str
    amount: Decimal


class PlaceOut(Schema):
    id: int
    name: str
    geometry: dict = Field(..., description="GeoJSON geometry (WGS 84).")


class SdgRelationOut(Schema):
    id: int
    goal: int
    goal_name: str
    target: str | None = Field(None, description="Code of the target, e.g. 11.2.")
    target_name: str | None

    @staticmethod
    def resolve_goal(obj):
        return obj.goal.number

    @staticmethod
    def resolve_goal_name(obj):
        return obj.goal.name

    @staticmethod
    def resolve_target(obj):
        return obj.target.code if obj.target_id else None

    @staticmethod
    def resolve_target_name(obj):
        return obj.target.name if obj.target_id else None


class PhaseOut(Schema):
    id: int
    phase: Phase
    start: date
    end: date | None


class ProjectDetailOut(ProjectSummaryOut):
    summary_de: str
    summary_en: str
    description: str = Field(..., description="Markdown.")
    description_de: str
    description_en: str
    description_html: str
    origin_idea: int | None = Field(None, description="Id of the idea the project came from.")
    principles: list[PrincipleRef]
    sdgs: list[SdgRelationOut]
    consortium: list[ConsortiumOut] = Field(..., description="Accepted organisations; "
                                                             "invitations for the team.")
    phases: list[PhaseOut]
    milestones: list[MilestoneOut]
    results: list[ResultOut]
    updates: list[UpdateOut]
    budget_lines: list[BudgetLineOut]
    budget_totals: list[TotalOut] = Field(..., description="Per currency.")
    places: dict = Field(..., description="A GeoJSON FeatureCollection.")

    @staticmethod
    def resolve_description_html(obj):
        return str(render_markdown(obj.description, top_level=3))

    @staticmethod
    def resolve_origin_idea(obj):
        return obj.origin_idea_id

    @staticmethod
    def resolve_principles(obj):
        return obj.principles.all()

    @staticmethod
    def resolve_sdgs(obj):
        return obj.sdg_relations.select_related("goal", "target")

    @staticmethod
    def resolve_consortium(obj, context):
        user = api_user(context["request"])
        members = permissions.shown_consortium(user, obj).select_related("organisation")
        if not permissions.can_manage_consortium(user, obj):
            members = members.filter(state=ConsortiumMember.State.ACCEPTED)
        return members

    @staticmethod
    def resolve_phases(obj):
        return obj.phase_periods.all()

    @staticmethod
    def resolve_milestones(obj):
        return obj.milestones.all()

    @staticmethod
    def resolve_results(obj):
        return obj.results.all()

    @staticmethod
    def resolve_updates(obj):
        return obj.updates.all()

    @staticmethod
    def resolve_budget_lines(obj):
        return obj.budget_lines.all()

    @staticmethod
    def resolve_budget_totals(obj):
        return [{"currency": c, "amount": a}
                for c, a in services.budget_totals(obj.budget_lines.all())]

    @staticmethod
    def resolve_places(obj):
        places = list(obj.places.all())
        for place in places:
            place.project = obj
        return queries.feature_collection(places)


# ---------------------------------------------------------------------------------------------
# Input


class ProjectFilters(InputSchema):
    phase: Phase | None = None
    focus_area: str | None = Field(None, max_length=50, description="Slug of a focus area.")
    principle: str | None = Field(None, max_length=50, description="Slug of a principle.")
    sdg: int | None = Field(None, ge=1, le=17, description="Number of an SDG.")
    group: str | None = Field(None, max_length=220, description="Slug of a working group.")
    organisation: str | None = Field(None, max_length=220, description=(
        "Slug of an organisation with an accepted place in the consortium."))


class _ProjectFields(InputSchema):
    title_en: str = Field("", max_length=200)
    summary_de: str = Field("", max_length=1000)
    summary_en: str = Field("", max_length=1000)
    description_de: str = Field("", max_length=50000, description="Markdown.")
    description_en: str = Field("", max_length=50000, description="Markdown.")
    focus_areas: list[str] | None = Field(None, max_length=50, description="Slugs.")
    principles: list[int] | None = Field(None, max_length=8, description="Numbers.")


class ProjectIn(_ProjectFields):
    title_de: str = Field(..., min_length=1, max_length=200)
    phase: Phase = Phase.CONCEPT
    organisation: str | None = Field(None, max_length=220, description=(
        "Slug of your organisation, which becomes the lead."))
    working_group: str | None = Field(None, max_length=220, description=(
        "Slug of your working group."))


class ProjectPatchIn(InputSchema):
    """Only the fields sent change. `version` is the version the change is based on."""

    version: int = Field(..., ge=1)
    title_de: str = Field(None, min_length=1, max_length=200)
    title_en: str = Field(None, max_length=200)
    summary_de: str = Field(None, max_length=1000)
    summary_en: str = Field(None, max_length=1000)
    description_de: str = Field(None, max_length=50000)
    description_en: str = Field(None, max_length=50000)
    phase: Phase = None
    focus_areas: list[str] | None = Field(None, max_length=50)
    principles: list[int] | None = Field(None, max_length=8)


class ProjectConflictOut(Schema):
    detail: str
    current_version: int
    fields: list[str] = Field(..., description="Fields whose stored value differs from what "
                                               "was sent.")
    current: dict = Field(..., description="The stored values of those fields.")


class InviteIn(InputSchema):
    organisation: str = Field(..., max_length=220, description="Slug of the organisation.")
    role: InviteRole = InviteRole.PARTNER


class MilestoneIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    due: date
    state: MilestoneState = MilestoneState.OPEN
    done_at: date | None = None


class UpdateIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=20000, description="Markdown.")


class ResultIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    progress: int = Field(0, ge=0, le=100, description="Percent.")
    state: ResultState = ResultState.PLANNED
    position: int = Field(0, ge=0, le=32767)


class BudgetLineIn(InputSchema):
    source: BudgetSource = BudgetSource.OWN
    label: str = Field(..., min_length=1, max_length=200)
    amount: Decimal = Field(..., max_digits=14, decimal_places=2,
                            description="Not negative.")
    currency: str = Field("EUR", min_length=3, max_length=3, description="ISO 4217.")


class PlaceIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    geometry: dict = Field(..., description="GeoJSON geometry: Point, Polygon or MultiPolygon.")


class SdgRelationIn(InputSchema):
    goal: int = Field(..., ge=1, le=17)
    target: str | None = Field(None, max_length=6, description="Code of one of the goal's "
                                                               "targets, e.g. 11.2.")


class PhaseIn(InputSchema):
    phase: Phase
    start: date
    end: date | None = None
