"""Hidden content does not leak: a hidden idea (its title and description) and a hidden
comment's text appear on no path for a visitor, a citizen or a partner member — list, detail,
map, API, exports, search, sitemap, notifications and e-mails — while the coordination office
still sees them. Each path is first checked to show the content before it is hidden, so the
test fails if a path stops showing anything at all."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from stadtallianz.ideas import moderation
from stadtallianz.ideas import services as idea_services
from stadtallianz.ideas.models import Idea
from stadtallianz.ideas.participation import services as participation
from stadtallianz.notifications.services import send_pending
from stadtallianz.search.index import reindex
from stadtallianz.search.models import SearchEntry

from .participation_fixtures import *  # noqa: F403

IDEA_TITLE = "Geheimgarten Quokka"
IDEA_TEXT = "Beschreibung Wombat"
COMMENT_TEXT = "Kommentar Kakapo"
SECRETS = (IDEA_TITLE, IDEA_TEXT, COMMENT_TEXT)


def paths(hidden_idea: Idea, commented: Idea) -> list[str]:
    """Every path that lists or shows ideas or comments, in both languages where it has one."""
    result = ["/sitemap.xml",
              "/api/v1/ideas", "/api/v1/ideas?limit=100",
              f"/api/v1/ideas/{hidden_idea.pk}", f"/api/v1/ideas/{commented.pk}",
              f"/api/v1/ideas/{commented.pk}/comments",
              f"/api/v1/ideas/{hidden_idea.pk}/comments",
              "/api/v1/ideas/export.csv", "/api/v1/ideas/export.json",
              "/api/v1/search?q=Quokka", "/api/v1/search?q=Wombat", "/api/v1/search?q=Kakapo"]
    for language in ("de", "en"):
        for name, kwargs in (("ideas:list", {}), ("ideas:map", {}), ("ideas:map_geojson", {}),
                             ("ideas:export_csv", {}), ("ideas:export_json", {}),
                             ("ideas:detail", {"pk": hidden_idea.pk}),
                             ("ideas:detail", {"pk": commented.pk})):
            with translation.override(language):
                result.append(reverse(name, kwargs=kwargs))
        result += [f"/{language}/search/?q=Quokka", f"/{language}/search/?q=Wombat",
                   f"/{language}/search/?q=Kakapo", f"/{language}/notifications/"]
    return result


def seen(client, all_paths) -> dict[str, set[str]]:
    """Which of the secrets each path shows to this client."""
    found = {}
    for path in all_paths:
        response = client.get(path)
        assert response.status_code in (200, 302, 404), (path, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        found[path] = {secret for secret in SECRETS if secret in text}
    return found


@pytest.fixture
def scene(make_idea, group, author, citizen, partner_member, coordinator,
          django_capture_on_commit_callbacks):
    """An idea with a place that will be hidden, and a visible idea with a comment that will be
    hidden; the citizen and the partner member follow both (and are notified)."""
    with django_capture_on_commit_callbacks(execute=True):
        hidden = make_idea(IDEA_TITLE, description=IDEA_TEXT, latitude="51.960000",
                           longitude="7.620000", working_group=group)
        commented = make_idea("Offene Idee", description="Sichtbar")
        for person in (citizen, partner_member):
            participation.follow(idea=hidden, by=person)
            participation.follow(idea=commented, by=person)
        participation.comment_create(idea=hidden, body="Sichtbarer Kommentar", by=citizen)
        comment = participation.comment_create(idea=commented, body=COMMENT_TEXT, by=author)
    reindex(SearchEntry.Type.IDEA, [hidden.pk, commented.pk])
    mail.outbox.clear()
    return hidden, commented, comment


def test_hidden_idea_and_comment_leak_nowhere(scene, client, citizen, partner_member,
                                              coordinator, author,
                                              django_capture_on_commit_callbacks):
    hidden, commented, comment = scene
    all_paths = paths(hidden, commented)
    viewers = {"visitor": client}
    for name, person in (("citizen", citizen), ("partner member", partner_member),
                         ("coordinator", coordinator)):
        viewers[name] = Client()
        viewers[name].force_login(person)

    # Before hiding, every path that shows ideas or comments shows the secrets (the partner
    # member's notifications name the idea the citizen commented on). Paths that carry no
    # text of their own (the map page loads the GeoJSON; comments are not in the search index;
    # the other idea's API answer and the hidden idea's comments) are checked afterwards only.
    before = seen(viewers["partner member"], all_paths)
    textless = {"/de/ideas/map/", "/en/ideas/map/", "/sitemap.xml",
                f"/api/v1/ideas/{commented.pk}", f"/api/v1/ideas/{hidden.pk}/comments",
                "/api/v1/search?q=Kakapo", "/de/search/?q=Kakapo", "/en/search/?q=Kakapo"}
    blind = [path for path, found in before.items() if not found and path not in textless]
    assert blind == [], blind
    hidden_path = f"/ideas/{hidden.pk}/"
    assert hidden_path in client.get("/sitemap.xml").content.decode()

    def assert_no_leaks():
        # The sitemap is cached for ten minutes (config/urls.py); its entry only names the
        # path, which answers 404 at once.
        cache.clear()
        for name in ("visitor", "citizen", "partner member"):
            leaks = {path: found for path, found in seen(viewers[name], all_paths).items()
                     if found}
            assert leaks == {}, (name, leaks)

    with django_capture_on_commit_callbacks(execute=True):
        moderation.hide_idea(idea=hidden, reason="Werbung", by=coordinator)
        moderation.hide_comment(comment=comment, reason="Beleidigung", by=coordinator)
    assert_no_leaks()
    # Changes after hiding notify no one who may not see it; e-mails due are sent.
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.change_state(idea=hidden, by=coordinator, state=Idea.State.DECLINED,
                                   reason="Nicht umsetzbar")
        participation.comment_create(idea=commented, body="Danach", by=coordinator)
    send_pending()
    assert_no_leaks()
    assert hidden_path not in client.get("/sitemap.xml").content.decode()
    for message in mail.outbox:
        if set(message.to) & {citizen.email, partner_member.email}:
            assert not any(secret in message.subject + message.body for secret in SECRETS)

    # The coordination office still sees both: the hidden idea's page and API answer, and the
    # hidden comment's text on the idea page and in the comments' API.
    office = viewers["coordinator"]
    for path in (hidden.get_absolute_url(), f"/api/v1/ideas/{hidden.pk}"):
        assert IDEA_TITLE in office.get(path).content.decode(), path
    for path in (commented.get_absolute_url(), f"/api/v1/ideas/{commented.pk}/comments"):
        assert COMMENT_TEXT in office.get(path).content.decode(), path
    # And so does the author of the hidden idea.
    mine = Client()
    mine.force_login(author)
    assert IDEA_TITLE in mine.get(hidden.get_absolute_url()).content.decode()
