"""axe-core in a real Chromium finds no serious or critical WCAG 2.1 A/AA violation, and the
browser no Content Security Policy violation, on the working-group pages: the list (plain and
filtered) and a group page for a visitor, a group page and its forms for a logged-in person, and
the lead's manage page with a pending request, in German and in English."""

import pytest

from tests.browser.conftest import PASSWORD, login, sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


@pytest.fixture
def groups(alliance):
    """Two groups: one on request led by the partner admin, with a member, a pending request
    and a member organisation; one archived."""
    from stadtallianz.workinggroups.models import GroupMembership, GroupOrganisation, WorkingGroup

    group = WorkingGroup.objects.create(
        slug="mobilitaet", name_de="Mobilität der Zukunft", name_en="Future mobility",
        description_de="## Ziel\n\nSichere **Radwege** und offene Daten.",
        description_en="## Aim\n\nSafe **cycle lanes** and open data.",
        join_policy=WorkingGroup.JoinPolicy.REQUEST)
    group.focus_areas.add(alliance.focus_area)
    GroupMembership.objects.create(group=group, user=alliance.admin,
                                   role=GroupMembership.Role.LEAD)
    GroupMembership.objects.create(group=group, user=alliance.member)
    GroupMembership.objects.create(group=group, user=alliance.applicant,
                                   state=GroupMembership.State.REQUESTED,
                                   message="Ich würde gern mitarbeiten.")
    GroupOrganisation.objects.create(group=group, organisation=alliance.partners[0])
    archived = WorkingGroup.objects.create(slug="archiv", name_de="Archiv", name_en="Archive",
                                           state=WorkingGroup.State.ARCHIVED)
    archived.focus_areas.add(alliance.focus_area)
    return group


@pytest.mark.parametrize("language", LANGUAGES)
def test_working_group_pages_of_a_visitor(page, live_server, alliance, groups, language):
    paths = ["/working-groups/", f"/working-groups/?focus={alliance.focus_area.slug}",
             f"/working-groups/{groups.slug}/", "/working-groups/archiv/"]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_working_group_pages_of_a_citizen(page, live_server, alliance, groups, language):
    """The group page with the request form, as a person who is not yet a member."""
    login(page, live_server, alliance.citizen.email, PASSWORD, language)
    problems = sweep(page, live_server.url, language, [f"/working-groups/{groups.slug}/"])
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_working_group_pages_of_a_lead(page, live_server, alliance, groups, language):
    """The lead's group page, manage page (request, members, invitation, organisations) and
    edit form."""
    login(page, live_server, alliance.admin.email, PASSWORD, language)
    paths = [f"/working-groups/{groups.slug}/", f"/working-groups/{groups.slug}/manage/",
             f"/working-groups/{groups.slug}/edit/"]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_working_group_forms_of_the_coordinator(page, live_server, alliance, groups, language):
    login(page, live_server, alliance.coordinator.email, PASSWORD, language)
    problems = sweep(page, live_server.url, language, ["/working-groups/new/"])
    assert problems == {}, problems
