"""The search page in a real Chromium: axe-core finds no serious or critical WCAG 2.1 A/AA
violation and the browser no Content Security Policy violation, with results (snippets with
<mark>, type labels, pagination), without results, empty and with an invalid input, in German
and in English; the header's search field works with the keyboard alone, and the type filter
updates the results in place."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, login, problems_here, sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


@pytest.fixture
def searchable(alliance):
    """A group with a public and a members-only thread and an event, all about cycle lanes,
    and 25 partners offering "Radwege" data (two pages of results). Indexed after each commit,
    as in production."""
    from django.utils import timezone

    from stadtallianz.discussions.models import Post, Thread
    from stadtallianz.events.models import Event
    from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

    group = WorkingGroup.objects.create(
        slug="radverkehr", name_de="Radverkehr", name_en="Cycling",
        description_de="Sichere **Radwege** für alle.", description_en="Safe cycle lanes.")
    group.focus_areas.add(alliance.focus_area)
    GroupMembership.objects.create(group=group, user=alliance.member)
    now = timezone.now()
    thread = Thread.objects.create(group=group, title="Radwege am Ring", author=alliance.member,
                                   visibility=Thread.Visibility.PUBLIC, last_activity_at=now)
    Post.objects.create(thread=thread, author=alliance.member,
                        body="Die neuen Radwege <script>x</script> sind zu schmal.")
    secret = Thread.objects.create(group=group, title="Radwege intern", author=alliance.member,
                                   visibility=Thread.Visibility.MEMBERS, last_activity_at=now)
    Post.objects.create(thread=secret, author=alliance.member, body="Nur für Mitglieder.")
    start = now + timedelta(days=3)
    Event.objects.create(group=group, slug="radtour", title_de="Radtour über neue Radwege",
                         title_en="Ride along the new cycle lanes", starts_at=start,
                         ends_at=start + timedelta(hours=2))
    for partner in alliance.partners[:25]:
        partner.description_de = f"{partner.description_de} Wir zählen Radwege.".strip()
        partner.save()
    return group


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_page_states_are_accessible(page, live_server, searchable, language):
    paths = ["/search/", "/search/?q=Radwege", "/search/?q=Radwege&page=2",
             "/search/?q=Radwege&type=thread", "/search/?q=Zzyzxwort",
             "/search/?q=Radwege&type=unknown"]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems
    page.goto(f"{live_server.url}/{language}/search/?q=Radwege&type=thread")
    assert page.locator(".search-result").count() == 1
    assert page.locator(".snippet mark").first.inner_text() == "Radwege"
    assert "<script>" in page.locator(".snippet").first.inner_text()  # shown as text


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_sees_the_members_only_thread(page, live_server, alliance, searchable, language):
    login(page, live_server, alliance.member.email, PASSWORD, language)
    problems = sweep(page, live_server.url, language, ["/search/?q=Radwege&type=thread"])
    assert problems == {}, problems
    assert page.locator(".search-result").count() == 2


def test_header_search_with_the_keyboard_and_filter_in_place(page, live_server, searchable):
    page.goto(f"{live_server.url}/de/")
    page.locator("#header-search-q").focus()
    page.keyboard.type("Radwege")
    page.keyboard.press("Enter")
    page.wait_for_url("**/de/search/?q=Radwege")
    assert page.locator(".search-result").count() == 20
    # The type filter updates the results region by htmx (no page load) and the address.
    page.select_option("#id_type", "event")
    expect(page.locator(".search-result")).to_have_count(1)
    page.wait_for_url("**type=event**")
    assert page.locator(".search-result h2").inner_text() == "Radtour über neue Radwege"
    assert problems_here(page) == {}
