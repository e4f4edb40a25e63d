"""The impact dashboard and the targets page in a real browser: axe-core finds no violation of
any impact, the strict Content Security Policy blocks nothing (the charts are SVG drawn on the
server, no script), one h1, in German and in English."""

import pytest

from conftest import DEMO_PASSWORD
from stadtallianz.impact.models import ImpactTarget
from tests.browser.conftest import (  # noqa: F401
    _reference_data,
    browser,
    login,
    page,
    page_problems,
    problems_here,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def filled(request, transactional_db, coordinator):
    # A transactional test empties the tables: the reference data first, then the alliance.
    _reference_data()
    world = request.getfixturevalue("world")
    ImpactTarget.objects.create(key="partners", year=2026, value=10, note="Ratsbeschluss",
                                set_by=coordinator)
    return world


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_dashboard_is_accessible(page, live_server, filled, language):  # noqa: F811
    assert page_problems(page, f"{live_server.url}/{language}/impact/") == {}
    assert page_problems(page, f"{live_server.url}/{language}/impact/?year=2026&focus_area="
                               f"{filled.area.slug}") == {}
    # Open the tables too: axe checks what is inside a closed <details> only once it is open.
    for summary in page.locator("details.impact-table summary").all():
        summary.click()
    assert page.locator("details.impact-table[open] table").count() >= 10
    assert problems_here(page) == {}


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_targets_page_is_accessible(page, live_server, filled, coordinator,  # noqa: F811
                                        language):
    login(page, live_server, coordinator.email, DEMO_PASSWORD, language)
    assert page_problems(page, f"{live_server.url}/{language}/impact/targets/") == {}
    page.click("main form[method=post] button[type=submit] >> nth=0")
    page.wait_for_load_state()
    # Sent without a value: the error summary and the field's error are accessible too.
    assert page.locator(".field-invalid").count() >= 1
    assert problems_here(page) == {}
