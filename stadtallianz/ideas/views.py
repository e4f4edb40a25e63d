"""Pages of ideas: list, map, detail, the forms, versions, co-authors and state changes. What a
person may not see is a 404; what they see but may not do is a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.forms.utils import ErrorDict
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.workinggroups.models import WorkingGroup

from . import exports, images, permissions, services
from .diff import diff_html, list_diff
from .forms import CoAuthorForm, IdeaFilterForm, IdeaForm, ImageForm, NewIdeaForm, StateForm
from .listing import LateRowLookup, filter_ideas, listed_ideas, sort_ideas
from .models import CoAuthor, Idea, IdeaImage
from .participation import services as participation

PAGE_SIZE = 20
# The map shows at most this many ideas (the newest, or first by the chosen sort); the page says
# so. Thousands of markers help nobody and cost the browser seconds.
MAP_LIMIT = 500


def _filter_form(request) -> IdeaFilterForm:
    return IdeaFilterForm(
        request.GET or None,
        groups=WorkingGroup.objects.only("slug", "name_de", "name_en"),
        focus_areas=FocusArea.objects.active().only("slug", "name_de", "name_en"),
        principles=Principle.objects.all(), sdgs=SustainableDevelopmentGoal.objects.all())


def _filters(form) -> dict:
    """The valid filters; an invalid value is ignored, the others still apply."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {key: value for key, value in form.cleaned_data.items() if value}


def filtered_ideas(request, form=None):
    form = form or _filter_form(request)
    filters = _filters(form)
    ideas = sort_ideas(filter_ideas(listed_ideas(request.user), **filters),
                       filters.get("sort", ""))
    return ideas, filters


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def idea_list(request):
    form = _filter_form(request)
    ideas, filters = filtered_ideas(request, form)
    page = Paginator(LateRowLookup(ideas), PAGE_SIZE).get_page(request.GET.get("page"))
    template = "ideas/list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, {
        "form": form, "page": page, "filters": {k: v for k, v in filters.items() if k != "sort"},
        "query": _query_without(request, "page"),
        "can_submit": permissions.can_submit(request.user),
    })


def idea_map(request):
    form = _filter_form(request)
    _filters(form)
    return render(request, "ideas/map.html", {
        "form": form, "query": _query_without(request, "page"), "map_limit": MAP_LIMIT,
    })


def map_geojson(request):
    """The filtered ideas that have a place, as GeoJSON for featuremap.js (at most MAP_LIMIT;
    `truncated` says whether there were more)."""
    ideas, _filters_used = filtered_ideas(request)
    rows = list(ideas.filter(latitude__isnull=False)
                .values("pk", "title", "state", "place_name", "latitude", "longitude")
                [:MAP_LIMIT + 1])
    labels = dict(Idea.State.choices)
    # One reverse() for all 500 links: the pattern with a placeholder number.
    url_of = reverse("ideas:detail", kwargs={"pk": 0}).replace("/0/", "/{}/").format
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point",
                     "coordinates": [float(row["longitude"]), float(row["latitude"])]},
        "properties": {
            "title": row["title"],
            "url": url_of(row["pk"]),
            "subtitle": " · ".join(filter(None, [str(labels[row["state"]]),
                                                 row["place_name"]])),
        },
    } for row in rows[:MAP_LIMIT]]
    response = JsonResponse({"type": "FeatureCollection", "features": features,
                             "truncated": len(rows) > MAP_LIMIT, "limit": MAP_LIMIT})
    response["Content-Type"] = "application/geo+json"
    return response


def export(request, fmt: str):
    ideas, _filters_used = filtered_ideas(request)
    respond = exports.csv_response if fmt == "csv" else exports.json_response
    return respond(ideas, show_hidden=permissions.can_moderate_ideas(request.user))


# ---------------------------------------------------------------------------------------------
# One idea


def get_idea(request, pk, queryset=None) -> Idea:
    idea = get_object_or_404(queryset if queryset is not None else Idea.objects.all(), pk=pk)
    if not permissions.can_see(request.user, idea):
        raise Http404
    return idea


def idea_detail(request, pk):
    queryset = (Idea.objects.select_related("author", "working_group", "merged_into", "project")
                .prefetch_related(
                    "focus_areas", "principles", "sdgs", "images",
                    Prefetch("coauthors", queryset=CoAuthor.objects.select_related("user")
                             .order_by("created_at", "pk")),
                    Prefetch("merged_ideas", queryset=Idea.objects.only(
                        "pk", "title", "merged_into_id", "hidden_at", "author_id"))))
    idea = get_idea(request, pk, queryset)
    user = request.user
    # The ideas named from this one may have been hidden since: shown to who may see them.
    merged_into = (permissions.visible_among(user, [idea.merged_into]) or [None])[0] \
        if idea.merged_into_id else None
    merged_ideas = permissions.visible_among(user, idea.merged_ideas.all())
    coauthors = list(idea.coauthors.all())
    accepted = [c for c in coauthors if c.state == CoAuthor.State.ACCEPTED]
    invitation = next((c for c in coauthors if c.user_id == user.pk
                       and c.state == CoAuthor.State.INVITED), None)
    project = getattr(idea, "project", None) if idea.state == Idea.State.ACCEPTED else None
    return render(request, "ideas/detail.html", {
        "idea": idea, "description_html": render_markdown(idea.description, top_level=2),
        "coauthors": accepted, "invitation": invitation, "project": project,
        "merged_into": merged_into, "merged_ideas": merged_ideas,
        "can_edit": permissions.can_edit(user, idea),
        "can_manage_coauthors": permissions.can_manage_coauthors(user, idea),
        "can_decide": permissions.can_decide(user, idea)
        and bool(services.decision_options(idea)),
        **participation.detail_context(request, idea),
    })


