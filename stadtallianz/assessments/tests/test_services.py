"""The assessment workflow in the services: every step, who may take it, bad input, illegal
transitions, the audit log and the notifications."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from stadtallianz.assessments import services
from stadtallianz.assessments.models import Assessment, Evidence, Score
from stadtallianz.core.models import AuditEntry, Principle
from stadtallianz.knowledge.models import Document
from stadtallianz.notifications.models import Notification
from stadtallianz.projects.models import Result

from .conftest import VALUES, save_current, scores_data

pytestmark = pytest.mark.django_db
State = Assessment.State


def _submitted(project, team_member):
    assessment = services.start(project=project, by=team_member)
    save_current(assessment=assessment, by=team_member, scores=scores_data())
    return services.submit(assessment=assessment, by=team_member)


def test_full_workflow_draft_submit_changes_resubmit_accept(project, team_member, coordinator):
    assessment = services.start(project=project, by=team_member)
    assert assessment.state == State.DRAFT and assessment.created_by == team_member
    save_current(assessment=assessment, by=team_member, scores=scores_data()[:3])
    assert assessment.scores.count() == 3  # a draft may leave principles open
    save_current(assessment=assessment, by=team_member, scores=scores_data())
    services.submit(assessment=assessment, by=team_member)
    assessment.refresh_from_db()
    assert assessment.state == State.SUBMITTED and assessment.submitted_by == team_member
    # The coordination office is told.
    assert Notification.objects.filter(recipient=coordinator, kind="assessment-submitted").exists()

    services.request_changes(assessment=assessment, by=coordinator, comment="Bitte Belege.")
    assessment.refresh_from_db()
    assert assessment.state == State.CHANGES_REQUESTED
    assert assessment.review_comment == "Bitte Belege."
    note = Notification.objects.get(recipient=team_member, kind="assessment-changes-requested")
    assert "Bitte Belege." in note.body

    save_current(assessment=assessment, by=team_member,
                 scores=scores_data([1] * 8))
    services.submit(assessment=assessment, by=team_member)
    services.accept(assessment=assessment, by=coordinator)
    assessment.refresh_from_db()
    assert assessment.state == State.ACCEPTED and assessment.is_current
    assert assessment.published_at is not None and assessment.reviewed_by == coordinator
    assert Notification.objects.filter(recipient=team_member, kind="assessment-accepted").exists()
    actions = list(AuditEntry.objects.filter(object_id=str(assessment.pk))
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["assessment.created", "assessment.scores_saved",
                       "assessment.scores_saved", "assessment.submitted",
                       "assessment.changes_requested", "assessment.scores_saved",
                       "assessment.submitted", "assessment.accepted"]


def test_accepting_a_new_one_keeps_the_old_one_as_history(project, team_member, coordinator,
                                                          make_assessment):
    old = make_assessment(project, [1] * 8)
    new = services.start(project=project, by=team_member)
    # The draft starts from the published scores.
    assert list(new.scores.values_list("score", flat=True)) == [1] * 8
    services.submit(assessment=new, by=team_member)
    services.accept(assessment=new, by=coordinator)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.state == State.ACCEPTED and not old.is_current and old.published_at
    assert new.is_current
    assert project.assessments.filter(state=State.ACCEPTED).count() == 2


def test_start_copies_evidence(project, team_member, make_assessment):
    make_assessment(project, evidence_url="https://example.org/bericht.pdf")
    draft = services.start(project=project, by=team_member)
    assert list(Evidence.objects.filter(score__assessment=draft).values_list("url", flat=True)) \
        == ["https://example.org/bericht.pdf"]


@pytest.mark.parametrize("role", ["citizen", "outsider"])
def test_people_outside_the_team_cannot_write(request, project, role, team_member):
    person = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.start(project=project, by=person)
    assessment = services.start(project=project, by=team_member)
    with pytest.raises(PermissionDenied):
        save_current(assessment=assessment, by=person, scores=scores_data())
    save_current(assessment=assessment, by=team_member, scores=scores_data())
    with pytest.raises(PermissionDenied):
        services.submit(assessment=assessment, by=person)
    services.submit(assessment=assessment, by=team_member)
    with pytest.raises(PermissionDenied):
        services.accept(assessment=assessment, by=person)
    with pytest.raises(PermissionDenied):
        services.request_changes(assessment=assessment, by=person, comment="x")
    assessment.refresh_from_db()
    assert assessment.state == State.SUBMITTED


def test_the_team_cannot_review_its_own_assessment(project, team_member):
    assessment = _submitted(project, team_member)
    with pytest.raises(PermissionDenied, match="coordination office"):
        services.accept(assessment=assessment, by=team_member)
    with pytest.raises(PermissionDenied):
        services.request_changes(assessment=assessment, by=team_member, comment="x")


def test_only_one_open_assessment(project, team_member, coordinator):
    services.start(project=project, by=team_member)
    with pytest.raises(ValidationError, match="already has an open assessment"):
        services.start(project=project, by=coordinator)
    assert project.assessments.count() == 1


def test_the_database_refuses_a_second_open_assessment(project):
    Assessment.objects.create(project=project)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(project=project, state=State.SUBMITTED)


@pytest.mark.parametrize("field,value", [
    ("score", 3), ("score", -3), ("score", None), ("score", "2"), ("score", True),
    ("justification", ""), ("justification", "   "), ("justification", "x" * 5001),
    ("principle", 9), ("principle", None),
])
def test_bad_scores_name_the_field_and_change_nothing(project, team_member, field, value):
    assessment = services.start(project=project, by=team_member)
    save_current(assessment=assessment, by=team_member, scores=scores_data())
    data = scores_data([0] * 8)
    data[3][field] = value
    with pytest.raises(ValidationError) as error:
        save_current(assessment=assessment, by=team_member, scores=data)
    assert f"scores[3].{field}" in error.value.message_dict
    assert list(assessment.scores.values_list("score", flat=True)) == VALUES


def test_a_principle_twice_is_refused(project, team_member):
    assessment = services.start(project=project, by=team_member)
    data = scores_data()
    data[1]["principle"] = 1
    with pytest.raises(ValidationError) as error:
        save_current(assessment=assessment, by=team_member, scores=data)
    assert "scores[1].principle" in error.value.message_dict


@pytest.mark.parametrize("evidence,field", [
    ({"label": "x", "url": "javascript:alert(1)"}, "url"),
    ({"label": "x", "url": "ftp://example.org/a"}, "url"),
    ({"label": "x", "url": "nonsense"}, "url"),
    ({"label": "x"}, "url"),
    ({"label": "x" * 201, "url": "https://example.org"}, "label"),
])
def test_bad_evidence_is_refused(project, team_member, evidence, field):
    assessment = services.start(project=project, by=team_member)
    data = scores_data()
    data[2]["evidence"] = [evidence]
    with pytest.raises(ValidationError) as error:
        save_current(assessment=assessment, by=team_member, scores=data)
    assert f"scores[2].evidence[0].{field}" in error.value.message_dict
    assert not assessment.scores.exists()


def test_evidence_of_every_kind(project, team_member, make_project):
    result = Result.objects.create(project=project, title="Sensoren installiert", progress=60)
    foreign = Result.objects.create(project=make_project("Anderes", team=None), title="Fremd")
    assessment = services.start(project=project, by=team_member)
    data = scores_data()
    data[0]["evidence"] = [{"label": "", "url": "https://example.org/a"},
                           {"label": "Ergebnis", "result": result}]
    save_current(assessment=assessment, by=team_member, scores=data)
    labels = list(Evidence.objects.values_list("label", "url", "result"))
    assert labels == [("https://example.org/a", "https://example.org/a", None),
                      ("Ergebnis", "", result.pk)]
    data[0]["evidence"] = [{"label": "x", "result": foreign}]
    with pytest.raises(ValidationError) as error:
        save_current(assessment=assessment, by=team_member, scores=data)
    assert "scores[0].evidence[0].result" in error.value.message_dict


def test_evidence_has_at_most_one_source_and_a_label_in_the_database(project,
                                                                     make_assessment,
                                                                     make_group):
    score = Score.objects.filter(assessment=make_assessment(project)).first()
    result = Result.objects.create(project=project, title="R")
    document = Document.objects.create(title="D", group=make_group())
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(score=score, label="x", url="https://example.org", result=result)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(score=score, label="x", document=document, result=result)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(score=score, label="", url="https://example.org")
    # No source at all is what remains once the document or result has been deleted.
    assert Evidence.objects.create(score=score, label="x").source_removed
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(score=score, label="x", url="javascript:alert(1)")


def test_score_range_and_justification_are_database_constraints(project, make_assessment):
    assessment = make_assessment(project, [1])
    principle = Principle.objects.get(number=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(assessment=assessment, principle=principle, score=3,
                             justification="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(assessment=assessment, principle=principle, score=1,
                             justification="")


def test_submitting_needs_every_principle(project, team_member):
    assessment = services.start(project=project, by=team_member)
    save_current(assessment=assessment, by=team_member, scores=scores_data()[:6])
    with pytest.raises(ValidationError, match="missing: 7, 8"):
        services.submit(assessment=assessment, by=team_member)
    assessment.refresh_from_db()
    assert assessment.state == State.DRAFT


def test_illegal_transitions_are_refused_with_a_reason(project, team_member, coordinator):
    assessment = services.start(project=project, by=team_member)
    with pytest.raises(ValidationError, match="Only a submitted assessment can be reviewed"):
        services.accept(assessment=assessment, by=coordinator)
    with pytest.raises(ValidationError, match="Only a submitted assessment can be reviewed"):
        services.request_changes(assessment=assessment, by=coordinator, comment="x")
    save_current(assessment=assessment, by=team_member, scores=scores_data())
    services.submit(assessment=assessment, by=team_member)
    with pytest.raises(ValidationError, match="under review"):
        services.submit(assessment=assessment, by=team_member)
    with pytest.raises(ValidationError, match="under review"):
        save_current(assessment=assessment, by=team_member, scores=scores_data())
    services.accept(assessment=assessment, by=coordinator)
    with pytest.raises(ValidationError, match="published assessment cannot be changed"):
        save_current(assessment=assessment, by=team_member, scores=scores_data())
    with pytest.raises(ValidationError, match="Only a submitted assessment"):
        services.accept(assessment=assessment, by=coordinator)
    with pytest.raises(ValidationError, match="published assessment cannot be changed"):
        services.submit(assessment=assessment, by=team_member)


def test_asking_for_changes_needs_a_comment(project, team_member, coordinator):
    assessment = _submitted(project, team_member)
    with pytest.raises(ValidationError) as error:
        services.request_changes(assessment=assessment, by=coordinator, comment="  ")
    assert "comment" in error.value.message_dict
    assessment.refresh_from_db()
    assert assessment.state == State.SUBMITTED


def test_a_former_team_member_is_not_notified(project, team_member, coordinator):
    assessment = _submitted(project, team_member)
    project.consortium.all().delete()
    services.request_changes(assessment=assessment, by=coordinator, comment="Bitte ändern.")
    assert not Notification.objects.filter(recipient=team_member).exists()


def test_the_principle_masks_follow_the_scores(project, team_member, make_assessment):
    make_assessment(project, [2, -1, 0, 0, 0, 0, 0, 1])
    draft = services.start(project=project, by=team_member)
    draft.refresh_from_db()
    assert (draft.serves_mask, draft.harms_mask) == (0b10000001, 0b10)
    save_current(assessment=draft, by=team_member, scores=scores_data(
        [0, 0, -2, 1, 0, 0, 0, 0]))
    draft.refresh_from_db()
    assert (draft.serves_mask, draft.harms_mask) == (0b1000, 0b100)


def test_a_save_on_an_older_version_is_refused_and_names_the_differences(project, team_member,
                                                                         coordinator):
    draft = services.start(project=project, by=team_member)
    assert draft.version == 1
    services.save_scores(assessment=draft, by=team_member, scores=scores_data(), version=1)
    draft.refresh_from_db()
    assert draft.version == 2
    # Someone who loaded version 1 saves other scores: refused, nothing written.
    other = scores_data()
    other[2]["score"] = 2
    other[4]["justification"] = "Anders begründet."
    with pytest.raises(services.EditConflict) as conflict:
        services.save_scores(assessment=draft, by=coordinator, scores=other, version=1)
    assert conflict.value.principles == [3, 5]
    assert conflict.value.assessment.version == 2
    assert list(draft.scores.values_list("score", flat=True)) == VALUES
    # Based on the current version it goes through.
    services.save_scores(assessment=draft, by=coordinator, scores=other, version=2)
    assert draft.scores.get(principle__number=3).score == 2


# ---------------------------------------------------------------------------------------------
# Four eyes: nobody reviews what they wrote


@pytest.mark.parametrize("review", ["accept", "request_changes"])
def test_a_coordinator_does_not_review_what_they_wrote_and_submitted(
        project, coordinator, second_coordinator, review):
    assessment = services.start(project=project, by=coordinator)
    save_current(assessment=assessment, by=coordinator, scores=scores_data())
    services.submit(assessment=assessment, by=coordinator)
    step = getattr(services, review)
    kwargs = {"comment": "Bitte Belege."} if review == "request_changes" else {}
    with pytest.raises(PermissionDenied, match="another person of the coordination office"):
        step(assessment=assessment, by=coordinator, **kwargs)
    assessment.refresh_from_db()
    assert assessment.state == State.SUBMITTED and assessment.reviewed_by is None
    step(assessment=assessment, by=second_coordinator, **kwargs)
    assessment.refresh_from_db()
    assert assessment.reviewed_by == second_coordinator


def test_a_coordinator_who_only_saved_scores_does_not_review_them(
        project, team_member, coordinator, second_coordinator):
    assessment = services.start(project=project, by=team_member)
    save_current(assessment=assessment, by=coordinator, scores=scores_data())
    services.submit(assessment=assessment, by=team_member)
    with pytest.raises(PermissionDenied):
        services.accept(assessment=assessment, by=coordinator)
    services.accept(assessment=assessment, by=second_coordinator)
    assessment.refresh_from_db()
    assert assessment.state == State.ACCEPTED


def test_a_coordinator_who_did_not_write_reviews(project, team_member, coordinator):
    assessment = _submitted(project, team_member)
    services.accept(assessment=assessment, by=coordinator)
    assessment.refresh_from_db()
    assert assessment.state == State.ACCEPTED


# ---------------------------------------------------------------------------------------------
# Optimistic locking: always, and evidence counts


def test_a_save_without_version_is_refused(project, team_member):
    draft = services.start(project=project, by=team_member)
    with pytest.raises(TypeError):
        services.save_scores(assessment=draft, by=team_member, scores=scores_data())
    assert not draft.scores.exists()


def test_a_conflict_names_principles_whose_evidence_alone_differs(project, team_member,
                                                                   coordinator):
    draft = services.start(project=project, by=team_member)
    with_evidence = scores_data()
    with_evidence[2]["evidence"] = [{"label": "Bericht", "url": "https://example.org/r"}]
    services.save_scores(assessment=draft, by=coordinator, scores=with_evidence, version=1)
    with pytest.raises(services.EditConflict) as conflict:
        services.save_scores(assessment=draft, by=team_member, scores=scores_data(), version=1)
    assert conflict.value.principles == [3]
