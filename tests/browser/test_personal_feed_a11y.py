"""The personal calendar address page in a real Chromium: axe-core finds no serious or critical
violation and the Content Security Policy blocks nothing, before and after the address is made
(the one time it is shown), in German and in English; the buttons work by keyboard."""

import pytest

from tests.browser.conftest import PASSWORD, axe_violations, login, sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["de", "en"])
def test_personal_feed_page(page, live_server, alliance, language):
    login(page, live_server, alliance.member.email, PASSWORD, language)
    assert sweep(page, live_server.url, language, ["/events/", "/events/feed/"]) == {}
    # Made by keyboard: the address is shown once, in a labelled read-only field.
    page.locator("main form button[type=submit]").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    field = page.locator("#new-feed-url")
    assert field.input_value().endswith(".ics")
    assert page.locator("label[for=new-feed-url]").count() == 1
    assert axe_violations(page) == []
    assert page.csp_violations == []
