"""People in every role around one joint application, and the call it goes to.

- `partner_admin` administers `organisation` (Stadtwerke Beispielstadt), the coordinator;
  `partner_member` is a plain member of it (a consortium member).
- `other_admin` administers `other_organisation` (Andere GmbH), a partner in the consortium
  (`partner` member); `outsider_admin` administers a third organisation outside it.
- `citizen` has no organisation; `coordinator` is the coordination office.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from stadtallianz.core.models import FocusArea
from stadtallianz.funding.models import Call, CallRate, Deadline, Programme
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects import services as project_services
from stadtallianz.proposals import services
from stadtallianz.proposals.models import ApplicationMember
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403


@pytest.fixture
def programme(db):
    return Programme.objects.create(funder="Bundesministerium für Wohnen", level="federal",
                                    name_de="Modellprojekte Smart Cities", slug="msc")


@pytest.fixture
def make_call(programme):
    counter = {"n": 0}

    def make(**fields):
        counter["n"] += 1
        rates = fields.pop("rates", {"research": Decimal("100")})
        due = fields.pop("due_in_days", 40)
        fields.setdefault("funding_rate", Decimal("70"))
        fields.setdefault("max_amount", Decimal("500000"))
        fields.setdefault("min_amount", Decimal("50000"))
        fields.setdefault("total_budget", Decimal("5000000"))
        call = Call.objects.create(programme=programme, slug=f"aufruf-{counter['n']}",
                                   title_de=fields.pop("title_de", f"Aufruf {counter['n']}"),
                                   title_en=f"Call {counter['n']}", **fields)
        for kind, rate in rates.items():
            CallRate.objects.create(call=call, applicant_type=kind, rate=rate)
        if due is not None:
            Deadline.objects.create(call=call, due_at=timezone.now() + timedelta(days=due))
        call.focus_areas.set(FocusArea.objects.active()[:1])
        return call

    return make


@pytest.fixture
def funding_call(make_call):
    return make_call(title_de="Smarte Quartiere")


@pytest.fixture
def other_organisation(other_admin):
    return Organisation.objects.get(memberships__user=other_admin)


@pytest.fixture
def outsider_admin(make_user, make_organisation):
    outsider = make_organisation("Dritte AG")
    user = make_user("outsider-admin@example.org", full_name="Udo Unbeteiligt")
    Membership.objects.create(user=user, organisation=outsider, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def project(partner_admin, organisation):
    return project_services.create_project(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Quartiersbus Kreuzviertel", "phase": "concept"})


@pytest.fixture
def application(partner_admin, organisation, other_organisation, funding_call, project):
    """Planned; Stadtwerke coordinate, Andere GmbH is a partner; a budget for both."""
    application = services.application_create(
        actor=partner_admin, call=funding_call, organisation=organisation,
        title="Quartiersbus im Kreuzviertel", project=project)
    partner = services.member_add(actor=partner_admin, application=application,
                                  organisation=other_organisation,
                                  role=ApplicationMember.Role.PARTNER)
    coordinator = application.members.get(role=ApplicationMember.Role.COORDINATOR)
    services.budget_save(actor=partner_admin, member=coordinator, lines={
        "personnel": {"amount": Decimal("100000"), "requested": Decimal("70000")}})
    services.budget_save(actor=partner_admin, member=partner, lines={
        "material": {"amount": Decimal("20000"), "requested": Decimal("14000")}})
    return application


@pytest.fixture
def as_user(request, client_for):
    """as_user("citizen") is a client logged in as that fixture's person; None: a visitor."""

    def make(role):
        return client_for(None if role is None else request.getfixturevalue(role))

    return make
