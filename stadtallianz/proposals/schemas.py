"""The shapes of the joint applications API (proposals/api.py). The names are schema names of
the OpenAPI document, pinned by its contract."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ninja import Field, Schema

from stadtallianz.core.api import InputSchema, OrganisationRef

from .models import Application, ApplicationMember, BudgetLine


def _choices(name, choices):
    return StrEnum(name, [(value.upper(), value) for value, _label in choices])


ApplicationState = _choices("ApplicationState", Application.State.choices)
ApplicationRole = _choices("ApplicationRole", ApplicationMember.Role.choices)
CostCategory = _choices("CostCategory", BudgetLine.Category.choices)
MONEY = {"max_digits": 14, "decimal_places": 2}


# ---------------------------------------------------------------------------------------------
# Output


class ApplicationCallRef(Schema):
    slug: str
    title: str
    funder: str


class ApplicationSummaryOut(Schema):
    id: int
    title: str
    state: ApplicationState
    published: bool
    call: ApplicationCallRef
    project: str | None = Field(None, description="Slug of the project.")
    idea: int | None = Field(None, description="Id of the idea (an idea on its way to a "
                                               "project).")
    submitted_on: date | None
    granted_amount: Decimal | None = Field(
        None, description="The amount granted (public for granted applications).")
    web_url: str

    model_config = {"json_schema_extra": {"examples": [{
        "id": 12, "title": "Quartiersbus im Kreuzviertel", "state": "submitted",
        "published": True,
        "call": {"slug": "smarte-quartiere", "title": "Smarte Quartiere",
                 "funder": "Bundesministerium für Wohnen"},
        "project": "quartiersbus-kreuzviertel", "idea": None, "submitted_on": "2027-03-01",
        "granted_amount": None,
        "web_url": "https://example.org/de/funding/applications/12/"}]}}


class ApplicationMemberOut(Schema):
    id: int
    organisation: OrganisationRef
    role: ApplicationRole


class ApplicationBudgetLineOut(Schema):
    category: CostCategory
    amount: Decimal = Field(..., description="Eligible costs, EUR.")
    own_contribution: Decimal
    requested: Decimal = Field(..., description="Funding requested, EUR.")


class ApplicationMemberBudgetOut(Schema):
    member: int = Field(..., description="Id of the consortium member.")
    organisation: OrganisationRef
    role: ApplicationRole
    rate: Decimal | None = Field(None, description="The call's funding rate for the "
                                                   "organisation's type, percent.")
    amount: Decimal
    own_contribution: Decimal
    requested: Decimal
    lines: list[ApplicationBudgetLineOut]


class BudgetProblemOut(Schema):
    field: str
    message: str
    organisation: str | None = Field(None, description="Slug of the member's organisation.")


class ApplicationBudgetOut(Schema):
    members: list[ApplicationMemberBudgetOut]
    amount: Decimal
    own_contribution: Decimal
    requested: Decimal
    problems: list[BudgetProblemOut] = Field(..., description="The checks against the call (its "
                                                        "minimum too, before submission).")

    model_config = {"json_schema_extra": {"examples": [{
        "members": [{"member": 3, "organisation": {"slug": "stadtwerke", "name": "Stadtwerke"},
                     "role": "coordinator", "rate": "70.00", "amount": "100000.00",
                     "own_contribution": "30000.00", "requested": "70000.00",
                     "lines": [{"category": "personnel", "amount": "100000.00",
                                "own_contribution": "30000.00", "requested": "70000.00"}]}],
        "amount": "100000.00", "own_contribution": "30000.00", "requested": "70000.00",
        "problems": []}]}}


class ApplicationChecklistItemOut(Schema):
    id: int
    text: str
    done: bool
    done_at: datetime | None


class ApplicationStateChangeOut(Schema):
    from_state: ApplicationState | None
    to_state: ApplicationState
    on: date


class ApplicationGrantOut(Schema):
    amount: Decimal
    reference: str | None = Field(None, description="Grant agreement number or "
                                                    "Förderkennzeichen; the consortium's and "
                                                    "the office's only.")
    starts_on: date
    ends_on: date


class ApplicationDetailOut(ApplicationSummaryOut):
    members: list[ApplicationMemberOut]
    grant: ApplicationGrantOut | None
    confidential: bool = Field(..., description="Whether the reader sees budget, checklist "
                                                "and history (consortium and office).")
    budget: ApplicationBudgetOut | None = Field(None, description="Null unless `confidential`.")
    checklist: list[ApplicationChecklistItemOut] | None = None
    history: list[ApplicationStateChangeOut] | None = None
    next_states: list[ApplicationState] = Field(
        ..., description="The states the reader may move the application to (granted: "
                         "record the grant).")


class PipelineBucketOut(Schema):
    key: str
    label: str
    count: int
    requested: Decimal
    granted: Decimal


class PipelineDeadlineOut(Schema):
    application: int
    title: str
    state: ApplicationState
    call: ApplicationCallRef
    due_at: datetime


class FundingPipelineOut(Schema):
    total: PipelineBucketOut
    by_state: list[PipelineBucketOut]
    by_year: list[PipelineBucketOut]
    by_funder: list[PipelineBucketOut]
    by_focus_area: list[PipelineBucketOut]
    decided: int
    granted: int
    success_rate: Decimal | None = Field(None, description="Granted among decided, percent.")
    deadlines: list[PipelineDeadlineOut]


class ProjectGrantOut(Schema):
    call: ApplicationCallRef
    amount: Decimal
    starts_on: date
    ends_on: date


class ProjectFundingOut(Schema):
    project: str = Field(..., description="Slug of the project.")
    title: str
    total: Decimal
    grants: list[ProjectGrantOut]


class FundingTotalsOut(Schema):
    total: Decimal = Field(..., description="Funding acquired by the alliance, EUR.")
    count: int
    projects: list[ProjectFundingOut]

    model_config = {"json_schema_extra": {"examples": [{
        "total": "1250000.00", "count": 1, "projects": [{
            "project": "quartiersbus-kreuzviertel", "title": "Quartiersbus Kreuzviertel",
            "total": "1250000.00", "grants": [{
                "call": {"slug": "smarte-quartiere", "title": "Smarte Quartiere",
                         "funder": "Bundesministerium für Wohnen"},
                "amount": "1250000.00", "starts_on": "2027-01-01",
                "ends_on": "2029-12-31"}]}]}]}}


# ---------------------------------------------------------------------------------------------
# Input


class ApplicationIn(InputSchema):
    call: str = Field(..., description="Slug of the call.")
    organisation: str = Field(..., description="Slug of the coordinating organisation (you "
                                               "administer it).")
    project: str | None = Field(None, description="Slug of the project; or give `idea`.")
    idea: int | None = Field(None, description="Id of an idea on its way to a project.")
    title: str = Field(..., min_length=1, max_length=200)

    model_config = {"json_schema_extra": {"examples": [{
        "call": "smarte-quartiere", "organisation": "stadtwerke",
        "project": "quartiersbus-kreuzviertel", "title": "Quartiersbus im Kreuzviertel"}]}}


class ApplicationPatchIn(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    published: bool | None = None


class ApplicationMemberIn(InputSchema):
    organisation: str = Field(..., description="Slug of a public partner organisation.")
    role: ApplicationRole = Field(..., description="Not `coordinator`: an application has "
                                                   "exactly one, its creator's organisation.")

    model_config = {"json_schema_extra": {"examples": [
        {"organisation": "hochschule", "role": "partner"}]}}


class ApplicationBudgetLineIn(InputSchema):
    category: CostCategory
    amount: Decimal = Field(..., **MONEY, description="Eligible costs, EUR, not negative.")
    requested: Decimal = Field(..., **MONEY, description="Funding requested, at most `amount`.")
    own_contribution: Decimal | None = Field(
        None, **MONEY, description="Optional: if given, must be `amount` − `requested`.")


class ApplicationBudgetIn(InputSchema):
    lines: list[ApplicationBudgetLineIn] = Field(..., max_length=len(BudgetLine.Category.values))

    model_config = {"json_schema_extra": {"examples": [{"lines": [
        {"category": "personnel", "amount": "100000", "requested": "70000"},
        {"category": "material", "amount": "20000", "requested": "14000"}]}]}}


class ApplicationTransitionIn(InputSchema):
    state: ApplicationState
    on: date | None = Field(None, description="The date of the change; default today.")

    model_config = {"json_schema_extra": {"examples": [{"state": "submitted",
                                                        "on": "2027-03-01"}]}}


class ApplicationGrantIn(InputSchema):
    amount: Decimal = Field(..., **MONEY)
    reference: str = Field(..., min_length=1, max_length=100,
                           description="Grant agreement number or Förderkennzeichen.")
    starts_on: date
    ends_on: date
    on: date | None = Field(None, description="The date of the grant decision; default "
                                              "today.")

    model_config = {"json_schema_extra": {"examples": [{
        "amount": "1250000", "reference": "03SC1234A", "starts_on": "2027-01-01",
        "ends_on": "2029-12-31"}]}}


class ApplicationChecklistItemIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=300)


class ApplicationChecklistItemPatchIn(InputSchema):
    done: bool
