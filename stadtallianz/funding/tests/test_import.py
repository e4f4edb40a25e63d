import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from stadtallianz.core.models import AuditEntry
from stadtallianz.funding.models import Call

FIXTURE = Path(__file__).parent / "data" / "eu_search_results.json"
URL = "/de/funding/import/"


def _upload(client, name, content, programme=None):
    data = {"file": SimpleUploadedFile(name, content)}
    if programme:
        data["programme"] = programme.pk
    return client.post(reverse("funding:import"), data)


def _confirm(client, response):
    return client.post(reverse("funding:import"), {"action": "confirm",
                                                   "token": response.context["token"] or ""})


def _eu(without_broken=True) -> bytes:
    data = json.loads(FIXTURE.read_text())
    if without_broken:
        data["results"] = data["results"][:2]
    return json.dumps(data).encode()


@pytest.fixture
def office(client, coordinator):
    client.force_login(coordinator)
    return client


def test_only_the_office_imports(client, partner_admin, citizen):
    assert reverse("funding:import") == URL
    for user in (partner_admin, citizen):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert _upload(client, "calls.json", _eu()).status_code == 403
    assert not Call.objects.exists()


def test_the_preview_lists_row_errors_and_saves_nothing(office, programme):
    response = _upload(office, "search.json", _eu(without_broken=False), programme)
    assert response.status_code == 400
    rows = response.context["rows"]
    assert [row.number for row in rows if row.errors] == [3]
    fields = {name for name, _message in rows[2].errors}
    assert fields == {"deadlines", "max_amount"}
    html = response.content.decode()
    assert "Öffnungsdatum" in html and response.context["token"] is None
    assert not Call.objects.exists()
    assert _confirm(office, response).status_code == 302  # no preview kept: back to upload
    assert not Call.objects.exists()


def test_the_eu_json_is_imported_and_a_reimport_updates(office, programme):
    response = _upload(office, "search.json", _eu(), programme)
    assert response.status_code == 200 and response.context["token"]
    assert [row.action for row in response.context["rows"]] == ["new", "new"]
    assert not Call.objects.exists()  # the preview saves nothing
    assert _confirm(office, response).status_code == 302
    ped = Call.objects.get(source_id="HORIZON-CL5-2027-02-D4-04")
    assert ped.state == "open" and ped.source == "eu_ft" and ped.programme == programme
    assert ped.total_budget == Decimal("24000000") and ped.max_amount == Decimal("8000000")
    assert ped.expected_grants == 3 and ped.opens_on.isoformat() == "2027-01-14"
    deadline = ped.deadlines.get()
    assert deadline.stage == "single"
    assert timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M") == "2027-04-22 17:00"
    assert ped.keywords.startswith("Positive energy districts")
    data_space = Call.objects.get(source_id="DIGITAL-2027-CLOUD-AI-07-DATASPACE")
    assert data_space.state == "forthcoming"
    assert [d.stage for d in data_space.deadlines.all()] == ["first", "second"]
    assert AuditEntry.objects.filter(action="funding.call.imported").count() == 1
    uid = deadline.uid

    changed = json.loads(_eu())
    changed["results"][0]["metadata"]["deadlineDate"] = ["2027-04-29T17:00:00.000+0200"]
    response = _upload(office, "search.json", json.dumps(changed).encode(), programme)
    assert [row.action for row in response.context["rows"]] == ["update", "update"]
    _confirm(office, response)
    assert Call.objects.count() == 2
    deadline = Call.objects.get(source_id="HORIZON-CL5-2027-02-D4-04").deadlines.get()
    assert deadline.uid == uid and timezone.localtime(deadline.due_at).day == 29


CSV = (
    "source;source_id;programme;title_de;state;opens_on;deadline;total_budget;min_amount;"
    "max_amount;funding_rate;rates;eligible_types;focus_areas\n"
    "foerderdatenbank;FDB-1;horizont-europa;Smarte Quartiere;open;01.02.2027;15.05.2027;"
    "1.000.000,00;;250.000;80;research:100;municipal, Research institute;\n"
    "foerderdatenbank;FDB-2;nirgendwo;Kaputt;halboffen;gestern;2027-05-15;x;10;5;120;"
    "galaxy:50;ministry;unknown-area\n"
    "foerderdatenbank;FDB-1;;Doppelt;open;;;;;;;;;\n"
)


