"""The API's contract (OpenAPI document, pinned by a snapshot) and its interactive docs page."""

import json
import os
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")


def test_the_openapi_document_matches_the_committed_snapshot(client):
    """Any change to the contract shows up here; rewrite the snapshot with UPDATE_SNAPSHOTS=1
    after checking the change keeps version 1 compatible (docs/api.md)."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    live = response.json()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(live, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                            encoding="utf-8")
    assert live == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_the_openapi_document_lists_every_endpoint(client):
    """The document names each path and method of version 1, and both ways to authenticate."""
    document = client.get("/api/v1/openapi.json").json()
    operations = {(path, method)
                  for path, methods in document["paths"].items() for method in methods}
    assert operations == {
        ("/api/v1/focus-areas", "get"), ("/api/v1/principles", "get"), ("/api/v1/sdgs", "get"),
        ("/api/v1/partners", "get"), ("/api/v1/partners/{slug}", "get"),
        ("/api/v1/partners/{slug}", "patch"), ("/api/v1/partners/{slug}/offers", "post"),
        ("/api/v1/partners/{slug}/offers/{offer_id}", "patch"),
        ("/api/v1/partners/{slug}/offers/{offer_id}", "delete"),
        ("/api/v1/letter-of-intent", "get"), ("/api/v1/letter-of-intent/signatories", "get"),
        ("/api/v1/working-groups", "get"), ("/api/v1/working-groups/{slug}", "get"),
        ("/api/v1/working-groups/{slug}/join", "post"),
        ("/api/v1/working-groups/{slug}/leave", "post"),
        ("/api/v1/discussions/groups/{slug}/threads", "get"),
        ("/api/v1/discussions/threads/{thread_id}", "get"),
        ("/api/v1/discussions/threads/{thread_id}/posts", "get"),
        ("/api/v1/events", "get"), ("/api/v1/events/{slug}", "get"),
        # Notifications: the caller's own list, read marks and e-mail setting.
        ("/api/v1/notifications", "get"), ("/api/v1/notifications/unread-count", "get"),
        ("/api/v1/notifications/read-all", "post"),
        ("/api/v1/notifications/{notification_id}/read", "post"),
        ("/api/v1/notifications/settings", "get"), ("/api/v1/notifications/settings", "put"),
        # Working groups: people, requests, invitations, organisations; the coordinator's changes.
        ("/api/v1/working-groups", "post"), ("/api/v1/working-groups/{slug}", "patch"),
        ("/api/v1/working-groups/{slug}/archive", "post"),
        ("/api/v1/working-groups/{slug}/reactivate", "post"),
        ("/api/v1/working-groups/{slug}/members", "get"),
        ("/api/v1/working-groups/{slug}/members/{membership_id}", "patch"),
        ("/api/v1/working-groups/{slug}/members/{membership_id}", "delete"),
        ("/api/v1/working-groups/{slug}/requests/{membership_id}/approve", "post"),
        ("/api/v1/working-groups/{slug}/requests/{membership_id}/decline", "post"),
        ("/api/v1/working-groups/{slug}/invitations", "post"),
        ("/api/v1/working-groups/{slug}/invitation/accept", "post"),
        ("/api/v1/working-groups/{slug}/invitation/decline", "post"),
        ("/api/v1/working-groups/{slug}/organisations", "post"),
        ("/api/v1/working-groups/{slug}/organisations/{organisation_slug}", "delete"),
        # Discussions: threads, replies, edits with history, reports, moderation.
        ("/api/v1/discussions/groups/{slug}/threads", "post"),
        ("/api/v1/discussions/threads/{thread_id}/posts", "post"),
        ("/api/v1/discussions/threads/{thread_id}/pin", "post"),
        ("/api/v1/discussions/threads/{thread_id}/unpin", "post"),
        ("/api/v1/discussions/posts/{post_id}", "patch"),
        ("/api/v1/discussions/posts/{post_id}/revisions", "get"),
        ("/api/v1/discussions/posts/{post_id}/report", "post"),
        ("/api/v1/discussions/posts/{post_id}/hide", "post"),
        # Events: planning, registration, attendance.
        ("/api/v1/events", "post"), ("/api/v1/events/{slug}", "patch"),
        ("/api/v1/events/{slug}/cancel", "post"),
        ("/api/v1/events/{slug}/registration", "post"),
        ("/api/v1/events/{slug}/registration", "delete"),
        ("/api/v1/events/{slug}/attendees", "get"),
        ("/api/v1/events/feed", "post"), ("/api/v1/events/feed", "delete"),
        # Knowledge exchange: articles and documents with versions.
        ("/api/v1/knowledge/articles", "get"), ("/api/v1/knowledge/articles", "post"),
        ("/api/v1/knowledge/articles/{slug}", "get"),
        ("/api/v1/knowledge/articles/{slug}", "patch"),
        ("/api/v1/knowledge/documents", "get"), ("/api/v1/knowledge/documents", "post"),
        ("/api/v1/knowledge/documents/{document_id}", "get"),
        ("/api/v1/knowledge/documents/{document_id}/versions", "post"),
        # Living labs and their device tokens.
        ("/api/v1/living-labs", "get"), ("/api/v1/living-labs", "post"),
        ("/api/v1/living-labs/{slug}", "get"), ("/api/v1/living-labs/{slug}", "patch"),
        ("/api/v1/living-labs/{slug}/tokens", "get"),
        ("/api/v1/living-labs/{slug}/tokens", "post"),
        ("/api/v1/living-labs/{slug}/tokens/{token_id}/revoke", "post"),
        # Search across every type, with the caller's permissions.
        ("/api/v1/search", "get"),
        # Reference data: the 169 SDG targets.
        ("/api/v1/sdg-targets", "get"),
        # Ideas: submission, versions, co-authors, states; comments, support, follow, moderation.
        ("/api/v1/ideas", "get"),
        ("/api/v1/ideas", "post"),
        ("/api/v1/ideas/export.csv", "get"),
        ("/api/v1/ideas/export.json", "get"),
        ("/api/v1/ideas/{idea_id}", "get"),
        ("/api/v1/ideas/{idea_id}", "patch"),
        ("/api/v1/ideas/{idea_id}/versions", "get"),
        ("/api/v1/ideas/{idea_id}/versions/diff", "get"),
        ("/api/v1/ideas/{idea_id}/coauthors", "post"),
        ("/api/v1/ideas/{idea_id}/coauthors/{coauthor_id}/answer", "post"),
        ("/api/v1/ideas/{idea_id}/coauthors/{coauthor_id}", "delete"),
        ("/api/v1/ideas/{idea_id}/state", "post"),
        ("/api/v1/ideas/{idea_id}/comments", "get"),
        ("/api/v1/ideas/{idea_id}/comments", "post"),
        ("/api/v1/ideas/comments/{comment_id}/replies", "get"),
        ("/api/v1/ideas/comments/{comment_id}", "patch"),
        ("/api/v1/ideas/{idea_id}/participation", "get"),
        ("/api/v1/ideas/{idea_id}/support", "post"),
        ("/api/v1/ideas/{idea_id}/support", "delete"),
        ("/api/v1/ideas/{idea_id}/follow", "post"),
        ("/api/v1/ideas/{idea_id}/follow", "delete"),
        ("/api/v1/ideas/{idea_id}/report", "post"),
        ("/api/v1/ideas/comments/{comment_id}/report", "post"),
        ("/api/v1/ideas/moderation/reports", "get"),
        ("/api/v1/ideas/moderation/reports/{report_id}/close", "post"),
        ("/api/v1/ideas/{idea_id}/hide", "post"),
        ("/api/v1/ideas/{idea_id}/unhide", "post"),
        ("/api/v1/ideas/comments/{comment_id}/hide", "post"),
        ("/api/v1/ideas/comments/{comment_id}/unhide", "post"),
        # Projects: consortium, phases, milestones, updates, results, budget, places, SDGs.
        ("/api/v1/projects", "get"),
        ("/api/v1/projects", "post"),
        ("/api/v1/projects/export.csv", "get"),
        ("/api/v1/projects/export.json", "get"),
        ("/api/v1/projects/map.geojson", "get"),
        ("/api/v1/projects/{slug}", "get"),
        ("/api/v1/projects/{slug}", "patch"),
        ("/api/v1/projects/{slug}/consortium", "get"),
        ("/api/v1/projects/{slug}/consortium", "post"),
        ("/api/v1/projects/{slug}/consortium/{member_id}/accept", "post"),
        ("/api/v1/projects/{slug}/consortium/{member_id}/decline", "post"),
        ("/api/v1/projects/{slug}/consortium/{member_id}", "delete"),
        ("/api/v1/projects/{slug}/milestones", "get"),
        ("/api/v1/projects/{slug}/milestones", "post"),
        ("/api/v1/projects/{slug}/milestones/{part_id}", "put"),
        ("/api/v1/projects/{slug}/milestones/{part_id}", "delete"),
        ("/api/v1/projects/{slug}/updates", "get"),
        ("/api/v1/projects/{slug}/updates", "post"),
        ("/api/v1/projects/{slug}/updates/{part_id}", "put"),
        ("/api/v1/projects/{slug}/updates/{part_id}", "delete"),
        ("/api/v1/projects/{slug}/results", "get"),
        ("/api/v1/projects/{slug}/results", "post"),
        ("/api/v1/projects/{slug}/results/{part_id}", "put"),
        ("/api/v1/projects/{slug}/results/{part_id}", "delete"),
        ("/api/v1/projects/{slug}/budget-lines", "get"),
        ("/api/v1/projects/{slug}/budget-lines", "post"),
        ("/api/v1/projects/{slug}/budget-lines/{part_id}", "put"),
        ("/api/v1/projects/{slug}/budget-lines/{part_id}", "delete"),
        ("/api/v1/projects/{slug}/places", "get"),
        ("/api/v1/projects/{slug}/places", "post"),
        ("/api/v1/projects/{slug}/places/{part_id}", "put"),
        ("/api/v1/projects/{slug}/places/{part_id}", "delete"),
        ("/api/v1/projects/{slug}/sdgs", "get"),
        ("/api/v1/projects/{slug}/sdgs", "post"),
        ("/api/v1/projects/{slug}/sdgs/{part_id}", "put"),
        ("/api/v1/projects/{slug}/sdgs/{part_id}", "delete"),
        ("/api/v1/projects/{slug}/phases", "get"),
        ("/api/v1/projects/{slug}/phases", "post"),
        ("/api/v1/projects/{slug}/phases/{part_id}", "put"),
        ("/api/v1/projects/{slug}/phases/{part_id}", "delete"),
        # Assessments against the eight guiding principles, and the portfolio.
        ("/api/v1/assessments/projects/{slug}", "get"),
        ("/api/v1/assessments/projects/{slug}", "post"),
        ("/api/v1/assessments/{assessment_id}", "get"),
        ("/api/v1/assessments/{assessment_id}/scores", "put"),
        ("/api/v1/assessments/{assessment_id}/submit", "post"),
        ("/api/v1/assessments/{assessment_id}/accept", "post"),
        ("/api/v1/assessments/{assessment_id}/request-changes", "post"),
        ("/api/v1/assessments/portfolio", "get"),
    }
    assert set(document["components"]["securitySchemes"]) == {"ApiTokenAuth", "SessionAuth"}
    assert document["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_works_under_the_strict_content_security_policy(client):
    """The docs page loads only files from this site: no inline script or style, no CDN."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert not re.search(r"https?://", html), "the page names an external origin"
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert " style=" not in html and "<style" not in html
    assert re.search(r"\son[a-z]+=", html) is None, "inline event handler"
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"missing static file {url}"
    assert "/static/core/api/swagger-init.js" in html
    assert "/api/v1/openapi.json" in html


def test_the_docs_init_script_loads_nothing_from_elsewhere():
    """The start-up script of the docs page names no external origin either."""
    source = Path(finders.find("core/api/swagger-init.js")).read_text(encoding="utf-8")
    assert not re.search(r"https?://", source)
