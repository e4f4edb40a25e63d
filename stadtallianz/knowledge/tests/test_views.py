import pytest
from django.urls import reverse

from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import query_count
from stadtallianz.knowledge import services
from stadtallianz.knowledge.models import Article, Document

from .conftest import PDF, upload

pytestmark = pytest.mark.django_db
ROLES = [None, "citizen", "partner_member", "other_member", "member", "lead", "coordinator"]
SEES_MEMBERS_ONLY = {"member", "lead", "coordinator"}


def _url(name, article):
    return reverse(f"knowledge:{name}", kwargs={"slug": article.slug})


@pytest.mark.parametrize("role", ROLES)
def test_members_only_article_visibility_per_role(as_role, role, members_article,
                                                  public_article):
    """A members-only article is a 404 for everyone but the group's members and the
    coordinator, on its page and in the list; public articles are there for all."""
    client = as_role(role)
    expected = 200 if role in SEES_MEMBERS_ONLY else 404
    assert client.get(_url("article", members_article)).status_code == expected
    listing = client.get(reverse("knowledge:list")).content.decode()
    assert (members_article.title in listing) == (role in SEES_MEMBERS_ONLY)
    assert public_article.title in listing
    assert client.get(_url("article", public_article)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_drafts_only_for_authors_leads_and_coordinator(as_role, role, draft_article):
    """The author is `member`; the group's lead and the coordinator see the draft too."""
    client = as_role(role)
    expected = 200 if role in {"member", "lead", "coordinator"} else 404
    assert client.get(_url("article", draft_article)).status_code == expected
    assert (draft_article.title in client.get(reverse("knowledge:list")).content.decode()) == (
        expected == 200)


def test_draft_of_a_group_is_not_shown_to_a_plain_member(client_for, make_article, group, lead,
                                                         member):
    draft = make_article(group, authors=[lead], published=False, slug="lead-entwurf")
    assert client_for(member).get(_url("article", draft)).status_code == 404


def test_an_author_who_left_the_group_no_longer_reads_or_changes_its_draft(
        client_for, make_article, group, member, lead):
    """Drafts are for the group's authors: after leaving, a members-only draft (which others
    of the group keep writing) is a 404 like any members-only article, and cannot be edited or
    published into the group."""
    from stadtallianz.knowledge import permissions
    from stadtallianz.workinggroups.models import GroupMembership

    draft = make_article(group, authors=[member, lead], published=False, slug="intern-entwurf",
                         visibility=Article.Visibility.MEMBERS)
    GroupMembership.objects.filter(group=group, user=member).delete()
    client = client_for(member)
    assert client.get(_url("article", draft)).status_code == 404
    assert client.get(_url("edit", draft)).status_code == 404
    assert client.post(_url("state", draft), {"action": "publish"}).status_code == 404
    assert draft.title not in client.get(reverse("knowledge:list")).content.decode()
    assert not permissions.can_edit_article(member, draft)
    draft.refresh_from_db()
    assert not draft.is_published
    assert client_for(lead).get(_url("article", draft)).status_code == 200


def test_article_page_renders_sanitised_markdown_tags_and_authors(client, client_for, citizen,
                                                                 make_article, group,
                                                                 member, member_org):
    from stadtallianz.core.models import FocusArea, Principle

    article = make_article(group, authors=[member], slug="md",
                           body="# Titel\n\n**fett** <script>alert(1)</script>\n\n"
                                "[x](javascript:alert(2)) <img src=x onerror=alert(3)>")
    article.organisations.add(member_org)
    area = FocusArea.objects.active().first()
    article.focus_areas.add(area)
    article.principles.add(Principle.objects.first())
    page = client.get(_url("article", article)).content.decode()
    body = page.split('<div class="prose">')[1].split("</div>")[0]
    assert "<strong>fett</strong>" in body and "<h2>Titel</h2>" in body
    # Raw HTML survives only as escaped text, never as a tag or a link.
    assert "<script" not in body and 'href="javascript' not in body and "<img" not in body
    # Visitors see the organisations; names of people only logged-in persons.
    assert member_org.name in page and area.name in page and "Mia Member" not in page
    page = client_for(citizen).get(_url("article", article)).content.decode()
    assert f"Mia Member ({member_org.name})" in page


def test_list_filters(client, make_article, group):
    from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal

    area = FocusArea.objects.active().first()
    tagged = make_article(group, kind=Article.Kind.HOWTO, title="Anleitung Lastenrad")
    tagged.focus_areas.add(area)
    tagged.principles.add(Principle.objects.get(number=4))
    tagged.sdgs.add(SustainableDevelopmentGoal.objects.get(number=11))
    other = make_article(None, title="Bericht Energie", kind=Article.Kind.REPORT)
    for query, shown in [({"kind": "howto"}, True), ({"kind": "report"}, False),
                         ({"focus_area": area.slug}, True),
                         ({"principle": Principle.objects.get(number=4).slug}, True),
                         ({"sdg": "11"}, True), ({"sdg": "7"}, False),
                         ({"group": group.slug}, True), ({"group": "alliance"}, False)]:
        page = client.get(reverse("knowledge:list"), query).content.decode()
        assert (tagged.title in page) == shown, query
        assert (other.title in page) == (query in ({"kind": "report"}, {"group": "alliance"})
                                         ), query


def test_list_ignores_unknown_filter_values_and_bad_pages(client, public_article):
    response = client.get(reverse("knowledge:list"),
                          {"kind": "evil", "sdg": "99", "page": "abc", "group": "x\x00"})
    assert response.status_code == 200
    assert client.get(reverse("knowledge:list"), {"page": "9999"}).status_code == 200


def test_list_is_paginated(client, make_article):
    for n in range(25):
        make_article(None, title=f"Beitrag {n:02d}")
    first = client.get(reverse("knowledge:list")).content.decode()
    second = client.get(reverse("knowledge:list"), {"page": 2}).content.decode()
    assert first.count('class="card article-card"') == 20
    assert second.count('class="card article-card"') == 5


def test_list_query_count_does_not_grow(client_for, make_article, group, member):
    from stadtallianz.core.models import FocusArea

    area = FocusArea.objects.active().first()
    client = client_for(member)

    def add(n):
        for _ in range(n):
            article = make_article(group, visibility=Article.Visibility.MEMBERS)
            article.focus_areas.add(area)

    add(1)
    one = query_count(client.get, reverse("knowledge:list"))
    add(10)
    assert query_count(client.get, reverse("knowledge:list")) == one


def test_group_page_query_count_does_not_grow_with_articles_and_documents(
        client_for, make_article, make_document, group, member):
    client = client_for(member)
    url = group.get_absolute_url()
    make_article(group)
    make_document(by=member, group=group)
    one = query_count(client.get, url)
    for _ in range(5):
        make_article(group)
        make_document(by=member, group=group, visibility=Document.Visibility.MEMBERS)
    assert query_count(client.get, url) == one


@pytest.mark.parametrize("role", ROLES)
def test_group_page_shows_only_visible_articles_and_documents(as_role, role, group,
                                                              members_article, public_article,
                                                              make_document, lead):
    make_document(by=lead, group=group, title="Öffentliches Protokoll")
    make_document(by=lead, group=group, title="Geheimes Protokoll",
                  visibility=Document.Visibility.MEMBERS)
    page = as_role(role).get(group.get_absolute_url()).content.decode()
    assert public_article.title in page and "Öffentliches Protokoll" in page
    assert (members_article.title in page) == (role in SEES_MEMBERS_ONLY)
    assert ("Geheimes Protokoll" in page) == (role in SEES_MEMBERS_ONLY)


# --- Writing -------------------------------------------------------------------------------


def _form(**overrides):
    data = {"title": "Was wir beim Carsharing gelernt haben", "summary": "Kurz gesagt.",
            "body": "## Erfahrungen\n\nViel.", "kind": "lesson", "language": "de",
            "visibility": "public"}
    data.update(overrides)
    return data


def test_member_writes_and_publishes_group_article(client_for, group, member, member_org):
    client = client_for(member)
    url = reverse("knowledge:create") + f"?group={group.slug}"
    assert client.get(url).status_code == 200
    response = client.post(url, _form(organisations=[member_org.pk], publish="1",
                                      visibility="members"))
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert article.group == group and article.is_published and article.published_at
    assert list(article.authors.all()) == [member]
    assert list(article.organisations.all()) == [member_org]
    assert article.slug == "was-wir-beim-carsharing-gelernt-haben"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"knowledge.article.created", "knowledge.article.published"} <= actions


