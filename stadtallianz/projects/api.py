"""REST API of projects: read by everyone, written by the project's team through `services.py`
(refusal 403, bad input 422 naming the field, a state conflict or a stale `version` 409).

The parts of a project (milestones, updates, results, budget lines, places, SDG relations,
phase dates) share one pattern: GET lists them, POST adds one, PUT replaces one, DELETE removes
one, all under /projects/{slug}/<part>. The shapes of answers and inputs are in `schemas.py`.
"""

from enum import StrEnum

from django.core.validators import slug_re
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from stadtallianz.core.api import (
    CHANGE_ERRORS,
    CSV_CONTENT,
    JSON_ROWS_CONTENT,
    ErrorOut,
    Pagination,
    answer_content,
    refuse_nulls,
)
from stadtallianz.core.api_auth import write_auth
from stadtallianz.core.api_refs import referenced_all, referenced_one
from stadtallianz.core.exports import csv_response
from stadtallianz.core.models import FocusArea, Principle, SDGTarget, SustainableDevelopmentGoal
from stadtallianz.partners.models import Organisation
from stadtallianz.workinggroups.models import WorkingGroup

from . import permissions, queries, services
from .models import (
    BudgetLine,
    ConsortiumMember,
    Milestone,
    PhasePeriod,
    Project,
    ProjectPlace,
    ProjectSDG,
    ProjectUpdate,
    Result,
)
from .schemas import (
    BudgetLineIn,
    BudgetLineOut,
    ConsortiumOut,
    InviteIn,
    MilestoneIn,
    MilestoneOut,
    PhaseIn,
    PhaseOut,
    PlaceIn,
    PlaceOut,
    ProjectConflictOut,
    ProjectDetailOut,
    ProjectFilters,
    ProjectIn,
    ProjectPatchIn,
    ProjectSummaryOut,
    ResultIn,
    ResultOut,
    SdgRelationIn,
    SdgRelationOut,
    UpdateIn,
    UpdateOut,
)

router = Router(tags=["projects"])
READ_ERRORS = {404: ErrorOut}


# ---------------------------------------------------------------------------------------------
# Projects


def _filtered(filters: ProjectFilters):
    values = {k: str(v) for k, v in filters.dict().items() if v not in (None, "")}
    return queries.filter_projects(queries.listed(), **values)


@router.get("", response=list[ProjectSummaryOut], summary="Projects")
@paginate(Pagination)
def project_list(request, filters: Query[ProjectFilters]):
    """Every project (all are public), by title, filtered."""
    return _filtered(filters)


@router.get("/export.csv", summary="Projects as CSV", response={200: None},
             openapi_extra=CSV_CONTENT)
def projects_export_csv(request, filters: Query[ProjectFilters]):
    """The filtered list as CSV (UTF-8 with BOM; cells starting with = + - @ are defused)."""
    return csv_response("projects.csv", queries.EXPORT_HEADERS, queries.export_rows(
        _filtered(filters).iterator(chunk_size=500), request))


@router.get("/export.json", summary="Projects as JSON", response={200: None},
             openapi_extra=JSON_ROWS_CONTENT)
def projects_export_json(request, filters: Query[ProjectFilters]):
    """The filtered list as a JSON array, the same columns as the CSV."""
    rows = queries.export_rows(_filtered(filters), request)
    return JsonResponse([dict(zip(queries.EXPORT_HEADERS, row, strict=True)) for row in rows],
                        safe=False, json_dumps_params={"ensure_ascii": False})


@router.get("/map.geojson", summary="Places of all projects (GeoJSON)", response={200: None},
             openapi_extra=answer_content("application/geo+json", {
                 "type": "object", "required": ["type", "features"], "properties": {
                     "type": {"const": "FeatureCollection"},
                     "features": {"type": "array"}, "truncated": {"type": "boolean"}}}))
def projects_places_geojson(request, filters: Query[ProjectFilters]):
    """A GeoJSON FeatureCollection of the places of the filtered projects; each feature's
    properties have the project's title, the place's name and the page's address. At most
    10,000 places (`truncated` is true when some were left out); an area of more than 200
    positions comes as a point at its centre."""
    collection = queries.overview_collection(queries.all_places(_filtered(filters)))
    response = JsonResponse(collection)
    response["Content-Type"] = "application/geo+json"
    return response


def _project(slug: str) -> Project:
    if not slug_re.match(slug):
        raise Http404
    return get_object_or_404(Project.objects.select_related("working_group"), slug=slug)


def _detail(project: Project) -> Project:
    return (Project.objects.select_related("working_group")
            .prefetch_related("focus_areas", queries.leads_prefetch()).get(pk=project.pk))


