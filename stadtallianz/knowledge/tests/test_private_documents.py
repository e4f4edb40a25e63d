"""Private documents: no parent, read by those a higher app names (`knowledge.access`), by the
coordination office, and, without any registration, by their uploader alone."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from stadtallianz.knowledge import access, services
from stadtallianz.knowledge.models import Document

from .conftest import PDF, upload


@pytest.fixture
def no_readers(monkeypatch):
    """Knowledge alone: no higher app has registered its readers."""
    monkeypatch.setattr(access, "_readers", [])


@pytest.fixture
def private_document(member):
    return services.private_document_create(
        by=member, data={"title": "Vertrauliche Kalkulation", "description": "Nur intern"},
        upload=upload("kalkulation.pdf", PDF))


PEOPLE = ["member", "lead", "citizen", "coordinator", None]


@pytest.mark.parametrize("role", PEOPLE)
def test_without_registration_only_the_uploader_and_the_office_read_it(
        no_readers, as_role, role, private_document, request):
    client = as_role(role)
    allowed = role in ("member", "coordinator")
    user = request.getfixturevalue(role) if role else None
    if user is not None:
        assert (Document.objects.visible_to(user).filter(pk=private_document.pk).exists()
                is allowed)
    for name in ("knowledge:document", "knowledge:download"):
        answer = client.get(reverse(name, kwargs={"pk": private_document.pk}))
        assert answer.status_code == (200 if allowed else 404), (name, role)
    listed = client.get("/api/v1/knowledge/documents").json()["items"]
    assert any(d["title"] == "Vertrauliche Kalkulation" for d in listed) is allowed
    answer = client.get(f"/api/v1/knowledge/documents/{private_document.pk}")
    assert answer.status_code == (200 if allowed else 404)


def test_a_registration_decides_who_reads_it(monkeypatch, private_document, member, lead,
                                             citizen, coordinator):
    """With a registration its answer decides: the uploader too reads only when named."""
    monkeypatch.setattr(access, "_readers", [])
    access.register_private_readers(
        lambda user: Document.objects.filter(pk=private_document.pk, created_by__isnull=False)
        .filter(pk__in=[private_document.pk] if user == lead else []).values("pk"))
    assert list(Document.objects.visible_to(lead)) == [private_document]
    assert not Document.objects.visible_to(member).filter(pk=private_document.pk).exists()
    assert not Document.objects.visible_to(citizen).exists()
    assert Document.objects.visible_to(coordinator).filter(pk=private_document.pk).exists()


def test_the_document_page_names_no_parent_and_deleting_goes_back_to_the_list(
        no_readers, client_for, private_document, member):
    client = client_for(member)
    page = client.get(private_document.get_absolute_url())
    assert "Belongs to" not in page.content.decode() and "Gehört zu" not in page.content.decode()
    answer = client.post(reverse("knowledge:document_delete", kwargs={"pk": private_document.pk}))
    assert answer.status_code == 302 and answer.url == reverse("knowledge:list")
    assert not Document.objects.filter(pk=private_document.pk).exists()


def test_new_versions_of_a_private_document_by_its_readers_only(no_readers, client_for,
                                                                private_document, member, lead):
    answer = client_for(lead).post(
        reverse("knowledge:version_create", kwargs={"pk": private_document.pk}),
        {"file": upload("b.pdf", PDF)})
    assert answer.status_code == 404
    answer = client_for(member).post(
        reverse("knowledge:version_create", kwargs={"pk": private_document.pk}),
        {"file": upload("b.pdf", PDF)})
    assert answer.status_code == 302 and private_document.versions.count() == 2


def test_a_private_document_has_no_parent(group, member):
    document = Document(title="X", visibility=Document.Visibility.PRIVATE, group=group)
    with pytest.raises(ValidationError) as refused:
        document.full_clean()
    assert "visibility" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(title="X", visibility=Document.Visibility.PRIVATE, group=group)
    # Others still need exactly one parent.
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(title="Y", visibility=Document.Visibility.MEMBERS)


def test_groups_events_and_articles_take_no_private_documents(client_for, member, group,
                                                              token_for):
    answer = client_for(member).post(
        reverse("knowledge:document_create") + f"?group={group.slug}",
        {"title": "Anlage", "visibility": "private", "file": upload("a.pdf", PDF)})
    assert answer.status_code == 400 and "visibility" in answer.context["form"].errors
    answer = client_for(None).post(
        "/api/v1/knowledge/documents",
        {"title": "Anlage", "visibility": "private", "group": group.slug,
         "file": upload("a.pdf", PDF)}, headers={"Authorization": f"Bearer {token_for(member)}"})
    assert answer.status_code == 422
    assert any("visibility" in error["loc"] for error in answer.json()["detail"])
    assert not Document.objects.exists()


def test_a_refused_private_upload_leaves_nothing(no_readers, member, settings):
    with pytest.raises(ValidationError) as refused:
        services.private_document_create(by=member, data={"title": "X"},
                                         upload=upload("a.exe", b"MZ\x90\x00" + b"\x00" * 60))
    assert "file" in refused.value.message_dict
    assert not Document.objects.exists()
    private_root = settings.PRIVATE_MEDIA_ROOT
    assert not any(path.is_file() for path in private_root.rglob("*")) if private_root.exists() \
        else True
