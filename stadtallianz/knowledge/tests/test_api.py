import json

import pytest

from stadtallianz.accounts.models import ApiToken
from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import query_count
from stadtallianz.knowledge.models import Article, Document, DocumentVersion

from .conftest import EXE, PDF, upload

pytestmark = pytest.mark.django_db
ROLES = [None, "citizen", "partner_member", "other_member", "member", "lead", "coordinator"]
SEES_MEMBERS_ONLY = {"member", "lead", "coordinator"}
BASE = "/api/v1/knowledge"


@pytest.fixture
def api(client, request):
    """api(role) returns (method, path, body=None, **extra) -> response, with a bearer token."""

    def make(role):
        headers = {}
        if role is not None:
            user = request.getfixturevalue(role)
            _token, key = ApiToken.issue(user=user, name="test")
            headers["Authorization"] = f"Bearer {key}"

        def send(method, path, body=None, *, files=None):
            if files is not None:
                return client.post(path, data={**(body or {}), **files}, headers=headers)
            kwargs = {"headers": headers}
            if body is not None:
                kwargs.update(data=json.dumps(body), content_type="application/json")
            return getattr(client, method)(path, **kwargs)

        return send

    return make


def _fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


@pytest.mark.parametrize("role", ROLES)
def test_members_only_article_and_document_absent_for_non_members(
        api, role, members_article, public_article, make_document, group, lead):
    secret = make_document(by=lead, group=group, title="Geheim",
                           visibility=Document.Visibility.MEMBERS)
    open_doc = make_document(by=lead, group=group, title="Offen")
    send = api(role)
    sees = role in SEES_MEMBERS_ONLY
    slugs = {item["slug"] for item in send("get", f"{BASE}/articles").json()["items"]}
    assert (members_article.slug in slugs) == sees and public_article.slug in slugs
    assert send("get", f"{BASE}/articles/{members_article.slug}").status_code == (
        200 if sees else 404)
    ids = {item["id"] for item in send("get", f"{BASE}/documents").json()["items"]}
    assert (secret.pk in ids) == sees and open_doc.pk in ids
    assert send("get", f"{BASE}/documents/{secret.pk}").status_code == (200 if sees else 404)


def test_article_detail_has_rendered_markdown_tags_and_documents(client, make_article, group,
                                                                 member, make_document):
    from stadtallianz.core.models import FocusArea, SustainableDevelopmentGoal

    article = make_article(group, authors=[member], body="**x** <script>alert(1)</script>")
    article.focus_areas.add(FocusArea.objects.active().first())
    article.sdgs.add(SustainableDevelopmentGoal.objects.get(number=11))
    make_document(by=member, article=article, title="Anhang")
    data = client.get(f"{BASE}/articles/{article.slug}").json()
    assert "<strong>x</strong>" in data["body_html"] and "<script" not in data["body_html"]
    assert data["sdgs"] == [{"number": 11, "name": data["sdgs"][0]["name"]}]
    assert data["group"] == group.slug and data["documents"][0]["title"] == "Anhang"
    assert data["authors"] == []  # names only for callers who are logged in
    assert data["web_url"].endswith(article.get_absolute_url())


def test_article_list_filters_and_bad_filters(client, make_article, group):
    make_article(group, kind=Article.Kind.HOWTO, title="Anleitung")
    make_article(None, kind=Article.Kind.REPORT, title="Bericht")
    titles = lambda **q: [i["title"] for i in client.get(f"{BASE}/articles", q).json()["items"]]  # noqa: E731
    assert titles(kind="howto") == ["Anleitung"]
    assert titles(group="alliance") == ["Bericht"]
    assert titles(group=group.slug) == ["Anleitung"]
    assert _fields(client.get(f"{BASE}/articles", {"kind": "poem"})) == {"kind"}
    assert _fields(client.get(f"{BASE}/articles", {"sdg": "18"})) == {"sdg"}
    assert client.get(f"{BASE}/articles/not%20a%20slug").status_code == 404


