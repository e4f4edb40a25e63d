"""An application's documents: uploaded as private knowledge documents, read by the
consortium's people and the coordination office only, through every way in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stadtallianz.core.models import AuditEntry
from stadtallianz.knowledge.models import Document
from stadtallianz.proposals import services
from stadtallianz.proposals.models import ApplicationDocument, ApplicationMember

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "Vertrauliche Kostenkalkulation"


def pdf(name="kalkulation.pdf"):
    return SimpleUploadedFile(name, PDF)


@pytest.fixture
def published(application, partner_admin):
    """Published, so that everyone sees the application page, never its documents."""
    services.application_update(actor=partner_admin, application=application,
                                data={"published": True})
    return application


@pytest.fixture
def uploaded(published, partner_member):
    return services.document_upload(actor=partner_member, application=published,
                                    data={"title": TITLE, "description": "Stand März"},
                                    upload=pdf()).document


def test_a_consortium_member_uploads_through_the_page(as_user, application, partner_member):
    client = as_user("partner_member")
    url = reverse("proposals:document_upload", kwargs={"pk": application.pk})
    assert client.get(url).status_code == 200
    answer = client.post(url, {"title": TITLE, "description": "", "file": pdf()})
    assert answer.status_code == 302 and answer.url.endswith("#documents")
    link = ApplicationDocument.objects.get(application=application)
    assert link.document.visibility == Document.Visibility.PRIVATE
    assert link.document.parent is None and link.added_by == partner_member
    assert link.document.versions.get().original_name == "kalkulation.pdf"
    assert AuditEntry.objects.filter(action="proposals.document.uploaded").exists()
    page = client.get(application.get_absolute_url()).content.decode()
    assert TITLE in page


def test_a_refused_file_is_a_form_error_and_nothing_is_written(as_user, application):
    url = reverse("proposals:document_upload", kwargs={"pk": application.pk})
    answer = as_user("partner_member").post(url, {
        "title": TITLE, "file": SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 60)})
    assert answer.status_code == 400 and "file" in answer.context["form"].errors
    answer = as_user("partner_member").post(url, {"title": "", "file": pdf()})
    assert answer.status_code == 400 and "title" in answer.context["form"].errors
    assert not Document.objects.exists() and not ApplicationDocument.objects.exists()


@pytest.mark.parametrize("role,status", [("outsider_admin", 403), ("citizen", 403),
                                         (None, 302), ("coordinator", 200)])
def test_who_uploads(as_user, published, role, status):
    url = reverse("proposals:document_upload", kwargs={"pk": published.pk})
    assert as_user(role).get(url).status_code == status
    if role in ("outsider_admin", "citizen"):
        assert as_user(role).post(url, {"title": TITLE, "file": pdf()}).status_code == 403
        assert not Document.objects.exists()


def test_an_unpublished_application_is_404_for_others_to_upload(as_user, application):
    url = reverse("proposals:document_upload", kwargs={"pk": application.pk})
    assert as_user("outsider_admin").post(url, {"title": TITLE,
                                               "file": pdf()}).status_code == 404


READERS = ["partner_admin", "partner_member", "other_admin", "coordinator"]
OTHERS = ["outsider_admin", "citizen", None]


@pytest.mark.parametrize("role", READERS + OTHERS)
def test_who_reads_an_applications_document(as_user, uploaded, published, role):
    client = as_user(role)
    allowed = role in READERS
    for name in ("knowledge:document", "knowledge:download"):
        answer = client.get(reverse(name, kwargs={"pk": uploaded.pk}))
        assert answer.status_code == (200 if allowed else 404), name
    page = client.get(published.get_absolute_url())
    assert page.status_code == 200
    assert (TITLE in page.content.decode()) is allowed
    listed = client.get("/api/v1/knowledge/documents").json()["items"]
    assert any(d["title"] == TITLE for d in listed) is allowed
    answer = client.get(f"/api/v1/knowledge/documents/{uploaded.pk}")
    assert answer.status_code == (200 if allowed else 404)
    assert TITLE not in client.get(reverse("knowledge:list")).content.decode()


@pytest.mark.parametrize("role", OTHERS)
def test_search_never_shows_it_to_others(as_user, published, partner_member, role,
                                         django_capture_on_commit_callbacks):
    """Uploaded with search's after-commit indexing running, as in production."""
    with django_capture_on_commit_callbacks(execute=True):
        services.document_upload(actor=partner_member, application=published,
                                 data={"title": TITLE}, upload=pdf())
    answer = as_user(role).get("/api/v1/search", {"q": "Kostenkalkulation"})
    assert answer.status_code == 200 and TITLE not in answer.content.decode()


def test_search_indexes_no_private_document(uploaded):
    from stadtallianz.search.index import rebuild, reindex
    from stadtallianz.search.models import SearchEntry

    reindex("document", [uploaded.pk])
    rebuild(["document"])
    assert not SearchEntry.objects.filter(title_de=TITLE).exists()


