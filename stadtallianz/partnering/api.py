"""REST API of the partner search (/api/v1/partner-search): open notices are public; archived
and closed ones are seen by their organisation, the organisations that answered them and the
coordination office. Writes go through services.py, whose refusals the global handlers answer
(403, 409, 422 naming the field). What an interest shows of the people behind it comes from
reveal.py, as on the pages: no contact person before the notice's owner accepts.
"""

from datetime import date, datetime
from enum import StrEnum

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from stadtallianz.core.api import (
    CHANGE_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    FocusAreaRef,
    InputSchema,
    OrganisationRef,
    Pagination,
    absolute_url,
    refuse_nulls,
)
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.api_refs import referenced_all, referenced_one
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.models import FocusArea
from stadtallianz.funding.models import Call
from stadtallianz.ideas.models import Idea
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project

from . import permissions, queries, reveal, services
from .models import Interest, Notice, Role

router = Router(tags=["partner search"])

RoleSought = StrEnum("RoleSought", [(c.name, c.value) for c in Role])
OrganisationType = StrEnum("NoticeOrganisationType",
                           [(c.name, c.value) for c in Organisation.Type])
NoticeState = StrEnum("NoticeState", [(c.name, c.value) for c in Notice.State])
InterestState = StrEnum("InterestState", [(c.name, c.value) for c in Interest.State])
READ_ERRORS = {404: ErrorOut}


class NoticeFilters(InputSchema):
    wanted_type: OrganisationType | None = Field(None, description=(
        "Notices that want this organisation type (or any type)."))
    role: RoleSought | None = None
    focus_area: str | None = Field(None, max_length=100, description="A focus area's slug.")
    call: str | None = Field(None, max_length=220, description="A call's slug.")
    project: str | None = Field(None, max_length=220, description="A project's slug.")
    idea: int | None = Field(None, ge=1, le=2**31 - 1, description="An idea's id.")
    open_only: bool = Field(True, description=(
        "false: also the closed and archived notices the caller may see."))


class NoticeSubjectRef(Schema):
    slug: str
    title: str


class NoticeIdeaRef(Schema):
    id: int
    title: str


class NoticeSummaryOut(Schema):
    id: int
    title: str
    title_de: str
    title_en: str
    state: NoticeState
    organisation: OrganisationRef
    project: NoticeSubjectRef | None
    idea: NoticeIdeaRef | None
    call: NoticeSubjectRef | None
    roles_sought: list[RoleSought]
    wanted_types: list[OrganisationType] = Field(..., description="Empty: every type.")
    focus_areas: list[FocusAreaRef]
    deadline: date | None = Field(..., description="Answers wanted by this day.")
    expires_on: date = Field(..., description="Shown until this day.")
    accepts_interest: bool
    web_url: str

    model_config = {"json_schema_extra": {"examples": [{
        "id": 7, "title": "Partner für Fahrgastdaten gesucht",
        "title_de": "Partner für Fahrgastdaten gesucht", "title_en": "",
        "state": "open", "organisation": {"slug": "stadtwerke", "name": "Stadtwerke Münster"},
        "project": {"slug": "quartiersbus-kreuzviertel", "title": "Quartiersbus Kreuzviertel"},
        "idea": None, "call": {"slug": "urbane-datenplattformen",
                               "title": "Urbane Datenplattformen"},
        "roles_sought": ["partner"], "wanted_types": ["research"],
        "focus_areas": [{"slug": "mobilitaet", "name": "Mobilität", "name_de": "Mobilität",
                         "name_en": "Mobility"}],
        "deadline": "2027-02-15", "expires_on": "2027-03-31", "accepts_interest": True,
        "web_url": "https://example.org/de/partner-search/7/"}]}}

    @staticmethod
    def resolve_web_url(obj):
        return absolute_url(obj.get_absolute_url())

    @staticmethod
    def resolve_focus_areas(obj):
        return list(obj.focus_areas.all())