def test_list_query_counts_do_not_grow(client_for, make_article, make_document, group, member):
    from stadtallianz.core.models import FocusArea

    area = FocusArea.objects.active().first()
    client = client_for(member)

    def add(n):
        for _ in range(n):
            article = make_article(group, authors=[member],
                                   visibility=Article.Visibility.MEMBERS)
            article.focus_areas.add(area)
            make_document(by=member, article=article)
            make_document(by=member, group=group, visibility=Document.Visibility.MEMBERS)

    add(1)
    articles = query_count(client.get, f"{BASE}/articles")
    documents = query_count(client.get, f"{BASE}/documents")
    add(10)
    assert query_count(client.get, f"{BASE}/articles") == articles
    assert query_count(client.get, f"{BASE}/documents") == documents


def test_member_creates_and_publishes_article(api, group, member, member_org, lead):
    from stadtallianz.core.models import FocusArea

    area = FocusArea.objects.active().first()
    send = api("member")
    response = send("post", f"{BASE}/articles", {
        "group": group.slug, "title": "Lastenräder im Quartier", "summary": "Was half.",
        "body": "## Erfahrung\n\nGut.", "kind": "lesson", "visibility": "members",
        "focus_areas": [area.slug], "principles": [4], "sdgs": [11],
        "organisations": [member_org.slug], "co_authors": [lead.email], "publish": True})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "published" and data["visibility"] == "members"
    assert set(data["authors"]) == {"Mia Member", "Lena Lead"}
    assert data["organisations"] == [{"slug": member_org.slug, "name": member_org.name}]
    article = Article.objects.get()
    assert article.published_at and article.group == group
    assert AuditEntry.objects.filter(action="knowledge.article.published").exists()


@pytest.mark.parametrize("role,status", [(None, 401), ("citizen", 403),
                                         ("partner_member", 403), ("other_member", 403),
                                         ("member", 201), ("coordinator", 201)])
def test_who_creates_group_articles(api, role, status, group):
    response = api(role)("post", f"{BASE}/articles", {
        "group": group.slug, "title": "T", "summary": "S", "body": "B"})
    assert response.status_code == status
    assert Article.objects.exists() == (status == 201)


@pytest.mark.parametrize("role,status", [("citizen", 403), ("partner_member", 201)])
def test_who_creates_alliance_articles(api, role, status):
    response = api(role)("post", f"{BASE}/articles", {"title": "T", "summary": "S", "body": "B"})
    assert response.status_code == status


def test_bad_article_input_is_422_naming_the_field(api, group, member_org, make_organisation,
                                                   citizen):
    send = api("member")
    base = {"group": group.slug, "title": "T", "summary": "S", "body": "B"}
    assert _fields(send("post", f"{BASE}/articles", {**base, "title": ""})) == {"title"}
    assert _fields(send("post", f"{BASE}/articles", {**base, "kind": "poem"})) == {"kind"}
    assert _fields(send("post", f"{BASE}/articles", {**base, "group": "nope"})) == {"group"}
    assert _fields(send("post", f"{BASE}/articles", {**base, "sdgs": [99]})) == {"sdgs"}
    assert _fields(send("post", f"{BASE}/articles",
                        {**base, "focus_areas": ["nope"]})) == {"focus_areas"}
    assert _fields(send("post", f"{BASE}/articles",
                        {**base, "co_authors": ["nobody@example.org"]})) == {"co_authors"}
    # A registered person who may not write in the group.
    assert _fields(send("post", f"{BASE}/articles",
                        {**base, "co_authors": ["citizen@example.org"]})) == {"co_authors"}
    stranger = make_organisation("Fremde AG")
    assert _fields(send("post", f"{BASE}/articles",
                        {**base, "organisations": [stranger.slug]})) == {"organisations"}
    assert _fields(send("post", f"{BASE}/articles", {**base, "title": "a\x00b"})) == {"title"}
    assert _fields(api("partner_member")("post", f"{BASE}/articles",
                                         {**base, "group": None, "visibility": "members"})
                   ) == {"visibility"}
    assert not Article.objects.exists()


@pytest.mark.parametrize("role,status", [(None, 401), ("citizen", 403), ("other_member", 403),
                                         ("member", 200), ("lead", 200), ("coordinator", 200)])
def test_who_patches(api, role, status, public_article):
    response = api(role)("patch", f"{BASE}/articles/{public_article.slug}", {"title": "Neu"})
    assert response.status_code == status
    public_article.refresh_from_db()
    assert (public_article.title == "Neu") == (status == 200)