def test_draft_is_saved_without_publishing(client_for, group, member):
    client_for(member).post(reverse("knowledge:create") + f"?group={group.slug}", _form())
    assert Article.objects.get().state == Article.State.DRAFT


@pytest.mark.parametrize("role,allowed", [(None, False), ("citizen", False),
                                          ("partner_member", False), ("other_member", False),
                                          ("member", True), ("lead", True),
                                          ("coordinator", True)])
def test_who_writes_group_articles(as_role, role, allowed, group):
    response = as_role(role).post(reverse("knowledge:create") + f"?group={group.slug}",
                                  _form())
    if role is None:
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == (302 if allowed else 403)
    assert Article.objects.exists() == allowed


@pytest.mark.parametrize("role,allowed", [("citizen", False), ("other_member", False),
                                          ("partner_member", True), ("partner_admin", True),
                                          ("coordinator", True)])
def test_who_writes_alliance_articles(as_role, role, allowed):
    response = as_role(role).post(reverse("knowledge:create"), _form())
    assert response.status_code == (302 if allowed else 403)
    assert Article.objects.exists() == allowed


def test_alliance_article_cannot_be_members_only(client_for, partner_member):
    response = client_for(partner_member).post(reverse("knowledge:create"),
                                               _form(visibility="members"))
    assert response.status_code == 400
    assert 'id="id_visibility_error"' in response.content.decode()
    assert not Article.objects.exists()


