"""axe-core in a real Chromium finds no serious or critical WCAG 2.1 A/AA violation, and the
browser no Content Security Policy violation, on the public pages and the main forms of each
role, in German and in English. One test per role and language visits all of that role's pages
with one logged-in browser, and reports every failing page at once."""

import pytest

from tests.browser.conftest import PASSWORD, login, sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_have_no_serious_violations(page, live_server, alliance, language):
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
def test_citizen_pages_have_no_serious_violations(page, live_server, alliance, language):
    """A citizen's account pages and the form to register an organisation."""
    login(page, live_server, alliance.citizen.email, PASSWORD, language)
    paths = ["/account/", "/account/edit/", "/account/password/", "/account/tokens/",
             "/account/delete/", "/partners/new/"]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_partner_admin_pages_have_no_serious_violations(page, live_server, alliance, language):
    """A partner admin's pages: profile edit, offers, members, signing, status, withdrawal."""
    login(page, live_server, alliance.admin.email, PASSWORD, language)
    slug = alliance.home.slug
    offer = alliance.home.offers.first()
    paths = [
        "/account/", f"/partners/{slug}/", f"/partners/{slug}/edit/", f"/partners/{slug}/offers/",
        f"/partners/{slug}/offers/{offer.pk}/edit/", f"/partners/{slug}/members/",
        f"/letter-of-intent/sign/{slug}/", f"/letter-of-intent/status/{slug}/",
        f"/letter-of-intent/withdraw/{slug}/",
    ]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_coordinator_pages_have_no_serious_violations(page, live_server, alliance, language):
    """The back office: dashboard, applications, one application with its decision forms,
    partners, audit log, versions with the form for a new one, focus areas with their form."""
    login(page, live_server, alliance.coordinator.email, PASSWORD, language)
    paths = [
        "/backoffice/", "/backoffice/applications/",
        f"/backoffice/applications/{alliance.pending.pk}/", "/backoffice/partners/",
        "/backoffice/audit/", "/backoffice/versions/", "/backoffice/versions/new/",
        f"/backoffice/versions/{alliance.v2.number}/", "/backoffice/focus-areas/",
        "/backoffice/focus-areas/new/", f"/backoffice/focus-areas/{alliance.focus_area.pk}/",
        f"/partners/{alliance.applying.slug}/",
    ]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems
