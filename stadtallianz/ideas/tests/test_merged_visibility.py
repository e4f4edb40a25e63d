"""A merge names another idea (the idea it went into, the ideas merged into it), which may be
hidden later: its title, link and number appear only to those who may see it — on the page, in
the API and in the exports."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from stadtallianz.ideas import moderation, services
from stadtallianz.ideas.models import Idea

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
S = Idea.State
TARGET = "Zielidee Kiwi"
HIDDEN_MERGED = "Versteckt Emu"


def client_of(user):
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def merges(idea, submit, citizen, partner_member, coordinator):
    """`idea` (by writer) and one by partner_member are merged into a target by citizen; the
    partner member's idea is hidden afterwards."""
    target = submit(TARGET, by=citizen)
    other = submit(HIDDEN_MERGED, by=partner_member)
    for merged in (idea, other):
        services.change_state(idea=merged, by=coordinator, state=S.MERGED, merged_into=target)
    moderation.hide_idea(idea=other, reason="Werbung", by=coordinator)
    return target, other


def api_detail(user, idea):
    return client_of(user).get(f"/api/v1/ideas/{idea.pk}").json()


def test_hidden_ideas_merged_into_an_idea_are_listed_only_to_who_may_see_them(
        merges, idea, citizen, partner_member, coordinator, member):
    target, hidden = merges
    for user, sees_hidden in ((None, False), (member, False), (citizen, False),
                              (partner_member, True), (coordinator, True)):
        page = client_of(user).get(target.get_absolute_url()).content.decode()
        assert idea.title in page and idea.get_absolute_url() in page
        assert (HIDDEN_MERGED in page) is sees_hidden, user
        assert (hidden.get_absolute_url() in page) is sees_hidden, user
        expected = {idea.pk, hidden.pk} if sees_hidden else {idea.pk}
        assert set(api_detail(user, target)["merged_ideas"]) == expected, user


def test_the_idea_merged_into_is_named_only_while_the_viewer_may_see_it(
        merges, idea, citizen, partner_member, coordinator):
    target, _hidden = merges
    assert TARGET in client_of(None).get(idea.get_absolute_url()).content.decode()
    assert api_detail(None, idea)["merged_into"] == target.pk
    moderation.hide_idea(idea=target, reason="Doppelt", by=coordinator)
    for user, sees in ((None, False), (partner_member, False), (citizen, True),
                       (coordinator, True)):
        page = client_of(user).get(idea.get_absolute_url()).content.decode()
        assert (TARGET in page) is sees, user
        assert (target.get_absolute_url() in page) is sees, user
        assert api_detail(user, idea)["merged_into"] == (target.pk if sees else None), user


def test_exports_give_the_number_of_a_hidden_merge_target_to_the_coordination_office_only(
        merges, idea, citizen, coordinator):
    target, _hidden = merges
    moderation.hide_idea(idea=target, reason="Doppelt", by=coordinator)
    for user, expected in ((None, None), (citizen, None), (coordinator, target.pk)):
        for path in ("/api/v1/ideas/export.json", reverse("ideas:export_json")):
            response = client_of(user).get(path)
            rows = json.loads(b"".join(response.streaming_content))
            row = next(r for r in rows if r["id"] == idea.pk)
            assert row["merged_into"] == expected, (user, path)