@pytest.mark.parametrize("role,status", [("member", 403), ("lead", 200), ("coordinator", 200)])
def test_only_leads_and_coordinator_unpublish(api, role, status, public_article):
    response = api(role)("patch", f"{BASE}/articles/{public_article.slug}", {"state": "draft"})
    assert response.status_code == status
    public_article.refresh_from_db()
    assert public_article.is_published == (status != 200)


def test_a_refused_state_change_leaves_the_other_changes_unwritten(api, public_article):
    """The author may edit but not unpublish: the 403 writes nothing of the PATCH."""
    response = api("member")("patch", f"{BASE}/articles/{public_article.slug}",
                             {"title": "Neuer Titel", "state": "draft"})
    assert response.status_code == 403
    public_article.refresh_from_db()
    assert public_article.title == "Radwege planen" and public_article.is_published
    assert not AuditEntry.objects.filter(action="knowledge.article.changed").exists()


def test_patch_members_only_article_is_404_for_non_members(api, members_article):
    response = api("other_member")("patch", f"{BASE}/articles/{members_article.slug}",
                                   {"title": "x"})
    assert response.status_code == 404


def test_patch_bad_input(api, public_article):
    send = api("member")
    url = f"{BASE}/articles/{public_article.slug}"
    assert _fields(send("patch", url, {"title": None})) == {"title"}
    assert _fields(send("patch", url, {"visibility": "secret"})) == {"visibility"}


def test_upload_document_and_version_through_the_api(api, group, member, settings):
    send = api("member")
    response = send("post", f"{BASE}/documents",
                    {"title": "Protokoll", "visibility": "members", "group": group.slug},
                    files={"file": upload("protokoll.pdf", PDF)})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["group"] == group.slug and data["latest_version"] == 1
    assert data["versions"][0]["content_type"] == "application/pdf"
    assert data["versions"][0]["uploaded_by"] == "Mia Member"
    response = send("post", f"{BASE}/documents/{data['id']}/versions", {},
                    files={"file": upload("protokoll-2.pdf", PDF + b"%2\n")})
    assert response.status_code == 201
    assert [v["number"] for v in response.json()["versions"]] == [2, 1]
    detail = send("get", f"{BASE}/documents/{data['id']}").json()
    assert detail["versions"][1]["download_url"].endswith(
        f"/knowledge/documents/{data['id']}/versions/1/download/")


def test_bad_uploads_through_the_api(api, group, event, settings):
    send = api("member")
    response = send("post", f"{BASE}/documents", {"title": "X", "group": group.slug},
                    files={"file": upload("x.pdf", EXE)})
    assert _fields(response) == {"file"}
    response = send("post", f"{BASE}/documents",
                    {"title": "X", "group": group.slug, "event": event.slug},
                    files={"file": upload("x.pdf", PDF)})
    assert _fields(response) == {"group"}
    response = send("post", f"{BASE}/documents", {"title": "", "group": group.slug},
                    files={"file": upload("x.pdf", PDF)})
    assert _fields(response) == {"title"}
    response = send("post", f"{BASE}/documents", {"title": "X", "article": "nope"},
                    files={"file": upload("x.pdf", PDF)})
    assert _fields(response) == {"article"}
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    root = settings.PRIVATE_MEDIA_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


@pytest.mark.parametrize("role,status", [(None, 401), ("citizen", 403), ("other_member", 403),
                                         ("member", 201)])
def test_who_uploads_through_the_api(api, role, status, group):
    response = api(role)("post", f"{BASE}/documents", {"title": "X", "group": group.slug},
                         files={"file": upload("x.pdf", PDF)})
    assert response.status_code == status


def test_version_of_invisible_document_is_404(api, group, lead, make_document):
    document = make_document(by=lead, group=group, visibility=Document.Visibility.MEMBERS)
    response = api("other_member")("post", f"{BASE}/documents/{document.pk}/versions", {},
                                   files={"file": upload("x.pdf", PDF)})
    assert response.status_code == 404 and document.versions.count() == 1


def test_session_write_needs_csrf(client_for, group, member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(f"{BASE}/articles", data=json.dumps(
        {"group": group.slug, "title": "T", "summary": "S", "body": "B"}),
        content_type="application/json")
    assert response.status_code == 403 and not Article.objects.exists()
