"""Pages of assessments: an assessment (with the team's and the reviewer's actions), its form,
a project's history, the review queue and the portfolio with its CSV download.

What a person may not see (an open assessment outside the team and the coordination office) is
a 404; what they may see but not do is a 403. Every change goes through `services.py`.
"""

import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.models import FocusArea, Principle
from stadtallianz.projects.models import Project

from . import permissions, portfolio, services
from .forms import AssessmentForm, PortfolioFilterForm, ReviewForm
from .models import Assessment, Score, signed
from .templatetags.assessments import scores_of

PROJECTS_PER_PAGE = 25
QUEUE_PER_PAGE = 50


def _assessment(request, pk: int) -> Assessment:
    assessment = get_object_or_404(Assessment.objects.select_related("project"), pk=pk)
    if not permissions.can_see(request.user, assessment):
        raise Http404
    return assessment


def assessment_detail(request, pk: int):
    assessment = _assessment(request, pk)
    project = assessment.project
    team = permissions.is_team(request.user, project)
    reviewer = permissions.can_review(request.user)
    submitted = assessment.state == Assessment.State.SUBMITTED
    own = reviewer and submitted and permissions.wrote(request.user, assessment)
    return render(request, "assessments/detail.html", {
        "assessment": assessment, "project": project,
        "scores": scores_of(assessment, viewer=request.user),
        "principle_count": Principle.objects.count(),
        "can_edit": team and assessment.is_editable,
        "can_review": reviewer and submitted and not own, "own_review": own,
        "review_form": ReviewForm(), "show_review": team or reviewer,
    })


@login_required
@require_POST
def assessment_start(request, slug: str):
    project = get_object_or_404(Project, slug=slug)
    if not permissions.can_write(request.user, project):
        raise PermissionDenied
    try:
        assessment = services.start(project=project, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(project.assessments.open().first() or project)
    messages.success(request, _("A draft has been started with the scores of the published "
                                "assessment, if there is one."))
    return redirect("assessments:edit", pk=assessment.pk)


@login_required
def assessment_edit(request, pk: int):
    assessment = _assessment(request, pk)
    project = assessment.project
    if not permissions.can_write(request.user, project):
        raise PermissionDenied
    if not assessment.is_editable:
        messages.error(request, _("This assessment can no longer be changed (%(state)s).")
                       % {"state": assessment.get_state_display()})
        return redirect(assessment)
    principles = list(Principle.objects.all())
    form = AssessmentForm(request.POST or None, principles=principles,
                          results=list(project.results.all()), scores=scores_of(assessment),
                          version=assessment.version)
    conflict = None
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.save_scores(assessment=assessment, by=request.user,
                                 scores=form.scores_data(),
                                 version=form.cleaned_data["version"])
        except services.EditConflict as error:
            conflict = _differences(form, error, principles)
            form.add_error(None, _(
                "Someone else saved this assessment while you were editing it. Your changes "
                "have not been saved. Below is what differs; the form now starts from the "
                "stored version %(version)s — take over what you want to keep and save again.")
                % {"version": error.assessment.version})
            data = form.data.copy()
            data["version"] = error.assessment.version
            form.data = data
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if not submit:
                messages.success(request, _("The draft has been saved."))
                return redirect(assessment)
            try:
                services.submit(assessment=assessment, by=request.user)
            except ValidationError as error:
                # The draft is saved; what is missing is said at the top of the form.
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The assessment has been submitted to the "
                                            "coordination office for review."))
                return redirect(assessment)
    return render(request, "assessments/form.html",
                  {"form": form, "assessment": assessment, "project": project,
                   "conflict": conflict},
                  status=409 if conflict else 400 if form.errors else 200)


def _evidence_line(item) -> str:
    """One piece of evidence as a line of the conflict's evidence diff."""
    get = item.get if isinstance(item, dict) else (lambda name: getattr(item, name))
    if get("url"):
        source = get("url")
    elif get("document"):
        source = f"{_('document')} {get('document').pk}"
    elif get("result"):
        source = f"{_('result')} {get('result').pk}"
    else:
        source = _("removed")
    return f"{get('label')} | {source}"


def _differences(form, conflict, principles) -> list[dict]:
    """Per differing principle: the stored score and the typed one, and line diffs of the
    stored justification and evidence against the typed ones."""
    stored = {s.principle.number: s for s in scores_of(conflict.assessment)}
    names = {p.number: p for p in principles}
    rows = []
    for number in conflict.principles:
        score = stored.get(number)
        typed = form.cleaned_data.get(f"score_{number}", "")
        typed_text = form.cleaned_data.get(f"justification_{number}", "")
        diff = difflib.unified_diff(
            (score.justification if score else "").splitlines(), typed_text.splitlines(),
            fromfile=_("stored"), tofile=_("yours"), lineterm="")
        evidence_diff = difflib.unified_diff(
            [_evidence_line(e) for e in (score.evidence.all() if score else [])],
            [_evidence_line(e) for e in form.evidence_items(number)],
            fromfile=_("stored"), tofile=_("yours"), lineterm="")
        rows.append({"principle": names[number],
                     "stored": score.signed if score else "–",
                     "typed": signed(int(typed)) if typed != "" else "–",
                     "diff": "\n".join(diff), "evidence_diff": "\n".join(evidence_diff)})
    return rows


