"""An uploaded CSV document with a formula is refused on the file field, naming the cell."""

import pytest
from django.urls import reverse

from stadtallianz.knowledge.models import Document, DocumentVersion

from .conftest import upload

pytestmark = pytest.mark.django_db


def test_csv_document_with_a_formula_is_refused(client_for, group, member):
    response = client_for(member).post(
        reverse("knowledge:document_create") + f"?group={group.slug}",
        {"title": "Zählung", "visibility": "public",
         "file": upload("daten.csv", "Jahr;Wert\n2024;17\n2025;=HYPERLINK(\"x\")\n")})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_file_error"' in page
    assert "Zeile 3, Spalte 2" in page
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()


def test_csv_document_with_negative_numbers_is_accepted(client_for, group, member):
    response = client_for(member).post(
        reverse("knowledge:document_create") + f"?group={group.slug}",
        {"title": "Temperaturen", "visibility": "public",
         "file": upload("daten.csv", "Monat;Mittel\n2025-01;-3,5\n")})
    assert response.status_code == 302
    assert DocumentVersion.objects.get().content_type == "text/csv; charset=utf-8"


def test_csv_document_with_a_formula_is_refused_through_the_api(client, group, member):
    from stadtallianz.accounts.models import ApiToken

    _token, key = ApiToken.issue(user=member, name="test")
    response = client.post(
        "/api/v1/knowledge/documents?lang=en",
        data={"title": "Zählung", "visibility": "public", "group": group.slug,
              "file": upload("daten.csv", "Jahr;Wert\n2024;@SUMME(A1)\n")},
        headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 422, response.content
    (item,) = response.json()["detail"]
    assert item["loc"][-1] == "file" and "row 2, column 2" in item["msg"]
    assert not Document.objects.exists()


@pytest.mark.parametrize("encoding", ["", "no-such-codec", "utf-8"])
def test_a_csv_file_that_cannot_be_decoded_is_a_field_error_not_a_crash(encoding):
    """The charset comes from sniffing the content; a missing or unknown one, or bytes that are
    not of it, refuse the file instead of answering 500."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from stadtallianz.core.exports import check_csv_upload

    body = b"Jahr;Wert\n2024;\xff\xfe\n" if encoding == "utf-8" else b"Jahr;Wert\n2024;17\n"
    upload_ = SimpleUploadedFile("daten.csv", body, content_type="text/csv")
    if encoding == "":
        check_csv_upload(upload_, encoding=encoding)  # read as UTF-8: nothing to refuse
        return
    with pytest.raises(ValidationError) as refused:
        check_csv_upload(upload_, encoding=encoding)
    assert refused.value.code == "csv_unreadable"
