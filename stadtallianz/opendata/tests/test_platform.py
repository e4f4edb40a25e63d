"""The platform's own open data (opendata.alliance_data): five datasets with CSV and JSON files at
stable addresses, made from public data only, rebuilt when their data changed, in a fixed number
of queries however many rows."""

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stadtallianz.events.models import Event
from stadtallianz.funding.models import Call, Programme
from stadtallianz.ideas.models import Idea
from stadtallianz.opendata import alliance_data
from stadtallianz.opendata.models import Dataset, PlatformFile
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project
from stadtallianz.proposals.models import Application, Grant

KEYS = {"partners", "projects", "ideas", "events", "funding"}


def _get_csv(client, slug) -> list[dict]:
    answer = client.get(f"/de/data/datasets/{slug}.csv")
    assert answer.status_code == 200, answer
    assert answer["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"))))


def _get_json(client, slug) -> list[dict]:
    answer = client.get(f"/de/data/datasets/{slug}.json")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/json")
    return json.loads(answer.content)


@pytest.fixture
def public_and_private(db, make_organisation, citizen):
    """Each kind of row once visible and once not (marker names tell them apart)."""
    make_organisation("Sichtbare Partnerin AG")
    make_organisation("Antragstellerin Verborgen GmbH", status=Organisation.Status.PENDING)
    now = timezone.now()
    Idea.objects.create(title="Öffentliche Idee", description="…", author=citizen)
    Idea.objects.create(title="Versteckte Idee", description="…", author=citizen,
                        hidden_at=now)
    Event.objects.create(title_de="Offenes Treffen", slug="offen", starts_at=now,
                         ends_at=now + timedelta(hours=1), visibility=Event.Visibility.PUBLIC)
    Event.objects.create(title_de="Internes Treffen", slug="intern", starts_at=now,
                         ends_at=now + timedelta(hours=1), visibility=Event.Visibility.MEMBERS,
                         online_link="https://meet.example/geheim")
    programme = Programme.objects.create(funder="Land NRW", level="state", name_de="Digital",
                                         slug="digital")
    call = Call.objects.create(programme=programme, slug="aufruf", title_de="Aufruf Digital")
    granted = Project.objects.create(title_de="Bewilligtes Projekt", slug="bewilligt")
    pending = Project.objects.create(title_de="Beantragtes Projekt", slug="beantragt")
    for project, state, reference, amount in (
            (granted, Application.State.GRANTED, "FKZ-OEFFENTLICH", "250000"),
            (pending, Application.State.SUBMITTED, "FKZ-GEHEIM", "999999")):
        application = Application.objects.create(call=call, project=project, state=state,
                                                 title=f"Antrag {project.title_de}")
        Grant.objects.create(application=application, amount=Decimal(amount),
                             reference=reference, starts_on=date(2026, 1, 1),
                             ends_on=date(2027, 12, 31))


def test_refresh_makes_five_published_datasets_with_csv_and_json(db, client):
    out = io.StringIO()
    call_command("refresh_open_data", stdout=out)
    datasets = Dataset.objects.filter(kind=Dataset.Kind.PLATFORM)
    assert set(datasets.values_list("platform_key", flat=True)) == KEYS
    assert all(d.state == Dataset.State.PUBLISHED for d in datasets)
    for dataset in datasets:
        formats = list(dataset.distributions.values_list("file_type", flat=True))
        assert formats == ["CSV", "JSON"]
        assert dataset.distributions.get(file_type="CSV").download_url == \
            f"/de/data/datasets/{dataset.slug}.csv"
        spec = alliance_data.SPECS[dataset.platform_key]
        header = client.get(f"/de/data/datasets/{dataset.slug}.csv").content.decode() \
            .splitlines()[0]
        assert header.split(",") == [column.name for column in spec.columns]
        assert all(column.description_de and column.description_en for column in spec.columns)
    assert "allianz-partner rebuilt" in out.getvalue()


