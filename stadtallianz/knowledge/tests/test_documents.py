import io
import zipfile

import pytest
from django.urls import reverse

from stadtallianz.accounts.models import public_name
from stadtallianz.core.models import AuditEntry
from stadtallianz.knowledge.models import Document, DocumentVersion
from stadtallianz.knowledge.services import version_add

from .conftest import ELF, EXE, PDF, PNG, office_file, upload

pytestmark = pytest.mark.django_db
ROLES = [None, "citizen", "partner_member", "other_member", "member", "lead", "coordinator"]
SEES_MEMBERS_ONLY = {"member", "lead", "coordinator"}


def _new(**parent):
    (name, value), = parent.items()
    return reverse("knowledge:document_create") + f"?{name}={value}"


def _files(settings):
    root = settings.PRIVATE_MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("role", ROLES)
def test_members_only_document_never_reaches_non_members(as_role, role, group, lead,
                                                         make_document):
    document = make_document(by=lead, group=group, title="Interne Liste",
                             visibility=Document.Visibility.MEMBERS)
    client = as_role(role)
    expected = 200 if role in SEES_MEMBERS_ONLY else 404
    assert client.get(document.get_absolute_url()).status_code == expected
    response = client.get(reverse("knowledge:download", kwargs={"pk": document.pk}))
    assert response.status_code == expected
    response = client.get(reverse("knowledge:download_version",
                                  kwargs={"pk": document.pk, "number": 1}))
    assert response.status_code == expected
    document.refresh_from_db()
    assert document.download_count == (2 if expected == 200 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_document_of_members_only_article_follows_the_article(as_role, role, members_article,
                                                              member, make_document):
    """A public document of a members-only article is members-only in effect."""
    document = make_document(by=member, article=members_article)
    expected = 200 if role in SEES_MEMBERS_ONLY else 404
    client = as_role(role)
    assert client.get(document.get_absolute_url()).status_code == expected
    assert client.get(reverse("knowledge:download", kwargs={"pk": document.pk})
                      ).status_code == expected


def test_document_of_a_draft_is_hidden_with_the_draft(client_for, draft_article, member, citizen,
                                                      make_document):
    document = make_document(by=member, article=draft_article)
    assert client_for(citizen).get(document.get_absolute_url()).status_code == 404
    assert client_for(member).get(document.get_absolute_url()).status_code == 200


def test_download_is_an_attachment_with_headers_and_counted(client, group, lead, make_document):
    document = make_document(by=lead, group=group, content=PNG, name="Plan <1>.png")
    response = client.get(reverse("knowledge:download", kwargs={"pk": document.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Even opened in a tab, nothing in the file runs.
    assert "sandbox" in response["Content-Security-Policy"]
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PNG
    client.get(reverse("knowledge:download", kwargs={"pk": document.pk}))
    document.refresh_from_db()
    assert document.download_count == 2


def test_unknown_version_is_404(client, group, lead, make_document):
    document = make_document(by=lead, group=group)
    assert client.get(reverse("knowledge:download_version",
                              kwargs={"pk": document.pk, "number": 2})).status_code == 404
    assert client.get(reverse("knowledge:download", kwargs={"pk": 99999})).status_code == 404


@pytest.mark.parametrize("name,content,content_type", [
    ("bericht.pdf", PDF, "application/pdf"),
    ("plan.png", PNG, "image/png"),
    ("foto.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "image/jpeg"),
    ("bild.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "image/webp"),
    ("text.odt", office_file("odt"), "application/vnd.oasis.opendocument.text"),
    ("text.docx", office_file("docx"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("daten.csv", "Jahr;Wert\n2024;17\nMünster;ä\n", "text/csv; charset=utf-8"),
    ("daten.csv", "Jahr;Wert\nM\xfcnster;1\n".encode("cp1252"), "text/csv; charset=windows-1252"),
    ("notiz.txt", "Hallo Welt", "text/plain; charset=utf-8"),
])
def test_allowed_types_are_accepted(client_for, group, member, name, content, content_type):
    response = client_for(member).post(_new(group=group.slug), {
        "title": "Anlage", "visibility": "public", "file": upload(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    version = DocumentVersion.objects.get()
    assert version.content_type == content_type and version.original_name == name
    assert version.number == 1 and version.uploaded_by == member
    assert version.size == len(content if isinstance(content, bytes) else content.encode())
    assert AuditEntry.objects.filter(action="knowledge.document.created").exists()


@pytest.mark.parametrize("name,content", [
    ("programm.exe", EXE),              # executable, not an accepted extension
    ("bericht.pdf", EXE),               # a Windows program renamed to .pdf
    ("bericht.pdf", ELF),               # a Linux program renamed to .pdf
    ("notiz.txt", ELF),
    ("plan.pdf", PNG),                  # real type, wrong extension
    ("text.docx", office_file("odt")),
    ("makro.docx", office_file("docx", macros=True)),
    ("skript.txt", "#!/bin/sh\nrm -rf /\n"),
    ("seite.txt", "<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("bild.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("bild.txt", '<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    ("seite.html", "<p>hi</p>"),
    ("archiv.zip", b"PK\x03\x04" + b"\x00" * 40),
    ("leer.txt", b""),
    ("ohne-endung", PDF),
])
def test_refused_uploads_leave_nothing(client_for, group, member, settings, name, content):
    response = client_for(member).post(_new(group=group.slug), {
        "title": "Anlage", "visibility": "public", "file": upload(name, content)})
    assert response.status_code == 400
    assert 'id="id_file_error"' in response.content.decode()
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert _files(settings) == []


def _docx_with(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types>docx</Types>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr(part, b"\xd0\xcf\x11\xe0 an embedded object")
    return buffer.getvalue()


@pytest.mark.parametrize("part,accepted", [
    ("word/embeddings/oleObject1.bin", False),      # OLE: may wrap any program
    ("word/activeX/activeX1.bin", False),           # an ActiveX control
    ("word/embeddings/Tabelle.xlsm", False),        # an embedded workbook with macros
    ("word/embeddings/Tabelle.xlsx", True),         # an embedded workbook without
    ("word/media/image1.png", True),
])
def test_office_files_with_embedded_programs_are_refused(client_for, group, member, part,
                                                         accepted):
    response = client_for(member).post(_new(group=group.slug), {
        "title": "Anlage", "visibility": "public",
        "file": upload("bericht.docx", _docx_with(part))})
    assert Document.objects.exists() is accepted
    if not accepted:
        assert response.status_code == 400
        assert "eingebetteten Programmen" in response.content.decode()


def test_too_large_file_is_refused_with_a_clear_message(client_for, group, member, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    response = client_for(member).post(_new(group=group.slug), {
        "title": "Anlage", "visibility": "public", "file": upload("gross.pdf", PDF + b"x" * 2000)})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_file_error"' in page and "zu groß" in page
    assert not Document.objects.exists() and _files(settings) == []


@pytest.mark.parametrize("role,allowed", [(None, False), ("citizen", False),
                                          ("partner_member", False), ("other_member", False),
                                          ("member", True), ("lead", True),
                                          ("coordinator", True)])
def test_who_uploads_group_documents(as_role, role, allowed, group):
    response = as_role(role).post(_new(group=group.slug), {
        "title": "Anlage", "visibility": "public", "file": upload("a.pdf", PDF)})
    if role is None:
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == (302 if allowed else 403)
    assert Document.objects.exists() == allowed


@pytest.mark.parametrize("role,allowed", [("citizen", False), ("member", False),
                                          ("lead", True), ("coordinator", True)])
def test_who_uploads_event_documents(as_role, role, allowed, event):
    response = as_role(role).post(_new(event=event.slug), {
        "title": "Agenda", "visibility": "public", "file": upload("a.pdf", PDF)})
    assert response.status_code == (302 if allowed else 403)
    assert Document.objects.filter(event=event).exists() == allowed


@pytest.mark.parametrize("role,allowed", [("citizen", False), ("other_member", False),
                                          ("member", True), ("lead", True),
                                          ("coordinator", True)])
def test_who_uploads_article_documents(as_role, role, allowed, public_article):
    """The article's author is `member`; leads and the coordinator edit it too."""
    response = as_role(role).post(_new(article=public_article.slug), {
        "title": "Daten", "visibility": "public", "file": upload("a.csv", "a;b\n1;2\n")})
    assert response.status_code == (302 if allowed else 403)
    assert Document.objects.filter(article=public_article).exists() == allowed


def test_upload_form_needs_exactly_one_parent(client_for, member, group, public_article):
    client = client_for(member)
    url = reverse("knowledge:document_create")
    assert client.get(url).status_code == 404
    assert client.get(url + f"?group={group.slug}&article={public_article.slug}"
                      ).status_code == 404
    assert client.get(url + "?group=unknown").status_code == 404


def test_members_only_article_upload_form_is_404_for_non_members(client_for, other_member,
                                                                 members_article):
    url = _new(article=members_article.slug)
    assert client_for(other_member).get(url).status_code == 404


def test_new_version_keeps_the_old_ones(client_for, group, member, lead, make_document):
    document = make_document(by=lead, group=group, content=PDF, name="v1.pdf")
    client = client_for(member)
    response = client.post(reverse("knowledge:version_create", kwargs={"pk": document.pk}),
                           {"file": upload("v2.pdf", PDF + b"% zwei\n")})
    assert response.status_code == 302
    versions = list(document.versions.order_by("number"))
    assert [(v.number, v.original_name, v.uploaded_by) for v in versions] == [
        (1, "v1.pdf", lead), (2, "v2.pdf", member)]
    page = client.get(document.get_absolute_url()).content.decode()
    assert "v1.pdf" in page and "v2.pdf" in page and public_name(lead) in page
    latest = client.get(reverse("knowledge:download", kwargs={"pk": document.pk}))
    assert b"".join(latest.streaming_content).endswith(b"% zwei\n")
    first = client.get(reverse("knowledge:download_version",
                               kwargs={"pk": document.pk, "number": 1}))
    assert b"".join(first.streaming_content) == PDF
    assert AuditEntry.objects.filter(action="knowledge.document.version_added").count() == 2


def test_failing_version_upload_leaves_no_row_and_no_file(client_for, group, member, lead,
                                                         make_document, settings):
    document = make_document(by=lead, group=group)
    before = _files(settings)
    response = client_for(member).post(
        reverse("knowledge:version_create", kwargs={"pk": document.pk}),
        {"file": upload("v2.pdf", EXE)})
    assert response.status_code == 400 and 'id="id_file_error"' in response.content.decode()
    assert document.versions.count() == 1 and _files(settings) == before


def test_version_row_failure_removes_the_written_file(group, lead, make_document, settings,
                                                      monkeypatch):
    """A file written before its row could not be saved does not stay behind."""
    document = make_document(by=lead, group=group)
    before = _files(settings)

    def broken_audit(**kwargs):
        raise RuntimeError("audit failed")

    monkeypatch.setattr("stadtallianz.knowledge.services.audit_log", broken_audit)
    with pytest.raises(RuntimeError):
        version_add(document=document, by=lead, upload=upload("v2.pdf", PDF))
    assert document.versions.count() == 1 and _files(settings) == before


@pytest.mark.parametrize("role,allowed", [("citizen", False), ("other_member", False),
                                          ("partner_member", False), ("lead", True),
                                          ("coordinator", True)])
def test_who_adds_versions(as_role, role, allowed, group, member, make_document):
    document = make_document(by=member, group=group)
    response = as_role(role).post(reverse("knowledge:version_create",
                                          kwargs={"pk": document.pk}),
                                  {"file": upload("v2.pdf", PDF)})
    assert response.status_code == (302 if allowed else 403)
    assert document.versions.count() == (2 if allowed else 1)


@pytest.mark.parametrize("role,allowed", [("citizen", False), ("other_member", False),
                                          ("member", False), ("lead", True),
                                          ("coordinator", True)])
def test_who_deletes_documents_and_files_go_after_commit(
        as_role, role, allowed, group, make_user, make_document, settings,
        django_capture_on_commit_callbacks):
    from stadtallianz.workinggroups.models import GroupMembership

    uploader = make_user("uploader@example.org")
    GroupMembership.objects.create(group=group, user=uploader)
    document = make_document(by=uploader, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role(role).post(reverse("knowledge:document_delete",
                                              kwargs={"pk": document.pk}))
    assert response.status_code == (302 if allowed else 403)
    assert Document.objects.exists() != allowed
    assert (_files(settings) == []) == allowed


def test_uploader_deletes_own_document(client_for, group, member, make_document, settings,
                                       django_capture_on_commit_callbacks):
    document = make_document(by=member, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(reverse("knowledge:document_delete", kwargs={"pk": document.pk}))
    assert not Document.objects.exists() and _files(settings) == []
    assert AuditEntry.objects.filter(action="knowledge.document.deleted").exists()


@pytest.mark.parametrize("role", ROLES)
def test_event_page_lists_visible_documents(as_role, role, event, lead, make_document):
    make_document(by=lead, event=event, title="Agenda-Entwurf")
    make_document(by=lead, event=event, title="Teilnehmerliste",
                  visibility=Document.Visibility.MEMBERS)
    page = as_role(role).get(event.get_absolute_url()).content.decode()
    assert "Agenda-Entwurf" in page
    assert ("Teilnehmerliste" in page) == (role in SEES_MEMBERS_ONLY)


def test_database_refuses_a_document_with_two_parents(group, event, lead):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(title="x", group=group, event=event)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(title="x")


def test_files_go_when_an_event_takes_its_documents_with_it(
        event, lead, make_document, settings, django_capture_on_commit_callbacks):
    make_document(by=lead, event=event)
    assert _files(settings)
    with django_capture_on_commit_callbacks(execute=True):
        event.delete()
    assert not Document.objects.exists() and _files(settings) == []


def test_a_rolled_back_deletion_keeps_the_files(group, lead, make_document, settings,
                                                 django_capture_on_commit_callbacks):
    from django.db import transaction

    document = make_document(by=lead, group=group)
    files = _files(settings)
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        document.delete()
        raise RuntimeError("changed my mind")
    assert callbacks == []
    assert Document.objects.exists() and _files(settings) == files
