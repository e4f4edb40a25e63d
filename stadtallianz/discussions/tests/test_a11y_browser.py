"""axe-core in a real Chromium finds no serious or critical WCAG 2.1 A/AA violation, and the
browser no Content Security Policy violation, on the discussion pages: the thread list and a
thread page for a visitor, and for the lead (with the reply form, moderation links and a hidden
post) the thread page, new-thread, edit, report, hide and moderation pages, in both languages."""

import pytest

from tests.browser.conftest import (  # noqa: F401 - shared fixtures
    PASSWORD,
    alliance,
    browser,
    login,
    page,
    sweep,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


@pytest.fixture
def discussion(alliance):  # noqa: F811
    """A group led by the partner admin with a member; a pinned public thread with a reply, a
    hidden post and an open report, and a members-only thread."""
    from stadtallianz.discussions import services
    from stadtallianz.discussions.models import Thread
    from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

    group = WorkingGroup.objects.create(slug="mobilitaet", name_de="Mobilität der Zukunft",
                                        name_en="Future mobility")
    group.focus_areas.add(alliance.focus_area)
    GroupMembership.objects.create(group=group, user=alliance.admin,
                                   role=GroupMembership.Role.LEAD)
    GroupMembership.objects.create(group=group, user=alliance.member)
    thread = services.thread_create(
        group=group, title="Radwege am Ring", visibility=Thread.Visibility.PUBLIC,
        by=alliance.member, body="## Vorschlag\n\nWer macht **mit**? @[Andreas Lammers]")
    services.thread_pin(thread=thread, pinned=True, by=alliance.admin)
    reply = services.post_reply(thread=thread, body="Ich bin dabei.", by=alliance.admin)
    services.post_edit(post=reply, body="Ich bin gern dabei.", by=alliance.admin)
    spam = services.post_reply(thread=thread, body="Billige Angebote!", by=alliance.member)
    services.post_report(post=spam, reason="Werbung", by=alliance.citizen)
    hidden = services.post_reply(thread=thread, body="Unfreundlich", by=alliance.member)
    services.post_hide(post=hidden, reason="Ton", by=alliance.admin)
    services.thread_create(group=group, title="Interne Planung", body="Nur für uns.",
                           visibility=Thread.Visibility.MEMBERS, by=alliance.member)
    return {"thread": thread, "reply": reply, "spam": spam}


@pytest.mark.parametrize("language", LANGUAGES)
def test_discussion_pages_of_a_visitor(page, live_server, discussion, language):  # noqa: F811
    thread = discussion["thread"]
    paths = ["/working-groups/mobilitaet/discussions/",
             f"/working-groups/mobilitaet/discussions/{thread.pk}/"]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_discussion_pages_of_a_lead(page, live_server, alliance, discussion,  # noqa: F811
                                    language):
    login(page, live_server, alliance.admin.email, PASSWORD, language)
    base = "/working-groups/mobilitaet/discussions/"
    thread, reply, spam = discussion["thread"], discussion["reply"], discussion["spam"]
    paths = [base, f"{base}{thread.pk}/", f"{base}new/", f"{base}moderation/",
             f"{base}{thread.pk}/posts/{reply.pk}/edit/",
             f"{base}{thread.pk}/posts/{spam.pk}/report/",
             f"{base}{thread.pk}/posts/{spam.pk}/hide/"]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems
