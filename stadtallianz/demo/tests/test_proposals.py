from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.demo import proposals as proposals_demo
from stadtallianz.projects.models import BudgetLine as ProjectBudgetLine
from stadtallianz.proposals import checks
from stadtallianz.proposals.models import Application, Grant

pytestmark = pytest.mark.django_db


def test_the_demo_applications_cover_every_state_and_pass_their_calls_checks():
    call_command("demo", stdout=StringIO())  # the funding demo's calls, then the applications
    applications = Application.objects.all()
    assert applications.count() == len(proposals_demo.APPLICATIONS)
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
    for grant in Grant.objects.select_related("application__project", "application__call"):
        funding = ProjectBudgetLine.objects.filter(
            project=grant.application.project, source="funding",
            label__endswith=f"Förderung {grant.application.call.title_de}")
        assert sum(line.amount for line in funding) == grant.amount
    # The demo accounts of Stadtwerke take part.
    assert Application.objects.filter(
        members__organisation__slug="stadtwerke-muensterland-nord").count() == 3
    assert proposals_demo.load(now=timezone.now()) == 0
    assert Application.objects.count() == len(proposals_demo.APPLICATIONS)
