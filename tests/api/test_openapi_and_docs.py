"""The API's contract (OpenAPI document, pinned by a snapshot) and its interactive docs page."""

import collections
import enum
import json
import os
import re
import typing
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from pydantic import BaseModel

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
        # Joint funding applications: consortium, budgets, checklist, states, grant; pipeline,
        # totals.
        ("/api/v1/funding/applications", "get"),
        ("/api/v1/funding/applications", "post"),
        ("/api/v1/funding/applications/pipeline", "get"),
        ("/api/v1/funding/applications/totals", "get"),
        ("/api/v1/funding/applications/{application_id}", "get"),
        ("/api/v1/funding/applications/{application_id}", "patch"),
        ("/api/v1/funding/applications/{application_id}/transitions", "post"),
        ("/api/v1/funding/applications/{application_id}/grant", "post"),
        ("/api/v1/funding/applications/{application_id}/members", "get"),
        ("/api/v1/funding/applications/{application_id}/members", "post"),
        ("/api/v1/funding/applications/{application_id}/members/{member_id}", "delete"),
        ("/api/v1/funding/applications/{application_id}/budget", "get"),
        ("/api/v1/funding/applications/{application_id}/members/{member_id}/budget", "put"),
        ("/api/v1/funding/applications/{application_id}/checklist", "get"),
        ("/api/v1/funding/applications/{application_id}/checklist", "post"),
        ("/api/v1/funding/applications/{application_id}/checklist/{item_id}", "patch"),
        ("/api/v1/funding/applications/{application_id}/documents", "get"),
        ("/api/v1/funding/applications/{application_id}/documents", "post"),
        ("/api/v1/funding/applications/{application_id}/documents/{link_id}", "delete"),
        # Funding programmes, calls, deadlines, follows.
        ("/api/v1/funding/programmes", "get"),
        ("/api/v1/funding/programmes", "post"),
        ("/api/v1/funding/programmes/{slug}", "get"),
        ("/api/v1/funding/programmes/{slug}", "patch"),
        ("/api/v1/funding/calls", "get"),
        ("/api/v1/funding/calls", "post"),
        ("/api/v1/funding/calls/{slug}", "get"),
        ("/api/v1/funding/calls/{slug}", "patch"),
        ("/api/v1/funding/deadlines", "get"),
        ("/api/v1/funding/follows", "get"),
        ("/api/v1/funding/calls/{slug}/follow", "post"),
        ("/api/v1/funding/calls/{slug}/follow", "delete"),
        ("/api/v1/funding/calls/{slug}/verify", "post"),
        # Partner search: notices, interests, accept or decline.
        ("/api/v1/partner-search", "get"),
        ("/api/v1/partner-search", "post"),
        ("/api/v1/partner-search/{notice_id}", "get"),
        ("/api/v1/partner-search/{notice_id}", "patch"),
        ("/api/v1/partner-search/{notice_id}/renew", "post"),
        ("/api/v1/partner-search/{notice_id}/close", "post"),
        ("/api/v1/partner-search/{notice_id}/interests", "get"),
        ("/api/v1/partner-search/{notice_id}/interests", "post"),
        ("/api/v1/partner-search/{notice_id}/interests/{interest_id}/accept", "post"),
        ("/api/v1/partner-search/{notice_id}/interests/{interest_id}/decline", "post"),
        # Matchmaking: suggestions with reasons, not relevant and undo.
        ("/api/v1/suggestions/projects/{slug}", "get"),
        ("/api/v1/suggestions/calls/{slug}", "get"),
        ("/api/v1/suggestions/notices/{notice_id}", "get"),
        ("/api/v1/suggestions/organisations/{slug}", "get"),
        ("/api/v1/suggestions/dismissals", "post"),
        ("/api/v1/suggestions/dismissals/undo", "post"),
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


def _types_in(annotation):
    """The classes an annotation names (`list[A] | None` names A)."""
    if typing.get_origin(annotation) is None:
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _types_in(argument)


