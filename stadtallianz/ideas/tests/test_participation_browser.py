"""The participation part of an idea page (support, follow, comments with replies, a hidden
comment, moderation links) and the moderation pages in a real browser: axe-core finds no
serious or critical problem and the strict Content Security Policy blocks nothing, in German
and English; commenting and supporting work by keyboard, with htmx swapping the part in place."""

import pytest

from conftest import DEMO_PASSWORD
from stadtallianz.ideas import moderation
from stadtallianz.ideas.models import Comment, Support
from stadtallianz.ideas.participation import services as participation
from tests.browser.conftest import axe_violations, browser, login, page  # noqa: F401

from .participation_fixtures import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def discussed(idea, citizen, partner_member, coordinator):
    top = participation.comment_create(idea=idea, body="Eine **gute** Idee.", by=citizen)
    participation.comment_create(idea=idea, body="Finde ich auch.", by=partner_member,
                                 parent=top)
    rude = participation.comment_create(idea=idea, body="Unhöflich", by=partner_member)
    participation.comment_edit(comment=top, body="Eine **sehr gute** Idee.", by=citizen)
    moderation.hide_comment(comment=rude, reason="Beleidigung", by=coordinator)
    moderation.report(idea=idea, comment=top, reason="Werbung?", by=partner_member)
    moderation.report(idea=idea, reason="Doppelt", by=partner_member)
    participation.support(idea=idea, by=citizen)
    return top


@pytest.mark.parametrize("language", ["de", "en"])
def test_idea_participation_and_moderation_pages_are_accessible(page, live_server, idea,  # noqa: F811
                                                                discussed, coordinator,
                                                                language):
    login(page, live_server, coordinator.email, DEMO_PASSWORD, language)
    base = f"{live_server.url}/{language}"
    paths = [f"/ideas/{idea.pk}/", "/ideas/moderation/", f"/ideas/{idea.pk}/hide/",
             f"/ideas/{idea.pk}/comments/{discussed.pk}/hide/"]
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1
        assert axe_violations(page) == [], path
    # The hide form with its error linked to the field.
    page.goto(base + f"/ideas/{idea.pk}/hide/")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#id_reason[aria-invalid=true]").count() == 1
    assert axe_violations(page) == []
    assert page.csp_violations == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_citizen_pages_are_accessible(page, live_server, idea, discussed, citizen,  # noqa: F811
                                      language):
    login(page, live_server, citizen.email, DEMO_PASSWORD, language)
    base = f"{live_server.url}/{language}"
    for path in (f"/ideas/{idea.pk}/", f"/ideas/{idea.pk}/report/",
                 f"/ideas/{idea.pk}/comments/{discussed.pk}/edit/"):
        response = page.goto(base + path)
        assert response.status == 200, path
        assert axe_violations(page) == [], path
    assert page.csp_violations == []


def test_visitor_idea_page_is_accessible(page, live_server, idea, discussed):  # noqa: F811
    page.goto(f"{live_server.url}/de/ideas/{idea.pk}/")
    assert page.locator("#idea-comments").count() == 1
    assert axe_violations(page) == []
    assert page.csp_violations == []


def test_comment_and_support_by_keyboard_with_htmx(page, live_server, idea, partner_member):  # noqa: F811
    login(page, live_server, partner_member.email, DEMO_PASSWORD, "de")
    page.goto(f"{live_server.url}/de/ideas/{idea.pk}/")
    page.focus("#idea-comments textarea[name=body]")
    page.keyboard.type("Per Tastatur geschrieben")
    page.keyboard.press("Tab")  # past the help text to the button
    page.keyboard.press("Enter")
    page.wait_for_selector("#idea-comments .participation-status")
    assert "Per Tastatur geschrieben" in page.locator("#idea-comments").inner_text()
    assert Comment.objects.filter(body="Per Tastatur geschrieben").exists()
    page.focus("#idea-participation-actions button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#idea-participation-actions .participation-status")
    assert Support.objects.filter(user=partner_member).exists()
    assert "1 Unterstützung" in page.locator("#idea-participation-actions").inner_text()
    assert axe_violations(page) == []
    assert page.csp_violations == []
