from datetime import timedelta

import pytest
from django.utils import timezone

from stadtallianz.funding.models import Call, Programme
from stadtallianz.ideas.models import Idea
from stadtallianz.partnering import services
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects import services as project_services
from stadtallianz.projects.models import Project

# The working groups' shared people and group (the projects' fixtures need them).
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def project(partner_admin, organisation):
    return project_services.create_project(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Quartiersbus Kreuzviertel", "title_en": "Neighbourhood bus",
              "summary_de": "Ein Bus auf Abruf.", "phase": Project.Phase.CONCEPT})


@pytest.fixture
def funding_call(db):
    programme = Programme.objects.create(funder="Bund", level=Programme.Level.FEDERAL,
                                         name_de="Modellprojekte Smart Cities",
                                         slug="modellprojekte")
    return Call.objects.create(
        programme=programme, slug="datenplattformen", source_id="MPSC-2027-1",
        title_de="Urbane Datenplattformen", title_en="Urban data platforms",
        state=Call.State.OPEN, opens_on=timezone.localdate() - timedelta(days=5))


@pytest.fixture
def other_organisation(other_admin):
    return Organisation.objects.get(memberships__user=other_admin)


@pytest.fixture
def other_member(make_user, other_organisation):
    user = make_user("other-member@example.org", full_name="Olga Other")
    Membership.objects.create(user=user, organisation=other_organisation)
    return user


@pytest.fixture
def outsider_admin(make_user, make_organisation):
    """The admin of a third signed partner, on neither side of the notice."""
    third = make_organisation("Dritte Hochschule", type=Organisation.Type.RESEARCH)
    user = make_user("third@example.org", full_name="Thea Third")
    Membership.objects.create(user=user, organisation=third, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def idea(citizen):
    return Idea.objects.create(title="Sensoren für Schulwege", description="Messen.",
                               author=citizen)


@pytest.fixture
def notice_data(project, today):
    def make(**overrides):
        data = {"title_de": "Partner für Datenplattform gesucht",
                "title_en": "Partners for a data platform wanted",
                "description_de": "Wir suchen Partner für den Quartiersbus.",
                "capabilities_sought_de": "Verkehrsdaten, Fahrgastzählung",
                "project": project, "roles_sought": ["partner"],
                "wanted_types": ["research"], "deadline": today + timedelta(days=20),
                "expires_on": today + timedelta(days=60)}
        data.update(overrides)
        return data
    return make


@pytest.fixture
def notice(partner_admin, organisation, notice_data):
    return services.notice_create(actor=partner_admin, organisation=organisation,
                                  data=notice_data())


@pytest.fixture
def interest(notice, other_member, other_organisation):
    return services.interest_create(actor=other_member, notice=notice,
                                    organisation=other_organisation,
                                    message="Wir haben Fahrgastdaten.")