def test_a_csv_with_broken_rows(office, programme):
    response = _upload(office, "calls.csv", CSV.encode())
    assert response.status_code == 400
    errors = {row.number: {name for name, _m in row.errors} for row in response.context["rows"]}
    assert errors[2] == set()
    assert {"programme", "opens_on", "total_budget", "funding_rate", "rates", "eligible_types",
            "focus_areas", "state"} <= errors[3]
    assert "source_id" in errors[4]
    assert not Call.objects.exists()


def test_a_clean_csv_and_xlsx(office, programme):
    clean = "\n".join(CSV.splitlines()[:2]) + "\n"
    response = _upload(office, "calls.csv", clean.encode())
    assert response.status_code == 200, response.context["rows"][0].errors
    _confirm(office, response)
    call = Call.objects.get(source_id="FDB-1")
    assert call.total_budget == Decimal("1000000") and call.max_amount == Decimal("250000")
    assert call.eligible_types == ["municipal", "research"]
    assert call.rate_for("research") == Decimal("100")
    assert timezone.localtime(call.deadlines.get().due_at).hour == 17

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["source", "source_id", "programme", "title_de", "state", "deadline",
                  "max_amount"])
    sheet.append(["foerderdatenbank", "FDB-1", "Horizont Europa", "Smarte Quartiere (neu)",
                  "open", timezone.now().replace(year=2027, month=6, day=1, tzinfo=None), 300000])
    sheet.append(["state", "NRW-7", "Horizont Europa", "Digitale Modellregion", "forthcoming",
                  "", 500000.0])
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(office, "calls.xlsx", buffer.getvalue())
    assert response.status_code == 200, [r.errors for r in response.context["rows"]]
    assert [row.action for row in response.context["rows"]] == ["update", "new"]
    _confirm(office, response)
    assert Call.objects.count() == 2
    assert Call.objects.get(source_id="FDB-1").title_de == "Smarte Quartiere (neu)"
    assert Call.objects.get(source_id="NRW-7").max_amount == Decimal("500000")


@pytest.mark.parametrize(("name", "content"), [
    ("calls.pdf", b"%PDF"), ("calls.json", b"{not json"), ("calls.json", b'{"x": 1}'),
    ("calls.xlsx", b"no workbook"), ("calls.csv", b"colour;size\n1;2\n"),
    # Malformed search results: an item or its metadata that is no object.
    ("calls.json", b'{"results": [1]}'), ("calls.json", b'{"results": [{"metadata": [1]}]}'),
    ("calls.json", b'[1, 2]')])
def test_unreadable_files_are_errors_on_the_file_field(office, name, content):
    response = _upload(office, name, content)
    assert response.status_code == 400 and "file" in response.context["form"].errors


def test_a_csv_in_cp1252_with_undefined_bytes_is_read(office, programme):
    response = _upload(office, "calls.csv", b"source_id;title_de\nX-1;Stra\xdfe \x81 neu\n",
                       programme)
    assert response.status_code == 200
    assert [row.values["title_de"] for row in response.context["rows"]] == ["Straße \ufffd neu"]


def test_an_eu_budget_that_is_no_number_leaves_the_budget_empty(office, programme):
    overview = json.dumps({"budgetTopicActionMap": {"1": [{"budgetYearMap": {"2027": "viel"}}]}})
    data = {"results": [{"metadata": {"identifier": ["HORIZON-X-1"], "title": ["Grid"],
                                      "budgetOverview": [overview]}}]}
    response = _upload(office, "calls.json", json.dumps(data).encode(), programme)
    assert response.status_code == 200
    assert "total_budget" not in response.context["rows"][0].values


def test_too_many_rows_are_refused_before_they_are_read_blank_ones_too(office, monkeypatch):
    from stadtallianz.funding import imports

    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    for name, content in (("calls.csv", b"title_de\n" + b";\n" * 5),
                          ("calls.json", json.dumps([{"title_de": "x"}] * 4).encode())):
        response = _upload(office, name, content)
        assert response.status_code == 400 and "file" in response.context["form"].errors
