"""The people and projects of the assessment tests.

Roles: a visitor (None), `citizen`, `outsider` (a person of another partner organisation, not in
the team), `team_member` (a person of the project's lead organisation) and `coordinator`.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from stadtallianz.assessments.models import Assessment, Evidence, Score, principle_masks
from stadtallianz.core.models import FocusArea, Principle
from stadtallianz.projects.models import ConsortiumMember, Project
from stadtallianz.workinggroups.tests.fixtures import focus_area, make_group  # noqa: F401

VALUES = [2, 1, 0, -1, 2, 1, 0, 1]


@pytest.fixture(autouse=True)
def _english():
    """The tests read the messages in English (pages at /en/…); test_german checks the German
    side."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def make_project(db, organisation):
    counter = {"n": 0}

    def make(title="Klimaquartier", *, team=organisation, phase=Project.Phase.PILOT,
             area=None, **fields):
        counter["n"] += 1
        project = Project.objects.create(
            title_de=title, title_en=fields.pop("title_en", title),
            slug=fields.pop("slug", f"projekt-{counter['n']}"), phase=phase, **fields)
        if area is not None:
            project.focus_areas.add(area)
        if team is not None:
            ConsortiumMember.objects.create(project=project, organisation=team,
                                            role=ConsortiumMember.Role.LEAD,
                                            state=ConsortiumMember.State.ACCEPTED)
        return project

    return make


@pytest.fixture
def project(make_project):
    return make_project("Klimaquartier", slug="klimaquartier",
                        area=FocusArea.objects.active().first())


@pytest.fixture
def team_member(partner_member):
    """A person of the project's lead organisation: the team."""
    return partner_member


@pytest.fixture
def outsider(other_admin):
    """A person of another partner organisation: not in the team."""
    return other_admin


@pytest.fixture
def second_coordinator(make_user):
    return make_user("coordinator2@example.org", full_name="Carl Coordinator",
                     is_coordinator=True)


ROLE_FIXTURES = {"citizen": "citizen", "outsider": "outsider", "team_member": "team_member",
                 "coordinator": "coordinator"}


@pytest.fixture
def as_role(request, client_for):
    def make(role):
        return client_for(None if role is None else request.getfixturevalue(ROLE_FIXTURES[role]))

    return make


def scores_data(values=VALUES, *, justification="Begründung {n}."):
    return [{"principle": n, "score": value, "justification": justification.format(n=n),
             "evidence": []} for n, value in enumerate(values, start=1)]


@pytest.fixture
def make_assessment(db):
    """An assessment written straight into the database (the services are tested on their
    own): `values` are the scores of principles 1…n."""

    def make(project, values=VALUES, *, state=Assessment.State.ACCEPTED, published_at=None,
             by=None, evidence_url=None):
        accepted = state == Assessment.State.ACCEPTED
        serves, harms = principle_masks(enumerate(values, start=1))
        if accepted:
            published_at = published_at or timezone.now()
            Assessment.objects.filter(project=project, is_current=True).update(
                is_current=False)
        assessment = Assessment.objects.create(
            project=project, state=state, created_by=by, submitted_by=by,
            is_current=accepted, published_at=published_at if accepted else None,
            serves_mask=serves, harms_mask=harms,
            submitted_at=timezone.now() - timedelta(hours=1)
            if state != Assessment.State.DRAFT else None)
        principles = {p.number: p for p in Principle.objects.all()}
        scores = Score.objects.bulk_create([
            Score(assessment=assessment, principle=principles[n], score=value,
                  justification=f"Begründung {n}: {value}")
            for n, value in enumerate(values, start=1)])
        if evidence_url:
            Evidence.objects.create(score=scores[0], label="Bericht", url=evidence_url)
        return assessment

    return make


def save_current(*, assessment, by, scores):
    """`services.save_scores` based on the stored version: a save that races nobody."""
    from stadtallianz.assessments import services

    version = Assessment.objects.values_list("version", flat=True).get(pk=assessment.pk)
    return services.save_scores(assessment=assessment, by=by, scores=scores, version=version)
