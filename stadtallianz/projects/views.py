"""Pages of projects: list (filters, htmx pagination), map, exports, the project page and the
team's forms. Every project is public; what a person may see but not do is a 403."""

import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from stadtallianz.core.exports import csv_response
from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown

from . import forms, permissions, queries, services
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

PAGE_SIZE = 20

# The parts of a project the team edits on forms of their own: URL name → model, form, titles.
PARTS = {
    "milestones": (Milestone, forms.MilestoneForm, gettext_lazy("milestone")),
    "updates": (ProjectUpdate, forms.ProjectUpdateForm, gettext_lazy("update")),
    "results": (Result, forms.ResultForm, gettext_lazy("result")),
    "budget": (BudgetLine, forms.BudgetLineForm, gettext_lazy("budget line")),
    "places": (ProjectPlace, forms.ProjectPlaceForm, gettext_lazy("place")),
    "sdgs": (ProjectSDG, forms.ProjectSDGForm, gettext_lazy("SDG")),
    "phases": (PhasePeriod, forms.PhasePeriodForm, gettext_lazy("phase dates")),
}


def _filtered(request):
    form = forms.ProjectFilterForm(request.GET or None)
    projects = queries.listed()
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
        projects = queries.filter_projects(projects, **filters)
    return form, projects, filters


def project_list(request):
    form, projects, filters = _filtered(request)
    projects = projects.prefetch_related(queries.consortium_prefetch())
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "projects/list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, {
        "form": form, "page": page, "filtered": bool(filters), "query": query.urlencode(),
        "can_create": permissions.can_create(request.user),
    })


def project_map(request):
    return render(request, "projects/map.html", {
        "projects": Project.objects.only("slug", "title_de", "title_en", "phase")
        .filter(places__isnull=False).distinct().order_by("title_de", "pk"),
    })


def geojson(request):
    """Every project's places as one FeatureCollection, for the map of all projects."""
    response = JsonResponse(queries.overview_collection(queries.all_places()))
    response["Content-Type"] = "application/geo+json"
    return response


def export_csv(request):
    _form, projects, _filters = _filtered(request)
    return csv_response("projects.csv", queries.EXPORT_HEADERS, queries.export_rows(
        projects.iterator(chunk_size=500), request))


def export_json(request):
    _form, projects, _filters = _filtered(request)
    data = [dict(zip(queries.EXPORT_HEADERS, row, strict=True))
            for row in queries.export_rows(projects, request)]
    response = JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="projects.json"'
    return response


def _project(slug) -> Project:
    return get_object_or_404(Project.objects.select_related("working_group", "origin_idea"),
                             slug=slug)


def project_detail(request, slug):
    project = _project(slug)
    consortium = list(permissions.shown_consortium(request.user, project)
                      .select_related("organisation").order_by("role", "organisation__name"))
    budget = list(project.budget_lines.all())
    places = list(project.places.all())
    phases = {period.phase: period for period in project.phase_periods.all()}
    can_edit = permissions.can_edit(request.user, project)
    return render(request, "projects/detail.html", {
        "project": project,
        "description_html": render_markdown(project.description, top_level=3),
        "timeline": [(value, label, phases.get(value), value == project.phase)
                     for value, label in Project.Phase.choices
                     if value in phases or value == project.phase
                     or value not in services.CLOSED_PHASES],
        "consortium": [m for m in consortium if m.state == ConsortiumMember.State.ACCEPTED],
        "invited": [m for m in consortium if m.state == ConsortiumMember.State.INVITED],
        "milestones": list(project.milestones.all()),
        "results": list(project.results.all()),
        "updates": [(update, render_markdown(update.body, top_level=4))
                    for update in project.updates.select_related("author")],
        "budget": budget, "totals": services.budget_totals(budget),
        "places": places,
        "places_geojson": queries.feature_collection(
            [setattr(p, "project", project) or p for p in places]),
        "sdgs": list(project.sdg_relations.select_related("goal", "target")),
        "focus_areas": list(project.focus_areas.all()),
        "principles": list(project.principles.all()),
        "can_edit": can_edit,
        "can_manage_consortium": permissions.can_manage_consortium(request.user, project),
    })


