"""The idea pages in a real browser: axe-core finds no serious problem and the strict Content
Security Policy blocks nothing, in German and English; the form works with the keyboard."""

import pytest

from conftest import DEMO_PASSWORD
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.ideas import images, services
from stadtallianz.ideas.models import Idea
from tests.browser.conftest import _reference_data, axe_violations, browser, login, page  # noqa: F401

from .fixtures import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ideas(writer, group, coordinator, png):
    _reference_data()
    idea = services.idea_create(by=writer, data={
        "title": "Trinkbrunnen am Domplatz", "description": "## Plan\n\nFrisches **Wasser**.",
        "focus_areas": list(FocusArea.objects.filter(slug="mobility")),
        "principles": list(Principle.objects.filter(number=1)),
        "sdgs": list(SustainableDevelopmentGoal.objects.filter(number=6)),
        "working_group": group, "place_name": "Domplatz", "latitude": "51.962600",
        "longitude": "7.625600"})
    services.idea_update(idea=idea, by=writer, data={
        "description": "## Plan\n\nFrisches, kühles **Wasser** für alle."}, base_version=1)
    images.image_add(idea=idea, by=writer, upload=png(), alt_text="Skizze des Brunnens")
    other = services.idea_create(by=writer, data={"title": "Bänke am Aasee",
                                                  "description": "Mehr Sitzplätze."})
    services.change_state(idea=other, by=coordinator, state=Idea.State.DECLINED,
                          reason="Kein Platz.")
    return idea


@pytest.mark.parametrize("language", ["de", "en"])
def test_idea_pages_are_accessible(page, live_server, ideas, coordinator, language):  # noqa: F811
    login(page, live_server, coordinator.email, DEMO_PASSWORD, language)
    pk = ideas.pk
    for path in ("/ideas/", "/ideas/?state=declined&sort=supported", f"/ideas/{pk}/",
                 "/ideas/new/", f"/ideas/{pk}/edit/", f"/ideas/{pk}/versions/?from=1&to=2",
                 f"/ideas/{pk}/images/", f"/ideas/{pk}/co-authors/", f"/ideas/{pk}/state/"):
        response = page.goto(f"{live_server.url}/{language}{path}")
        assert response.status == 200, path
        assert page.locator("h1").count() == 1
        problems = axe_violations(page)
        assert problems == [], (path, problems)
    assert page.csp_violations == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_map_shows_the_ideas(page, live_server, ideas, language):  # noqa: F811
    page.goto(f"{live_server.url}/{language}/ideas/map/")
    page.wait_for_selector(".feature-map .leaflet-marker-icon", timeout=10000)
    assert page.locator(".feature-map").get_attribute("data-feature-count") == "1"
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/{language}/ideas/{ideas.pk}/")
    page.wait_for_selector("#idea-map .leaflet-marker-icon", timeout=10000)
    assert axe_violations(page) == []
    assert page.csp_violations == []


def test_the_conflict_page_is_accessible(page, live_server, ideas, writer,  # noqa: F811
                                         coordinator):
    login(page, live_server, writer.email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/de/ideas/{ideas.pk}/edit/")
    services.idea_update(idea=ideas, by=coordinator, data={"title": "Vom Büro"}, base_version=2)
    page.fill("#id_title", "Von mir")
    page.click("main form button[type=submit]")
    assert page.locator(".idea-conflict del").count() >= 1
    assert axe_violations(page) == []


def test_submitting_an_idea_with_the_keyboard(page, live_server, writer):  # noqa: F811
    _reference_data()
    login(page, live_server, writer.email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/de/ideas/new/")
    page.focus("#id_title")
    page.keyboard.type("Mehr Bäume")
    page.keyboard.press("Tab")
    page.keyboard.type("Schatten für alle.")
    page.focus("#id_place_name")
    page.keyboard.type("Hansaring")
    # Latitude and longitude come next, then the map, which takes the focus: Enter there sets
    # its centre.
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('place-picker-map')")
    page.keyboard.press("Enter")
    assert page.input_value("#id_latitude") != ""
    page.focus("main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".form-error-summary").count() == 0, page.locator("main").inner_text()
    idea = Idea.objects.get(title="Mehr Bäume")
    assert page.url.endswith(f"/ideas/{idea.pk}/")
    assert idea.place_name == "Hansaring" and idea.latitude is not None
