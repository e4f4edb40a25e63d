"""The dashboard page, its CSV files and the targets page: what a visitor sees, in which
language and number format, with a fixed number of queries; and who may set targets."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stadtallianz.core.models import AuditEntry
from stadtallianz.impact.models import ImpactTarget

from .conftest import SECRET_TITLE

DENIED = ["citizen", "partner_member", "partner_admin", "other_admin"]


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_text(response).lstrip("\ufeff"))))


def test_the_dashboard_shows_every_card_with_chart_table_and_csv(client, world):
    response = client.get("/de/impact/")
    assert response.status_code == 200
    page = _text(response)
    assert page.count('class="card impact-card"') == 15
    assert page.count("<svg") >= 10 and 'role="img"' in page
    assert "/de/impact/partners.csv" in page and "/de/impact/figures.csv" in page
    assert "So wird gerechnet:" in page and "Allianzpartner" in page
    assert "Output" in page and "Outcome" in page


def test_numbers_have_the_decimal_comma_on_german_pages_and_a_point_on_english_ones(
        client, world):
    german, english = _text(client.get("/de/impact/")), _text(client.get("/en/impact/"))
    assert "250.000,50" in german and "50,0" in german
    assert "250,000.50" in english and "50.0" in english
    assert "Alliance partners" in english and "Allianzpartner" not in english


def test_nothing_hidden_appears_on_the_page_or_in_the_csv_files(client, world):
    texts = [_text(client.get(f"/{lang}/impact/")) for lang in ("de", "en")]
    texts += [_text(client.get(f"/de/impact/{key}.csv"))
              for key in ("funding_applied", "funding_granted", "ideas", "working_groups")]
    texts.append(_text(client.get("/de/impact/figures.csv")))
    for text in texts:
        assert SECRET_TITLE not in text
        assert "777" not in text and "Versteckte Idee" not in text and "Intern" not in text


def test_figure_csv_has_headers_in_the_readers_language(client, world):
    german = _csv(client.get("/de/impact/partners.csv"))
    assert german[0] == ["Art", "Partner"]  # the site's word (partners app)
    assert ["Unternehmen", "1"] in german
    english = _csv(client.get("/en/impact/funding_granted.csv"))
    assert english[0] == ["Year", "Funder", "Grants", "Amount (EUR)"]
    assert english[1] == ["2025", "Bundesministerium für Wohnen", "1", "250000.50"]


def test_csv_follows_the_filters_and_unknown_figures_are_not_found(client, world):
    rows = _csv(client.get("/en/impact/funding_applied.csv?year=2025"))
    assert rows[1:] == [["2025", "Bundesministerium für Wohnen", "1"]]
    assert client.get("/de/impact/nonsense.csv").status_code == 404


def test_the_whole_dashboard_csv(client, world):
    rows = _csv(client.get("/en/impact/figures.csv"))
    assert rows[0][:4] == ["Figure", "Kind", "Value", "Unit"]
    assert len(rows) == 16
    assert rows[1][:3] == ["Alliance partners", "Input", "2"]


def test_the_filter_form_and_a_card_that_ignores_a_filter(client, world):
    page = _text(client.get(f"/de/impact/?focus_area={world.area.slug}&year=2026"))
    assert "Diese Kennzahl folgt den Filtern nach Handlungsfeld und Jahr nicht." in page
    # An unknown value is dropped rather than an error.
    assert client.get("/de/impact/?year=1066&focus_area=nix").status_code == 200


def test_a_target_shows_with_its_status(client, world, coordinator):
    ImpactTarget.objects.create(key="partners", year=timezone.localdate().year,
                                value=Decimal(2), note="Ratsbeschluss", set_by=coordinator)
    page = _text(client.get("/de/impact/"))
    assert "Ziel für" in page and "erreicht" in page and "Ratsbeschluss" in page


def _page_queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/de/impact/?year=2026").status_code == 200
    return len(queries)


def test_the_page_makes_a_fixed_number_of_queries(client, world, make_organisation,
                                                   make_event, make_project):
    small = _page_queries(client)
    for n in range(5):
        make_organisation(f"Weitere {n}")
        make_event(world.group, starts_at=timezone.now())
        make_project(phase="evaluation")
    assert _page_queries(client) == small
    with CaptureQueriesContext(connection) as cached:
        client.get("/de/impact/?year=2026")
    assert len(cached) < small // 3


# ---------------------------------------------------------------------------------------------
# Targets


def test_a_visitor_is_sent_to_the_login(client, db):
    response = client.get("/de/impact/targets/")
    assert response.status_code == 302 and "login" in response["Location"]
    client.post("/de/impact/targets/", {"key": "partners", "year": 2026, "value": "5"})
    assert not ImpactTarget.objects.exists()


@pytest.mark.parametrize("role", DENIED)
def test_only_the_office_sets_targets(request, client_for, role):
    person = client_for(request.getfixturevalue(role))
    assert person.get("/de/impact/targets/").status_code == 403
    response = person.post("/de/impact/targets/", {"key": "partners", "year": 2026,
                                                   "value": "5"})
    assert response.status_code == 403
    assert not ImpactTarget.objects.exists()


@pytest.mark.parametrize("role", DENIED)
def test_only_the_office_deletes_targets(request, client_for, coordinator, role):
    target = ImpactTarget.objects.create(key="partners", year=2026, value=5)
    person = client_for(request.getfixturevalue(role))
    assert person.post(f"/de/impact/targets/{target.pk}/delete/").status_code == 403
    assert ImpactTarget.objects.filter(pk=target.pk).exists()


def test_the_office_sets_replaces_and_deletes_a_target_in_the_audit_log(client_for,
                                                                        coordinator):
    office = client_for(coordinator)
    page = office.get("/de/impact/targets/")
    assert page.status_code == 200 and "Ziel speichern" in _text(page)
    data = {"key": "partners", "year": 2026, "value": "120", "note": "Ratsbeschluss"}
    assert office.post("/de/impact/targets/", data).status_code == 302
    office.post("/de/impact/targets/", {**data, "value": "150"})
    target = ImpactTarget.objects.get()
    assert target.value == Decimal("150") and target.set_by == coordinator
    assert AuditEntry.objects.filter(action="impact.target.set").count() == 2
    office.post(f"/de/impact/targets/{target.pk}/delete/")
    assert not ImpactTarget.objects.exists()
    assert AuditEntry.objects.filter(action="impact.target.deleted").count() == 1


def test_a_negative_target_is_refused_with_the_field_named(client_for, coordinator):
    response = client_for(coordinator).post("/de/impact/targets/", {
        "key": "partners", "year": 2026, "value": "-1"})
    assert response.status_code == 200 and "field-invalid" in _text(response)
    assert not ImpactTarget.objects.exists()


def test_a_card_names_only_the_filters_that_are_set(client, world):
    page = _text(client.get("/de/impact/?year=2026"))
    assert "Diese Kennzahl folgt dem Filter nach Jahr nicht." in page
    assert "Handlungsfeld nicht" not in page and "Handlungsfeld und Jahr" not in page


def test_a_chart_is_labelled_with_its_numbers():
    from stadtallianz.impact import charts
    from stadtallianz.impact.figures import Point

    drawn = charts.draw([Point("2025", 3, 2025), Point("2026", 7, 2026)])
    assert drawn["high"] == "7" and drawn["count"] == 2
    assert [bar["title"] for bar in drawn["bars"]] == ["2025: 3", "2026: 7"]
    assert float(drawn["bars"][1]["height"]) > float(drawn["bars"][0]["height"])
    assert charts.draw([]) is None


@pytest.mark.parametrize("role", ["member", "lead", "partner_admin", "coordinator"])
def test_every_role_sees_the_public_figures_only(request, client, client_for, world, role):
    """The figures are the same for everyone: a group's members and the office do not see
    their members-only posts and meetings counted (the figures never ask who reads)."""
    person = client_for(request.getfixturevalue(role))
    for key in ("working_groups", "events", "ideas", "sensors", "funding_applied"):
        assert _csv(person.get(f"/de/impact/{key}.csv")) == _csv(client.get(
            f"/de/impact/{key}.csv")), key
    assert _csv(person.get("/de/impact/working_groups.csv"))[1] == ["Mobilität", "1", "1"]
    page = _text(person.get("/de/impact/"))
    assert ("Ziele festlegen" in page) == (role == "coordinator")


def test_shown_value_is_localised_with_its_unit(world, by_key):
    assert by_key()["funding_granted"].shown_value == "250.000,50 EUR"
    assert by_key()["data_availability"].shown_value == "50,0 %"
