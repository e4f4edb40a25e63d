"""Malformed input on every knowledge page and endpoint answers below 500, on SQLite and
PostgreSQL (which cannot store or compare text with a NUL character)."""

import pytest
from django.test import Client
from django.urls import reverse

from stadtallianz.accounts.models import ApiToken
from stadtallianz.knowledge.models import Article, Document

from .conftest import PDF, upload

pytestmark = pytest.mark.django_db
BAD = ["%00", "a%00b", "x" * 3000, "%3Cscript%3E", "-1", "99999999999999999999"]


@pytest.fixture
def world(group, member, public_article, make_document, lead):
    document = make_document(by=lead, group=group)
    return {"group": group.slug, "article": public_article.slug, "document": document.pk}


def _below_500(client, method, url, **kwargs):
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code < 500, (method, url, response.status_code)
    return response


def test_query_parameters(world, member, client):
    logged_in = Client(raise_request_exception=False)
    logged_in.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    urls = [reverse("knowledge:list"), reverse("knowledge:create"),
            reverse("knowledge:document_create"), "/api/v1/knowledge/articles",
            "/api/v1/knowledge/documents"]
    for caller in (Client(raise_request_exception=False), logged_in):
        for url in urls:
            for name in ("kind", "focus_area", "principle", "sdg", "group", "event", "article",
                         "page", "limit", "offset"):
                for value in BAD:
                    _below_500(caller, "get", f"{url}?{name}={value}")


def test_broken_paths(world, member):
    client = Client(raise_request_exception=False)
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    for path in ["/de/knowledge/%00/", "/de/knowledge/a%00b/edit/",
                 "/de/knowledge/documents/99999999999999999999/",
                 "/de/knowledge/documents/1/versions/99999999999999999999/download/",
                 "/api/v1/knowledge/articles/%00", "/api/v1/knowledge/articles/a%00b",
                 "/api/v1/knowledge/documents/99999999999999999999",
                 "/api/v1/knowledge/documents/abc"]:
        _below_500(client, "get", path)


def test_broken_forms(world, member):
    client = Client(raise_request_exception=False)
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    bodies = [{}, {"title": "\x00", "summary": "a\x00", "body": "\x00", "kind": "\x00",
                   "visibility": "\x00", "focus_areas": ["\x00", "x"], "sdgs": ["99"],
                   "organisations": ["abc"], "co_authors": "\x00@example.org"},
              {"title": "x" * 5000, "language": "fr", "publish": "\x00", "action": "\x00"}]
    for url in [reverse("knowledge:create") + f"?group={world['group']}",
                reverse("knowledge:edit", kwargs={"slug": world["article"]}),
                reverse("knowledge:state", kwargs={"slug": world["article"]}),
                reverse("knowledge:document_create") + f"?group={world['group']}",
                reverse("knowledge:version_create", kwargs={"pk": world["document"]})]:
        for body in bodies:
            _below_500(client, "post", url, data=body)
    _below_500(client, "post", reverse("knowledge:document_create") + f"?group={world['group']}",
               data={"title": "T\x00", "visibility": "public", "file": upload("a.pdf", PDF)})
    assert Article.objects.count() == 1 and Document.objects.count() == 1


def test_broken_api_bodies(world, member):
    _token, key = ApiToken.issue(user=member, name="bad")
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {key}"})
    for body in ['{"title": "\\u0000"}', "not json", "[]", '{"group": "\\u0000", "title": "t",'
                 ' "summary": "s", "body": "b"}', '{"co_authors": ["\\u0000"], "title": "t",'
                 ' "summary": "s", "body": "b", "group": "' + world["group"] + '"}',
                 '{"focus_areas": [1, 2], "sdgs": ["x"], "principles": [99]}']:
        _below_500(client, "post", "/api/v1/knowledge/articles", data=body,
                   content_type="application/json")
        _below_500(client, "patch", f"/api/v1/knowledge/articles/{world['article']}",
                   data=body, content_type="application/json")
    for data in [{}, {"title": "\x00", "group": "\x00"}, {"title": "t", "event": "a\x00b"},
                 {"title": "t", "group": world["group"], "visibility": "\x00"}]:
        _below_500(client, "post", "/api/v1/knowledge/documents",
                   data={**data, "file": upload("a.pdf", PDF)})
    _below_500(client, "post", f"/api/v1/knowledge/documents/{world['document']}/versions",
               data={})
