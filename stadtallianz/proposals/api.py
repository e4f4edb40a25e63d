"""REST API of joint funding applications under /api/v1/funding/applications.

An application a person may not know of (neither public nor their consortium's) is a 404; the
budget, checklist and history of one they may know of but not see are a 403 (their detail
answers `budget: null`). Writes go through services.py: a refusal 403, bad input 422 naming the
field (an illegal state change names `state`), a state that forbids the change 409.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from stadtallianz.core.api import (
    CHANGE_ERRORS,
    ErrorOut,
    InputSchema,
    Pagination,
    absolute_url,
    refuse_nulls,
)
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.api_refs import referenced_one
from stadtallianz.core.office import with_office
from stadtallianz.funding.models import Call
from stadtallianz.ideas.models import Idea
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project

from . import checks, permissions, queries, services
from .models import Application, ApplicationDocument, ApplicationMember, ChecklistItem
from .schemas import (
    ApplicationBudgetIn,
    ApplicationBudgetOut,
    ApplicationChecklistItemIn,
    ApplicationChecklistItemOut,
    ApplicationChecklistItemPatchIn,
    ApplicationDetailOut,
    ApplicationGrantIn,
    ApplicationIn,
    ApplicationMemberIn,
    ApplicationMemberOut,
    ApplicationPatchIn,
    ApplicationState,
    ApplicationSummaryOut,
    ApplicationTransitionIn,
    FundingPipelineOut,
    FundingTotalsOut,
)

router = Router(tags=["funding applications"])
READ_ERRORS = {404: ErrorOut}
CONFIDENTIAL_ERRORS = {403: ErrorOut, 404: ErrorOut}


def _call_ref(call) -> dict:
    return {"slug": call.slug, "title": call.title, "funder": call.programme.funder}


def _summary(application) -> dict:
    return {"id": application.pk, "title": application.title, "state": application.state,
            "published": application.published, "call": _call_ref(application.call),
            "project": application.project.slug if application.project_id else None,
            "idea": application.idea_id, "submitted_on": application.submitted_on,
            "granted_amount": getattr(application, "granted_amount", None),
            "web_url": absolute_url(application.get_absolute_url())}


def _org(organisation) -> dict:
    return {"slug": organisation.slug, "name": organisation.name}


def _budget(application, members=None) -> dict:
    totals = checks.member_totals(application, members)
    problems = checks.budget_problems(application, totals=totals, submitting=(
        application.state in services.EDITABLE_STATES))
    return {
        "members": [{"member": e.member.pk, "organisation": _org(e.member.organisation),
                     "role": e.member.role, "rate": e.rate, "amount": e.amount,
                     "own_contribution": e.own_contribution, "requested": e.requested,
                     "lines": list(e.lines.values())} for e in totals],
        "amount": sum(e.amount for e in totals), "requested": sum(e.requested for e in totals),
        "own_contribution": sum(e.own_contribution for e in totals),
        "problems": [{"field": p.field, "message": p.message,
                      "organisation": p.member.organisation.slug if p.member else None}
                     for p in problems]}


def _visible(user, application_id: int) -> Application:
    return get_object_or_404(
        queries.with_sums(Application.objects.visible_to(user)
                          .select_related("call__programme", "project")), pk=application_id)


def _confidential(user, application_id: int) -> Application:
    application = _visible(user, application_id)
    if not permissions.can_see_confidential(user, application):
        raise PermissionDenied(with_office(gettext("Only the consortium and the %(office)s "
                                                   "see this.")))
    return application


def _detail(user, application_id: int) -> dict:
    application = _visible(user, application_id)
    members = list(application.members.select_related("organisation"))
    confidential = permissions.can_see_confidential(user, application)
    grant = (getattr(application, "grant", None)
             if application.state == Application.State.GRANTED else None)
    data = {**_summary(application),
            "members": [{"id": m.pk, "organisation": _org(m.organisation), "role": m.role}
                        for m in members],
            "grant": grant and {"amount": grant.amount, "starts_on": grant.starts_on,
                                "ends_on": grant.ends_on,
                                "reference": grant.reference if confidential else None},
            "confidential": confidential, "budget": None, "checklist": None, "history": None,
            "next_states": (list(services.next_states(application))
                            if permissions.can_manage(user, application) else [])}
    if confidential:
        data.update({"budget": _budget(application, members),
                     "checklist": list(application.checklist.all()),
                     "history": [{"from_state": c.from_state or None, "to_state": c.to_state,
                                  "on": c.on} for c in application.state_changes.all()]})
    return data


class _Summaries:
    """A queryset the pagination slices and counts in the database, each row of the page
    answered as `_summary` makes it."""

    def __init__(self, queryset):
        self.queryset = queryset

    def all(self):
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[dict]:
        return [_summary(application) for application in self.queryset[page]]


class ApplicationFilters(Schema):
    mine: bool = False
    state: ApplicationState | None = None


# ---------------------------------------------------------------------------------------------
# Lists, pipeline, totals


@router.get("", response=list[ApplicationSummaryOut], summary="Funding applications")
@paginate(Pagination)
def application_list(request, filters: Query[ApplicationFilters]):
    """The applications the caller may know of: the published and granted ones, their own
    consortia's (`mine=true`: only those), all for the coordination office. Never a budget;
    `granted_amount` is public."""
    user = api_user(request)
    applications = (Application.objects.of_consortium(user) if filters.mine
                    else Application.objects.visible_to(user))
    if filters.state:
        applications = applications.filter(state=str(filters.state))
    return _Summaries(queries.with_sums(applications.select_related("call__programme",
                                                                    "project"))
                      .order_by("-updated_at", "-pk"))


@router.get("/pipeline", auth=write_auth, response={200: FundingPipelineOut, 403: ErrorOut},
            summary="Funding pipeline (coordination office)")
def application_pipeline(request):
    """Requested and granted sums by state, year, funder and focus area, the success rate
    (granted among decided) and the upcoming deadlines. The coordination office only."""
    if not permissions.can_see_pipeline(request.auth):
        raise PermissionDenied(with_office(gettext("Only the %(office)s sees the pipeline.")))
    pipeline = queries.pipeline()
    return {"total": pipeline.total, "by_state": pipeline.by_state,
            "by_year": pipeline.by_year, "by_funder": pipeline.by_funder,
            "by_focus_area": pipeline.by_focus_area, "decided": pipeline.decided,
            "granted": pipeline.granted, "success_rate": pipeline.success_rate,
            "deadlines": [{"application": a.pk, "title": a.title, "state": a.state,
                           "call": _call_ref(a.call), "due_at": a.next_due_at}
                          for a in pipeline.deadlines]}


@router.get("/totals", response=FundingTotalsOut, summary="Funding acquired (public)")
def application_totals(request):
    """The alliance's funding acquired: every grant's amount, in total and per project.
    Budgets and requested sums are never public."""
    totals = queries.public_totals()
    return {"total": totals["total"], "count": totals["count"], "projects": [
        {"project": entry.project.slug, "title": entry.project.title, "total": entry.total,
         "grants": [{"call": _call_ref(g.application.call), "amount": g.amount,
                     "starts_on": g.starts_on, "ends_on": g.ends_on} for g in entry.grants]}
        for entry in totals["projects"]]}


# ---------------------------------------------------------------------------------------------
# One application


@router.post("", auth=write_auth, response={201: ApplicationDetailOut, **CHANGE_ERRORS},
             summary="Start a joint application")
def application_create(request, payload: ApplicationIn):
    """An admin of a public partner organisation starts an application it coordinates, for a
    project whose team they are in or for an idea."""
    call = referenced_one(Call.objects.all(), payload.call, "call", required=True)
    organisation = referenced_one(Organisation.objects.public(), payload.organisation,
                                  "organisation", required=True)
    project = referenced_one(Project.objects.all(), payload.project, "project")
    idea = referenced_one(Idea.objects.listed_for(request.auth), payload.idea, "idea",
                          lookup="pk")
    application = services.application_create(actor=request.auth, call=call,
                                              organisation=organisation, title=payload.title,
                                              project=project, idea=idea)
    return Status(201, _detail(request.auth, application.pk))


@router.get("/{application_id}", response={200: ApplicationDetailOut, **READ_ERRORS},
            summary="One funding application")
def application_detail(request, application_id: int):
    """With budget, checklist and history for the consortium and the office; a 404 for an
    application that is neither published nor granted nor the caller's."""
    return _detail(api_user(request), application_id)


