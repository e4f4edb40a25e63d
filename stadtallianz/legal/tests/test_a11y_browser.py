"""The legal pages, their edit page and the consent page in a real browser: axe-core finds no
violation of any impact, the strict Content Security Policy blocks nothing, and the consent
journey works by keyboard-reachable controls, in both languages."""

import pytest

from conftest import DEMO_PASSWORD
from stadtallianz.legal import services
from tests.browser.conftest import axe_violations, browser, login, page, unlinked_errors  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL = ("minor", "moderate", "serious", "critical")
PAGES = {"de": ["/de/impressum/", "/de/datenschutz/", "/de/barrierefreiheit/"],
         "en": ["/en/imprint/", "/en/privacy/", "/en/accessibility/"]}


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_legal_pages_are_accessible(page, live_server, coordinator, language):  # noqa: F811
    for path in PAGES[language]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200
        assert page.locator("h1").count() == 1
        assert axe_violations(page, ALL) == [], path
    login(page, live_server, coordinator.email, DEMO_PASSWORD, language)
    page.goto(f"{live_server.url}/{language}/legal/privacy/edit/")
    assert axe_violations(page, ALL) == []
    assert page.csp_violations == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_person_accepts_a_changed_notice_and_goes_on(page, live_server, citizen,  # noqa: F811
                                                       coordinator, language):
    services.consent_give(user=citizen, version=services.current("privacy"))
    services.page_save(kind="privacy", by=coordinator, text_de="## Neu", text_en="## New",
                       material_change=True)
    login(page, live_server, citizen.email, DEMO_PASSWORD, language)
    page.goto(f"{live_server.url}/{language}/ideas/")
    assert "/consent/" in page.url or "/zustimmung/" in page.url
    assert axe_violations(page, ALL) == []
    page.click("main form button[type=submit] >> nth=0")
    page.wait_for_load_state()
    assert unlinked_errors(page, ["accept"]) == {}
    assert axe_violations(page, ALL) == []
    page.check("#id_accept")
    page.click("main form button[type=submit] >> nth=0")
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/{language}/ideas/"
    assert page.csp_violations == []