@router.get("/{slug}", response={200: ProjectDetailOut, **READ_ERRORS}, summary="One project")
def project_detail(request, slug: str):
    return _detail(_project(slug))


def _lookup(model, field: str, values, name: str) -> list | None:
    return referenced_all(model.objects.all(), values, name, lookup=field)


def _relations(payload) -> dict:
    data = {"focus_areas": _lookup(FocusArea, "slug", payload.focus_areas, "focus_areas"),
            "principles": _lookup(Principle, "number", payload.principles, "principles")}
    return {k: v for k, v in data.items() if v is not None}


def _one(queryset, slug, name, *, required: bool = False):
    return referenced_one(queryset, slug, name, required=required)


@router.post("", auth=write_auth, response={201: ProjectDetailOut, **CHANGE_ERRORS},
             summary="Start a project")
def project_create(request, payload: ProjectIn):
    """People of a partner organisation start a project led by it; members and leads of a
    working group one of the group (give `organisation`, `working_group` or both)."""
    data = payload.dict(include={"title_de", "title_en", "summary_de", "summary_en",
                                 "description_de", "description_en", "phase"})
    data["phase"] = str(data["phase"])
    organisation = _one(Organisation.objects.public(), payload.organisation, "organisation")
    group = _one(WorkingGroup.objects.all(), payload.working_group, "working_group")
    relations = _relations(payload)
    project = services.create_project(actor=request.auth, data=data, relations=relations,
                                      organisation=organisation, group=group)
    return Status(201, _detail(project))


def _stored(project: Project, name: str):
    """A stored value as the API takes it: focus areas by slug, principles by number."""
    if name == "focus_areas":
        return sorted(project.focus_areas.values_list("slug", flat=True))
    if name == "principles":
        return sorted(project.principles.values_list("number", flat=True))
    return getattr(project, name)


@router.patch("/{slug}", auth=write_auth,
              response={200: ProjectDetailOut, **CHANGE_ERRORS, 409: ProjectConflictOut},
              summary="Change a project")
def project_update(request, slug: str, payload: ProjectPatchIn):
    """The team changes the project. A `version` other than the stored one is refused with 409,
    naming the current version and the fields that differ."""
    project = _project(slug)
    if not permissions.can_edit(request.auth, project):
        raise HttpError(403, gettext("Only the project's team changes it."))
    data = payload.dict(exclude_unset=True, exclude={"version", "focus_areas", "principles"})
    refuse_nulls(data)
    data = {k: str(v) if isinstance(v, StrEnum) else v for k, v in data.items()}
    try:
        services.update_project(project=project, actor=request.auth, data=data,
                                version=payload.version, relations=_relations(payload))
    except services.EditConflict as conflict:
        return Status(409, {
            "detail": gettext("The project has been changed since version %(version)s.")
            % {"version": payload.version},
            "current_version": conflict.project.version, "fields": conflict.fields,
            "current": {name: _stored(conflict.project, name) for name in conflict.fields}})
    return _detail(project)


# ---------------------------------------------------------------------------------------------
# Consortium


@router.get("/{slug}/consortium", response={200: list[ConsortiumOut], **READ_ERRORS},
            summary="The consortium")
def project_consortium_list(request, slug: str):
    """Accepted organisations; the open and declined invitations too for those who manage the
    consortium."""
    return ProjectDetailOut.resolve_consortium(_project(slug), {"request": request})


@router.post("/{slug}/consortium", auth=write_auth,
             response={201: ConsortiumOut, **CHANGE_ERRORS}, summary="Invite an organisation")
def project_consortium_invite(request, slug: str, payload: InviteIn):
    """The lead organisation's admins invite; the invited organisation's admins are notified.
    `role` `lead` only while the project has no lead organisation (nor an open invitation to
    lead): 422 `role` otherwise."""
    project = _project(slug)
    # Only public partners can be invited (the web form offers no other).
    organisation = _one(Organisation.objects.public(), payload.organisation, "organisation",
                        required=True)
    member = services.invite(project=project, actor=request.auth,
                             organisation=organisation, role=str(payload.role))
    return Status(201, member)


def _member(project, member_id) -> ConsortiumMember:
    return get_object_or_404(ConsortiumMember.objects.select_related("organisation", "project"),
                             project=project, pk=member_id)


@router.post("/{slug}/consortium/{member_id}/accept", auth=write_auth,
             response={200: ConsortiumOut, **CHANGE_ERRORS}, summary="Accept an invitation")