@router.patch("/{application_id}", auth=write_auth,
              response={200: ApplicationDetailOut, **CHANGE_ERRORS},
              summary="Change title or publishing")
def application_update(request, application_id: int, payload: ApplicationPatchIn):
    application = _visible(request.auth, application_id)
    data = payload.dict(exclude_unset=True)
    refuse_nulls(data)
    services.application_update(actor=request.auth, application=application, data=data)
    return _detail(request.auth, application_id)


@router.post("/{application_id}/transitions", auth=write_auth,
             response={200: ApplicationDetailOut, **CHANGE_ERRORS},
             summary="Change the state")
def application_transition(request, application_id: int, payload: ApplicationTransitionIn):
    """planned → in_preparation → submitted → rejected; withdrawn from any open state;
    in_preparation → planned. Another change is a 422 naming `state`; `granted` needs the
    grant (POST …/grant). Submitting checks the budget against the call (422 `requested`)."""
    application = _visible(request.auth, application_id)
    services.application_transition(actor=request.auth, application=application,
                                    state=str(payload.state), on=payload.on)
    return _detail(request.auth, application_id)


@router.post("/{application_id}/grant", auth=write_auth,
             response={201: ApplicationDetailOut, **CHANGE_ERRORS}, summary="Record the grant")
def application_grant(request, application_id: int, payload: ApplicationGrantIn):
    """A submitted application becomes granted and its budget is carried into the project
    (funding split by the members' requested funding, and their own contributions). 409 for an
    application not submitted, or for an idea that has not become a project."""
    application = _visible(request.auth, application_id)
    services.grant_record(actor=request.auth, application=application, **payload.dict())
    return Status(201, _detail(request.auth, application_id))


