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
