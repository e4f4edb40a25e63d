"""CSV and XLSX exports: they parse, hold the right rows, defuse formulas, and scale."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from stadtallianz.core.exports import safe_cell
from stadtallianz.core.models import FocusArea
from stadtallianz.core.testing import query_count
from stadtallianz.letter_of_intent import services as letter_services
from stadtallianz.partners.models import Offer, Organisation


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def exported(organisation, make_organisation, make_application, coordinator):
    """A confirmed partner with focus areas and offers, an applicant, and a formula-like name."""
    organisation.street, organisation.postal_code = "Hafenweg 1", "48155"
    organisation.city = "Münster"
    organisation.website = "https://stadtwerke.example"
    organisation.save()
    organisation.focus_areas.set(FocusArea.objects.order_by("position")[:2])
    for kind, category in [(Offer.Kind.OFFER, "data"), (Offer.Kind.OFFER, "expertise"),
                           (Offer.Kind.NEED, "reach")]:
        Offer.objects.create(organisation=organisation, kind=kind, category=category, text="a")
    signature = make_application("Bewerber eV")
    letter_services.signature_confirm(signature=signature, by=coordinator)
    make_organisation('=HYPERLINK("http://evil.example","x")', status=Organisation.Status.DRAFT)
    return organisation


def test_partners_csv(client_for, coordinator, exported):
    """The CSV has a header and one row per organisation with all columns."""
    rows = _csv(client_for(coordinator).get(reverse("backoffice:partners_export")))
    header, *body = rows
    assert len(header) == 10
    by_name = {row[0]: row for row in body}
    assert set(by_name) == {"Stadtwerke Beispielstadt", "Bewerber eV",
                            '\'=HYPERLINK("http://evil.example","x")'}
    row = by_name["Stadtwerke Beispielstadt"]
    areas = [str(a.name_de) for a in FocusArea.objects.order_by("position")[:2]]
    assert row[4] == "https://stadtwerke.example"
    assert row[5] == "Hafenweg 1, 48155 Münster"
    assert row[6] == "; ".join(areas)
    assert row[7:10] == ["2", "1", ""]
    assert by_name["Bewerber eV"][9] == "1"
    assert by_name["Bewerber eV"][3] != ""


def test_partners_csv_follows_the_filters(client_for, coordinator, exported):
    """The export holds the rows of the filtered list."""
    rows = _csv(client_for(coordinator).get(reverse("backoffice:partners_export"),
                                            {"status": "partner"}))
    assert sorted(row[0] for row in rows[1:]) == ["Bewerber eV", "Stadtwerke Beispielstadt"]


def test_partners_xlsx(client_for, coordinator, exported):
    """The XLSX opens with openpyxl, holds the same rows, and has no formulas."""
    response = client_for(coordinator).get(reverse("backoffice:partners_export"),
                                           {"format": "xlsx"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Stadtwerke Beispielstadt"][7:9] == (2, 1)
    assert by_name["Bewerber eV"][9] == 1
    assert '\'=HYPERLINK("http://evil.example","x")' in by_name
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+49 251", "'+49 251"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=x", "'\t=x"), ("Stadtwerke", "Stadtwerke"), ("", ""), (5, 5), (None, None),
])
def test_formula_injection_is_defused(value, expected):
    """Cells that a spreadsheet would run as a formula get a leading apostrophe."""
    assert safe_cell(value) == expected


def test_partners_export_query_count_is_constant(client_for, coordinator, make_organisation):
    """The export makes as many queries for 3 organisations as for 30 (no query per row)."""
    client = client_for(coordinator)
    url = reverse("backoffice:partners_export")
    areas = list(FocusArea.objects.all()[:3])

    def add(n):
        for _ in range(n):
            org = make_organisation()
            org.focus_areas.set(areas)
            Offer.objects.create(organisation=org, kind=Offer.Kind.OFFER, category="data", text="a")

    def download():
        _csv(client.get(url))

    add(3)
    few = query_count(download)
    add(27)
    assert query_count(download) == few
    xlsx_few = query_count(client.get, url + "?format=xlsx")
    add(5)
    assert query_count(client.get, url + "?format=xlsx") == xlsx_few


def test_audit_export(client_for, coordinator, make_application):
    """The audit CSV parses and holds the filtered entries as sentences with their changes, in
    the reader's language; formulas in names are defused."""
    make_application('=cmd|" /C calc"!A0')
    client = client_for(coordinator)
    client.post(reverse("backoffice:focus_area_create"),
                {"slug": "kultur", "name_de": "Kultur", "position": 9})
    rows = _csv(client.get("/de/backoffice/audit/export/", {"action": "partner."}))
    header, *body = rows
    assert header == ["Zeit", "Person", "Was geschah", "Art des Objekts", "Objekt",
                      "Änderungen", "Aktionscode"]
    assert len(body) == 1
    assert body[0][1] == "Applicant 1"
    assert body[0][2] == ("Applicant 1 hat die Absichtserklärung für =cmd|\" /C calc\"!A0 "
                          "eingereicht.")
    assert body[0][4].startswith("'=cmd")
    assert "Status der Organisation: Nicht unterzeichnet → Unterzeichnung wird geprüft" \
        in body[0][5]
    assert body[0][6] == "partner.signature.submitted"
    english = _csv(client.get("/en/backoffice/audit/export/", {"action": "partner."}))
    assert english[1][2] == ("Applicant 1 submitted the letter of intent for "
                             "=cmd|\" /C calc\"!A0.")
    everything = _csv(client.get(reverse("backoffice:audit_export")))
    assert len(everything) == 3


def test_audit_export_as_xlsx_follows_the_filters(client_for, coordinator, make_application):
    make_application("Bewerber eV")
    client = client_for(coordinator)
    client.post(reverse("backoffice:focus_area_create"),
                {"slug": "kultur", "name_de": "Kultur", "name_en": "Culture", "position": 9})
    response = client.get("/en/backoffice/audit/export/", {"person": "Cora", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][2] == "What happened"
    assert [row[2] for row in rows[1:]] == ["Cora Coordinator added the focus area Kultur."]
