"""The living labs' datasets (opendata.sync) and their files (opendata.downloads): one dataset
per lab and observed property with a public or aggregated datastream, never a restricted one;
aggregated data only in closed windows of at least k; a dataset withdrawn (and its address
answering 410) when its last public datastream turns restricted or is deleted."""

import csv
import io
from datetime import date

import pytest
from django.utils import timezone

from stadtallianz.livinglabs import services as lab_services
from stadtallianz.livinglabs.models import LivingLab
from stadtallianz.livinglabs.tests.conftest import (  # noqa: F401 - fixtures
    OPEN_COUNT,
    PUBLIC_VALUE,
    RESTRICTED_VALUE,
    SHOWN_COUNT,
    WITHHELD_COUNT,
    K,
    add_raw,
    hour_ago,
    lab,
    make_datastream,
    streams,
)
from stadtallianz.opendata.models import Dataset
from stadtallianz.opendata.sync import sync_lab_datasets
from stadtallianz.sensorthings.models import PrivacyLevel


def _dataset_of(stream) -> Dataset | None:
    return Dataset.objects.filter(kind=Dataset.Kind.LAB,
                                  observed_property=stream.observed_property).first()


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def synced(streams):  # noqa: F811
    sync_lab_datasets()
    return streams


def test_one_dataset_per_public_or_aggregated_property_never_a_restricted_one(synced, lab):  # noqa: F811
    datasets = Dataset.objects.filter(kind=Dataset.Kind.LAB)
    assert datasets.count() == 2
    assert _dataset_of(synced["restricted"]) is None
    public = _dataset_of(synced["public"])
    assert public.state == Dataset.State.PUBLISHED
    assert set(public.datastreams.all()) == {synced["public"]}
    assert public in Dataset.objects.published()
    assert public.publisher == lab.operator
    assert (public.contact_name, public.contact_email) == (lab.contact_name, lab.contact_email)
    assert public.spatial == lab.area
    assert public.accrual_periodicity == "CONT"
    assert public.themes == ["REGI"]  # no project with a focus area: the fallback
    assert public.temporal_start == timezone.localtime(hour_ago(1)).date()
    assert public.title_de == "Reallabor Aasee: Temperatur"
    assert public.issued is not None


def test_an_aggregated_dataset_describes_its_window_and_k(synced):
    dataset = _dataset_of(synced["counts"])
    assert "60 Minuten" in dataset.description_de and f"mindestens {K} Personen" in \
        dataset.description_de
    assert "60 minutes" in dataset.description_en and f"at least {K} people" in \
        dataset.description_en


def test_the_distributions_api_csv_per_year_and_geojson(synced, client):
    dataset = _dataset_of(synced["public"])
    kinds = [(d.kind, d.file_type) for d in dataset.distributions.all()]
    assert kinds == [("api", "JSON"), ("download", "CSV"), ("download", "GEOJSON")]
    year = timezone.localtime().year
    csv_file = dataset.distributions.get(file_type="CSV")
    assert (csv_file.period_start, csv_file.period_end) == (date(year, 1, 1), date(year, 12, 31))
    assert csv_file.download_url == f"/de/data/datasets/{dataset.slug}/observations-{year}.csv"


def test_the_api_address_selects_exactly_the_datasets_datastreams(synced, client):
    for name in ("public", "counts"):
        dataset = _dataset_of(synced[name])
        url = dataset.distributions.get(kind="api").access_url
        assert url.startswith("/sta/v1.1/Datastreams?$filter=")
        answer = client.get(url)
        assert answer.status_code == 200
        assert [item["@iot.id"] for item in answer.json()["value"]] == [synced[name].pk]


def test_the_csv_holds_public_values_and_only_closed_windows_of_at_least_k(synced, client):
    year = timezone.localtime().year
    public = _dataset_of(synced["public"])
    rows = _csv(client.get(f"/de/data/datasets/{public.slug}/observations-{year}.csv"))
    assert [float(row["result"]) for row in rows] == [PUBLIC_VALUE]
    assert rows[0]["datastream_id"] == str(synced["public"].pk)
    counts = _dataset_of(synced["counts"])
    answer = client.get(f"/de/data/datasets/{counts.slug}/observations-{year}.csv")
    assert answer["Content-Type"].startswith("text/csv")
    values = [float(row["result"]) for row in _csv(answer)]
    assert values == [SHOWN_COUNT]
    assert WITHHELD_COUNT not in values and OPEN_COUNT not in values
    assert RESTRICTED_VALUE not in values


def test_a_logged_in_insider_gets_the_same_public_file(synced, client_for, partner_admin):
    """The operator's admin may read restricted data on the lab pages; the catalogue's files
    are the same for everybody."""
    year = timezone.localtime().year
    counts = _dataset_of(synced["counts"])
    rows = _csv(client_for(partner_admin).get(
        f"/de/data/datasets/{counts.slug}/observations-{year}.csv"))
    assert [float(row["result"]) for row in rows] == [SHOWN_COUNT]


def test_the_geojson_has_the_area_and_the_datasets_locations(synced, client):
    dataset = _dataset_of(synced["public"])
    answer = client.get(f"/de/data/datasets/{dataset.slug}/locations.geojson")
    assert answer["Content-Type"].startswith("application/geo+json")
    features = answer.json()["features"]
    assert [f["properties"]["kind"] for f in features] == ["lab_area", "location"]
    location = synced["public"].thing.locations.get()
    assert features[1]["id"] == location.pk
    restricted_location = synced["restricted"].thing.locations.get()
    assert restricted_location.pk not in {f.get("id") for f in features}


