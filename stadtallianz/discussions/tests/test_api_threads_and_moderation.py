"""Discussions through the API: start a thread, reply, edit one's own post (history kept),
report; pin, unpin and hide for moderators. Every endpoint for every role, denied paths first;
members-only threads are 404 to everyone outside the group, on every path."""

import pytest
from django.test import Client

from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import field_errors, query_count
from stadtallianz.discussions import services
from stadtallianz.discussions.models import Post, PostReport, PostRevision, Thread
from stadtallianz.discussions.tests.fixtures import *  # noqa: F403 - public and private thread
from stadtallianz.workinggroups.models import WorkingGroup
from stadtallianz.workinggroups.tests.api_fixtures import *  # noqa: F403 - the shared people and group
from stadtallianz.workinggroups.tests.api_fixtures import ROLES

pytestmark = pytest.mark.django_db
URL = "/api/v1/discussions"
INSIDERS = {"member", "lead", "coordinator"}
MODERATORS = {"lead", "coordinator"}


def first_post(thread) -> Post:
    return thread.posts.order_by("pk").first()


def _writes(thread):
    """Each write endpoint on one thread with a valid body."""
    post = first_post(thread)
    return [
        ("POST", f"{URL}/threads/{thread.pk}/posts", {"body": "Eine Antwort"}),
        ("PATCH", f"{URL}/posts/{post.pk}", {"body": "Neuer Text"}),
        ("GET", f"{URL}/posts/{post.pk}/revisions", None),
        ("POST", f"{URL}/posts/{post.pk}/report", {"reason": "Unpassend"}),
        ("POST", f"{URL}/threads/{thread.pk}/pin", None),
        ("POST", f"{URL}/threads/{thread.pk}/unpin", None),
        ("POST", f"{URL}/posts/{post.pk}/hide", {"reason": "Spam"}),
    ]


# --- Members-only threads: 404 outside the group, on every path --------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r not in INSIDERS])
def test_a_members_only_thread_is_404_to_everyone_outside_the_group(call, key_for,
                                                                    private_thread, role):
    key = key_for(role)
    for method, path, body in _writes(private_thread):
        response = call(method, path, body, key=key)
        assert response.status_code == (401 if role is None else 404), (method, path)
        assert "Nur für uns" not in response.content.decode()
    post = first_post(private_thread)
    assert post.body == "Nur für uns." and not post.is_hidden
    assert not PostReport.objects.exists() and not Thread.objects.filter(pinned=True).exists()
    assert Post.objects.count() == 1


# --- Starting threads --------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    (None, 401), ("citizen", 403), ("partner_member", 403), ("partner_admin", 403),
    ("outsider", 403), ("member", 201), ("lead", 201), ("coordinator", 201)])
def test_members_start_threads(call, key_for, group, role, status):
    response = call("POST", f"{URL}/groups/{group.slug}/threads",
                    {"title": "Neue Idee", "body": "**Lastenräder** für alle"}, key=key_for(role))
    assert response.status_code == status, response.content
    assert Thread.objects.filter(title="Neue Idee").exists() == (status == 201)
    if status == 201:
        body = response.json()
        assert body["visibility"] == "members" and body["post_count"] == 1
        assert AuditEntry.objects.filter(action="discussion.thread.created").count() == 1


def test_a_public_thread_and_its_first_post(call, key_for, group):
    response = call("POST", f"{URL}/groups/{group.slug}/threads",
                    {"title": "Offen", "body": "Hallo", "visibility": "public"},
                    key=key_for("member"))
    thread = Thread.objects.get(pk=response.json()["id"])
    assert thread.is_public and first_post(thread).body == "Hallo"


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "", "body": "x"}, "title"), ({"title": "x" * 201, "body": "x"}, "title"),
    ({"title": "T", "body": ""}, "body"), ({"title": "T", "body": "x" * 20001}, "body"),
    ({"title": "   ", "body": "x"}, "title"), ({"title": "T", "body": "  "}, "body"),
    ({"title": "T", "body": "x", "visibility": "secret"}, "visibility"),
    ({"body": "x"}, "title")])
def test_a_bad_thread_is_422_naming_the_field(call, key_for, group, body, field):
    response = call("POST", f"{URL}/groups/{group.slug}/threads", body, key=key_for("member"))
    assert field in field_errors(response)
    assert not Thread.objects.exists()


