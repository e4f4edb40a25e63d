"""Demo assessments for `stadtallianz demo` (runs after the projects' demo).

Every demo project past the concept phase gets a published self-assessment with German
justifications and its results as evidence; every third of them an earlier published one as
history; one project has a new assessment waiting for the coordination office's review and one
was sent back with a request for changes. The scores follow the principles the project names
(+2 for the first, +1 for the others), with a few honest minus points where a project costs
something (land, energy, data about people).

Idempotent: a project that has any assessment is left alone. Seed data, written with the ORM.
"""

from datetime import timedelta

from stadtallianz.accounts.models import User
from stadtallianz.assessments.models import Assessment, Evidence, Score, principle_masks
from stadtallianz.core.models import Principle
from stadtallianz.partners.models import Membership
from stadtallianz.projects.models import ConsortiumMember, Project

from . import datafiles

State = Assessment.State

# data/assessments.json: German justifications by principle number, "positive", "neutral" and
# "negative" ({title} is the project's), and the "review_comment" of the one sent back.
_TEXTS = datafiles.load("assessments")
POSITIVE, NEUTRAL, NEGATIVE = (
    {int(number): text for number, text in _TEXTS[kind].items()}
    for kind in ("positive", "neutral", "negative"))
REVIEW_COMMENT = _TEXTS["review_comment"]


def _scores_for(project: Project, index: int, principles: dict[int, Principle]) -> dict:
    served = sorted(p.number for p in project.principles.all()) or [1 + index % 8]
    scores = {n: 0 for n in principles}
    for position, number in enumerate(served):
        scores[number] = 2 if position == 0 else 1
    # Every fourth project costs something: the principle it harms, said openly.
    if index % 4 == 1:
        harmed = [n for n in NEGATIVE if scores[n] == 0]
        if harmed:
            scores[harmed[index % len(harmed)]] = -1
    return scores


def _write(assessment: Assessment, project: Project, scores: dict, principles: dict) -> None:
    texts = {n: (POSITIVE[n] if value > 0 else NEGATIVE[n] if value < 0 else NEUTRAL[n])
             .format(title=project.title_de) for n, value in scores.items()}
    rows = Score.objects.bulk_create([
        Score(assessment=assessment, principle=principles[n], score=value,
              justification=texts[n]) for n, value in scores.items()])
    serves, harms = principle_masks(scores.items())
    Assessment.objects.filter(pk=assessment.pk).update(serves_mask=serves, harms_mask=harms)
    result = project.results.order_by("position", "pk").first()
    best = max(rows, key=lambda row: row.score)
    if result is not None and best.score > 0:
        Evidence.objects.create(score=best, label=result.title, result=result)


def _team_member(project: Project):
    organisations = ConsortiumMember.objects.filter(
        project=project, state=ConsortiumMember.State.ACCEPTED).values("organisation")
    membership = (Membership.objects.filter(organisation__in=organisations)
                  .select_related("user").order_by("role", "pk").first())
    return membership.user if membership else project.created_by


def load(*, now) -> int:
    """Creates what is missing and returns how many assessments it created."""
    principles = {p.number: p for p in Principle.objects.all()}
    coordinator = User.objects.filter(is_coordinator=True, is_active=True).order_by("pk").first()
    projects = list(Project.objects.exclude(phase=Project.Phase.CONCEPT)
                    .prefetch_related("principles").order_by("pk"))
    created = 0
    for index, project in enumerate(projects):
        if Assessment.objects.filter(project=project).exists():
            continue
        author = _team_member(project)
        scores = _scores_for(project, index, principles)
        published = now - timedelta(days=20 + index * 3)
        if index % 3 == 0:
            # An earlier assessment, less sure of itself, as history.
            earlier = {n: max(-2, value - 1) if value > 0 else value
                       for n, value in scores.items()}
            old = Assessment.objects.create(
                project=project, state=State.ACCEPTED, created_by=author,
                submitted_by=author, submitted_at=published - timedelta(days=370),
                reviewed_by=coordinator, reviewed_at=published - timedelta(days=365),
                published_at=published - timedelta(days=365))
            _write(old, project, earlier, principles)
            created += 1
        current = Assessment.objects.create(
            project=project, state=State.ACCEPTED, is_current=True, created_by=author,
            submitted_by=author, submitted_at=published - timedelta(days=5),
            reviewed_by=coordinator, reviewed_at=published, published_at=published)
        _write(current, project, scores, principles)
        created += 1
        if index in (1, 2):
            # One new assessment awaits review, another was sent back for changes.
            revised = {**scores, 4: min(2, scores[4] + 1)}
            waiting = index == 1
            pending = Assessment.objects.create(
                project=project, created_by=author,
                state=State.SUBMITTED if waiting else State.CHANGES_REQUESTED,
                submitted_by=author, submitted_at=now - timedelta(days=2 + index),
                reviewed_by=None if waiting else coordinator,
                reviewed_at=None if waiting else now - timedelta(days=1),
                review_comment="" if waiting else REVIEW_COMMENT)
            _write(pending, project, revised, principles)
            created += 1
    return created