@login_required
@require_POST
def assessment_action(request, pk: int, action: str):
    """submit (the team), accept and request changes (the coordination office)."""
    assessment = _assessment(request, pk)
    try:
        if action == "submit":
            services.submit(assessment=assessment, by=request.user)
            messages.success(request, _("The assessment has been submitted to the "
                                        "coordination office for review."))
        elif action == "accept":
            services.accept(assessment=assessment, by=request.user)
            messages.success(request, _("The assessment has been accepted and published."))
        elif action == "request-changes":
            form = ReviewForm(request.POST)
            if not form.is_valid():
                return _detail_with_review_form(request, assessment, form)
            services.request_changes(assessment=assessment, by=request.user,
                                     comment=form.cleaned_data["comment"])
            messages.success(request, _("The team has been asked for changes."))
        else:
            raise Http404
    except PermissionDenied as error:
        # Said on the page (e.g. a coordinator reviewing what they wrote), with a 403.
        if not str(error):
            raise
        messages.error(request, str(error))
        return _detail_with_review_form(request, assessment, ReviewForm(), status=403)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            form = ReviewForm(request.POST)
            form.is_valid()
            for field, field_errors in error.message_dict.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
            return _detail_with_review_form(request, assessment, form)
        for message in error.messages:
            messages.error(request, message)
        return redirect(assessment)
    if action == "accept" or action == "request-changes":
        return redirect("assessments:reviews")
    return redirect(assessment)


def _detail_with_review_form(request, assessment, form, status=400):
    return render(request, "assessments/detail.html", {
        "assessment": assessment, "project": assessment.project,
        "scores": scores_of(assessment, viewer=request.user),
        "principle_count": Principle.objects.count(),
        "can_edit": False, "show_review": True,
        "can_review": permissions.can_review_assessment(request.user, assessment)
        and assessment.state == Assessment.State.SUBMITTED,
        "review_form": form}, status=status)


def history(request, slug: str):
    """Every published assessment of the project with its date, and the scores side by side."""
    project = get_object_or_404(Project, slug=slug)
    published = list(project.assessments.accepted()
                     .select_related("reviewed_by").order_by("-published_at"))
    principles = list(Principle.objects.all())
    scores = {(s.assessment_id, s.principle_id): s for s in Score.objects.filter(
        assessment__in=published)}
    comparison = []
    for principle in principles:
        cells = [scores.get((a.pk, principle.pk)) for a in published]
        newest, previous = (cells + [None, None])[:2]
        change = newest.score - previous.score if newest and previous else None
        comparison.append({"principle": principle, "cells": cells, "change": change,
                           "amount": abs(change) if change else 0})
    team = permissions.is_team(request.user, project)
    open_assessment = None
    if team or permissions.is_coordinator(request.user):
        open_assessment = project.assessments.open().first()
    return render(request, "assessments/history.html", {
        "project": project, "published": published, "comparison": comparison,
        "open_assessment": open_assessment, "can_write": team})


@login_required
def review_queue(request):
    if not permissions.can_review(request.user):
        raise PermissionDenied
    queue = (Assessment.objects.filter(state=Assessment.State.SUBMITTED)
             .select_related("project", "submitted_by").order_by("submitted_at", "pk"))
    page = Paginator(queue, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "assessments/reviews.html", {"page": page})


def _portfolio_filters(request):
    focus_areas = list(FocusArea.objects.active().only("slug", "name_de", "name_en"))
    form = PortfolioFilterForm(request.GET or None, focus_areas=focus_areas)
    filters = {}
    if form.is_bound:
        form.is_valid()  # an invalid value is ignored, the valid ones still apply
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    return form, filters


def portfolio_page(request):
    form, filters = _portfolio_filters(request)
    assessments = portfolio.current_assessments(**filters)
    principles = list(Principle.objects.all())
    page = Paginator(assessments, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    summary = portfolio.summary(assessments, principles)
    context = {
        "form": form, "filters": filters, "page": page, "principles": principles,
        "rows": portfolio.matrix(page.object_list, principles), "summary": summary,
        "unserved": [entry.principle for entry in summary if entry.unserved],
        "is_coordinator": permissions.is_coordinator(request.user),
        "csv_query": request.GET.urlencode(),
    }
    if context["is_coordinator"]:
        context["pending"] = Assessment.objects.filter(
            state=Assessment.State.SUBMITTED).count()
    template = "assessments/portfolio.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


def portfolio_csv(request):
    _form, filters = _portfolio_filters(request)
    text = portfolio.csv_text(portfolio.current_assessments(**filters),
                              list(Principle.objects.all()))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="portfolio-{stamp}.csv"'
    return response