def test_organisation_of_someone_else_cannot_be_credited(client_for, group, member, member_org,
                                                         make_organisation):
    stranger = make_organisation("Fremde AG")
    response = client_for(member).post(reverse("knowledge:create") + f"?group={group.slug}",
                                       _form(organisations=[member_org.pk, stranger.pk]))
    assert response.status_code == 400
    assert 'id="id_organisations_error"' in response.content.decode()
    assert not Article.objects.exists()


def test_co_authors_must_be_able_to_write_there(client_for, group, member, lead, citizen):
    client = client_for(member)
    url = reverse("knowledge:create") + f"?group={group.slug}"
    response = client.post(url, _form(co_authors=citizen.email))
    assert response.status_code == 400 and not Article.objects.exists()
    assert 'id="id_co_authors_error"' in response.content.decode()
    response = client.post(url, _form(co_authors="nobody@example.org"))
    assert response.status_code == 400
    assert 'id="id_co_authors_error"' in response.content.decode()
    client.post(url, _form(co_authors=lead.email))
    assert set(Article.objects.get().authors.all()) == {member, lead}


def test_missing_and_too_long_fields_are_shown_next_to_them(client_for, group, member):
    response = client_for(member).post(reverse("knowledge:create") + f"?group={group.slug}",
                                       _form(title="", summary="x" * 501, kind="poem"))
    page = response.content.decode()
    assert response.status_code == 400
    for field in ("title", "summary", "kind"):
        assert f'id="id_{field}_error"' in page
    assert not Article.objects.exists()


@pytest.mark.parametrize("role,allowed", [("citizen", False), ("other_member", False),
                                          ("member", True), ("lead", True),
                                          ("coordinator", True)])