def test_the_files_hold_only_public_rows(public_and_private, client):
    alliance_data.refresh()
    partners = _get_csv(client, "allianz-partner")
    assert [row["name"] for row in partners] == ["Sichtbare Partnerin AG"]
    ideas = _get_json(client, "allianz-ideen")
    assert [row["title"] for row in ideas] == ["Öffentliche Idee"]
    assert "author" not in ideas[0]
    events = _get_json(client, "allianz-veranstaltungen")
    assert [row["slug"] for row in events] == ["offen"]
    funding = _get_json(client, "allianz-foerdermittel")
    assert [row["project"] for row in funding] == ["bewilligt"]
    assert funding[0]["amount_eur"] == 250000
    everything = b"".join(PlatformFile.objects.values_list("content", flat=True))
    for secret in (b"Verborgen", b"Versteckte", b"Internes", b"meet.example", b"FKZ",
                   b"999999", b"citizen@example.org"):
        assert secret not in everything, secret
    funding_files = b"".join(PlatformFile.objects.filter(dataset__platform_key="funding")
                             .values_list("content", flat=True))
    assert b"beantragt" not in funding_files


def test_a_change_marks_the_file_stale_and_the_next_request_shows_it(public_and_private,
                                                                     client,
                                                                     make_organisation):
    alliance_data.refresh()
    dataset = Dataset.objects.get(platform_key="partners")
    first_modified = dataset.modified
    assert not PlatformFile.objects.filter(dataset=dataset, stale=True).exists()
    make_organisation("Neue Partnerin eG")
    assert PlatformFile.objects.filter(dataset=dataset, stale=True).count() == 2
    names = [row["name"] for row in _get_csv(client, "allianz-partner")]
    assert "Neue Partnerin eG" in names
    dataset.refresh_from_db()
    assert dataset.modified > first_modified


def test_a_rebuild_without_change_keeps_modified(public_and_private):
    alliance_data.refresh()
    dataset = Dataset.objects.get(platform_key="events")
    before = dataset.modified
    assert alliance_data.refresh(force=True) == 0
    dataset.refresh_from_db()
    assert dataset.modified == before


def test_formula_cells_are_defused_in_the_csv(db, client, make_organisation):
    make_organisation("=HYPERLINK(\"http://evil.example\")")
    alliance_data.refresh()
    rows = _get_csv(client, "allianz-partner")
    assert rows[0]["name"].startswith("'=")


def test_preview_gives_columns_and_the_first_rows(public_and_private):
    alliance_data.refresh()
    dataset = Dataset.objects.get(platform_key="events")
    columns, rows = alliance_data.preview(dataset, limit=1)
    assert [c.name for c in columns] == [c.name for c in alliance_data.SPECS["events"].columns]
    assert len(rows) == 1 and rows[0][0] == "offen"


def _queries(key: str) -> int:
    with CaptureQueriesContext(connection) as context:
        list(alliance_data.SPECS[key].rows())
    return len(context.captured_queries)


def test_query_counts_do_not_grow_with_the_rows(public_and_private, make_organisation,
                                                citizen):
    counts = {key: _queries(key) for key in KEYS}
    now = timezone.now()
    for number in range(4):
        make_organisation(f"Partnerin {number}")
        Idea.objects.create(title=f"Idee {number}", description="…", author=citizen)
        Event.objects.create(title_de=f"Treffen {number}", slug=f"treffen-{number}",
                             starts_at=now, ends_at=now + timedelta(hours=1))
        project = Project.objects.create(title_de=f"Projekt {number}", slug=f"projekt-{number}")
        application = Application.objects.create(
            call=Call.objects.get(), project=project, state=Application.State.GRANTED,
            title=f"Antrag {number}")
        Grant.objects.create(application=application, amount=Decimal("1000"), reference="x",
                             starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    assert {key: _queries(key) for key in KEYS} == counts
    assert len(list(alliance_data.SPECS["partners"].rows())) == 5


def test_a_withdrawn_platform_dataset_answers_410(db, client):
    alliance_data.refresh()
    Dataset.objects.filter(platform_key="ideas").update(state=Dataset.State.WITHDRAWN)
    assert client.get("/de/data/datasets/allianz-ideen.json").status_code == 410
    assert client.get("/de/data/datasets/gibt-es-nicht.json").status_code == 404
