"""Pages of assessments: an assessment (with the team's and the reviewer's actions), its form,
a project's history, the review queue and the portfolio with its CSV download.

What a person may not see (an open assessment outside the team and the coordination office) is
a 404; what they may see but not do is a 403. Every change goes through `services.py`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.models import FocusArea, Principle
from stadtallianz.core.office import with_office
from stadtallianz.knowledge.models import Document
from stadtallianz.projects.models import Project

from . import forms as assessment_forms
from . import permissions, portfolio, services
from .forms import AssessmentForm, PortfolioFilterForm, ReviewForm
from .models import Assessment, Score, score_words, signed
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


def _form(request, assessment, principles, stored, data=None):
    project = assessment.project
    # The documents the person may read, and those the stored evidence names already.
    named = [e.document_id for score in stored for e in score.evidence.all() if e.document_id]
    documents = list(Document.objects.filter(
        Q(pk__in=Document.objects.visible_to(request.user).values("pk")) | Q(pk__in=named))
        .only("pk", "title").order_by("title", "pk"))
    return AssessmentForm(data, principles=principles, results=list(project.results.all()),
                          scores=stored, version=assessment.version, documents=documents,
                          datastreams=list(services.datastream_choices()))


@login_required
def assessment_edit(request, pk: int):
    """The self-assessment form. "Save draft" saves; "Save and submit for review" saves and
    submits. A submit that is refused (principles not scored yet) keeps the saved draft and
    everything typed, and the form carries the version just saved, so the next save is no
    conflict. A real conflict (someone else saved meanwhile) shows their and your values side by
    side per field, with "take theirs" per field; the form keeps yours and now starts from their
    version, so saving again keeps yours."""
    assessment = _assessment(request, pk)
    project = assessment.project
    if not permissions.can_write(request.user, project):
        raise PermissionDenied
    if not assessment.is_editable:
        messages.error(request, _("This assessment can no longer be changed (%(state)s).")
                       % {"state": assessment.get_state_display()})
        return redirect(assessment)
    principles = list(Principle.objects.all())
    stored = scores_of(assessment)
    if request.method != "POST":
        return _edit_page(request, assessment, _form(request, assessment, principles, stored))
    data = request.POST
    add_row = request.POST.get("add_evidence", "")
    take = request.POST.get("take", "")
    if add_row.isdecimal():
        # "Add evidence" without script: one more row, nothing saved.
        form = _form(request, assessment, principles, stored,
                     assessment_forms.with_row_added(data, int(add_row)))
        form._errors = ErrorDict()  # nothing was sent to check yet
        return _edit_page(request, assessment, form, focus=f"evidence_{add_row}")
    if take:
        return _take_theirs(request, assessment, principles, stored, take)
    form = _form(request, assessment, principles, stored, data)
    if not form.is_valid():
        return _edit_page(request, assessment, form, status=400)
    submit = "submit" in request.POST
    try:
        assessment = services.save_scores(assessment=assessment, by=request.user,
                                          scores=form.scores_data(),
                                          version=form.cleaned_data["version"])
    except services.EditConflict as error:
        form.add_error(None, _(
            "Someone else saved this assessment while you were editing it. Your changes have "
            "not been saved. The table below shows their version and yours side by side: take "
            "over theirs where you want to, then save again to keep the rest of yours."))
        form = _rebased(form, error.assessment.version)
        return _edit_page(request, assessment, form, status=409,
                          conflict=_comparison(form, error.assessment, error.principles,
                                               principles))
    except ValidationError as error:
        form.add_service_errors(error)
        return _edit_page(request, assessment, form, status=400)
    if not submit:
        messages.success(request, _("The draft has been saved."))
        return redirect(assessment)
    try:
        services.submit(assessment=assessment, by=request.user)
    except ValidationError as error:
        # Refused (principles missing): the draft is saved, so the form carries its new
        # version; what is missing is said at the top and at each principle's score.
        form = _rebased(form, assessment.version)
        form.add_error(None, _("The draft has been saved, but it cannot be submitted yet."))
        for message in error.messages:
            form.add_error(None, message)
        names = {p.number: p.name for p in principles}
        for number in services.missing_principles(assessment):
            form.add_error(f"score_{number}", _(
                "%(number)s. %(name)s: score this principle before submitting.")
                % {"number": number, "name": names[number]})
        return _edit_page(request, assessment, form, status=400)
    messages.success(request, with_office(_("The assessment has been submitted to the %(office)s "
                                            "for review.")))
    return redirect(assessment)


def _rebased(form, version: int):
    """The form with what was typed, now based on `version` (the stored one): kept errors
    included."""
    data = form.data.copy()
    data["version"] = str(version)
    form.data = data
    return form


def _edit_page(request, assessment, form, *, status=200, conflict=None, focus=None):
    return render(request, "assessments/form.html", {
        "form": form, "assessment": assessment, "project": assessment.project,
        "conflict": conflict, "focus": focus}, status=status)


def _take_theirs(request, assessment, principles, stored, take):
    """Takes over the stored value of one field (`<number>:<score|justification|evidence>`)
    into the form, nothing saved, and shows what still differs."""
    number, _sep, field = take.partition(":")
    names = {p.number for p in principles}
    if not number.isdecimal() or int(number) not in names or field not in (
            "score", "justification", "evidence"):
        raise Http404
    number = int(number)
    score = next((s for s in stored if s.principle.number == number), None)
    data = assessment_forms.with_field_taken(request.POST, number, score, field)
    data["version"] = str(assessment.version)
    form = _form(request, assessment, principles, stored, data)
    conflict = None
    if form.is_valid():
        try:
            cleaned = services.clean_scores(form.scores_data(), project=assessment.project,
                                            by=request.user)
        except ValidationError:
            cleaned = None
        if cleaned is not None:
            differing = services.differing(assessment, cleaned)
            conflict = _comparison(form, assessment, differing, principles) if differing \
                else None
    form._errors = ErrorDict()  # nothing was saved; the comparison says what differs
    messages.info(request, _("Their version has been taken over into the form; save to keep "
                             "it."))
    return _edit_page(request, assessment, form, conflict=conflict,
                      focus=f"principle-{number}")


def _source(item) -> tuple[str, str]:
    """(kind, text) of one piece of evidence, stored (a model) or typed (the services'
    dict)."""
    get = item.get if isinstance(item, dict) else (lambda name: getattr(item, name))
    if get("url"):
        return _("Link"), get("url")
    if get("document"):
        return _("Document"), str(get("document"))
    if get("datastream"):
        return _("Datastream"), str(get("datastream"))
    if get("result"):
        return _("Result"), str(get("result"))
    return _("removed"), ""


def _evidence_lines(items) -> list[dict]:
    lines = []
    for item in items:
        kind, text = _source(item)
        label = item["label"] if isinstance(item, dict) else item.label
        lines.append({"label": label or text, "kind": kind,
                      "text": text if text != label else ""})
    return lines


def _comparison(form, stored_assessment, differing, principles) -> list[dict]:
    """Per principle that differs: its fields (score, justification, evidence) with the stored
    value ("theirs") and the typed one ("yours"), each marked whether it differs."""
    stored = {s.principle.number: s for s in scores_of(stored_assessment)}
    names = {p.number: p for p in principles}
    sections = []
    for number in differing:
        score = stored.get(number)
        typed = form.cleaned_data.get(f"score_{number}", "")
        typed_text = form.cleaned_data.get(f"justification_{number}", "")
        theirs_evidence = _evidence_lines(score.evidence.all() if score else [])
        yours_evidence = _evidence_lines(form.evidence_items(number))
        theirs_score = f"{score.signed} {score.words}" if score else _("not yet assessed")
        yours_score = (f"{signed(int(typed))} {score_words(int(typed))}" if typed != ""
                       else _("not yet assessed"))
        theirs_text = score.justification if score else ""
        sections.append({"principle": names[number], "rows": [
            {"field": "score", "label": _("Score"), "theirs": theirs_score,
             "yours": yours_score, "changed": theirs_score != yours_score},
            {"field": "justification", "label": _("Justification"), "theirs": theirs_text,
             "yours": typed_text.strip(), "changed": theirs_text != typed_text.strip()},
            {"field": "evidence", "label": _("Evidence"), "theirs_list": theirs_evidence,
             "yours_list": yours_evidence, "changed": theirs_evidence != yours_evidence},
        ]})
    return sections


@login_required
@require_POST
def assessment_action(request, pk: int, action: str):
    """submit (the team), accept and request changes (the coordination office)."""
    assessment = _assessment(request, pk)
    try:
        if action == "submit":
            services.submit(assessment=assessment, by=request.user)
            messages.success(request, with_office(_("The assessment has been submitted to the "
                                                    "%(office)s for review.")))
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