def project_consortium_accept(request, slug: str, member_id: int):
    """The invited organisation's admins; 409 when it was answered already."""
    member = _member(_project(slug), member_id)
    return services.answer(member=member, actor=request.auth, accept=True)


@router.post("/{slug}/consortium/{member_id}/decline", auth=write_auth,
             response={200: ConsortiumOut, **CHANGE_ERRORS}, summary="Decline an invitation")
def project_consortium_decline(request, slug: str, member_id: int):
    member = _member(_project(slug), member_id)
    return services.answer(member=member, actor=request.auth, accept=False)


@router.delete("/{slug}/consortium/{member_id}", auth=write_auth,
               response={204: None, **CHANGE_ERRORS}, summary="Remove an organisation")
def project_consortium_remove(request, slug: str, member_id: int):
    """Removes an organisation or withdraws its invitation (an invitation to lead too); the
    accepted lead stays (409)."""
    member = _member(_project(slug), member_id)
    services.remove(member=member, actor=request.auth)
    return Status(204, None)


# ---------------------------------------------------------------------------------------------
# The parts of a project


def _sdg_data(payload: SdgRelationIn) -> dict:
    goal = referenced_one(SustainableDevelopmentGoal.objects.all(), payload.goal, "goal",
                          lookup="number", required=True, message=gettext("Unknown goal."))
    target = referenced_one(SDGTarget.objects.all(), payload.target, "target", lookup="code",
                            message=gettext("Unknown target."))
    return {"goal": goal, "target": target}


def _plain(payload) -> dict:
    return {k: str(v) if isinstance(v, StrEnum) else v for k, v in payload.dict().items()}


# URL segment → model, input schema, output schema, payload → model fields.
PARTS = {
    "milestones": (Milestone, MilestoneIn, MilestoneOut, _plain),
    "updates": (ProjectUpdate, UpdateIn, UpdateOut, _plain),
    "results": (Result, ResultIn, ResultOut, _plain),
    "budget-lines": (BudgetLine, BudgetLineIn, BudgetLineOut, _plain),
    "places": (ProjectPlace, PlaceIn, PlaceOut, _plain),
    "sdgs": (ProjectSDG, SdgRelationIn, SdgRelationOut, _sdg_data),
    "phases": (PhasePeriod, PhaseIn, PhaseOut, _plain),
}


def _register(segment, model, schema_in, schema_out, to_data):
    name = segment.replace("-", "_")
    # The API's documentation is English, whatever language is active when this module is
    # imported (it used to follow the import order, so the OpenAPI document changed with it).
    with translation.override("en"):
        label = str(model._meta.verbose_name)

    def list_parts(request, slug: str):
        parts = model.objects.filter(project=_project(slug))
        if model is ProjectSDG:  # the answer names the goal and the target
            parts = parts.select_related("goal", "target")
        return parts

    def create_part(request, slug: str, payload: schema_in):
        project = _project(slug)
        data = to_data(payload)
        part = services.save_part(project=project, actor=request.auth,
                                  instance=model(project=project), data=data)
        return Status(201, part)

    def replace_part(request, slug: str, part_id: int, payload: schema_in):
        project = _project(slug)
        part = get_object_or_404(model, project=project, pk=part_id)
        data = to_data(payload)
        return services.save_part(project=project, actor=request.auth, instance=part,
                                  data=data)

    def delete_part(request, slug: str, part_id: int):
        project = _project(slug)
        part = get_object_or_404(model, project=project, pk=part_id)
        services.delete_part(project=project, actor=request.auth, instance=part)
        return Status(204, None)

    router.get(f"/{{slug}}/{segment}", response={200: list[schema_out], **READ_ERRORS},
               summary=f"List: {label}", operation_id=f"projects_{name}_list")(list_parts)
    router.post(f"/{{slug}}/{segment}", auth=write_auth,
                response={201: schema_out, **CHANGE_ERRORS}, summary=f"Add: {label}",
                operation_id=f"projects_{name}_create")(create_part)
    router.put(f"/{{slug}}/{segment}/{{part_id}}", auth=write_auth,
               response={200: schema_out, **CHANGE_ERRORS}, summary=f"Replace: {label}",
               operation_id=f"projects_{name}_replace")(replace_part)
    router.delete(f"/{{slug}}/{segment}/{{part_id}}", auth=write_auth,
                  response={204: None, **CHANGE_ERRORS}, summary=f"Delete: {label}",
                  operation_id=f"projects_{name}_delete")(delete_part)


for _segment, (_model, _in, _out, _to_data) in PARTS.items():
    _register(_segment, _model, _in, _out, _to_data)