@login_required
def project_create(request):
    if not permissions.can_create(request.user):
        raise PermissionDenied
    form = forms.ProjectCreateForm(
        request.POST or None, organisations=permissions.creatable_organisations(request.user),
        groups=permissions.creatable_groups(request.user))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.EDIT_FIELDS}
        relations = {name: form.cleaned_data[name] for name in services.PROJECT_RELATIONS}
        try:
            project = services.create_project(
                actor=request.user, data=data, relations=relations,
                organisation=form.cleaned_data["organisation"],
                group=form.cleaned_data["working_group"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project has been created."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None},
                  status=400 if form.errors else 200)


def _differences(form, stored: Project, fields: list[str]) -> list[dict]:
    """What the editor typed against what is stored now, per differing field, as a unified
    diff of lines (texts) — shown above the form after a conflict."""
    result = []
    for name in fields:
        if name in services.PROJECT_RELATIONS:  # one line per chosen focus area / principle
            mine = "\n".join(sorted(str(obj) for obj in form.cleaned_data.get(name) or []))
            theirs = "\n".join(sorted(str(obj) for obj in getattr(stored, name).all()))
        else:
            mine = str(form.cleaned_data.get(name) or "")
            theirs = str(getattr(stored, name) or "")
        lines = list(difflib.unified_diff(theirs.splitlines(), mine.splitlines(),
                                          fromfile=_("stored now"), tofile=_("your version"),
                                          lineterm="", n=1))
        result.append({"label": form.fields[name].label, "lines": lines})
    return result


@login_required
def project_edit(request, slug):
    project = _project(slug)
    if not permissions.can_edit(request.user, project):
        raise PermissionDenied
    form = forms.ProjectForm(request.POST or None, instance=Project.objects.get(pk=project.pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.EDIT_FIELDS}
        relations = {name: form.cleaned_data[name] for name in services.PROJECT_RELATIONS}
        try:
            services.update_project(project=project, actor=request.user, data=data,
                                    relations=relations,
                                    version=form.cleaned_data["version"] or 0)
        except services.EditConflict as error:
            conflict = _differences(form, error.project, error.fields)
            form.add_error(None, _(
                "Someone else saved this project while you were editing it. Your changes have "
                "not been saved. Below is what differs; the form now starts from the stored "
                "version %(version)s — take over what you want to keep and save again.")
                % {"version": error.project.version})
            # The next save is based on what is stored now.
            data = form.data.copy()
            data["version"] = error.project.version
            form.data = data
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project has been saved."))
            return redirect(project)
    return render(request, "projects/project_form.html",
                  {"form": form, "project": project, "conflict": conflict},
                  status=409 if conflict else 400 if form.errors else 200)


def _part(kind: str):
    if kind not in PARTS:
        raise Http404
    return PARTS[kind]


@login_required
def part_form(request, slug, kind, pk=None):
    project = _project(slug)
    model, form_class, name = _part(kind)
    instance = get_object_or_404(model, project=project, pk=pk) if pk else model(project=project)
    if not permissions.can_edit(request.user, project):
        raise PermissionDenied
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in form.Meta.fields}
        try:
            services.save_part(project=project, actor=request.user, instance=instance,
                               data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(project.get_absolute_url() + f"#{kind}")
    return render(request, "projects/part_form.html", {
        "form": form, "project": project, "kind": kind, "name": name, "instance": instance,
    }, status=400 if form.errors else 200)


@login_required
def part_delete(request, slug, kind, pk):
    project = _project(slug)
    model, _form, name = _part(kind)
    instance = get_object_or_404(model, project=project, pk=pk)
    if not permissions.can_edit(request.user, project):
        raise PermissionDenied
    if request.method == "POST":
        services.delete_part(project=project, actor=request.user, instance=instance)
        messages.success(request, _("Deleted."))
        return redirect(project.get_absolute_url() + f"#{kind}")
    return render(request, "projects/confirm_delete.html",
                  {"project": project, "object": instance, "name": name,
                   "cancel_url": project.get_absolute_url() + f"#{kind}"})


def consortium(request, slug):
    """The consortium with its invitations: the lead's admins invite and remove here, invited
    organisations' admins answer."""
    project = _project(slug)
    members = list(permissions.shown_consortium(request.user, project)
                   .select_related("organisation", "invited_by"))
    can_manage = permissions.can_manage_consortium(request.user, project)
    # One query for the organisations the person administers, not one per invitation.
    administered = permissions.administered_organisation_ids(request.user)
    answerable = {m.pk for m in members if m.state == ConsortiumMember.State.INVITED
                  and m.organisation_id in administered}
    form = forms.InviteForm(request.POST or None, project=project,
                            lead_open=services.can_invite_lead(project)) if can_manage else None
    if request.method == "POST":
        if not request.user.is_authenticated or form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.invite(project=project, actor=request.user,
                                organisation=form.cleaned_data["organisation"],
                                role=form.cleaned_data["role"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The organisation has been invited; its "
                                            "administrators are notified."))
                return redirect("projects:consortium", slug=project.slug)
    return render(request, "projects/consortium.html", {
        "project": project, "members": members, "form": form, "can_manage": can_manage,
        "answerable": answerable,
    }, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def consortium_action(request, slug, pk, action):
    project = _project(slug)
    member = get_object_or_404(ConsortiumMember.objects.select_related("organisation",
                                                                        "project"),
                               project=project, pk=pk)
    try:
        if action == "accept":
            services.answer(member=member, actor=request.user, accept=True)
            messages.success(request, _("The invitation has been accepted."))
        elif action == "decline":
            services.answer(member=member, actor=request.user, accept=False)
            messages.success(request, _("The invitation has been declined."))
        elif action == "remove":
            services.remove(member=member, actor=request.user)
            messages.success(request, _("The organisation has been removed."))
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("projects:consortium", slug=project.slug)

