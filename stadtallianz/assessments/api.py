"""REST API of the assessments against the guiding principles.

Published (accepted) assessments are public; open ones (draft, submitted, changes requested) are
seen by the project's team and the coordination office only, for everyone else they do not
exist (404). Writes go through `services.py`: refusal 403, a step the state forbids 409, bad
input 422 with `loc` ending in the field, e.g. `["body", "payload", "scores", 3, "score"]`.
"""

import re
from datetime import datetime
from enum import StrEnum

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from stadtallianz.core.api import CHANGE_ERRORS, InputSchema, Pagination, absolute_url
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.models import Principle
from stadtallianz.knowledge.models import Document
from stadtallianz.projects.models import Project, Result
from stadtallianz.projects.schemas import Phase as ProjectPhase  # one schema of that name

from . import permissions, portfolio, services
from .models import MAX_SCORE, MIN_SCORE, Assessment, Score, score_words
from .templatetags.assessments import scores_of

router = Router(tags=["assessments"])

AssessmentState = StrEnum("AssessmentState", [(c.name, c.value) for c in Assessment.State])
READ_ERRORS = {404: CHANGE_ERRORS[404]}


# ---------------------------------------------------------------------------------------------
# Output


class EvidenceOut(Schema):
    label: str
    url: str | None = Field(None, description="A web address, or null.")
    document: int | None = Field(None, description="Id of a knowledge-base document, or null.")
    result: int | None = Field(None, description="Id of a result of the project, or null.")
    datastream: int | None = Field(None, description="Id of a datastream of a living lab "
                                                     "(SensorThings), or null.")
    web_url: str | None = Field(..., description="Where the evidence can be read; null when "
                                                 "its document or result has been deleted.")
    source_removed: bool = Field(..., description="The document or result it referred to has "
                                                  "been deleted since (the label remains).")

    @staticmethod
    def resolve_label(obj):
        return obj.shown_label

    @staticmethod
    def resolve_url(obj):
        return obj.url or None

    @staticmethod
    def resolve_document(obj):
        return obj.document_id

    @staticmethod
    def resolve_result(obj):
        return obj.result_id

    @staticmethod
    def resolve_datastream(obj):
        return obj.datastream_id

    @staticmethod
    def resolve_web_url(obj):
        if obj.url:
            return obj.url
        if obj.document_id:
            return absolute_url(obj.document.get_absolute_url())
        if obj.result_id:
            return absolute_url(obj.result.project.get_absolute_url())
        if obj.datastream_id:
            return absolute_url(obj.datastream.lab.get_absolute_url())
        return None


class ScoreOut(Schema):
    principle: int = Field(..., description="Number of the guiding principle (1–8).")
    principle_name: str
    score: int = Field(..., ge=MIN_SCORE, le=MAX_SCORE)
    score_words: str
    justification: str
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_principle(obj: Score):
        return obj.principle.number

    @staticmethod
    def resolve_principle_name(obj: Score):
        return obj.principle.name

    @staticmethod
    def resolve_score_words(obj: Score):
        return score_words(obj.score)

    @staticmethod
    def resolve_evidence(obj: Score):
        return obj.evidence.all()


class AssessmentSummaryOut(Schema):
    id: int
    project: str = Field(..., description="Slug of the project.")
    state: AssessmentState
    is_current: bool = Field(..., description="The project's latest published assessment.")
    version: int = Field(..., description="Grows with every save of the scores; send it back "
                                          "with `PUT …/scores` to be told of someone else's "
                                          "save (409).")
    created_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    published_at: datetime | None
    web_url: str

    @staticmethod
    def resolve_project(obj: Assessment):
        return obj.project.slug

    @staticmethod
    def resolve_web_url(obj: Assessment):
        return absolute_url(obj.get_absolute_url())


class AssessmentDetailOut(AssessmentSummaryOut):
    review_comment: str = Field(..., description="What the coordination office asked to "
                                                 "change (empty unless changes were requested).")
    scores: list[ScoreOut] = Field(..., description="In principle order; a draft may lack "
                                                    "some.")

    @staticmethod
    def resolve_scores(obj: Assessment, context):
        return scores_of(obj, viewer=api_user(context["request"]))


# ---------------------------------------------------------------------------------------------
# Reading


def _project(slug: str) -> Project:
    return get_object_or_404(Project, slug=slug)


def _assessment(request, assessment_id: int) -> Assessment:
    assessment = get_object_or_404(Assessment.objects.select_related("project"),
                                   pk=assessment_id)
    if not permissions.can_see(api_user(request), assessment):
        raise Http404
    return assessment


@router.get("/projects/{slug}", response={200: list[AssessmentSummaryOut], **READ_ERRORS},
            summary="Assessments of a project")
