"""Authors of threads and posts are shown by the one rule (accounts.names.shown_name): the
display name to everyone but the coordination office and the person themself, also to the
other members of the group; a deleted account as "former participant"."""

import pytest
from django.urls import reverse

from stadtallianz.accounts.services import account_delete
from stadtallianz.discussions import services

pytestmark = pytest.mark.django_db

REAL, DISPLAY = "Mia Member", "Mia vom Ring"


@pytest.fixture
def thread(public_thread, member, lead):
    member.display_name = DISPLAY
    member.save(update_fields=["display_name"])
    services.post_reply(thread=public_thread, body="Ich mache mit.", by=member)
    return public_thread


def _texts(client, thread):
    slug = thread.group.slug
    return "".join(client.get(url).content.decode() for url in (
        reverse("discussions:thread", kwargs={"slug": slug, "pk": thread.pk}),
        reverse("discussions:list", kwargs={"slug": slug}),
        f"/api/v1/discussions/threads/{thread.pk}",
        f"/api/v1/discussions/threads/{thread.pk}/posts"))


@pytest.mark.parametrize("role", ["citizen", "lead"])
def test_logged_in_people_see_the_display_name(thread, client_for, request, role):
    text = _texts(client_for(request.getfixturevalue(role)), thread)
    assert DISPLAY in text and REAL not in text


def test_the_coordination_office_sees_the_real_name(thread, client_for, coordinator):
    assert REAL in _texts(client_for(coordinator), thread)


def test_a_deleted_author_is_a_former_participant(thread, member, client_for, citizen):
    account_delete(user=member, by=member)
    text = _texts(client_for(citizen), thread)
    assert "ehemals teilnehmende Person" in text
    assert "ehemaliges Mitglied" not in text and "a former member" not in text
    assert '"author": null' not in text