def test_an_archived_group_takes_no_new_threads(call, key_for, group):
    WorkingGroup.objects.filter(pk=group.pk).update(state=WorkingGroup.State.ARCHIVED)
    response = call("POST", f"{URL}/groups/{group.slug}/threads", {"title": "T", "body": "x"},
                    key=key_for("member"))
    assert response.status_code == 403


def test_a_thread_in_an_unknown_group_is_404(call, key_for):
    response = call("POST", f"{URL}/groups/nope/threads", {"title": "T", "body": "x"},
                    key=key_for("coordinator"))
    assert response.status_code == 404


# --- Replies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    (None, 401), ("citizen", 403), ("partner_admin", 403), ("outsider", 403),
    ("member", 201), ("lead", 201), ("coordinator", 201)])
def test_members_reply_in_a_public_thread(call, key_for, public_thread, role, status):
    response = call("POST", f"{URL}/threads/{public_thread.pk}/posts", {"body": "Ich!"},
                    key=key_for(role))
    assert response.status_code == status
    assert public_thread.posts.count() == (2 if status == 201 else 1)


def test_a_reply_is_rendered_safely(call, key_for, private_thread):
    response = call("POST", f"{URL}/threads/{private_thread.pk}/posts",
                    {"body": "<script>alert(1)</script>**fett**"}, key=key_for("lead"))
    assert response.status_code == 201
    assert "<script" not in response.json()["body_html"]
    assert "<strong>fett</strong>" in response.json()["body_html"]


def test_an_empty_reply_is_422(call, key_for, public_thread):
    response = call("POST", f"{URL}/threads/{public_thread.pk}/posts", {"body": " "},
                    key=key_for("member"))
    assert field_errors(response) == {"body"}


# --- Editing one's own post --------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    (None, 401), ("citizen", 403), ("outsider", 403), ("lead", 403), ("coordinator", 403),
    ("member", 200)])
def test_only_the_author_edits_a_post(call, key_for, public_thread, role, status):
    post = first_post(public_thread)
    response = call("PATCH", f"{URL}/posts/{post.pk}", {"body": "Geändert"}, key=key_for(role))
    assert response.status_code == status
    post.refresh_from_db()
    assert (post.body == "Geändert") == (status == 200)


def test_an_edit_keeps_the_earlier_text(call, key_for, public_thread):
    post = first_post(public_thread)
    key = key_for("member")
    response = call("PATCH", f"{URL}/posts/{post.pk}", {"body": "Zweite Fassung"}, key=key)
    assert response.json()["edited_at"] is not None
    call("PATCH", f"{URL}/posts/{post.pk}", {"body": "Dritte Fassung"}, key=key)
    revisions = call("GET", f"{URL}/posts/{post.pk}/revisions", key=key).json()
    assert [r["body"] for r in revisions["items"]] == ["Zweite Fassung", "Wer macht mit?"]
    assert PostRevision.objects.filter(post=post).count() == 2


@pytest.mark.parametrize(("role", "status"), [
    (None, 401), ("citizen", 403), ("outsider", 403), ("member", 200), ("lead", 200),
    ("coordinator", 200)])
def test_the_author_and_moderators_see_earlier_texts(call, key_for, public_thread, role, status):
    post = first_post(public_thread)
    services.post_edit(post=post, body="Neu", by=post.author)
    response = call("GET", f"{URL}/posts/{post.pk}/revisions", key=key_for(role))
    assert response.status_code == status


def test_a_hidden_post_is_no_longer_edited_and_its_history_is_for_moderators(
        call, key_for, public_thread, lead):
    post = first_post(public_thread)
    services.post_edit(post=post, body="Neu", by=post.author)
    services.post_hide(post=post, reason="Spam", by=lead)
    key = key_for("member")
    assert call("PATCH", f"{URL}/posts/{post.pk}", {"body": "x"}, key=key).status_code == 403
    assert call("GET", f"{URL}/posts/{post.pk}/revisions", key=key).status_code == 403
    assert call("GET", f"{URL}/posts/{post.pk}/revisions",
                key=key_for("lead")).status_code == 200


def test_the_revisions_query_count_does_not_grow(client_for, member, public_thread):
    post = first_post(public_thread)
    client = client_for(member)
    path = f"{URL}/posts/{post.pk}/revisions"
    services.post_edit(post=post, body="1", by=member)
    few = query_count(client.get, path)
    for n in range(10):
        services.post_edit(post=post, body=f"Fassung {n}", by=member)
    assert query_count(client.get, path) == few


