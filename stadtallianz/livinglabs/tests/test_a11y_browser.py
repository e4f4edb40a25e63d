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


def test_the_live_refresh_keeps_open_tables_open_and_the_focus(page, live_server, lab,  # noqa: F811
                                                                streams):
    from datetime import timedelta

    from django.utils import timezone

    from .conftest import add_raw

    page.goto(f"{live_server.url}/de/living-labs/{lab.slug}/?range=day")
    stream = streams["public"]
    page.evaluate("document.body.dataset.marker = 'same page'")
    summary = page.locator(f"#table-range-{stream.pk} summary")
    summary.click()
    summary.focus()
    expect(page.locator(f"#table-range-{stream.pk}")).to_have_attribute("open", "")
    # A new value arrives; the refresh (what the one-minute timer does) brings it in.
    add_raw(stream, 23.75, timezone.now().replace(minute=0, second=0, microsecond=0)
            - timedelta(minutes=30))
    assert page.evaluate("window.stadtallianzLiveRefresh()") >= 1
    expect(page.locator(f"#latest-{stream.pk}")).to_contain_text("23,75")
    expect(page.locator(f"#rows-range-{stream.pk}")).to_contain_text("23,75")
    expect(page.locator(f"#table-range-{stream.pk}")).to_have_attribute("open", "")
    assert page.evaluate("document.activeElement.closest('details') && "
                         "document.activeElement.closest('details').id") == \
        f"table-range-{stream.pk}"
    status = page.locator("#live-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("neue Werte für 1 Datenstrom")
    assert page.evaluate("document.body.dataset.marker") == "same page"
    assert axe_violations(page) == [] and page.csp_violations == []


HIDDEN = "Object.defineProperty(document, 'hidden', {configurable: true, get: () => %s});"


def test_a_hidden_tab_fetches_nothing_and_refreshes_when_shown(page, live_server, lab,  # noqa: F811
                                                               streams):
    page.goto(f"{live_server.url}/de/living-labs/{lab.slug}/?range=day")
    fetched = []
    page.on("request", lambda request: fetched.append(request.url)
            if "/datastreams/" in request.url else None)
    # Another tab is in front: the minute's tick fetches nothing.
    page.evaluate(HIDDEN % "true")
    assert page.evaluate("window.stadtallianzLiveTick()") is None
    page.wait_for_timeout(300)
    assert fetched == []
    # Shown again: the stale page refreshes once, at once.
    page.evaluate(HIDDEN % "false" + "document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(500)
    assert len(fetched) == page.locator(".datastream[data-live-url]").count() >= 1
    # A second visibility change without a missed tick fetches nothing more.
    before = len(fetched)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(300)
    assert len(fetched) == before


def test_the_time_range_is_chosen_without_script(page, live_server, lab, streams):  # noqa: F811
    page.goto(f"{live_server.url}/en/living-labs/{lab.slug}/")
    page.select_option("#id_range", "custom")
    page.fill("#id_from", "2026-02-01")
    page.fill("#id_to", "2026-01-01")
    page.click(".lab-range button[type=submit]")
    expect(page.locator("#id_to_error")).to_contain_text("must not be before")
    assert unlinked_errors(page, ["to"]) == {}
    page.select_option("#id_range", "week")
    page.click(".lab-range button[type=submit]")
    assert "range=week" in page.url
    expect(page.locator(".chart figcaption").first).to_contain_text("Last 7 days")


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
