import pytest

from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects import services
from stadtallianz.projects.models import ConsortiumMember, Project

# The working groups' shared people and group.
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403


@pytest.fixture
def project(partner_admin, organisation):
    """A project led by `organisation`, started by its admin (only admins commit their
    organisation as lead)."""
    return services.create_project(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Quartiersbus Kreuzviertel", "title_en": "Neighbourhood bus",
              "summary_de": "Ein Bus auf Abruf.", "description_de": "## Ziel\n\nWeniger Autos.",
              "phase": Project.Phase.CONCEPT})


@pytest.fixture
def other_organisation(other_admin):
    return Organisation.objects.get(memberships__user=other_admin)


@pytest.fixture
def other_member(make_user, other_organisation):
    user = make_user("other-member@example.org", full_name="Olga Other")
    Membership.objects.create(user=user, organisation=other_organisation)
    return user


@pytest.fixture
def invitation(project, partner_admin, other_organisation):
    return services.invite(project=project, actor=partner_admin,
                           organisation=other_organisation, role=ConsortiumMember.Role.PARTNER)


@pytest.fixture
def group_project(group, member):
    """A project of the working group `group` (its lead `lead` manages it), without a lead
    organisation."""
    return services.create_project(actor=member, group=group,
                                   data={"title_de": "Radweg-Check", "phase": "preparation"})


@pytest.fixture
def token_for(db):
    from stadtallianz.accounts.models import ApiToken

    def make(user):
        _token, key = ApiToken.issue(user=user, name="test")
        return key

    return make


@pytest.fixture
def api(client, token_for):
    """api(user) is a function (method, path, json=None) calling the API with the person's
    token; api(None) calls it as a visitor. Answers in English."""

    def make(user):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}
        headers["HTTP_ACCEPT_LANGUAGE"] = "en"

        def call(method, path, json=None):
            kwargs = {"content_type": "application/json", "data": json} if json is not None else {}
            return getattr(client, method.lower())(f"/api/v1/projects{path}", **kwargs,
                                                   **headers)

        return call

    return make