def test_removing_an_organisation_ends_its_peoples_access_at_once(
        as_user, uploaded, published, partner_admin, other_admin):
    client = as_user("other_admin")
    url = reverse("knowledge:download", kwargs={"pk": uploaded.pk})
    assert client.get(url).status_code == 200
    services.member_remove(actor=partner_admin, member=published.members.get(
        role=ApplicationMember.Role.PARTNER))
    assert client.get(url).status_code == 404
    assert not Document.objects.visible_to(other_admin).filter(pk=uploaded.pk).exists()
    assert TITLE not in client.get(published.get_absolute_url()).content.decode()


def test_removing_the_link_deletes_an_uploaded_document(as_user, uploaded, published):
    link = ApplicationDocument.objects.get(document=uploaded)
    answer = as_user("partner_member").post(reverse(
        "proposals:document_unlink", kwargs={"pk": published.pk, "link_pk": link.pk}))
    assert answer.status_code == 302
    assert not Document.objects.filter(pk=uploaded.pk).exists()
    assert not ApplicationDocument.objects.exists()


def test_a_private_document_is_not_linked_to_another_application(
        uploaded, partner_admin, funding_call, project, organisation):
    from django.core.exceptions import ValidationError

    second = services.application_create(actor=partner_admin, call=funding_call,
                                         organisation=organisation, title="Zweiter Antrag",
                                         project=project)
    with pytest.raises(ValidationError) as refused:
        services.document_link(actor=partner_admin, application=second, document=uploaded)
    assert "document" in refused.value.message_dict
    assert not ApplicationDocument.objects.filter(application=second).exists()


def test_the_detail_page_makes_the_same_number_of_queries(
        as_user, published, partner_member, django_assert_max_num_queries):
    client = as_user("partner_member")
    for index in range(1):
        services.document_upload(actor=partner_member, application=published,
                                 data={"title": f"Anlage {index}"}, upload=pdf())
    client.get(published.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(published.get_absolute_url())
    for index in range(1, 5):
        services.document_upload(actor=partner_member, application=published,
                                 data={"title": f"Anlage {index}"}, upload=pdf())
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(published.get_absolute_url())


API = "/api/v1/funding/applications"


def test_the_api_uploads_lists_and_removes(published, partner_member, outsider_admin, citizen,
                                           token_for, client):
    key = token_for(partner_member)
    answer = client.post(f"{API}/{published.pk}/documents",
                         {"title": TITLE, "file": pdf()},
                         headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert created["title"] == TITLE and created["confidential"] is True
    assert Document.objects.get(pk=created["document"]).is_private
    listed = client.get(f"{API}/{published.pk}/documents",
                        headers={"Authorization": f"Bearer {key}"}).json()
    assert [d["title"] for d in listed] == [TITLE]
    for other in (outsider_admin, citizen):
        answer = client.get(f"{API}/{published.pk}/documents",
                            headers={"Authorization": f"Bearer {token_for(other)}"})
        assert answer.status_code == 403 and TITLE not in answer.content.decode()
    assert client.get(f"{API}/{published.pk}/documents").status_code == 403
    answer = client.delete(f"{API}/{published.pk}/documents/{created['id']}",
                           headers={"Authorization": f"Bearer {token_for(outsider_admin)}"})
    assert answer.status_code == 403
    answer = client.delete(f"{API}/{published.pk}/documents/{created['id']}",
                           headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 204 and not Document.objects.exists()


def test_the_api_names_a_refused_file_and_writes_nothing(application, partner_member,
                                                        outsider_admin, token_for, client):
    key = token_for(partner_member)
    answer = client.post(f"{API}/{application.pk}/documents",
                         {"title": TITLE,
                          "file": SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 60)},
                         headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 422
    assert any("file" in error["loc"] for error in answer.json()["detail"])
    answer = client.post(f"{API}/{application.pk}/documents", {"title": TITLE, "file": pdf()},
                         headers={"Authorization": f"Bearer {token_for(outsider_admin)}"})
    assert answer.status_code == 404
    assert not Document.objects.exists() and not ApplicationDocument.objects.exists()


def test_a_failed_link_leaves_neither_document_nor_file(application, partner_member, settings,
                                                       monkeypatch):
    def broken(**fields):
        raise RuntimeError("database gone")

    monkeypatch.setattr(ApplicationDocument.objects, "create", broken)
    with pytest.raises(RuntimeError):
        services.document_upload(actor=partner_member, application=application,
                                 data={"title": TITLE}, upload=pdf())
    assert not Document.objects.exists()
    root = settings.PRIVATE_MEDIA_ROOT
    assert not root.exists() or not any(path.is_file() for path in root.rglob("*"))
