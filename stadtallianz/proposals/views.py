"""Pages of funding applications: the list (mine and the public ones), the application page,
the consortium's forms, the coordination office's pipeline with its exports, and the public
totals of funding acquired.

An application a person may not know of is a 404 (not a 403: its existence is the
consortium's); what a person may see but not do is a 403.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.exports import csv_response, xlsx_response
from stadtallianz.core.forms import add_service_errors

from . import checks, forms, permissions, queries, services
from .models import (
    Application,
    ApplicationDocument,
    ApplicationMember,
    BudgetLine,
    ChecklistItem,
)

PAGE_SIZE = 20


def _visible(request, pk) -> Application:
    application = get_object_or_404(
        Application.objects.visible_to(request.user)
        .select_related("call__programme", "project", "idea"), pk=pk)
    return application


def _managed(request, pk) -> Application:
    application = _visible(request, pk)
    if not permissions.can_manage(request.user, application):
        raise PermissionDenied
    return application


def _service_error(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _submit(request, form, write, success: str = "") -> None:
    """A small form posted from the application's page (state, checklist, a linked document):
    `write(cleaned_data)` calls the service; the form's or the service's errors become messages
    at the top of the page the view redirects back to."""
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return
    try:
        write(form.cleaned_data)
    except ValidationError as error:
        _service_error(request, error)
    else:
        if success:
            messages.success(request, success)


def application_list(request):
    mine = (list(queries.my_applications(request.user)) if request.user.is_authenticated
            else [])
    page = Paginator(queries.public_applications(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "proposals/list.html", {
        "mine": mine, "page": page,
        "can_create": permissions.can_create(request.user),
        "can_see_pipeline": permissions.can_see_pipeline(request.user),
    })


@login_required
def application_create(request):
    if not permissions.can_create(request.user):
        raise PermissionDenied
    form = forms.ApplicationCreateForm(request.POST or None, user=request.user,
                                       initial={"call": request.GET.get("call"),
                                                "project": request.GET.get("project")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_create(
                actor=request.user, call=data["call"], organisation=data["organisation"],
                title=data["title"], project=data["project"], idea=data["idea"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The application has been started."))
            return redirect(application)
    return render(request, "proposals/form.html", {
        "form": form, "heading": _("Start a joint application"),
        "cancel_url": "proposals:list"})


def _budget_table(totals):
    """Rows of the budget table (one per member, an amount per category) and the sums."""
    categories = BudgetLine.Category.values
    rows, sums = [], {category: Decimal("0") for category in categories}
    for entry in totals:
        cells = []
        for category in categories:
            line = entry.lines.get(category)
            cells.append(line)
            if line:
                sums[category] += line.amount
        rows.append((entry, cells))
    overall = {"amount": sum((e.amount for e in totals), Decimal("0")),
               "own_contribution": sum((e.own_contribution for e in totals), Decimal("0")),
               "requested": sum((e.requested for e in totals), Decimal("0"))}
    return rows, [sums[c] for c in categories], overall


def application_detail(request, pk):
    application = _visible(request, pk)
    user = request.user
    members = list(application.members.select_related("organisation"))
    confidential = permissions.can_see_confidential(user, application)
    can_manage = permissions.can_manage(user, application)
    context = {"application": application, "members": members,
               "confidential": confidential, "can_manage": can_manage,
               "grant": getattr(application, "grant", None)
               if application.state == Application.State.GRANTED else None,
               "categories": BudgetLine.Category.choices}
    if confidential:
        totals = checks.member_totals(application, members)
        rows, sums, overall = _budget_table(totals)
        administered = set(user.memberships.filter(role="admin")
                           .values_list("organisation_id", flat=True))
        context.update({
            "budget_rows": rows, "category_sums": sums, "overall": overall,
            "editable_members": {m.pk for m in members
                                 if can_manage or m.organisation_id in administered},
            "problems": checks.budget_problems(application, totals=totals,
                                               submitting=application.state in (
                                                   Application.State.PLANNED,
                                                   Application.State.IN_PREPARATION)),
            "checklist": list(application.checklist.select_related("done_by")),
            "documents": list(queries.shown_documents(application, user)),
            "history": list(application.state_changes.select_related("changed_by")),
            "transitions": forms.transition_choices(application) if can_manage else [],
            "can_record_grant": (application.state == Application.State.SUBMITTED
                                 and permissions.can_record_grant(user, application)),
            "editable": application.state in services.EDITABLE_STATES,
            "checklist_form": forms.ChecklistItemForm(),
            "document_form": forms.DocumentLinkForm(user=user, application=application),
        })
    return render(request, "proposals/detail.html", context)


@login_required
def application_edit(request, pk):
    application = _managed(request, pk)
    form = forms.ApplicationEditForm(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(actor=request.user, application=application,
                                        data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(application)
    return render(request, "proposals/form.html", {
        "form": form, "application": application, "heading": _("Change the application")})


@login_required
def member_add(request, pk):
    application = _managed(request, pk)
    form = forms.MemberForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(actor=request.user, application=application,
                                organisation=form.cleaned_data["organisation"],
                                role=form.cleaned_data["role"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organisation has been added to the consortium."))
            return redirect(application.get_absolute_url() + "#members")
    return render(request, "proposals/form.html", {
        "form": form, "application": application,
        "heading": _("Add an organisation to the consortium")})


@login_required
@require_POST
def member_remove(request, pk, member_pk):
    application = _managed(request, pk)
    member = get_object_or_404(ApplicationMember, application=application, pk=member_pk)
    try:
        services.member_remove(actor=request.user, member=member)
    except ValidationError as error:
        _service_error(request, error)
    else:
        messages.success(request, _("The organisation has been removed from the consortium."))
    return redirect(application.get_absolute_url() + "#members")


@login_required
def budget_edit(request, pk, member_pk):
    application = _visible(request, pk)
    member = get_object_or_404(ApplicationMember.objects.select_related("organisation"),
                               application=application, pk=member_pk)
    if not permissions.can_edit_budget(request.user, member):
        raise PermissionDenied
    form = forms.BudgetForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_save(actor=request.user, member=member, lines=form.lines())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget has been saved."))
            return redirect(application.get_absolute_url() + "#budget")
    return render(request, "proposals/form.html", {
        "form": form, "application": application,
        "heading": _("Budget of %(organisation)s") % {"organisation": member.organisation.name},
        "intro": _("Per cost category the eligible costs and the funding requested; the own "
                   "contribution is the difference.")})


@login_required
@require_POST
def transition(request, pk):
    application = _managed(request, pk)
    _submit(request, forms.TransitionForm(request.POST),
            lambda data: services.application_transition(
                actor=request.user, application=application, state=data["state"],
                on=data["on"]),
            _("The state has been changed."))
    return redirect(application.get_absolute_url() + "#state")


@login_required
def grant_record(request, pk):
    application = _visible(request, pk)
    if not permissions.can_record_grant(request.user, application):
        raise PermissionDenied
    form = forms.GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_record(actor=request.user, application=application,
                                  **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The grant has been recorded and the budget carried "
                                        "into the project."))
            return redirect(application)
    return render(request, "proposals/form.html", {
        "form": form, "application": application, "heading": _("Record the grant")})


def _worked_on(request, pk) -> Application:
    application = _visible(request, pk)
    if not permissions.can_work_on(request.user, application):
        raise PermissionDenied
    return application


@login_required
@require_POST
def checklist_add(request, pk):
    application = _worked_on(request, pk)
    _submit(request, forms.ChecklistItemForm(request.POST),
            lambda data: services.checklist_add(actor=request.user, application=application,
                                                text=data["text"]))
    return redirect(application.get_absolute_url() + "#checklist")


@login_required
@require_POST
def checklist_toggle(request, pk, item_pk):
    application = _worked_on(request, pk)
    item = get_object_or_404(ChecklistItem, application=application, pk=item_pk)
    services.checklist_set_done(actor=request.user, item=item, done=not item.done)
    return redirect(application.get_absolute_url() + "#checklist")


@login_required
@require_POST
def checklist_remove(request, pk, item_pk):
    application = _managed(request, pk)
    item = get_object_or_404(ChecklistItem, application=application, pk=item_pk)
    services.checklist_remove(actor=request.user, item=item)
    return redirect(application.get_absolute_url() + "#checklist")


@login_required
def document_upload(request, pk):
    """A document for the consortium only (a private knowledge document, downloaded through
    the knowledge exchange's download, which checks the reader again)."""
    application = _visible(request, pk)
    if not permissions.can_upload_document(request.user, application):
        raise PermissionDenied
    form = forms.DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("title", "description")}
        try:
            services.document_upload(actor=request.user, application=application, data=data,
                                     upload=form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The document has been uploaded."))
            return redirect(application.get_absolute_url() + "#documents")
    return render(request, "proposals/document_upload.html",
                  {"form": form, "application": application},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def document_link(request, pk):
    application = _worked_on(request, pk)
    _submit(request, forms.DocumentLinkForm(request.POST, user=request.user,
                                            application=application),
            lambda data: services.document_link(actor=request.user, application=application,
                                                document=data["document"]))
    return redirect(application.get_absolute_url() + "#documents")


@login_required
@require_POST
def document_unlink(request, pk, link_pk):
    application = _worked_on(request, pk)
    link = get_object_or_404(ApplicationDocument, application=application, pk=link_pk)
    services.document_unlink(actor=request.user, link=link)
    return redirect(application.get_absolute_url() + "#documents")


# ---------------------------------------------------------------------------------------------
# Pipeline and totals


def _office(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_see_pipeline(request.user):
        raise PermissionDenied
    return None


def pipeline(request):
    refused = _office(request)
    if refused:
        return refused
    return render(request, "proposals/pipeline.html", {"pipeline": queries.pipeline()})


def pipeline_export(request, fmt):
    refused = _office(request)
    if refused:
        return refused
    rows = queries.export_rows(queries.pipeline_applications().iterator(chunk_size=500))
    if fmt == "csv":
        return csv_response("funding-pipeline.csv", queries.export_headers(), rows)
    if fmt == "xlsx":
        return xlsx_response("funding-pipeline.xlsx", _("Funding pipeline"),
                             queries.export_headers(), rows)
    raise Http404


def totals(request):
    return render(request, "proposals/totals.html", queries.public_totals())
