"""The partner-search pages in a real Chromium: axe-core finds no WCAG 2.1 A/AA violation of
any impact, the Content Security Policy blocks nothing, each page has one h1, in German and in
English: the list (plain, filtered, empty), a notice for a visitor, for a partner who may
express interest (and its form's errors), for the owner with pending and accepted interests,
the forms to post, edit and renew, and "my notices and interests"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    alliance,
    browser,
    login,
    page,
    problems_here,
    sweep,
    unlinked_errors,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


@pytest.fixture
def search(alliance):  # noqa: F811
    """A notice of the home organisation for its project, with a pending and an accepted
    interest of two partners, and a person of a third partner who has not answered yet."""
    from stadtallianz.accounts.models import User
    from stadtallianz.partnering import services
    from stadtallianz.partners.models import Membership
    from stadtallianz.projects import services as project_services

    now = timezone.now()
    project = project_services.create_project(
        actor=alliance.admin, organisation=alliance.home,
        data={"title_de": "Quartiersbus", "title_en": "Neighbourhood bus", "phase": "concept"})
    notice = services.notice_create(actor=alliance.admin, organisation=alliance.home, data={
        "title_de": "Partner für Fahrgastdaten gesucht",
        "description_de": "## Ziel\n\nWeniger **Autos** im Quartier.",
        "capabilities_sought_de": "Fahrgastzählung", "project": project,
        "roles_sought": ["partner", "associated"], "wanted_types": ["research"],
        "deadline": timezone.localdate() + timedelta(days=20),
        "expires_on": timezone.localdate() + timedelta(days=60)},
        focus_areas=[alliance.focus_area])
    people = []
    for index, organisation in enumerate(alliance.partners[:3]):
        person = User.objects.create_user(f"p{index}@example.org", PASSWORD,
                                          full_name=f"Person {index}", email_confirmed_at=now)
        Membership.objects.create(organisation=organisation, user=person,
                                  role=Membership.Role.ADMIN)
        people.append(person)
    pending = services.interest_create(actor=people[0], notice=notice,
                                       organisation=alliance.partners[0],
                                       message="Wir zählen Fahrgäste.")
    accepted = services.interest_create(actor=people[1], notice=notice,
                                        organisation=alliance.partners[1],
                                        message="Wir werten Daten aus.")
    services.interest_answer(actor=alliance.admin, interest=accepted, accept=True)
    return {"notice": notice, "pending": pending, "newcomer": people[2],
            "interested": people[1]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_visitors_pages(page, live_server, alliance, search, language):  # noqa: F811
    notice = search["notice"]
    paths = ["/partner-search/", "/partner-search/?wanted_type=research&role=partner",
             "/partner-search/?wanted_type=chamber", f"/partner-search/{notice.pk}/"]
    assert sweep(page, live_server.url, language, paths) == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_owners_pages(page, live_server, alliance, search, language):  # noqa: F811
    notice = search["notice"]
    login(page, live_server, alliance.admin.email, PASSWORD, language)
    paths = [f"/partner-search/{notice.pk}/", "/partner-search/new/",
             f"/partner-search/{notice.pk}/edit/", f"/partner-search/{notice.pk}/renew/",
             "/partner-search/mine/", "/partner-search/?state=all"]
    assert sweep(page, live_server.url, language, paths) == {}
    # The form's errors are linked to their fields and pass axe.
    page.goto(f"{live_server.url}/{language}/partner-search/new/")
    page.fill("#id_title_de", "")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert problems_here(page, status=None) == {}
    assert unlinked_errors(page, ["title_de"]) == {}
    # A group of checkboxes: its fieldset names the error (read when the group is entered).
    fieldset = page.locator("main fieldset:has([name=roles_sought])")
    described_by = (fieldset.get_attribute("aria-describedby") or "").split()
    assert any("errorlist" in (page.locator(f"[id='{id_}']").get_attribute("class") or "")
               for id_ in described_by)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_interested_partners_pages(page, live_server, alliance, search,  # noqa: F811
                                       language):
    notice = search["notice"]
    login(page, live_server, search["newcomer"].email, PASSWORD, language)
    assert sweep(page, live_server.url, language,
                 [f"/partner-search/{notice.pk}/", "/partner-search/mine/"]) == {}
    page.goto(f"{live_server.url}/{language}/partner-search/{notice.pk}/")
    page.locator("main form:has(#id_message) button[type=submit]").click()
    page.wait_for_load_state("load")
    assert problems_here(page, status=None) == {}
    assert unlinked_errors(page, ["message"]) == {}
    page.context.clear_cookies()
    login(page, live_server, search["interested"].email, PASSWORD, language)
    assert sweep(page, live_server.url, language,
                 [f"/partner-search/{notice.pk}/", "/partner-search/mine/"]) == {}
