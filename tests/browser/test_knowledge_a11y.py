"""axe-core in a real Chromium finds no serious or critical WCAG 2.1 A/AA violation, and the
browser no Content Security Policy violation, on the knowledge pages: the article list (plain
and filtered), an article page with tags and documents, a document page with versions, the
article form, the document upload form (also with its errors linked to the fields) and the
group page's knowledge sections, in German and in English."""

import pytest

from tests.browser.conftest import PASSWORD, login, problems_here, sweep, unlinked_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["de", "en"]


@pytest.fixture
def knowledge(alliance, settings, tmp_path):
    """A group led by the partner admin with the member in it; a published article with tags,
    an organisation and a CSV document in two versions; a members-only article; a draft."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from stadtallianz.core.models import Principle, SustainableDevelopmentGoal
    from stadtallianz.knowledge import services
    from stadtallianz.knowledge.models import Article
    from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    group = WorkingGroup.objects.create(slug="mobilitaet", name_de="Mobilität der Zukunft",
                                        name_en="Future mobility")
    group.focus_areas.add(alliance.focus_area)
    GroupMembership.objects.create(group=group, user=alliance.admin,
                                   role=GroupMembership.Role.LEAD)
    GroupMembership.objects.create(group=group, user=alliance.member)
    article = services.article_create(by=alliance.admin, group=group, publish=True, data={
        "title": "Radwege mit offenen Daten planen", "summary": "Was wir gelernt haben.",
        "body": "## Ausgangslage\n\nZählstellen liefern **Stundenwerte**.\n\n"
                "| Ort | Rad/Tag |\n|---|---|\n| Promenade | 12000 |",
        "kind": Article.Kind.LESSON, "focus_areas": [alliance.focus_area],
        "principles": list(Principle.objects.filter(number__in=[4, 7])),
        "sdgs": list(SustainableDevelopmentGoal.objects.filter(number=11)),
        "organisations": [alliance.home]})
    document = services.document_create(
        by=alliance.admin, article=article, data={"title": "Zähldaten", "visibility": "public"},
        upload=SimpleUploadedFile("zaehldaten.csv", b"ort;anzahl\nPromenade;12000\n"))
    services.version_add(document=document, by=alliance.admin,
                         upload=SimpleUploadedFile("zaehldaten.csv", b"ort;anzahl\nA;1\n"))
    services.article_create(by=alliance.member, group=group, publish=True, data={
        "title": "Interne Notizen", "summary": "Nur für uns.", "body": "Text",
        "visibility": Article.Visibility.MEMBERS})
    services.article_create(by=alliance.member, group=group, data={
        "title": "Ein Entwurf", "summary": "Noch nicht fertig.", "body": "Text"})
    return {"group": group, "article": article, "document": document}


@pytest.mark.parametrize("language", LANGUAGES)
def test_knowledge_pages_of_a_visitor(page, live_server, alliance, knowledge, language):
    article, document = knowledge["article"], knowledge["document"]
    paths = ["/knowledge/", f"/knowledge/?kind=lesson&focus_area={alliance.focus_area.slug}",
             "/knowledge/?sdg=3", f"/knowledge/{article.slug}/",
             f"/knowledge/documents/{document.pk}/", "/working-groups/mobilitaet/"]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_knowledge_pages_and_forms_of_a_member(page, live_server, alliance, knowledge, language):
    """The member is an author of the draft and sees the members-only article; the forms to
    write an article, upload a document and a new version."""
    article, document = knowledge["article"], knowledge["document"]
    login(page, live_server, alliance.member.email, PASSWORD, language)
    paths = ["/knowledge/", f"/knowledge/{article.slug}/",
             f"/knowledge/documents/{document.pk}/",
             "/knowledge/new/?group=mobilitaet", "/knowledge/new/",
             "/knowledge/documents/new/?group=mobilitaet", "/working-groups/mobilitaet/"]
    problems = sweep(page, live_server.url, language, paths)
    assert problems == {}, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_lead_forms_and_errors(page, live_server, alliance, knowledge, language, tmp_path):
    """The lead's edit form and delete page; the upload form refusing a program renamed to
    .pdf shows the error next to the file field, linked for screen readers."""
    article, document = knowledge["article"], knowledge["document"]
    login(page, live_server, alliance.admin.email, PASSWORD, language)
    problems = sweep(page, live_server.url, language,
                     [f"/knowledge/{article.slug}/edit/", f"/knowledge/{article.slug}/delete/",
                      f"/knowledge/documents/{document.pk}/",
                      f"/knowledge/documents/{document.pk}/versions/new/",
                      f"/knowledge/documents/{document.pk}/delete/",
                      f"/knowledge/documents/new/?article={article.slug}"])
    assert problems == {}, problems
    fake = tmp_path / "bericht.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    page.goto(f"{live_server.url}/{language}/knowledge/documents/new/?group=mobilitaet")
    page.fill("main [name=title]", "Bericht")
    page.set_input_files("main [name=file]", str(fake))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert unlinked_errors(page, ["file"]) == {}
    assert problems_here(page) == {}
    # The article form with a missing title.
    page.goto(f"{live_server.url}/{language}/knowledge/new/?group=mobilitaet")
    page.click("main form button[type=submit] >> nth=0")
    page.wait_for_load_state()
    assert unlinked_errors(page, ["title", "summary", "body"]) == {}
    assert problems_here(page) == {}
