"""axe-core in a real Chromium finds no serious or critical WCAG 2.1 A/AA violation, and the
browser no Content Security Policy violation, on the notification pages: the list (with read and
unread notifications, and the header badge), the e-mail settings, and the unsubscribe pages (ask,
done, invalid link), in German and in English. Marking one as read works by keyboard (htmx)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, axe_violations, login, sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


@pytest.fixture
def notifications(alliance):
    from stadtallianz.notifications.models import Notification

    for n in range(3):
        Notification.objects.create(
            recipient=alliance.member, kind="test", key=f"test:{n}",
            subject=f"Neuer Beitrag {n} in „Radwege am Ring“", body="Hallo",
            url="/de/working-groups/")
    Notification.objects.filter(key="test:0").update(read_at="2026-01-01T00:00:00Z")
    return alliance.member


@pytest.mark.parametrize("language", LANGUAGES)
def test_notification_pages(page, live_server, notifications, language):
    login(page, live_server, notifications.email, PASSWORD, language)
    problems = sweep(page, live_server.url, language,
                     ["/notifications/", "/notifications/settings/"])
    assert problems == {}, problems
    assert page.csp_violations == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_unsubscribe_pages(page, live_server, notifications, language):
    from stadtallianz.notifications.services import unsubscribe_token

    path = f"/notifications/unsubscribe/{unsubscribe_token(notifications)}/"
    problems = sweep(page, live_server.url, language, [path])
    assert problems == {}, problems
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("main h1").inner_text() in {"Abbestellt", "Unsubscribed"}
    assert axe_violations(page) == []
    # A broken link answers 400 with a page that explains it.
    response = page.goto(f"{live_server.url}/{language}/notifications/unsubscribe/x:y/")
    assert response.status == 400
    assert axe_violations(page) == []
    assert page.csp_violations == []


def test_mark_as_read_by_keyboard(page, live_server, notifications):
    login(page, live_server, notifications.email, PASSWORD, "de")
    page.goto(f"{live_server.url}/de/notifications/")
    assert page.locator("li.notification-unread").count() == 2
    page.evaluate("window.notStarted = true")  # gone if the page were loaded anew
    button = page.locator("li.notification-unread button").first
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("li.notification-unread")).to_have_count(1)
    assert page.evaluate("window.notStarted") is True  # htmx swapped the item in place
    assert page.locator("#nav-notifications .badge").inner_text().startswith("1")
    # Focus stays on the item that was marked, not back at the top of the page.
    expect(page.locator("li.notification:focus")).to_have_count(1)
