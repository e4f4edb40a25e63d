"""The living-lab pages in a real browser, in German and English: the list (with its htmx
filter), a lab page with map, datastreams and charts (the chart tables opened), the live
partial refreshed by htmx, and the operator's forms (lab, privacy, tokens with a freshly shown
key, errors linked to their fields) pass axe-core without serious or critical findings, and the
strict Content Security Policy blocks nothing."""

import pytest
from playwright.sync_api import expect

from conftest import DEMO_PASSWORD
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


@pytest.mark.parametrize("language", ["de", "en"])
def test_public_lab_pages_are_accessible(page, live_server, lab, streams,  # noqa: F811
                                         language):
    assert sweep(page, live_server.url, language, [
        "/living-labs/", "/living-labs/?state=running", f"/living-labs/{lab.slug}/"]) == {}
    page.goto(f"{live_server.url}/{language}/living-labs/{lab.slug}/")
    # The map draws the lab's area and the three locations from the page's JSON.
    expect(page.locator(".feature-map")).to_have_attribute("data-feature-count", "4")
    # The tables behind the charts, opened, pass too.
    for summary in page.locator("details.chart-table summary").all():
        summary.click()
    assert problems_here(page) == {}


def test_the_live_partial_is_swapped_in_by_htmx(page, live_server, lab, streams):  # noqa: F811
    page.goto(f"{live_server.url}/de/living-labs/{lab.slug}/")
    stream = streams["public"]
    page.evaluate("document.body.dataset.marker = 'same page'")
    # What "every 60s" does (hx-get of the element's own address), without waiting a minute.
    url = page.get_attribute(f"#datastream-{stream.pk}", "hx-get")
    with page.expect_response(lambda r: "/chart/" in r.url and r.status == 200):
        page.evaluate(f"htmx.ajax('GET', '{url}', {{target: '#datastream-{stream.pk}', "
                      f"swap: 'outerHTML'}})")
    expect(page.locator(f"#datastream-{stream.pk} svg")).to_have_count(2)
    assert page.evaluate("document.body.dataset.marker") == "same page"
    assert axe_violations(page) == [] and page.csp_violations == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_operator_forms_are_accessible(page, live_server, lab, streams, partner_admin,  # noqa: F811
                                       language):
    login(page, live_server, partner_admin.email, DEMO_PASSWORD, language)
    stream = streams["public"]
    assert sweep(page, live_server.url, language, [
        "/living-labs/new/", f"/living-labs/{lab.slug}/edit/",
        f"/living-labs/{lab.slug}/datastreams/",
        f"/living-labs/{lab.slug}/datastreams/{stream.pk}/privacy/",
        f"/living-labs/{lab.slug}/tokens/"]) == {}
    # A new token: the key is shown once, and the page passes.
    page.goto(f"{live_server.url}/{language}/living-labs/{lab.slug}/tokens/")
    page.fill("#id_name", "Boje Nord")
    page.click("main form:not(.inline-form) button[type=submit]")
    expect(page.locator("#token-key")).to_contain_text("lab_")
    assert problems_here(page) == {}
    # A form with errors: each linked to its field.
    page.goto(f"{live_server.url}/{language}/living-labs/{lab.slug}/edit/")
    page.fill("#id_area", '{"type": "Point", "coordinates": [7, 95]}')
    page.fill("#id_contact_email", "kein-mail")
    page.click("main button[type=submit]")
    assert unlinked_errors(page, ["area", "contact_email"]) == {}
    assert problems_here(page) == {}
