"""The project pages in a real browser, in German and English: the list (with its htmx
filters), the map, a project page with every part, the forms (with errors linked to their fields)
and the consortium page pass axe-core without serious or critical findings, and the strict
Content Security Policy blocks nothing. The forms work with the keyboard alone."""

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import expect

from conftest import DEMO_PASSWORD
from stadtallianz.core.models import SDGTarget, SustainableDevelopmentGoal
from stadtallianz.projects import services
from stadtallianz.projects.models import (
    BudgetLine,
    Milestone,
    PhasePeriod,
    ProjectPlace,
    ProjectSDG,
    ProjectUpdate,
    Result,
)
from tests.browser.conftest import (  # noqa: F401
    axe_violations,
    browser,
    login,
    page,
    problems_here,
    sweep,
    unlinked_errors,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def full_project(project, partner_member, invitation):
    """A project with every part; reference data reloaded (a transactional test flushed it)."""
    for migration in ("0002_reference_data", "0004_sdg_target_data"):
        import_module(f"stadtallianz.core.migrations.{migration}").load(apps, None)
    parts = [
        (Milestone(), {"title": "Auftakt", "due": date(2026, 3, 1)}),
        (Result(), {"title": "Fahrplan", "progress": 40}),
        (BudgetLine(), {"label": "Eigenmittel", "amount": 1200, "currency": "EUR"}),
        (ProjectPlace(), {"name": "Domplatz", "geometry": {
            "type": "Polygon", "coordinates": [[[7.62, 51.96], [7.63, 51.96], [7.63, 51.965],
                                                [7.62, 51.96]]]}}),
        (ProjectPlace(), {"name": "Haltestelle", "geometry": {
            "type": "Point", "coordinates": [7.625, 51.962]}}),
        (ProjectSDG(), {"goal": SustainableDevelopmentGoal.objects.get(number=11),
                        "target": SDGTarget.objects.get(code="11.2")}),
        (PhasePeriod(), {"phase": "preparation", "start": date(2026, 1, 1)}),
        (ProjectUpdate(), {"title": "Start", "body": "Es geht **los**."}),
    ]
    for instance, data in parts:
        services.save_part(project=project, actor=partner_member, instance=instance, data=data)
    return project


@pytest.mark.parametrize("language", ["de", "en"])
def test_public_project_pages_are_accessible(page, live_server, full_project,  # noqa: F811
                                             language):
    slug = full_project.slug
    assert sweep(page, live_server.url, language, [
        "/projects/", "/projects/?phase=concept", "/projects/map/", f"/projects/{slug}/",
        f"/projects/{slug}/consortium/"]) == {}
    page.goto(f"{live_server.url}/{language}/projects/{slug}/")
    # The map draws both places from the page's JSON (no inline script).
    expect(page.locator(".feature-map")).to_have_attribute("data-feature-count", "2")
    page.goto(f"{live_server.url}/{language}/projects/map/")
    expect(page.locator(".feature-map")).to_have_attribute("data-feature-count", "2")
    assert page.csp_violations == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_team_forms_are_accessible(page, live_server, full_project, partner_admin,  # noqa: F811
                                   language):
    login(page, live_server, partner_admin.email, DEMO_PASSWORD, language)
    slug = full_project.slug
    paths = [f"/projects/{slug}/", f"/projects/{slug}/edit/", f"/projects/{slug}/consortium/",
             "/projects/new/"]
    paths += [f"/projects/{slug}/{kind}/new/" for kind in
              ("milestones", "updates", "results", "budget", "places", "sdgs", "phases")]
    assert sweep(page, live_server.url, language, paths) == {}
    # A form with errors: each error is linked to its field, and the page still passes.
    page.goto(f"{live_server.url}/{language}/projects/{slug}/places/new/")
    page.fill("#id_name", "Ort")
    page.fill("#id_geometry", '{"type": "Point", "coordinates": [7, 95]}')
    page.click("main button[type=submit]")
    assert unlinked_errors(page, ["geometry"]) == {}
    assert problems_here(page) == {}


def test_a_milestone_is_added_with_the_keyboard_alone(page, live_server, full_project,  # noqa: F811
                                                      partner_member):
    login(page, live_server, partner_member.email, DEMO_PASSWORD, "de")
    page.goto(f"{live_server.url}/de/projects/{full_project.slug}/milestones/new/")
    page.focus("#id_title")
    page.keyboard.type("Per Tastatur")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_due"
    page.keyboard.type("05052026")  # day and month alike: the same in every locale's order
    # Tab moves through the date field's day, month and year first.
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") != "id_due":
            break
    assert page.evaluate("document.activeElement.id") == "id_state"
    page.focus("main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("#milestones")
    assert Milestone.objects.get(title="Per Tastatur").due == date(2026, 5, 5)


def test_the_list_pages_and_filters_in_place_with_htmx(page, live_server, partner_member,  # noqa: F811
                                                       partner_admin, organisation):
    for number in range(25):
        services.create_project(actor=partner_admin, organisation=organisation,
                                data={"title_de": f"Projekt {number:02d}",
                                      "phase": "pilot" if number < 3 else "concept"})
    page.goto(f"{live_server.url}/de/projects/")
    expect(page.locator("#project-count")).to_have_text("25 Projekte")
    page.evaluate("document.body.dataset.marker = 'same page'")
    # With the keyboard: focus the link to page 2 and press Enter.
    page.locator("#results .pagination a[href='?page=2']").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#results .card h2")).to_have_count(5)
    assert "page=2" in page.url
    page.select_option("#id_phase", "pilot")
    page.click(".filters button[type=submit]")
    expect(page.locator("#project-count")).to_have_text("3 Projekte")
    assert "phase=pilot" in page.url
    # Only the results were swapped: the page itself was never reloaded.
    assert page.evaluate("document.body.dataset.marker") == "same page"
    assert axe_violations(page) == [] and page.csp_violations == []
