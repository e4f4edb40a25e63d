"""Issue 14's journeys, driven end to end in Chromium at desktop (1366×900) and phone
(390×844) size, in German (the default), asserting at each step what the person sees:
headings, confirmation messages, state badges, counts. Each journey ends with axe-core
finding no violation of any impact on its last page. (The assessment journey lives in
stadtallianz/assessments/tests/test_journey_browser.py.)"""

import re

import pytest

from tests.browser.conftest import PASSWORD, alliance, browser, page  # noqa: F401
from tests.browser.journeys import (
    SIZES,
    click,
    de,
    field,
    finish,
    heading,
    log_in,
    log_out,
    mailed_path,
    status_message,
    text,
    via_header,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# 1. Register an organisation and sign the letter of intent ------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_register_an_organisation_and_sign(page, live_server, alliance, size):  # noqa: F811
    page.set_viewport_size(SIZES[size])
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/de/")
    via_header(page, de("Register"))
    assert heading(page) == de("Register")
    field(page, "name").fill("Jana Hüsing")
    field(page, "public display name").fill("JanaH")
    field(page, "e-mail address").fill("jana@example.org")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password (again)").fill(PASSWORD)
    page.get_by_label(de("I have read the privacy notice and accept it.")).check()
    click(page, "button", de("Create account"))
    assert heading(page) == de("Check your inbox")

    page.goto(live_server.url + mailed_path("jana@example.org", "/de/register/confirm/"))
    assert heading(page) == de("Confirm your e-mail address")
    assert "jana@example.org" in text(page)
    click(page, "button", de("Confirm my e-mail address"))

    log_in(page, "jana@example.org")
    assert heading(page) == de("My area")
    click(page, "link", de("Register an organisation"))
    field(page, "name").fill("Radwerk Münster")
    field(page, "type").select_option("startup")
    field(page, "description (German)").fill("Lastenräder für alle.")
    click(page, "button", de("Register"))
    assert de("The organisation has been registered. You are its administrator.") in \
        status_message(page)
    assert heading(page) == "Radwerk Münster"
    assert de("Not signed") in text(page)

    click(page, "link", de("Sign the letter of intent"))
    assert heading(page) == de("Sign the letter of intent for %(name)s", name="Radwerk Münster")
    assert field(page, "Name of the signatory").input_value() == "Jana Hüsing"
    field(page, "Function of the signatory").fill("Gründerin")
    page.locator("main").get_by_role("checkbox").check()
    click(page, "button", de("Sign the letter of intent"))
    assert de("Thank you. Your signature awaits review by the coordination office.") in \
        status_message(page)
    assert de("Signature awaiting review") in page.locator(".loi-status").inner_text()
    history = page.get_by_role("table")
    assert de("Awaiting review") in history.inner_text()
    assert "Jana Hüsing, Gründerin" in history.inner_text()

    # The coordination office confirms; the organisation appears in the directory.
    log_out(page)
    log_in(page, alliance.coordinator.email)
    via_header(page, de("Back office"))
    # The work queue lists the application (the older pending one of the fixture too).
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=re.compile("Radwerk Münster")).first.click()
    assert heading(page) == de("Application of %(name)s", name="Radwerk Münster")
    click(page, "button", de("Confirm the signature"))
    assert "Radwerk Münster" in status_message(page)

    via_header(page, de("Partners"))
    field(page, "Search").fill("Radwerk")
    click(page, "button", de("Apply filters"))
    card = page.locator("main").get_by_role("link", name="Radwerk Münster")
    assert card.count() >= 1
    click(page, "link", "Radwerk Münster")
    assert heading(page) == "Radwerk Münster"
    assert de("Alliance partner") in text(page)
    finish(page)
