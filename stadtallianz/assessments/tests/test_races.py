"""Two people start an assessment of one project at the same moment: one gets it, the other is
told there is an open one; never two open assessments, never a database error. Needs PostgreSQL:
only it lets two connections write at once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from stadtallianz.assessments import services
from stadtallianz.assessments.models import Assessment
from stadtallianz.core.testing import in_open_transaction

from .conftest import save_current, scores_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


@pytest.fixture(autouse=True)
def _principles(transactional_db):
    """A transactional test empties every table afterwards; the principles come back here."""
    from importlib import import_module

    from django.apps import apps

    import_module("stadtallianz.core.migrations.0002_reference_data").load(apps, None)


def test_two_starts_at_once_leave_one_open_assessment(project, team_member, coordinator):
    thread, errors = in_open_transaction(
        lambda: services.start(project=project, by=team_member))
    with pytest.raises(ValidationError, match="already has an open assessment"):
        services.start(project=project, by=coordinator)
    thread.join()
    assert errors == []
    assert Assessment.objects.filter(project=project).count() == 1


def test_accept_and_request_changes_at_once_one_wins(project, team_member, coordinator):
    assessment = services.start(project=project, by=team_member)
    save_current(assessment=assessment, by=team_member, scores=scores_data())
    services.submit(assessment=assessment, by=team_member)
    thread, errors = in_open_transaction(
        lambda: services.accept(assessment=assessment, by=coordinator))
    with pytest.raises(ValidationError, match="Only a submitted assessment"):
        services.request_changes(assessment=assessment, by=coordinator, comment="Zu spät")
    thread.join()
    assert errors == []
    assessment.refresh_from_db()
    assert assessment.state == Assessment.State.ACCEPTED and assessment.review_comment == ""


def test_saving_while_submitting_is_refused(project, team_member):
    assessment = services.start(project=project, by=team_member)
    save_current(assessment=assessment, by=team_member, scores=scores_data())
    thread, errors = in_open_transaction(
        lambda: services.submit(assessment=assessment, by=team_member))
    with pytest.raises(ValidationError, match="under review"):
        save_current(assessment=assessment, by=team_member,
                     scores=scores_data([0] * 8))
    thread.join()
    assert errors == []
    assert set(assessment.scores.values_list("score", flat=True)) != {0}


def test_two_saves_of_one_version_at_once_one_is_told(project, team_member, coordinator):
    draft = services.start(project=project, by=team_member)
    thread, errors = in_open_transaction(lambda: services.save_scores(
        assessment=draft, by=team_member, scores=scores_data(), version=1))
    with pytest.raises(services.EditConflict):
        services.save_scores(assessment=draft, by=coordinator, scores=scores_data([0] * 8),
                             version=1)
    thread.join()
    assert errors == []
    draft.refresh_from_db()
    assert draft.version == 2 and set(draft.scores.values_list("score", flat=True)) != {0}
