from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.demo import proposals as proposals_demo
from stadtallianz.funding.models import Call, CallRate, Deadline, Programme
from stadtallianz.projects.models import BudgetLine as ProjectBudgetLine
from stadtallianz.proposals import checks
from stadtallianz.proposals.models import Application, Grant

pytestmark = pytest.mark.django_db


def _calls_if_missing():
    """The funding demo's calls, or (before it is wired in) a few of the same kind."""
    if Call.objects.exists():
        return
    programme = Programme.objects.create(funder="Bundesministerium für Wohnen",
                                         level="federal", name_de="Smart Cities",
                                         slug="smart-cities")
    for number, state in enumerate(["open", "open", "closed", "closed", "forthcoming"]):
        call = Call.objects.create(
            programme=programme, slug=f"aufruf-{number}", title_de=f"Aufruf {number}",
            state=state, funding_rate=Decimal("65"), min_amount=Decimal("100000"),
            max_amount=Decimal("2000000"), total_budget=Decimal("20000000"))
        CallRate.objects.create(call=call, applicant_type="research", rate=Decimal("100"))
        Deadline.objects.create(call=call, due_at=timezone.now() + timedelta(days=20 + number))


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
