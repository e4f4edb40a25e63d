from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.demo import funding as funding_demo
from stadtallianz.demo import proposals as proposals_demo
from stadtallianz.funding.models import Call
from stadtallianz.projects.models import BudgetLine as ProjectBudgetLine
from stadtallianz.proposals import checks
from stadtallianz.proposals.models import Application, Grant

pytestmark = pytest.mark.django_db


def _calls_if_missing():
    """The funding demo's calls (loaded here until the demo command loads them itself)."""
    if not Call.objects.exists():
        funding_demo.load(now=timezone.now())


def test_the_demo_applications_cover_every_state_and_pass_their_calls_checks():
    call_command("demo", stdout=StringIO())
    _calls_if_missing()
    created = proposals_demo.load(now=timezone.now())
    assert created == len(proposals_demo.APPLICATIONS)
    applications = Application.objects.all()
    assert {a.state for a in applications} == set(Application.State.values)
    assert applications.filter(idea__isnull=False).exists()
    for application in applications:
        assert application.members.filter(role="coordinator").count() == 1
        assert application.state_changes.last().to_state == application.state
        submitted = application.state in (Application.State.SUBMITTED,
                                          Application.State.GRANTED,
                                          Application.State.REJECTED)
        assert checks.budget_problems(application, submitting=submitted) == [], application
    assert Grant.objects.count() == 2
    for grant in Grant.objects.select_related("application__project"):
        funding = ProjectBudgetLine.objects.filter(project=grant.application.project,
                                                   label__contains=grant.reference,
                                                   source="funding")
        assert sum(line.amount for line in funding) == grant.amount
    # The demo accounts of Stadtwerke take part.
    assert Application.objects.filter(
        members__organisation__slug="stadtwerke-muensterland-nord").count() == 3
    assert proposals_demo.load(now=timezone.now()) == 0
    assert Application.objects.count() == len(proposals_demo.APPLICATIONS)