class NoticeOut(NoticeSummaryOut):
    description: str
    description_de: str
    description_en: str
    description_html: str
    capabilities_sought: str
    capabilities_sought_de: str
    capabilities_sought_en: str
    renewed_at: datetime | None
    created_at: datetime
    can_manage: bool = Field(..., description="Whether the caller may edit, close and renew "
                                              "it and answer its interests.")
    can_express_interest: bool

    @staticmethod
    def resolve_description_html(obj):
        return str(render_markdown(obj.description, top_level=3))

    @staticmethod
    def resolve_can_manage(obj, context):
        return permissions.can_manage(api_user(context["request"]), obj)

    @staticmethod
    def resolve_can_express_interest(obj, context):
        return permissions.can_express_interest(api_user(context["request"]), obj)


class NoticeContactOut(Schema):
    name: str
    email: str
    phone: str = Field(..., description="The organisation's telephone number; may be empty.")


class NoticeInterestOut(Schema):
    id: int
    notice: int
    organisation: OrganisationRef
    message: str
    state: InterestState
    created_at: datetime
    contact: NoticeContactOut | None = Field(..., description=(
        "The interested organisation's contact person: for the notice's owner, once accepted."))
    owner_contact: NoticeContactOut | None = Field(..., description=(
        "The notice's contact person: for the interested organisation, once accepted."))

    model_config = {"json_schema_extra": {"examples": [
        {"id": 3, "notice": 7, "organisation": {"slug": "fh-muenster",
                                                "name": "FH Münster"},
         "message": "Wir zählen Fahrgäste mit Sensoren.", "state": "pending",
         "created_at": "2027-01-10T09:30:00Z", "contact": None, "owner_contact": None},
        {"id": 3, "notice": 7, "organisation": {"slug": "fh-muenster", "name": "FH Münster"},
         "message": "Wir zählen Fahrgäste mit Sensoren.", "state": "accepted",
         "created_at": "2027-01-10T09:30:00Z",
         "contact": {"name": "Dana Beispiel", "email": "dana@example.org",
                     "phone": "+49 251 0000"},
         "owner_contact": {"name": "Kai Muster", "email": "kai@example.org", "phone": ""}}]}}


def _interest_out(shown: reveal.ShownInterest) -> dict:
    def contact(value):
        return None if value is None else {"name": value.name, "email": value.email,
                                           "phone": value.phone}

    return {"id": shown.interest.pk, "notice": shown.interest.notice_id,
            "organisation": shown.organisation, "message": shown.message, "state": shown.state,
            "created_at": shown.created_at, "contact": contact(shown.contact),
            "owner_contact": contact(shown.owner_contact)}


def _notice(request, notice_id: int) -> Notice:
    """The notice if the caller may see it; 404 otherwise (an archived notice is not
    confirmed to exist)."""
    if notice_id > 2**31 - 1:
        raise HttpError(404, gettext("Not found."))
    return get_object_or_404(Notice.objects.visible_to(api_user(request)).select_related(
        "organisation", "created_by", "project", "idea", "call"), pk=notice_id)


@router.get("", response=list[NoticeSummaryOut], summary="Partner-search notices")
@paginate(Pagination)
def notice_list(request, filters: Query[NoticeFilters]):
    """The notices the caller may see, newest first: open ones by default."""
    return queries.listed(
        api_user(request), wanted_type=filters.wanted_type.value if filters.wanted_type else "",
        role=filters.role.value if filters.role else "", focus_area=filters.focus_area or "",
        call=filters.call or "", project=filters.project or "", idea=filters.idea,
        open_only=filters.open_only)


@router.get("/{notice_id}", response={200: NoticeOut, **READ_ERRORS},
            summary="One partner-search notice")
def notice_detail(request, notice_id: int):
    return _notice(request, notice_id)


class _NoticeFields(InputSchema):
    title_en: str = Field("", max_length=200)
    description_de: str = Field("", max_length=10000, description="Markdown.")
    description_en: str = Field("", max_length=10000, description="Markdown.")
    capabilities_sought_de: str = Field("", max_length=5000)
    capabilities_sought_en: str = Field("", max_length=5000)
    wanted_types: list[OrganisationType] = Field(default_factory=list, max_length=10,
                                                 description="Empty: every type.")
    project: str | None = Field(None, max_length=220, description=(
        "Slug of a project whose team you are in."))
    idea: int | None = Field(None, ge=1, le=2**31 - 1, description="Id of an idea you wrote.")
    call: str | None = Field(None, max_length=220, description="Slug of the funding call.")
    focus_areas: list[str] | None = Field(None, max_length=50, description=(
        "Slugs of focus areas; not sent: those of the project, idea or call."))
    deadline: date | None = Field(None, description="Answers wanted by; not after expires_on.")
    expires_on: date | None = Field(None, description=(
        "Shown until (at most a year ahead); not sent: in 90 days."))