@paginate(Pagination)
def assessment_list(request, slug: str):
    """Newest first: the published ones for everyone; open ones too for the project's team and
    the coordination office."""
    project = _project(slug)
    return (Assessment.objects.visible_to(api_user(request), project)
            .select_related("project").order_by("-created_at", "-pk"))


@router.get("/{int:assessment_id}", response={200: AssessmentDetailOut, **READ_ERRORS},
            summary="One assessment")
def assessment_detail(request, assessment_id: int):
    return _assessment(request, assessment_id)


# ---------------------------------------------------------------------------------------------
# Writing


class EvidenceIn(InputSchema):
    label: str = Field("", max_length=200, description="Defaults to the address or title.")
    url: str | None = Field(None, max_length=500, description="An http(s) address.")
    document: int | None = Field(None, description="Id of a knowledge-base document.")
    result: int | None = Field(None, description="Id of a result of this project.")
    datastream: int | None = Field(None, description="Id of a datastream of a living lab "
                                                     "that is not restricted to the lab's "
                                                     "projects.")


class ScoreIn(InputSchema):
    principle: int = Field(..., ge=1, description="Number of the guiding principle.")
    score: int = Field(..., ge=MIN_SCORE, le=MAX_SCORE)
    justification: str = Field(..., max_length=5000, description="Required for every score.")
    evidence: list[EvidenceIn] = Field([], max_length=services.MAX_EVIDENCE)


class ScoresIn(InputSchema):
    scores: list[ScoreIn] = Field(..., max_length=8, description="Replaces all scores.")
    version: int = Field(..., ge=1, description="Required: the `version` the scores were based "
                                                "on; a newer stored one is a 409.")


class ConflictOut(Schema):
    detail: str
    current_version: int | None = Field(None, description="With an edit conflict: the stored "
                                                          "version.")
    principles: list[int] = Field([], description="With an edit conflict: the principles "
                                                  "whose stored score, justification or "
                                                  "evidence differs from what was sent.")


class ReviewIn(InputSchema):
    comment: str = Field(..., max_length=5000, description="What the team should change.")


def _loc(key: str) -> list:
    """`scores[3].evidence[0].url` → ["scores", 3, "evidence", 0, "url"]."""
    parts = []
    for part in re.split(r"(\[\d+\])|\.", key):
        if not part:
            continue
        parts.append(int(part[1:-1]) if part.startswith("[") else part)
    return parts


def _invalid(error: DjangoValidationError):
    return NinjaValidationError([
        {"loc": ["body", "payload", *_loc(key)], "msg": str(message), "type": "invalid"}
        for key, messages in error.message_dict.items() for message in messages])


def _scores_data(request, payload: ScoresIn, project: Project) -> list[dict]:
    """The payload in the services' format, documents and results looked up (an unknown or
    invisible one is a 422 naming it)."""
    user = api_user(request)
    document_ids = {e.document for s in payload.scores for e in s.evidence if e.document}
    result_ids = {e.result for s in payload.scores for e in s.evidence if e.result}
    datastream_ids = {e.datastream for s in payload.scores for e in s.evidence if e.datastream}
    documents = Document.objects.visible_to(user).in_bulk(document_ids)
    results = Result.objects.filter(project=project).in_bulk(result_ids)
    datastreams = services.datastream_choices().in_bulk(datastream_ids)
    errors, data = {}, []
    for i, item in enumerate(payload.scores):
        evidence = []
        for j, source in enumerate(item.evidence):
            entry = {"label": source.label, "url": source.url or ""}
            if source.document is not None:
                entry["document"] = documents.get(source.document)
                if entry["document"] is None:
                    errors[f"scores[{i}].evidence[{j}].document"] = [gettext("Unknown document.")]
            if source.result is not None:
                entry["result"] = results.get(source.result)
                if entry["result"] is None:
                    errors[f"scores[{i}].evidence[{j}].result"] = [
                        "Unknown result of this project."]
            if source.datastream is not None:
                entry["datastream"] = datastreams.get(source.datastream)
                if entry["datastream"] is None:
                    errors[f"scores[{i}].evidence[{j}].datastream"] = [
                        gettext("Unknown datastream.")]
            evidence.append(entry)
        data.append({"principle": item.principle, "score": item.score,
                     "justification": item.justification, "evidence": evidence})
    if errors:
        raise _invalid(DjangoValidationError(errors))
    return data