@login_required
def idea_create(request):
    if not permissions.can_submit(request.user):
        raise PermissionDenied
    form = NewIdeaForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                idea = services.idea_create(by=request.user, data=form.idea_data())
                if form.cleaned_data.get("image"):
                    images.image_add(idea=idea, by=request.user,
                                       upload=form.cleaned_data["image"],
                                       alt_text=form.cleaned_data["image_alt"])
        except ValidationError as error:
            if hasattr(error, "error_dict") and "alt_text" in error.error_dict:
                error.error_dict["image_alt"] = error.error_dict.pop("alt_text")
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your idea has been submitted."))
            return redirect(idea)
    return render(request, "ideas/form.html", {"form": form, "idea": None},
                  status=400 if form.errors else 200)


def _conflict_diffs(conflict: services.EditConflict) -> list[dict]:
    """Per differing field: what is stored now against what the editor typed."""
    rows = []
    labels = {name: Idea._meta.get_field(name).verbose_name
              for name in [*services.FIELDS, *services.RELATIONS]}
    for name, values in conflict.fields.items():
        current, yours = values["current"], values["yours"]
        if isinstance(current, list) or isinstance(yours, list):
            current = ", ".join(map(str, current or []))
            yours = ", ".join(map(str, yours or []))
        rows.append({"label": labels.get(name, name),
                     "diff": diff_html(str(current or ""), str(yours or ""))})
    return rows