class NoticeIn(_NoticeFields):
    organisation: str = Field(..., max_length=220, description=(
        "Slug of the signed partner organisation looking for partners (one you belong to)."))
    title_de: str = Field(..., min_length=1, max_length=200)
    roles_sought: list[RoleSought] = Field(..., min_length=1, max_length=4)

    model_config = {"json_schema_extra": {"examples": [{
        "organisation": "stadtwerke", "project": "quartiersbus-kreuzviertel",
        "call": "urbane-datenplattformen", "title_de": "Partner für Fahrgastdaten gesucht",
        "capabilities_sought_de": "Fahrgastzählung, Auswertung von Verkehrsdaten",
        "roles_sought": ["partner"], "wanted_types": ["research", "startup"],
        "deadline": "2027-02-15", "expires_on": "2027-03-31"}]}}


class NoticePatchIn(InputSchema):
    """Only the fields sent change."""

    title_de: str = Field(None, min_length=1, max_length=200)
    title_en: str = Field(None, max_length=200)
    description_de: str = Field(None, max_length=10000)
    description_en: str = Field(None, max_length=10000)
    capabilities_sought_de: str = Field(None, max_length=5000)
    capabilities_sought_en: str = Field(None, max_length=5000)
    roles_sought: list[RoleSought] = Field(None, min_length=1, max_length=4)
    wanted_types: list[OrganisationType] = Field(None, max_length=10)
    project: str | None = Field(None, max_length=220)
    idea: int | None = Field(None, ge=1, le=2**31 - 1)
    call: str | None = Field(None, max_length=220)
    focus_areas: list[str] | None = Field(None, max_length=50)
    deadline: date | None = None
    expires_on: date = None

    model_config = {"json_schema_extra": {"examples": [{"deadline": "2027-02-28",
                                                        "wanted_types": []}]}}


class NoticeRenewIn(InputSchema):
    expires_on: date | None = Field(None, description="Not sent: in 90 days.")
    deadline: date | None = Field(None, description=(
        "The new deadline for answers; not sent or null: none."))

    model_config = {"json_schema_extra": {"examples": [{"expires_on": "2027-06-30"}]}}


def _plain(value):
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.value if isinstance(value, StrEnum) else value


def _references(data: dict, user) -> dict:
    """Slugs and ids to objects; 422 naming the field for one that names nothing."""
    if "project" in data:
        data["project"] = referenced_one(Project.objects.all(), data["project"], "project")
    if "idea" in data:
        data["idea"] = referenced_one(Idea.objects.filter(hidden_at=None), data["idea"], "idea",
                                      lookup="pk")
    if "call" in data:
        data["call"] = referenced_one(Call.objects.visible_to(user), data["call"], "call")
    return data


@router.post("", auth=write_auth, response={201: NoticeOut, **CHANGE_ERRORS},
             summary="Post a partner-search notice")
def notice_create(request, payload: NoticeIn):
    """A person of a signed partner organisation, for that organisation, and for a project
    whose team they are in, an idea they wrote, or only a call."""
    organisation = referenced_one(Organisation.objects.all(), payload.organisation,
                                  "organisation", required=True)
    data = {name: _plain(value) for name, value in payload.dict(
        exclude={"organisation", "focus_areas"}).items()}
    data = _references(data, request.auth)
    focus_areas = referenced_all(FocusArea.objects.all(), payload.focus_areas, "focus_areas")
    notice = services.notice_create(actor=request.auth, organisation=organisation, data=data,
                                    focus_areas=focus_areas)
    return Status(201, _notice(request, notice.pk))


def _managed(request, notice_id: int) -> Notice:
    notice = _notice(request, notice_id)
    if not permissions.can_manage(request.auth, notice):
        raise HttpError(403, gettext("Only the organisation that posted the notice changes it."))
    return notice


@router.patch("/{notice_id}", auth=write_auth, response={200: NoticeOut, **CHANGE_ERRORS},
              summary="Change a partner-search notice")