def test_a_year_without_public_data_or_in_the_future_is_not_found(synced, client):
    dataset = _dataset_of(synced["public"])
    year = timezone.localtime().year
    assert client.get(f"/de/data/datasets/{dataset.slug}/observations-{year + 1}.csv"
                      ).status_code == 404


def test_nothing_changed_nothing_modified(synced):
    dataset = _dataset_of(synced["public"])
    before = dataset.modified
    result = sync_lab_datasets()
    assert result.changed == 0
    dataset.refresh_from_db()
    assert dataset.modified == before


def test_the_dataset_is_withdrawn_when_its_last_public_stream_turns_restricted(
        synced, partner_admin, client, django_capture_on_commit_callbacks):
    dataset = _dataset_of(synced["public"])
    year = timezone.localtime().year
    with django_capture_on_commit_callbacks(execute=True):
        lab_services.set_privacy(datastream=synced["public"], actor=partner_admin,
                                 level=PrivacyLevel.RESTRICTED, aggregation_window=3600,
                                 counts_people=False, k_threshold=5, retention_days=None)
    dataset.refresh_from_db()
    assert dataset.state == Dataset.State.WITHDRAWN
    assert dataset not in Dataset.objects.published()
    assert not dataset.datastreams.exists() and not dataset.distributions.exists()
    answer = client.get(f"/de/data/datasets/{dataset.slug}/observations-{year}.csv")
    assert answer.status_code == 410
    assert client.get(f"/de/data/datasets/{dataset.slug}/locations.geojson").status_code == 410
    # Public again: the same dataset, the same address.
    with django_capture_on_commit_callbacks(execute=True):
        lab_services.set_privacy(datastream=synced["public"], actor=partner_admin,
                                 level=PrivacyLevel.PUBLIC, aggregation_window=3600,
                                 counts_people=False, k_threshold=5, retention_days=None)
    again = _dataset_of(synced["public"])
    assert again.pk == dataset.pk and again.state == Dataset.State.PUBLISHED


def test_a_stream_turned_restricted_leaves_the_file_even_before_the_sync(synced, client):
    """Without the signal (a change written with .update()): the download asks the privacy
    rules itself."""
    dataset = _dataset_of(synced["public"])
    type(synced["public"]).objects.filter(pk=synced["public"].pk).update(
        privacy_level=PrivacyLevel.RESTRICTED)
    year = timezone.localtime().year
    rows = _csv(client.get(f"/de/data/datasets/{dataset.slug}/observations-{year}.csv"))
    assert rows == []


def test_deleting_the_last_datastream_withdraws_the_dataset(synced,
                                                            django_capture_on_commit_callbacks):
    dataset = _dataset_of(synced["counts"])
    with django_capture_on_commit_callbacks(execute=True):
        synced["counts"].delete()
    dataset.refresh_from_db()
    assert dataset.state == Dataset.State.WITHDRAWN


def test_a_new_public_stream_is_published_after_the_commit(lab, make_datastream,  # noqa: F811
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stream = make_datastream(lab, name="Luftfeuchte", privacy_level=PrivacyLevel.PUBLIC)
    assert _dataset_of(stream).state == Dataset.State.PUBLISHED


def test_a_planned_labs_public_data_is_published_like_its_pages(lab, make_datastream):  # noqa: F811
    LivingLab.objects.filter(pk=lab.pk).update(state=LivingLab.State.PLANNED)
    stream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    add_raw(stream, PUBLIC_VALUE, hour_ago(2))
    sync_lab_datasets(lab)
    assert _dataset_of(stream).state == Dataset.State.PUBLISHED


def test_themes_come_from_the_projects_focus_areas(lab, make_datastream):  # noqa: F811
    from stadtallianz.core.models import FocusArea
    from stadtallianz.projects.models import Project

    project = Project.objects.create(title_de="Energiewende am See", slug="energiewende")
    area, _new = FocusArea.objects.get_or_create(slug="energy", defaults={"name_de": "Energie"})
    project.focus_areas.add(area)
    lab.projects.add(project)
    stream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    sync_lab_datasets(lab)
    assert _dataset_of(stream).themes == ["ENER", "ENVI"]


def test_the_preview_shows_only_what_the_csv_shows(synced):
    from stadtallianz.opendata.alliance_data import preview

    columns, rows = preview(_dataset_of(synced["counts"]), limit=10)
    assert [c.name for c in columns][-1] == "result"
    assert [row[-1] for row in rows] == [SHOWN_COUNT]
    withdrawn = _dataset_of(synced["public"])
    Dataset.objects.filter(pk=withdrawn.pk).update(state=Dataset.State.WITHDRAWN)
    withdrawn.refresh_from_db()
    assert preview(withdrawn) == ([], [])


def _sibling(stream, name):
    """Another datastream of the same observed property (so the same dataset)."""
    from stadtallianz.sensorthings.models import Datastream

    return Datastream.objects.create(
        lab=stream.lab, thing=stream.thing, sensor=stream.sensor,
        observed_property=stream.observed_property, name=name, description=name,
        observation_type=stream.observation_type,
        unit_of_measurement=stream.unit_of_measurement, privacy_level=PrivacyLevel.PUBLIC)


def test_the_csv_costs_the_same_however_many_datastreams(synced, client):
    from stadtallianz.core.testing import query_count

    year = timezone.localtime().year
    dataset = _dataset_of(synced["public"])
    url = f"/de/data/datasets/{dataset.slug}/observations-{year}.csv"

    def download():
        return b"".join(client.get(url).streaming_content)

    before = query_count(download)
    for number in range(3):
        add_raw(_sibling(synced["public"], f"Sonde {number}"), 10.0 + number, hour_ago(1))
    sync_lab_datasets()
    assert dataset.datastreams.count() == 4
    assert query_count(download) == before
    assert len(_csv(client.get(url))) == 4
