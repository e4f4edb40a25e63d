"""Issue 11, item 5, "empty and missing references": every API input that names another object
(by slug, number or e-mail address) answers 422 naming the field for a reference that is empty,
blank, missing, unknown, impossible or of the wrong type — never a server error, and nothing is
written. (`POST /projects/{slug}/consortium` with `{"organisation": ""}` was a 500.)
"""

import pytest
from django.urls import reverse

from stadtallianz.core.testing import field_errors
from stadtallianz.ideas.models import Idea
from stadtallianz.projects import services as project_services
from stadtallianz.projects.models import ConsortiumMember, Project, ProjectSDG
from stadtallianz.workinggroups.models import GroupOrganisation
from stadtallianz.workinggroups.tests.api_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

HUGE = 2**70  # a number no database column holds (SQLite raised OverflowError on it)
# Members of the class for a text reference; each must be a 422 naming the field.
BAD_SLUGS = ["", "   ", "\t\n", "no-such-thing", "x" * 200, HUGE, 12, [], {}, True, None]
BAD_NUMBERS = [0, -1, 999999, HUGE, -HUGE, "", "   ", "abc", [], {}, 1.5]


@pytest.fixture
def project(partner_admin, organisation):
    return project_services.create_project(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Quartiersbus", "phase": Project.Phase.CONCEPT})


@pytest.mark.parametrize("value", BAD_SLUGS, ids=repr)
def test_inviting_to_a_consortium_names_the_organisation(call, token_for, partner_admin, project,
                                                          value):
    body = {} if value is None else {"organisation": value}
    response = call("POST", f"/api/v1/projects/{project.slug}/consortium", body,
                    key=token_for(partner_admin))
    assert field_errors(response) == {"organisation"}
    assert ConsortiumMember.objects.filter(project=project).count() == 1  # the lead only


@pytest.mark.parametrize("value", BAD_SLUGS, ids=repr)
def test_adding_an_organisation_to_a_group_names_the_organisation(call, token_for, lead, group,
                                                                   value):
    body = {} if value is None else {"organisation": value}
    response = call("POST", f"/api/v1/working-groups/{group.slug}/organisations", body,
                    key=token_for(lead))
    assert field_errors(response) == {"organisation"}
    assert not GroupOrganisation.objects.filter(group=group).exists()


@pytest.mark.parametrize("value", BAD_NUMBERS, ids=repr)
def test_a_project_sdg_names_the_goal(call, token_for, partner_admin, project, value):
    response = call("POST", f"/api/v1/projects/{project.slug}/sdgs", {"goal": value},
                    key=token_for(partner_admin))
    assert field_errors(response) == {"goal"}
    assert not ProjectSDG.objects.filter(project=project).exists()


@pytest.mark.parametrize("value", ["no.such", "99.z", "   "], ids=repr)
def test_a_project_sdg_names_an_unknown_target(call, token_for, partner_admin, project, value):
    response = call("POST", f"/api/v1/projects/{project.slug}/sdgs",
                    {"goal": 11, "target": value}, key=token_for(partner_admin))
    if value.strip():
        assert field_errors(response) == {"target"}
    else:  # a blank optional reference is "none"
        assert response.status_code == 201, response.content


@pytest.mark.parametrize("field,values", [
    ("focus_areas", ["", "no-such-area"]), ("focus_areas", ["   "]),
    ("principles", [HUGE]), ("principles", [0, -5]),
], ids=repr)
def test_lists_of_references_name_the_field(call, token_for, partner_admin, organisation,
                                             field, values):
    before = Project.objects.count()
    response = call("POST", "/api/v1/projects",
                    {"title_de": "Neu", "phase": "concept", "organisation": organisation.slug,
                     field: values}, key=token_for(partner_admin))
    assert field_errors(response) == {field}
    assert Project.objects.count() == before


@pytest.mark.parametrize("value", [HUGE, 999999, 0, "", "abc"], ids=repr)
def test_merging_into_an_unknown_idea_names_the_field(call, token_for, coordinator, citizen,
                                                       value):
    from stadtallianz.ideas import services as idea_services

    idea = idea_services.idea_create(by=citizen, data={"title": "Mehr Bänke am Aasee",
                                                       "description": "Zum Ausruhen."})
    response = call("POST", f"/api/v1/ideas/{idea.pk}/state",
                    {"state": "merged", "merged_into": value}, key=token_for(coordinator))
    assert field_errors(response) == {"merged_into"}
    assert Idea.objects.get(pk=idea.pk).state == idea.state


@pytest.mark.parametrize("value", ["", "  ", "no-such-partner", HUGE, None], ids=repr)
def test_a_living_lab_names_its_operator(call, token_for, coordinator, value):
    body = {"name_de": "Labor", "description_de": "Ein Labor.", "starts_on": "2026-01-01",
            "area": {"type": "Point", "coordinates": [7.6, 51.9]},
            "contact_name": "Lea", "contact_email": "lea@example.org"}
    if value is not None:
        body["operator"] = value
    response = call("POST", "/api/v1/living-labs", body, key=token_for(coordinator))
    assert field_errors(response) == {"operator"}


@pytest.mark.parametrize("value,status", [
    ("a%00b", {404}), ("%00", {404}), ("no-such-group", {404}), ("x" * 300, {404}),
    ("%20%20", {200, 404})],
    ids=repr)
@pytest.mark.parametrize("page", ["events:create", "knowledge:create"])
def test_the_forms_for_a_group_name_no_group_without_a_server_error(client_for, coordinator,
                                                                    page, value, status):
    """The web forms that take the group from the address (`?group=`): an unknown or impossible
    slug is a 404 and a blank one means "no group", never a 500 (NUL failed on PostgreSQL)."""
    response = client_for(coordinator).get(f"{reverse(page)}?group={value}")
    assert response.status_code in status
