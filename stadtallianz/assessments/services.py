"""Changes to assessments. Each is one transaction with an audit entry (`assessment.*`) and checks
the permission itself, so pages and API cannot differ.

The workflow: the team starts a draft (`start`), saves scores (`save_scores`) and submits it
(`submit`); the coordination office accepts it (`accept`, which publishes it) or asks for changes
(`request_changes`); the team revises and submits again. Any other step is refused with a
`core.exceptions.Conflict` (the API's 409) that says why.

Scores are given as a list of dicts, the same for the web form and the API:
`{"principle": <number>, "score": -2..2, "justification": str,
"evidence": [{"label": str, "url": str} | {"label": str, "document": Document}
| {"label": str, "result": Result} | {"label": str, "datastream": Datastream}]}`. Errors
name the item as `scores[i].<field>` (and `scores[i].evidence[j].<field>`), so a form or
client can put them next to the field.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.accounts.models import User
from stadtallianz.core.audit import audit_log
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.models import Principle
from stadtallianz.core.office import with_office
from stadtallianz.knowledge.models import Document
from stadtallianz.notifications.services import notify
from stadtallianz.sensorthings.models import Datastream, PrivacyLevel

from . import permissions
from .models import MAX_SCORE, MIN_SCORE, Assessment, Evidence, Score, principle_masks

State = Assessment.State
MAX_EVIDENCE = 10
JUSTIFICATION_MAX = 5000
LABEL_MAX = 200
URL_MAX = 500
http_url = URLValidator(schemes=["http", "https"])


class EditConflict(Exception):
    """Someone saved the assessment since the editor loaded it."""

    def __init__(self, assessment: Assessment, principles: list[int]):
        super().__init__("version conflict")
        self.assessment = assessment  # as stored now
        self.principles = principles  # numbers whose stored score differs from what was sent


def _deny(message) -> None:
    raise PermissionDenied(message)


def _locked(assessment: Assessment) -> Assessment:
    return (Assessment.objects.select_for_update(of=("self",)).select_related("project")
            .get(pk=assessment.pk))


def scores_snapshot(assessment: Assessment) -> dict:
    """{principle number: [score, justification, [evidence labels]]} for the audit log."""
    return {str(score.principle.number): [score.score, score.justification,
                                          [e.label for e in score.evidence.all()]]
            for score in assessment.scores.select_related("principle")
            .prefetch_related("evidence")}


# ---------------------------------------------------------------------------------------------
# Checking the scores


def _clean_evidence(items, prefix: str, *, project, by, errors: dict) -> list[Evidence]:
    if len(items) > MAX_EVIDENCE:
        errors[f"{prefix}.evidence"] = _("At most %(n)d pieces of evidence per principle.") % {
            "n": MAX_EVIDENCE}
        return []
    evidence = []
    for j, item in enumerate(items):
        at = f"{prefix}.evidence[{j}]"
        label = (item.get("label") or "").strip()
        url = (item.get("url") or "").strip()
        document, result = item.get("document"), item.get("result")
        datastream = item.get("datastream")
        sources = [s for s in (url, document, result, datastream) if s]
        if len(sources) != 1:
            errors[f"{at}.url"] = _("Give exactly one of a web address, a document, a result "
                                    "or a datastream.")
            continue
        if url:
            try:
                http_url(url)
            except ValidationError:
                errors[f"{at}.url"] = _("Enter a web address starting with http:// or https://.")
                continue
            if len(url) > URL_MAX:
                errors[f"{at}.url"] = _("The web address is too long.")
                continue
        if document is not None and not Document.objects.visible_to(by).filter(
                pk=document.pk).exists():
            errors[f"{at}.document"] = _("This document does not exist.")
            continue
        if result is not None and result.project_id != project.pk:
            errors[f"{at}.result"] = _("Choose a result of this project.")
            continue
        if datastream is not None and not datastream_choices().filter(
                pk=datastream.pk).exists():
            errors[f"{at}.datastream"] = _("This datastream does not exist.")
            continue
        label = label or (url if url else str(document or result or datastream))[:LABEL_MAX]
        if len(label) > LABEL_MAX:
            errors[f"{at}.label"] = _("At most %(n)d characters.") % {"n": LABEL_MAX}
            continue
        evidence.append(Evidence(label=label, url=url, document=document, result=result,
                                 datastream=datastream))
    return evidence


def datastream_choices():
    """The datastreams evidence may name: those whose existence is public (not restricted to
    the lab's projects), as a published assessment is public."""
    return (Datastream.objects.exclude(privacy_level=PrivacyLevel.RESTRICTED)
            .select_related("lab").order_by("lab__name_de", "name", "pk"))


def clean_scores(items: list[dict], *, project, by) -> list[tuple[Score, list[Evidence]]]:
    """Checks the items and returns unsaved scores with their evidence; a ValidationError names
    every wrong field."""
    principles = {p.number: p for p in Principle.objects.all()}
    errors, seen, cleaned = {}, set(), []
    for i, item in enumerate(items):
        at = f"scores[{i}]"
        principle = principles.get(item.get("principle"))
        if principle is None:
            errors[f"{at}.principle"] = _("Unknown guiding principle.")
            continue
        if principle.number in seen:
            errors[f"{at}.principle"] = _("This principle is scored twice.")
            continue
        seen.add(principle.number)
        score = item.get("score")
        if isinstance(score, bool) or not isinstance(score, int) or not (
                MIN_SCORE <= score <= MAX_SCORE):
            errors[f"{at}.score"] = _("Choose a score from -2 to +2.")
        justification = (item.get("justification") or "").strip()
        if not justification:
            errors[f"{at}.justification"] = _("Explain the score.")
        elif len(justification) > JUSTIFICATION_MAX:
            errors[f"{at}.justification"] = _("At most %(n)d characters.") % {
                "n": JUSTIFICATION_MAX}
        evidence = _clean_evidence(item.get("evidence") or [], at, project=project, by=by,
                                   errors=errors)
        if not any(key.startswith(f"{at}.") for key in errors):
            cleaned.append((Score(principle=principle, score=score,
                                  justification=justification), evidence))
    if errors:
        raise ValidationError({key: [value] for key, value in errors.items()}, code="invalid")
    return cleaned


def _write_scores(assessment: Assessment, cleaned) -> None:
    assessment.scores.all().delete()
    for score, _evidence in cleaned:
        score.assessment = assessment
    Score.objects.bulk_create([score for score, _evidence in cleaned])
    rows = []
    for score, evidence in cleaned:
        for item in evidence:
            item.score = score
            rows.append(item)
    Evidence.objects.bulk_create(rows)
    numbers = dict(Principle.objects.values_list("pk", "number"))
    assessment.serves_mask, assessment.harms_mask = principle_masks(
        (numbers[score.principle_id], score.score) for score, _evidence in cleaned)
    Assessment.objects.filter(pk=assessment.pk).update(serves_mask=assessment.serves_mask,
                                                       harms_mask=assessment.harms_mask)


# ---------------------------------------------------------------------------------------------
# The workflow


def _require_team(by, project, message) -> None:
    if not permissions.can_write(by, project):
        _deny(message)


@transaction.atomic
def start(*, project, by) -> Assessment:
    """A new draft, prefilled with the published assessment's scores and evidence so that the
    team revises rather than starts over. Refused while another assessment is open."""
    _require_team(by, project, _("Only the project team writes its self-assessment."))
    if Assessment.objects.filter(project=project).open().exists():
        raise Conflict(_("This project already has an open assessment; continue that one."),
                       code="open_exists")
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(project=project, created_by=by)
    except IntegrityError as error:
        # Someone else started one at the same moment (the conditional unique constraint).
        raise Conflict(_("This project already has an open assessment; continue that one."),
                       code="open_exists") from error
    current = (Assessment.objects.filter(project=project, is_current=True)
               .prefetch_related("scores__evidence").first())
    if current is not None:
        _write_scores(assessment, [
            (Score(principle_id=s.principle_id, score=s.score, justification=s.justification),
             # Evidence whose document or result was deleted stays on the published
             # assessment only; a new draft cannot rest on it.
             [Evidence(label=e.label, url=e.url, document_id=e.document_id,
                       result_id=e.result_id, datastream_id=e.datastream_id)
              for e in s.evidence.all()
              if not e.source_removed])
            for s in current.scores.all()])
    audit_log(actor=by, action="assessment.created", target=assessment,
              after={"project": project.pk, "copied_from": current.pk if current else None})
    return assessment


def _require_editable(assessment: Assessment) -> None:
    if assessment.state == State.SUBMITTED:
        raise Conflict(_("The assessment is under review and cannot be changed now."),
                       code="submitted")
    if assessment.state == State.ACCEPTED:
        raise Conflict(_("A published assessment cannot be changed; start a new one."),
                       code="accepted")


def _evidence_key(item: Evidence) -> tuple:
    return (item.label, item.url, item.document_id, item.result_id, item.datastream_id)


def differing(assessment: Assessment, cleaned) -> list[int]:
    """Principle numbers whose score, justification or evidence differs between what is
    stored and the cleaned scores sent."""
    stored = {score.principle.number: (score.score, score.justification,
                                       [_evidence_key(e) for e in score.evidence.all()])
              for score in assessment.scores.select_related("principle")
              .prefetch_related("evidence")}
    sent = {score.principle.number: (score.score, score.justification,
                                     [_evidence_key(e) for e in evidence])
            for score, evidence in cleaned}
    return sorted(n for n in set(stored) | set(sent) if stored.get(n) != sent.get(n))


@transaction.atomic
def save_scores(*, assessment: Assessment, by, scores: list[dict], version: int) -> Assessment:
    """Replaces the scores of a draft (or of one sent back for changes). Principles may be
    missing until the assessment is submitted. `version` is the one the editor loaded: a save
    on top of someone else's newer one raises EditConflict (always checked: a save without it
    could silently overwrite)."""
    assessment = _locked(assessment)
    _require_team(by, assessment.project, _("Only the project team edits its self-assessment."))
    _require_editable(assessment)
    cleaned = clean_scores(scores, project=assessment.project, by=by)
    before = scores_snapshot(assessment)
    if version != assessment.version:
        raise EditConflict(assessment, differing(assessment, cleaned))
    _write_scores(assessment, cleaned)
    Assessment.objects.filter(pk=assessment.pk).update(version=F("version") + 1)
    assessment.version += 1
    assessment.save(update_fields=["updated_at"])
    after = scores_snapshot(assessment)
    if before != after:
        audit_log(actor=by, action="assessment.scores_saved", target=assessment,
                  before=before, after=after)
    return assessment


def missing_principles(assessment: Assessment) -> list[int]:
    """The numbers of the principles the assessment has no score for yet (submitting needs
    all)."""
    scored = set(assessment.scores.values_list("principle__number", flat=True))
    return sorted(set(Principle.objects.values_list("number", flat=True)) - scored)


@transaction.atomic
def submit(*, assessment: Assessment, by) -> Assessment:
    """Hands the assessment to the coordination office; every principle needs a score."""
    assessment = _locked(assessment)
    _require_team(by, assessment.project, _("Only the project team submits its "
                                            "self-assessment."))
    _require_editable(assessment)
    missing = missing_principles(assessment)
    if missing:
        raise Conflict(
            _("Score every guiding principle before submitting; missing: %(numbers)s.")
            % {"numbers": ", ".join(str(n) for n in missing)}, code="incomplete")
    before = assessment.state
    assessment.state = State.SUBMITTED
    assessment.submitted_at, assessment.submitted_by = timezone.now(), by
    assessment.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
    audit_log(actor=by, action="assessment.submitted", target=assessment,
              before={"state": before}, after={"state": assessment.state})
    for coordinator in User.objects.filter(is_active=True, is_coordinator=True):
        notify(coordinator, kind="assessment-submitted",
               key=f"assessment-submitted:{assessment.pk}:{assessment.submitted_at.isoformat()}",
               template="assessments/notifications/submitted",
               context={"assessment": assessment, "project": assessment.project},
               url=assessment.get_absolute_url)
    return assessment


def _require_review(assessment: Assessment, by) -> None:
    if not permissions.can_review(by):
        _deny(with_office(_("Only the %(office)s reviews assessments.")))
    if permissions.wrote(by, assessment):
        _deny(with_office(_("You wrote or submitted this assessment yourself; another person "
                            "of the %(office)s has to review it.")))
    if assessment.state != State.SUBMITTED:
        raise Conflict(
            _("Only a submitted assessment can be reviewed; this one is: %(state)s.")
            % {"state": assessment.get_state_display()}, code="not_submitted")


def _notify_team(assessment: Assessment, name: str) -> None:
    """The people who wrote and submitted it, while they are still in the team."""
    people = {p for p in (assessment.created_by, assessment.submitted_by) if p is not None}
    for person in people:
        if person.is_active and permissions.can_write(person, assessment.project):
            notify(person, kind=f"assessment-{name.replace('_', '-')}",
                   key=f"assessment-{name}:{assessment.pk}:{assessment.reviewed_at.isoformat()}",
                   template=f"assessments/notifications/{name}",
                   context={"assessment": assessment, "project": assessment.project},
                   url=assessment.get_absolute_url)


@transaction.atomic
def accept(*, assessment: Assessment, by) -> Assessment:
    """Publishes the assessment with today's date; the earlier published one becomes history."""
    assessment = _locked(assessment)
    _require_review(assessment, by)
    now = timezone.now()
    Assessment.objects.filter(project=assessment.project, is_current=True).update(
        is_current=False)
    assessment.state, assessment.is_current = State.ACCEPTED, True
    assessment.reviewed_at, assessment.reviewed_by = now, by
    assessment.published_at = now
    assessment.save(update_fields=["state", "is_current", "reviewed_at", "reviewed_by",
                                   "published_at", "updated_at"])
    audit_log(actor=by, action="assessment.accepted", target=assessment,
              before={"state": State.SUBMITTED},
              after={"state": assessment.state, "published_at": now.isoformat()})
    _notify_team(assessment, "accepted")
    return assessment


@transaction.atomic
def request_changes(*, assessment: Assessment, by, comment: str) -> Assessment:
    """Sends the assessment back to the team with a comment saying what to change."""
    assessment = _locked(assessment)
    _require_review(assessment, by)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the team should change.")},
                              code="required")
    if len(comment) > 5000:
        raise ValidationError({"comment": _("At most %(n)d characters.") % {"n": 5000}},
                              code="max_length")
    assessment.state = State.CHANGES_REQUESTED
    assessment.reviewed_at, assessment.reviewed_by = timezone.now(), by
    assessment.review_comment = comment
    assessment.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_comment",
                                   "updated_at"])
    audit_log(actor=by, action="assessment.changes_requested", target=assessment,
              before={"state": State.SUBMITTED},
              after={"state": assessment.state, "comment": comment})
    _notify_team(assessment, "changes_requested")
    return assessment