# ---------------------------------------------------------------------------------------------
# Consortium, budget, checklist


@router.get("/{application_id}/members", response={200: list[ApplicationMemberOut], **READ_ERRORS},
            summary="The consortium")
def application_member_list(request, application_id: int):
    application = _visible(api_user(request), application_id)
    return [{"id": m.pk, "organisation": _org(m.organisation), "role": m.role}
            for m in application.members.select_related("organisation")]


@router.post("/{application_id}/members", auth=write_auth,
             response={201: ApplicationMemberOut, **CHANGE_ERRORS}, summary="Add an organisation")
def application_member_add(request, application_id: int, payload: ApplicationMemberIn):
    application = _visible(request.auth, application_id)
    organisation = referenced_one(Organisation.objects.public(), payload.organisation,
                                  "organisation", required=True)
    member = services.member_add(actor=request.auth, application=application,
                                 organisation=organisation, role=str(payload.role))
    return Status(201, {"id": member.pk, "organisation": _org(organisation),
                        "role": member.role})


def _member(application, member_id) -> ApplicationMember:
    return get_object_or_404(ApplicationMember.objects.select_related("organisation",
                                                                      "application"),
                             application=application, pk=member_id)


@router.delete("/{application_id}/members/{member_id}", auth=write_auth,
               response={204: None, **CHANGE_ERRORS}, summary="Remove an organisation")
def application_member_remove(request, application_id: int, member_id: int):
    """The coordinator stays (409)."""
    member = _member(_visible(request.auth, application_id), member_id)
    services.member_remove(actor=request.auth, member=member)
    return Status(204, None)


@router.get("/{application_id}/budget", response={200: ApplicationBudgetOut, **CONFIDENTIAL_ERRORS},
            summary="The budget")
def application_budget(request, application_id: int):
    """Per member and cost category, with the checks against the call. The consortium and the
    office only (403 for a public application, 404 for one the caller may not know of)."""
    return _budget(_confidential(api_user(request), application_id))


@router.put("/{application_id}/members/{member_id}/budget", auth=write_auth,
            response={200: ApplicationBudgetOut, **CHANGE_ERRORS},
            summary="Replace a member's budget")