def test_who_edits(as_role, role, allowed, public_article, member):
    client = as_role(role)
    # The form shows the other authors, and sends them back.
    response = client.post(_url("edit", public_article),
                           _form(title="Neu", co_authors=member.email))
    assert response.status_code == (302 if allowed else 403)
    public_article.refresh_from_db()
    assert (public_article.title == "Neu") == allowed
    if allowed:
        assert AuditEntry.objects.filter(action="knowledge.article.changed").exists()


def test_lead_editing_does_not_become_author(client_for, public_article, lead, member):
    client = client_for(lead)
    assert member.email in client.get(_url("edit", public_article)).content.decode()
    client.post(_url("edit", public_article), _form(co_authors=member.email))
    assert list(public_article.authors.all()) == [member]
    # Removing every author is refused next to the field.
    response = client.post(_url("edit", public_article), _form(co_authors=""))
    assert response.status_code == 400 and list(public_article.authors.all()) == [member]
    assert 'id="id_co_authors_error"' in response.content.decode()


@pytest.mark.parametrize("role,allowed", [("citizen", False), ("other_member", False),
                                          ("member", False), ("lead", True),
                                          ("coordinator", True)])
def test_who_unpublishes_and_deletes(as_role, role, allowed, public_article):
    client = as_role(role)
    client.post(_url("state", public_article), {"action": "unpublish"})
    public_article.refresh_from_db()
    assert public_article.is_published != allowed
    response = client.post(_url("delete", public_article))
    assert response.status_code == (302 if allowed else 403 if role != "other_member" or
                                    public_article.is_published else 404)
    assert Article.objects.filter(pk=public_article.pk).exists() != allowed
    if allowed:
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        assert {"knowledge.article.unpublished", "knowledge.article.deleted"} <= actions


def test_author_publishes_draft(client_for, draft_article, member):
    client_for(member).post(_url("state", draft_article), {"action": "publish"})
    draft_article.refresh_from_db()
    assert draft_article.is_published


def test_non_member_cannot_touch_members_only_article(client_for, members_article, other_member):
    client = client_for(other_member)
    assert client.get(_url("edit", members_article)).status_code == 404
    assert client.post(_url("state", members_article), {"action": "unpublish"}
                       ).status_code == 404
    assert client.post(_url("delete", members_article)).status_code == 404
    assert Article.objects.get(pk=members_article.pk).is_published


def test_deleting_an_article_deletes_its_documents_files(
        client_for, public_article, lead, make_document, settings,
        django_capture_on_commit_callbacks):
    document = make_document(by=lead, article=public_article)
    path = settings.PRIVATE_MEDIA_ROOT / document.versions.get().file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(lead).post(_url("delete", public_article))
    assert not Document.objects.exists() and not path.exists()


def test_private_files_are_not_under_media_root(make_document, group, lead, settings):
    document = make_document(by=lead, group=group, content=PDF)
    name = document.versions.get().file.name
    assert (settings.PRIVATE_MEDIA_ROOT / name).exists()
    assert not (settings.MEDIA_ROOT / name).exists()


def test_article_and_document_pages_query_counts_do_not_grow(client_for, make_article,
                                                             make_document, group, member,
                                                             lead):
    """More tags, documents and versions cost no more queries."""
    from stadtallianz.core.models import Principle, SustainableDevelopmentGoal

    client = client_for(member)
    article = make_article(group, authors=[member], slug="viel")
    document = make_document(by=member, article=article)
    article_url, document_url = _url("article", article), document.get_absolute_url()
    article_count = query_count(client.get, article_url)
    document_count = query_count(client.get, document_url)
    article.authors.add(lead)
    article.principles.set(Principle.objects.all())
    article.sdgs.set(SustainableDevelopmentGoal.objects.all())
    for _ in range(5):
        make_document(by=member, article=article, visibility=Document.Visibility.MEMBERS)
        services.version_add(document=document, by=lead, upload=upload("neu.pdf", PDF))
    assert query_count(client.get, article_url) == article_count
    assert query_count(client.get, document_url) == document_count
