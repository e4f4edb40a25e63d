"""The suggestion pages in a real Chromium: axe-core finds no WCAG 2.1 A/AA violation of any
impact, the Content Security Policy blocks nothing, each page has one h1, in German and in
English: a person's own suggestions, the partners suggested for a project (the page and after
"not relevant", with the undo)."""

import pytest

from tests.browser.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    alliance,
    browser,
    login,
    page,
    problems_here,
    sweep,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


@pytest.fixture
def project(alliance):  # noqa: F811
    from stadtallianz.projects.models import ConsortiumMember, Project

    project = Project.objects.create(title_de="Messdaten für die Mobilität", slug="messdaten",
                                     summary_de="Wir suchen Messdaten und Testflächen.")
    project.focus_areas.add(alliance.focus_area)
    ConsortiumMember.objects.create(project=project, organisation=alliance.home, role="lead",
                                    state="accepted")
    Project.objects.create(title_de="Testflächen für Ladesäulen", slug="testflaechen",
                           summary_de="Ladesäulen-Daten und Testflächen gesucht.")
    return project


@pytest.mark.parametrize("language", LANGUAGES)
def test_suggestion_pages(page, live_server, alliance, project, language):  # noqa: F811
    login(page, live_server, alliance.admin.email, PASSWORD, language)
    paths = ["/suggestions/", f"/suggestions/projects/{project.slug}/"]
    assert sweep(page, live_server.url, language, paths) == {}
    page.goto(f"{live_server.url}/{language}/suggestions/projects/{project.slug}/")
    page.locator(".matchmaking-card button[type=submit]").first.click()
    page.wait_for_load_state()
    assert problems_here(page) == {}
    assert page.locator(".matchmaking-undo button").count() == 1