def test_an_empty_edit_is_422(call, key_for, public_thread):
    post = first_post(public_thread)
    response = call("PATCH", f"{URL}/posts/{post.pk}", {"body": ""}, key=key_for("member"))
    assert field_errors(response) == {"body"}


# --- Reports -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    (None, 401), ("citizen", 201), ("partner_member", 201), ("outsider", 201), ("member", 201),
    ("lead", 201), ("coordinator", 201)])
def test_everyone_logged_in_reports_a_visible_post(call, key_for, public_thread, role, status):
    post = first_post(public_thread)
    response = call("POST", f"{URL}/posts/{post.pk}/report", {"reason": "Beleidigend"},
                    key=key_for(role))
    assert response.status_code == status
    assert PostReport.objects.filter(post=post).exists() == (status == 201)


def test_a_hidden_post_cannot_be_reported(call, key_for, public_thread, lead):
    post = first_post(public_thread)
    services.post_hide(post=post, reason="Spam", by=lead)
    response = call("POST", f"{URL}/posts/{post.pk}/report", {"reason": "x"},
                    key=key_for("citizen"))
    assert response.status_code == 404


def test_a_report_without_a_reason_is_422(call, key_for, public_thread):
    post = first_post(public_thread)
    response = call("POST", f"{URL}/posts/{post.pk}/report", {"reason": ""},
                    key=key_for("citizen"))
    assert field_errors(response) == {"reason"}


# --- Moderation --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r not in MODERATORS])
def test_no_one_but_moderators_pins_or_hides(call, key_for, public_thread, role):
    post = first_post(public_thread)
    key = key_for(role)
    for path, body in [(f"{URL}/threads/{public_thread.pk}/pin", None),
                       (f"{URL}/threads/{public_thread.pk}/unpin", None),
                       (f"{URL}/posts/{post.pk}/hide", {"reason": "Spam"})]:
        assert call("POST", path, body, key=key).status_code == (401 if role is None else 403)
    public_thread.refresh_from_db()
    post.refresh_from_db()
    assert not public_thread.pinned and not post.is_hidden


@pytest.mark.parametrize("role", sorted(MODERATORS))
def test_moderators_pin_unpin_and_hide(call, key_for, private_thread, role, citizen):
    key = key_for(role)
    post = first_post(private_thread)
    PostReport.objects.create(post=post, reporter=citizen, reason="x")
    assert call("POST", f"{URL}/threads/{private_thread.pk}/pin", key=key).json()["pinned"]
    assert not call("POST", f"{URL}/threads/{private_thread.pk}/unpin",
                    key=key).json()["pinned"]
    response = call("POST", f"{URL}/posts/{post.pk}/hide", {"reason": "Off topic"}, key=key)
    assert response.status_code == 200
    assert response.json()["hidden"] and response.json()["body"] is None
    post.refresh_from_db()
    assert post.hidden_reason == "Off topic"
    assert not PostReport.objects.filter(state=PostReport.State.OPEN).exists()
    assert {"discussion.thread.pinned", "discussion.thread.unpinned", "discussion.post.hidden"} \
        <= set(AuditEntry.objects.values_list("action", flat=True))


@pytest.mark.parametrize("reason", ["", "x" * 501])
def test_hiding_needs_a_short_reason(call, key_for, public_thread, reason):
    post = first_post(public_thread)
    response = call("POST", f"{URL}/posts/{post.pk}/hide", {"reason": reason},
                    key=key_for("lead"))
    assert field_errors(response) == {"reason"}
    post.refresh_from_db()
    assert not post.is_hidden


def test_a_session_without_the_csrf_token_changes_nothing(public_thread, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(f"{URL}/threads/{public_thread.pk}/posts",
                           data='{"body": "x"}', content_type="application/json")
    assert response.status_code == 403
    assert public_thread.posts.count() == 1


def test_unknown_threads_and_posts_are_404(call, key_for):
    key = key_for("coordinator")
    for method, path, body in [("POST", f"{URL}/threads/999/posts", {"body": "x"}),
                               ("PATCH", f"{URL}/posts/999", {"body": "x"}),
                               ("POST", f"{URL}/posts/999/hide", {"reason": "x"}),
                               ("POST", f"{URL}/threads/999/pin", None)]:
        assert call(method, path, body, key=key).status_code == 404