def _out(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_related("project").get(pk=assessment.pk)


@router.post("/projects/{slug}", auth=write_auth,
             response={201: AssessmentDetailOut, **CHANGE_ERRORS},
             summary="Start a self-assessment")
def assessment_create(request, slug: str):
    """The project's team starts a draft, prefilled with the published assessment's scores.
    409 while the project has an open assessment."""
    project = _project(slug)
    assessment = services.start(project=project, by=request.auth)
    return Status(201, _out(assessment))


@router.put("/{int:assessment_id}/scores", auth=write_auth,
            response={200: AssessmentDetailOut, **CHANGE_ERRORS, 409: ConflictOut},
            summary="Save the scores")
def assessment_scores(request, assessment_id: int, payload: ScoresIn):
    """Replaces the scores of a draft (or one sent back for changes); principles may be missing
    until it is submitted. 409 once it is submitted or published, and when someone saved since
    `version` (required) (with `current_version` and the differing `principles`)."""
    assessment = _assessment(request, assessment_id)
    data = _scores_data(request, payload, assessment.project)
    try:
        services.save_scores(assessment=assessment, by=request.auth, scores=data,
                             version=payload.version)
    except services.EditConflict as conflict:
        return Status(409, {"detail": gettext("Someone else saved this assessment meanwhile; "
                                              "nothing was saved."),
                            "current_version": conflict.assessment.version,
                            "principles": conflict.principles})
    except Conflict:
        raise  # submitted or published meanwhile: 409 from the API's handler
    except DjangoValidationError as error:
        raise _invalid(error) from error
    return _out(assessment)


def _step(request, assessment_id: int, step, **kwargs):
    assessment = _assessment(request, assessment_id)
    step(assessment=assessment, by=request.auth, **kwargs)
    return _out(assessment)


@router.post("/{int:assessment_id}/submit", auth=write_auth,
             response={200: AssessmentDetailOut, **CHANGE_ERRORS}, summary="Submit for review")
def assessment_submit(request, assessment_id: int):
    """The team hands it to the coordination office; 409 unless every principle is scored."""
    return _step(request, assessment_id, services.submit)


@router.post("/{int:assessment_id}/accept", auth=write_auth,
             response={200: AssessmentDetailOut, **CHANGE_ERRORS},
             summary="Accept and publish")
def assessment_accept(request, assessment_id: int):
    """The coordination office publishes a submitted assessment."""
    return _step(request, assessment_id, services.accept)


@router.post("/{int:assessment_id}/request-changes", auth=write_auth,
             response={200: AssessmentDetailOut, **CHANGE_ERRORS}, summary="Ask for changes")
def assessment_request_changes(request, assessment_id: int, payload: ReviewIn):
    """The coordination office sends a submitted assessment back with a comment."""
    return _step(request, assessment_id, services.request_changes, comment=payload.comment)


# ---------------------------------------------------------------------------------------------
# Portfolio


class PortfolioFilters(InputSchema):
    focus_area: str | None = Field(None, max_length=50, description="Slug of a focus area.")
    phase: ProjectPhase | None = None
    harms: bool = Field(False, description="Only projects that harm a principle.")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class PrincipleSummaryOut(Schema):
    number: int
    name: str
    serves: int = Field(..., description="Projects with a score above 0.")
    neutral: int
    harms: int = Field(..., description="Projects with a score below 0.")
    unserved: bool = Field(..., description="No filtered project serves it.")


class PortfolioProjectOut(Schema):
    slug: str
    title: str
    phase: ProjectPhase
    assessment: int = Field(..., description="Id of the published assessment.")
    published_at: datetime
    scores: dict[str, int | None] = Field(..., description="Score per principle number.")
    harms: list[int] = Field(..., description="Numbers of the principles it harms.")
    web_url: str


class PortfolioOut(Schema):
    principles: list[PrincipleSummaryOut] = Field(..., description="Over all filtered "
                                                                    "projects.")
    count: int
    items: list[PortfolioProjectOut]


@router.get("/portfolio", response=PortfolioOut, summary="Portfolio")
def portfolio_json(request, filters: Query[PortfolioFilters]):
    """Principles × projects from each project's latest published assessment, with a summary
    per principle over all filtered projects. CSV: the portfolio page's download
    (`/assessments/portfolio.csv` with the same filters)."""
    assessments = portfolio.current_assessments(focus_area=filters.focus_area or "",
                                                phase=str(filters.phase or ""),
                                                harms=filters.harms)
    principles = list(Principle.objects.all())
    page = assessments[filters.offset:filters.offset + filters.limit]
    rows = portfolio.matrix(page, principles)
    return {
        "principles": [{"number": e.principle.number, "name": e.principle.name,
                        "serves": e.serves, "neutral": e.neutral, "harms": e.harms,
                        "unserved": e.unserved}
                       for e in portfolio.summary(assessments, principles)],
        "count": assessments.count(),
        "items": [{"slug": row.project.slug, "title": row.project.title,
                   "phase": row.project.phase, "assessment": row.assessment.pk,
                   "published_at": row.assessment.published_at,
                   "scores": {str(p.number): score
                              for p, score in zip(principles, row.scores, strict=True)},
                   "harms": row.harmed,
                   "web_url": absolute_url(reverse("projects:detail",
                                                kwargs={"slug": row.project.slug}))}
                  for row in rows],
    }