def notice_update(request, notice_id: int, payload: NoticePatchIn):
    notice = _managed(request, notice_id)
    data = payload.dict(exclude_unset=True, exclude={"focus_areas"})
    refuse_nulls({name: value for name, value in data.items()
                  if name not in ("deadline", "project", "idea", "call")})
    data = _references({name: _plain(value) for name, value in data.items()}, request.auth)
    focus_areas = referenced_all(FocusArea.objects.all(), payload.focus_areas, "focus_areas")
    services.notice_update(actor=request.auth, notice=notice, data=data,
                           focus_areas=focus_areas)
    return _notice(request, notice_id)


@router.post("/{notice_id}/renew", auth=write_auth, response={200: NoticeOut, **CHANGE_ERRORS},
             summary="Renew a partner-search notice")
def notice_renew(request, notice_id: int, payload: NoticeRenewIn):
    """Opens an archived, closed or open notice again until `expires_on`."""
    notice = _managed(request, notice_id)
    services.notice_renew(actor=request.auth, notice=notice, expires_on=payload.expires_on,
                          deadline=payload.deadline)
    return _notice(request, notice_id)


@router.post("/{notice_id}/close", auth=write_auth, response={200: NoticeOut, **CHANGE_ERRORS},
             summary="Close a partner-search notice")
def notice_close(request, notice_id: int):
    notice = _managed(request, notice_id)
    services.notice_close(actor=request.auth, notice=notice)
    return _notice(request, notice_id)


@router.get("/{notice_id}/interests", auth=write_auth,
            response={200: list[NoticeInterestOut], **WRITE_ERRORS},
            summary="Interests in a notice")
def interest_list(request, notice_id: int):
    """The notice's owner and the office: every interest; an interested organisation's people:
    their organisation's. Contact persons only once accepted."""
    notice = _notice(request, notice_id)
    shown = reveal.shown_list(request.auth, reveal.with_relations(notice.interests.all()))
    if not shown and not permissions.can_manage(request.auth, notice):
        raise HttpError(403, gettext("Only the organisation that posted the notice answers "
                                     "interests."))
    return [_interest_out(item) for item in shown]


class NoticeInterestIn(InputSchema):
    organisation: str = Field(..., max_length=220, description=(
        "Slug of your signed partner organisation (not the notice's)."))
    message: str = Field(..., min_length=1, max_length=5000)

    model_config = {"json_schema_extra": {"examples": [{
        "organisation": "fh-muenster", "message": "Wir zählen Fahrgäste mit Sensoren."}]}}


@router.post("/{notice_id}/interests", auth=write_auth,
             response={201: NoticeInterestOut, **CHANGE_ERRORS},
             summary="Express interest in a notice")
def interest_create(request, notice_id: int, payload: NoticeInterestIn):
    notice = _notice(request, notice_id)
    organisation = referenced_one(Organisation.objects.all(), payload.organisation,
                                  "organisation", required=True)
    interest = services.interest_create(actor=request.auth, notice=notice,
                                        organisation=organisation, message=payload.message)
    interest = reveal.with_relations(Interest.objects.all()).get(pk=interest.pk)
    return Status(201, _interest_out(reveal.shown(request.auth, interest)))


def _answer(request, notice_id: int, interest_id: int, accept: bool):
    notice = _notice(request, notice_id)
    if interest_id > 2**31 - 1:
        raise HttpError(404, gettext("Not found."))
    interest = get_object_or_404(Interest, notice=notice, pk=interest_id)
    services.interest_answer(actor=request.auth, interest=interest, accept=accept)
    interest = reveal.with_relations(Interest.objects.all()).get(pk=interest.pk)
    return _interest_out(reveal.shown(request.auth, interest))


@router.post("/{notice_id}/interests/{interest_id}/accept", auth=write_auth,
             response={200: NoticeInterestOut, **CHANGE_ERRORS}, summary="Accept an interest")
def interest_accept(request, notice_id: int, interest_id: int):
    """The notice's owner: both sides then see each other's contact person."""
    return _answer(request, notice_id, interest_id, True)


@router.post("/{notice_id}/interests/{interest_id}/decline", auth=write_auth,
             response={200: NoticeInterestOut, **CHANGE_ERRORS}, summary="Decline an interest")
def interest_decline(request, notice_id: int, interest_id: int):
    return _answer(request, notice_id, interest_id, False)
