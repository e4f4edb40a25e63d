"""One rule for the name shown for an author (accounts.names.shown_name): the real name only to
the coordination office and the person themself; visitors and logged-in people alike see the
display name (else "participant 12"); a deleted account is "former participant" everywhere."""

import pytest
from django.urls import reverse

from stadtallianz.accounts.services import account_delete
from stadtallianz.ideas import services
from stadtallianz.ideas.participation import services as participation

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

REAL, DISPLAY = "Wanda Writer", "Radlerin"


@pytest.fixture
def story(idea, writer, citizen):
    writer.display_name = DISPLAY
    writer.save(update_fields=["display_name"])
    services.idea_update(idea=idea, by=writer, base_version=idea.version,
                         data={"title": "Radweg an der Promenade, sicher"})
    participation.comment_create(idea=idea, body="Mein eigener Kommentar.", by=writer)
    return idea


def _pages(client, idea):
    return "".join(client.get(url).content.decode() for url in (
        reverse("ideas:detail", kwargs={"pk": idea.pk}),
        reverse("ideas:versions", kwargs={"pk": idea.pk})))


def _api(api, role, idea):
    send = api(role)
    return "".join(send("get", f"/api/v1/ideas/{idea.pk}{tail}").content.decode()
                   for tail in ("", "/versions", "/comments"))


def test_a_logged_in_citizen_sees_the_display_name_not_the_real_name(story, client_for,
                                                                     citizen, api):
    page = _pages(client_for(citizen), story)
    assert DISPLAY in page and REAL not in page
    answer = _api(api, citizen, story)
    assert DISPLAY in answer and REAL not in answer


def test_visitors_see_the_display_name(story, client, api):
    assert REAL not in _pages(client, story)
    answer = _api(api, None, story)
    assert DISPLAY in answer and REAL not in answer


def test_the_coordination_office_and_the_person_see_the_real_name(story, client_for,
                                                                  coordinator, writer, api):
    for person in (coordinator, writer):
        assert REAL in _pages(client_for(person), story)
    assert REAL in _api(api, coordinator, story)


def test_a_deleted_author_is_the_one_label_everywhere(story, writer, citizen, coordinator,
                                                      client_for, api):
    account_delete(user=writer, by=writer)
    story.refresh_from_db()
    for person in (citizen, coordinator):
        page = _pages(client_for(person), story)
        assert "ehemals teilnehmende Person" in page
        for other in ("Deleted account", "Gelöschtes Konto", "former participant", "–</td>"):
            assert other not in page
    answer = _api(api, citizen, story)
    assert '"author": "ehemals teilnehmende Person"' in answer or \
        '"author": "former participant"' in answer
    assert '"author": null' not in answer