def _schema_classes_of_the_api() -> set[type]:
    """Every Schema and Enum an operation of /api/v1/ takes or answers, nested ones included.
    ninja's own wrappers (its parameter and response models) are looked into, not counted."""
    from config.api import api

    found: set[type] = set()

    def visit(annotation, *, ours=True):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in found:
                return
            if ours:
                found.add(annotation)
            for field in annotation.model_fields.values():
                for inner in _types_in(field.annotation):
                    visit(inner)
        elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            found.add(annotation)

    for bound_router in api._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:  # ninja's Query/Path/Body wrappers
                    visit(model, ours=False)
                for model in operation.response_models.values():  # ninja's response wrapper
                    if isinstance(model, type):
                        visit(model, ours=False)
    return found


def test_every_schema_of_the_api_has_a_name_of_its_own():
    """The document keys schemas by class name, so two classes of one name overwrite each other
    there and a generated client reads one operation's answer with the other's shape."""
    classes = _schema_classes_of_the_api()
    assert len(classes) > 150  # the walk reaches the nested schemas, not only the top ones
    by_name = collections.defaultdict(list)
    for cls in classes:
        by_name[cls.__name__].append(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def test_every_schema_of_the_api_is_in_the_document(client):
    """Each class appears under its own name, with its own fields: none was overwritten."""
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for cls in _schema_classes_of_the_api():
        if issubclass(cls, BaseModel) and cls.__name__ in schemas:
            documented = set(schemas[cls.__name__].get("properties", {}))
            own = [set(cls.model_json_schema(mode=mode, by_alias=by_alias).get("properties", {}))
                   for mode in ("validation", "serialization") for by_alias in (True, False)]
            assert documented in own, cls


def test_every_operation_documents_the_errors_its_shared_layers_give(client):
    """A bad token (401), unparseable body (400), invalid input (422), unknown path (404), a
    session write without CSRF (403) and an anonymous read over the rate limit (429) come from
    shared layers; each operation lists them."""
    document = client.get("/api/v1/openapi.json").json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            expected = {"401"}
            if operation.get("requestBody"):
                expected |= {"400", "422"}
            if "{" in path:
                expected |= {"404", "422"}
            if operation.get("security"):
                expected.add("403")
            if method == "get":
                expected.add("429")
            assert expected <= set(responses), (method, path)
            for status in expected:
                schema = responses[status]["content"]["application/json"]["schema"]
                name = "ValidationErrorOut" if status == "422" else "ErrorOut"
                assert schema == {"$ref": f"#/components/schemas/{name}"}, (method, path, status)


def test_the_version_diff_documents_its_422_as_the_list_it_answers(client, call):
    """`from=0` fails validation; the answer is the list shape the document names (it named a
    string before)."""
    from stadtallianz.ideas.models import Idea  # noqa: F401 - the app's models are loaded

    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/ideas/{idea_id}/versions/diff"]["get"]
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorOut"}
    response = call("GET", "/api/v1/ideas/1/versions/diff?from=0&to=1")
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/ideas/abc", "/api/v1/ideas/1x/follow",
                                  "/api/v1/no-such-thing", "/api/v1/projects/a/b/c/d"])
def test_a_path_no_operation_matches_answers_json(client, method, path):
    """Also with a session cookie and no CSRF token: the JSON 404 of the API, never the site's
    HTML pages (an id that is not a number did not reach ninja)."""
    client.cookies["sessionid"] = "whatever"
    response = getattr(client, method)(path, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("content_type", [
    "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=x"])
def test_an_upload_that_cannot_be_read_is_the_apis_400(client, call, token_for, coordinator,
                                                        content_type):
    """Found by the fuzzing pass: a multipart body without a usable boundary was Django's HTML
    400 page (logged with a traceback); it is the API's JSON 400 like an unparseable JSON body."""
    response = client.post("/api/v1/knowledge/documents", data=b"--x\r\nnothing",
                           content_type=content_type,
                           headers={"Authorization": f"Bearer {token_for(coordinator)}"})
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_the_document_names_no_key_twice(client):
    """JSON with a key twice (a status as 401 and as "401") is refused by Swagger UI's parser,
    and a client reading it keeps one of the two at random."""
    duplicates = []

    def pairs(items):
        keys = [key for key, _value in items]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(items)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=pairs)
    assert duplicates == []
