from io import StringIO

import pytest
from django.core.management import call_command

from stadtallianz.core.geo import validate_geometry
from stadtallianz.projects.models import (
    ConsortiumMember,
    Milestone,
    PhasePeriod,
    Project,
    ProjectPlace,
    ProjectSDG,
    Result,
)

pytestmark = pytest.mark.django_db


def test_demo_writes_twenty_projects_in_every_phase_once():
    call_command("demo", stdout=StringIO())
    projects = Project.objects.all()
    assert projects.count() == 20
    assert {p.phase for p in projects} == set(Project.Phase.values)
    assert projects.filter(origin_idea__isnull=False).count() == 10
    for project in projects:
        assert project.results.exists() and project.milestones.exists()
        assert project.budget_lines.exists() and project.phase_periods.exists()
        assert project.sdg_relations.exists() and project.updates.exists()
        assert project.progress is not None
    assert ConsortiumMember.objects.filter(state=ConsortiumMember.State.INVITED).exists()
    # Every lead is the only accepted lead of its project (the database would refuse others).
    assert ConsortiumMember.objects.filter(role="lead", state="accepted").count() >= 19
    for place in ProjectPlace.objects.all():
        validate_geometry(place.geometry)
    assert ProjectSDG.objects.filter(target__isnull=False).count() >= 20
    counts = [model.objects.count() for model in (Project, ConsortiumMember, Milestone, Result,
                                                  PhasePeriod, ProjectPlace, ProjectSDG)]
    call_command("demo", stdout=StringIO())
    assert counts == [model.objects.count() for model in (
        Project, ConsortiumMember, Milestone, Result, PhasePeriod, ProjectPlace, ProjectSDG)]


def test_every_demo_project_has_a_summary_in_both_languages():
    from stadtallianz.demo.projects import PROJECTS

    assert all(spec["summary"] and spec["summary_en"] for spec in PROJECTS)
    assert all(len(spec["summary_en"]) <= 1000 for spec in PROJECTS)