@login_required
def idea_edit(request, pk):
    idea = get_idea(request, pk, Idea.objects.select_related("working_group"))
    if not permissions.can_edit(request.user, idea):
        raise PermissionDenied
    form = IdeaForm(request.POST or None, instance=Idea.objects.get(pk=idea.pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_update(idea=idea, by=request.user, data=form.idea_data(),
                                 base_version=form.cleaned_data["version"])
        except services.EditConflict as error:
            conflict = {"version": error.idea.version, "rows": _conflict_diffs(error)}
            form.add_error(None, str(error) + " " + _(
                "Compare your changes with the stored idea below; saving again replaces "
                "the stored version with yours."))
            # Saving again is a deliberate choice to overwrite, so it is based on the stored
            # version now.
            form.data = form.data.copy()
            form.data["version"] = error.idea.version
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes have been saved."))
            return redirect(idea)
    return render(request, "ideas/form.html", {"form": form, "idea": idea, "conflict": conflict},
                  status=409 if conflict else 400 if form.errors else 200)


def _details_names(details: dict, names: dict) -> dict:
    """A version's details with today's names instead of slugs and numbers, for the diff."""
    def named(kind, keys):
        return [names[kind].get(key, str(key)) for key in keys or []]

    place = " ".join(filter(None, [
        details.get("place_name") or "",
        f"({details['latitude']}, {details['longitude']})" if details.get("latitude") else ""]))
    return {
        "focus_areas": named("focus_areas", details.get("focus_areas")),
        "principles": named("principles", details.get("principles")),
        "sdgs": named("sdgs", details.get("sdgs")),
        "working_group": named("working_group", [details["working_group"]]
                               if details.get("working_group") else []),
        "place": [place] if place else [],
    }


def _names() -> dict:
    return {
        "focus_areas": {area.slug: area.name for area in FocusArea.objects.all()},
        "principles": {p.number: str(p) for p in Principle.objects.all()},
        "sdgs": {goal.number: str(goal) for goal in SustainableDevelopmentGoal.objects.all()},
        "working_group": {group.slug: group.name for group in
                          WorkingGroup.objects.only("slug", "name_de", "name_en")},
    }


def idea_versions(request, pk):
    idea = get_idea(request, pk)
    versions = list(idea.versions.select_related("author").order_by("-number"))
    numbers = [v.number for v in versions]

    def pick(name, default):
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdecimal() and int(raw) in numbers else default

    newest = numbers[0] if numbers else None
    to_number = pick("to", newest)
    from_number = pick("from", to_number - 1 if to_number and to_number - 1 in numbers
                       else to_number)
    by_number = {v.number: v for v in versions}
    comparison = None
    if from_number and to_number:
        old, new = by_number[from_number], by_number[to_number]
        names = _names()
        old_details = _details_names(old.details, names)
        new_details = _details_names(new.details, names)
        labels = {"focus_areas": _("Focus areas"), "principles": _("Guiding principles"),
                  "sdgs": _("SDGs"), "working_group": _("Working group"), "place": _("Place")}
        comparison = {
            "old": old, "new": new,
            "title": diff_html(old.title, new.title),
            "description": diff_html(old.description, new.description),
            "details": [{"label": labels[key],
                         **list_diff(old_details[key], new_details[key])}
                        for key in labels],
        }
        comparison["details_changed"] = any(row["added"] or row["removed"]
                                            for row in comparison["details"])
    return render(request, "ideas/versions.html", {
        "idea": idea, "versions": versions, "comparison": comparison,
    })


# ---------------------------------------------------------------------------------------------
# Images


@login_required
def idea_images(request, pk):
    idea = get_idea(request, pk)
    if not permissions.can_edit(request.user, idea):
        raise PermissionDenied
    form = ImageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            images.image_add(idea=idea, by=request.user, upload=form.cleaned_data["image"],
                               alt_text=form.cleaned_data["alt_text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The image has been added."))
            return redirect("ideas:images", pk=idea.pk)
    return render(request, "ideas/images.html",
                  {"idea": idea, "form": form, "images": idea.images.all()},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def image_delete(request, pk, image):
    idea = get_idea(request, pk)
    image = get_object_or_404(IdeaImage, pk=image, idea=idea)
    images.image_delete(image=image, by=request.user)
    messages.success(request, _("The image has been removed."))
    return redirect("ideas:images", pk=idea.pk)


# ---------------------------------------------------------------------------------------------
# Co-authors


@login_required
def coauthors(request, pk):
    idea = get_idea(request, pk)
    if not permissions.can_manage_coauthors(request.user, idea):
        raise PermissionDenied
    form = CoAuthorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.coauthor_invite(idea=idea, by=request.user,
                                     email=form.cleaned_data["email"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, services.COAUTHOR_INVITED_MESSAGE)
            return redirect("ideas:coauthors", pk=idea.pk)
    people = idea.coauthors.select_related("user").order_by("created_at", "pk")
    return render(request, "ideas/coauthors.html",
                  {"idea": idea, "form": form, "people": people},
                  status=400 if form.errors else 200)


@login_required
def coauthor_respond(request, pk, coauthor):
    coauthorship = get_object_or_404(CoAuthor.objects.select_related("idea", "invited_by"),
                                     pk=coauthor, idea_id=pk, user=request.user)
    idea = coauthorship.idea
    if coauthorship.state == CoAuthor.State.ACCEPTED:
        return redirect(idea)
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        try:
            services.coauthor_respond(coauthor=coauthorship, by=request.user, accept=accept)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("You are now a co-author of this idea.") if accept
                             else _("You have declined the invitation."))
        return redirect(idea) if accept or not idea.is_hidden else redirect("ideas:list")
    return render(request, "ideas/coauthor_respond.html",
                  {"idea": idea, "coauthor": coauthorship})


@login_required
@require_POST
def coauthor_remove(request, pk, coauthor):
    idea = get_idea(request, pk)
    coauthorship = get_object_or_404(CoAuthor, pk=coauthor, idea=idea)
    services.coauthor_remove(coauthor=coauthorship, by=request.user)
    messages.success(request, _("The co-author has been removed."))
    if coauthorship.user_id == request.user.pk:
        return redirect(idea)
    return redirect("ideas:coauthors", pk=idea.pk)


# ---------------------------------------------------------------------------------------------
# State


@login_required
def idea_state(request, pk):
    idea = get_idea(request, pk, Idea.objects.select_related("working_group"))
    if not permissions.can_decide(request.user, idea):
        raise PermissionDenied
    if request.method == "GET" and request.htmx and "merge_search" in request.GET:
        # The search as the person types: only the results, as radio buttons.
        form = StateForm(request.GET, idea=idea)
        return render(request, "ideas/state.html#merge-results", {"idea": idea, "form": form})
    form = StateForm(request.POST or None, idea=idea)
    if request.method == "POST" and "search" in request.POST:
        # The search button (without script): the same page with the results, nothing changed.
        form = StateForm(request.POST, idea=idea)
        form._errors = ErrorDict()  # a search is not a decision: nothing to complain about yet
        return render(request, "ideas/state.html", {"idea": idea, "form": form,
                                                    "searching": True, **_state_page(idea)})
    if request.method == "POST" and form.is_valid():
        target = None
        number = form.cleaned_data.get("merged_into")
        if number and form.cleaned_data["state"] == Idea.State.MERGED:
            target = next(r for r in form.results if r.pk == number)
        try:
            services.change_state(idea=idea, by=request.user,
                                  state=form.cleaned_data["state"],
                                  reason=form.cleaned_data["reason"], merged_into=target)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The state of the idea has been changed."))
            return redirect(idea)
    return render(request, "ideas/state.html", {"idea": idea, "form": form, **_state_page(idea)},
                  status=400 if form.errors else 200)


def _state_page(idea) -> dict:
    options = [state for state, _label in services.decision_options(idea)]
    return {"can_accept": Idea.State.ACCEPTED in options,
            "can_merge": Idea.State.MERGED in options}