def application_budget_replace(request, application_id: int, member_id: int,
                               payload: ApplicationBudgetIn):
    """The member organisation's admins, the coordinator's admins or the office. The whole
    application is then checked against the call; a problem refuses all of it (422 naming the
    member and the field). 409 once submitted."""
    application = _visible(request.auth, application_id)
    member = _member(application, member_id)
    lines = {}
    for line in payload.lines:
        lines[str(line.category)] = {"amount": line.amount, "requested": line.requested,
                                     "own_contribution": line.own_contribution}
    services.budget_save(actor=request.auth, member=member, lines=lines)
    return _budget(application)


@router.get("/{application_id}/checklist",
            response={200: list[ApplicationChecklistItemOut], **CONFIDENTIAL_ERRORS},
            summary="The checklist")
def application_checklist(request, application_id: int):
    return list(_confidential(api_user(request), application_id).checklist.all())


@router.post("/{application_id}/checklist", auth=write_auth,
             response={201: ApplicationChecklistItemOut, **CHANGE_ERRORS},
             summary="Add a checklist item")
def application_checklist_add(request, application_id: int,
                              payload: ApplicationChecklistItemIn):
    application = _visible(request.auth, application_id)
    return Status(201, services.checklist_add(actor=request.auth, application=application,
                                              text=payload.text))


@router.patch("/{application_id}/checklist/{item_id}", auth=write_auth,
              response={200: ApplicationChecklistItemOut, **CHANGE_ERRORS},
              summary="Tick or untick a checklist item")
def application_checklist_tick(request, application_id: int, item_id: int,
                               payload: ApplicationChecklistItemPatchIn):
    application = _visible(request.auth, application_id)
    item = get_object_or_404(ChecklistItem, application=application, pk=item_id)
    return services.checklist_set_done(actor=request.auth, item=item, done=payload.done)


# ---------------------------------------------------------------------------------------------
# Documents


class ApplicationDocumentOut(Schema):
    id: int = Field(..., description="The link's id (for removing it).")
    document: int = Field(..., description="The knowledge document's id.")
    title: str
    description: str
    confidential: bool = Field(..., description="Uploaded for the consortium: only its "
                                                "people and the coordination office read it.")
    added_at: datetime
    web_url: str
    download_url: str = Field(..., description="The latest version (the web download, which "
                                               "checks the caller's access again).")


class ApplicationDocumentIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=2000)


def _document_out(link: ApplicationDocument) -> dict:
    document = link.document
    return {"id": link.pk, "document": document.pk, "title": document.title,
            "description": document.description, "confidential": document.is_private,
            "added_at": link.created_at, "web_url": absolute_url(document.get_absolute_url()),
            "download_url": absolute_url(reverse("knowledge:download",
                                                 kwargs={"pk": document.pk}))}


@router.get("/{application_id}/documents",
            response={200: list[ApplicationDocumentOut], **CONFIDENTIAL_ERRORS},
            summary="The documents")
def application_documents(request, application_id: int):
    """The documents uploaded for the consortium and the linked ones the caller may open. The
    consortium and the office only (403 for a public application, 404 for one the caller may
    not know of)."""
    user = api_user(request)
    application = _confidential(user, application_id)
    return [_document_out(link) for link in queries.shown_documents(application, user)]


@router.post("/{application_id}/documents", auth=write_auth,
             response={201: ApplicationDocumentOut, **CHANGE_ERRORS},
             summary="Upload a document for the consortium")
def application_document_upload(request, application_id: int,
                                payload: Form[ApplicationDocumentIn], file: File[UploadedFile]):
    """multipart/form-data with `title`, `description` and `file`. Type and size are checked
    by the content as every knowledge upload (422 naming `file`). The document is private:
    the consortium's people and the coordination office read it."""
    application = _visible(request.auth, application_id)
    link = services.document_upload(actor=request.auth, application=application,
                                    data={"title": payload.title,
                                          "description": payload.description}, upload=file)
    return Status(201, _document_out(link))


@router.delete("/{application_id}/documents/{link_id}", auth=write_auth,
               response={204: None, **CHANGE_ERRORS}, summary="Remove a document")
def application_document_remove(request, application_id: int, link_id: int):
    """Removes the link; a document uploaded for the application goes with it."""
    application = _visible(request.auth, application_id)
    link = get_object_or_404(ApplicationDocument.objects.select_related("document",
                                                                        "application"),
                             application=application, pk=link_id)
    services.document_unlink(actor=request.auth, link=link)
    return Status(204, None)
