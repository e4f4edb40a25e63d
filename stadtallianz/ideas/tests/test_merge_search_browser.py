"""Issue 14: the idea an idea is merged into is found by its title in a real browser: typing
shows the results (htmx) as radio buttons, the page passes axe-core, and the decision is made
without typing a number; at desktop and phone size."""

import pytest

from conftest import DEMO_PASSWORD
from stadtallianz.ideas import services
from stadtallianz.ideas.models import Idea
from tests.browser.conftest import _reference_data, axe_violations, browser, login, page  # noqa: F401

from .fixtures import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", SIZES)
def test_merging_by_searching_the_title(page, live_server, writer, coordinator, size):  # noqa: F811
    _reference_data()
    idea = services.idea_create(by=writer, data={"title": "Radweg Promenade",
                                                 "description": "Breiter."})
    target = services.idea_create(by=writer, data={"title": "Fahrradstraße am Kanal",
                                                   "description": "Vorrang."})
    services.idea_create(by=writer, data={"title": "Bänke am Hafen", "description": "Sitzen."})
    page.set_viewport_size(SIZES[size])
    login(page, live_server, coordinator.email, DEMO_PASSWORD, "de")
    page.goto(f"{live_server.url}/de/ideas/{idea.pk}/state/")
    assert page.locator("form.idea-state-form input[type=number]").count() == 0
    assert page.locator("#id_merge_search").get_attribute("type") == "search"
    page.select_option("#id_state", "merged")
    page.fill("#id_merge_search", "kanal")
    radio = page.locator(f"#merge-results input[name=merged_into][value='{target.pk}']")
    radio.wait_for()
    assert page.locator("#merge-results input[name=merged_into]").count() == 1
    assert "Fahrradstraße am Kanal" in page.locator("#merge-results").inner_text()
    assert axe_violations(page) == []
    radio.check()
    with page.expect_navigation():
        page.click("form.idea-state-form .form-actions button[type=submit]")
    idea.refresh_from_db()
    assert idea.state == Idea.State.MERGED and idea.merged_into_id == target.pk
    assert "Fahrradstraße am Kanal" in page.locator("main").inner_text()
    assert page.csp_violations == []
