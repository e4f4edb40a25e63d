"""axe-core in a real Chromium finds no WCAG 2.1 A/AA violation of any impact (minor to
critical), and the browser no Content Security Policy violation, on the public pages and the
main forms of each role, in German and in English. One test per role and language visits all
of that role's pages with one logged-in browser, and reports every failing page at once."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from stadtallianz.assessments.tests.conftest import (  # noqa: F401 - fixtures
    make_assessment,
    make_project,
)
from tests.browser.conftest import PASSWORD, login, page_problems, problems_here, sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_pass_axe_at_every_impact(page, live_server, alliance, language):
    """A visitor's pages: home, directory (plain, filtered, page 2), a profile with its map, the
    letter of intent now and before, and the account forms."""
    area = alliance.focus_area.slug
    paths = [
        "/", "/partners/", f"/partners/?q=Partner&type=company&focus={area}&category=data",
        "/partners/?page=2", "/partners/?q=nothing-matches-this",
        f"/partners/{alliance.partners[0].slug}/", f"/partners/{alliance.home.slug}/",
        "/letter-of-intent/", f"/letter-of-intent/v{alliance.v1.number}/",
        "/login/", "/register/", "/password-reset/", "/register/resend/",
    ]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_citizen_pages_pass_axe_at_every_impact(page, live_server, alliance, language):
    """A citizen's account pages and the form to register an organisation."""
    login(page, live_server, alliance.citizen.email, PASSWORD, language)
    paths = ["/account/", "/account/edit/", "/account/password/", "/account/tokens/",
             "/account/delete/", "/partners/new/"]
    problems = sweep(page, live_server.url, language, paths)
    # A page with a confirmation message after saving, and the one key of a new token.
    page.goto(f"{live_server.url}/{language}/account/edit/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert page.locator("[role=status] .message").count() == 1
    if found := problems_here(page):
        problems["after saving"] = found
    page.goto(f"{live_server.url}/{language}/account/tokens/")
    page.fill("#id_name", "Mein Skript")
    page.locator("main form:has(#id_name) button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#new-token-key").count() == 1
    if found := problems_here(page):
        problems["new token"] = found
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_partner_admin_pages_pass_axe_at_every_impact(page, live_server, alliance, language):
    """A partner admin's pages: profile edit, offers, members, signing, status, withdrawal."""
    login(page, live_server, alliance.admin.email, PASSWORD, language)
    slug = alliance.home.slug
    offer = alliance.home.offers.first()
    paths = [
        "/account/", "/my-area/" if language == "en" else "/mein-bereich/",
        f"/partners/{slug}/", f"/partners/{slug}/edit/",
        f"/partners/{slug}/offers/",
        f"/partners/{slug}/offers/{offer.pk}/edit/", f"/partners/{slug}/members/",
        f"/letter-of-intent/sign/{slug}/", f"/letter-of-intent/status/{slug}/",
        f"/letter-of-intent/withdraw/{slug}/",
    ]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_coordinator_pages_pass_axe_at_every_impact(page, live_server, alliance, language):
    """The back office: dashboard, applications, one application with its decision forms,
    partners, audit log, versions with the form for a new one, focus areas with their form."""
    login(page, live_server, alliance.coordinator.email, PASSWORD, language)
    paths = [
        "/my-area/" if language == "en" else "/mein-bereich/", "/backoffice/",
        "/backoffice/applications/",
        f"/backoffice/applications/{alliance.pending.pk}/", "/backoffice/partners/",
        "/backoffice/audit/", "/backoffice/versions/", "/backoffice/versions/new/",
        f"/backoffice/versions/{alliance.v2.number}/", "/backoffice/focus-areas/",
        "/backoffice/focus-areas/new/", f"/backoffice/focus-areas/{alliance.focus_area.pk}/",
        f"/partners/{alliance.applying.slug}/",
    ]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_pages_pass_axe_at_every_impact(page, live_server, alliance, language):
    """Not found (an unknown address, a partner not yet public) and access denied (a citizen
    in the back office) are pages of the site in the visitor's language; the server-error
    page, which Django renders without a request, stands alone and passes too."""
    base = f"{live_server.url}/{language}"
    problems = {}
    for path in ("/no-such-page/", f"/partners/{alliance.applying.slug}/"):
        if found := page_problems(page, base + path, expect_status=404):
            problems[path] = found
    expected = {"de": "Seite nicht gefunden", "en": "Page not found"}[language]
    assert page.locator("h1").inner_text() == expected
    assert page.locator("nav[aria-label] a").count() > 3  # the site's navigation is there

    login(page, live_server, alliance.citizen.email, PASSWORD, language)
    if found := page_problems(page, f"{base}/backoffice/", expect_status=403):
        problems["/backoffice/"] = found
    expected = {"de": "Zugriff verweigert", "en": "Access denied"}[language]
    assert page.locator("h1").inner_text() == expected

    with translation.override(language):
        html = render_to_string("500.html")
    page.goto(f"{base}/")  # the page's address lets the stylesheet load as it would
    page.set_content(html)
    if found := problems_here(page):
        problems["500"] = found
    expected = {"de": "Serverfehler", "en": "Server error"}[language]
    assert page.locator("h1").inner_text() == expected
    assert problems == {}, problems


REFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > width + 1)
    .slice(0, 5).map((element) => element.tagName.toLowerCase() + "." + element.className);
  return document.documentElement.scrollWidth > width ?
    {page: document.documentElement.scrollWidth, wider: wide} : null;
}"""


def test_pages_reflow_to_320_css_pixels_without_scrolling_sideways(page, live_server, alliance,
                                                                   make_project, make_assessment):  # noqa: F811
    """At 320 CSS pixels (a phone, or 1280 pixels at 400 % zoom; WCAG 1.4.10) no page of the
    visitor or the coordinator, tables and detail lists included, is wider than the window:
    the portfolio's table of projects against the principles too (issue 14), with a long
    German compound as a project's title."""
    make_assessment(make_project("Quartiersmobilitätsdatenplattformentwicklung",
                                 team=alliance.home))
    page.set_viewport_size({"width": 320, "height": 640})
    base = f"{live_server.url}/de"
    paths = ["/", "/partners/", f"/partners/{alliance.home.slug}/", "/letter-of-intent/",
             "/register/", "/assessments/portfolio/"]
    problems = {}
    for path in paths:
        page.goto(base + path)
        if found := page.evaluate(REFLOW):
            problems[path] = found
    login(page, live_server, alliance.coordinator.email, PASSWORD)
    for path in ["/backoffice/", "/backoffice/applications/",
                 f"/backoffice/applications/{alliance.pending.pk}/", "/backoffice/partners/",
                 "/backoffice/audit/", "/backoffice/versions/", "/account/tokens/"]:
        page.goto(base + path)
        if found := page.evaluate(REFLOW):
            problems[path] = found
    assert problems == {}, problems
