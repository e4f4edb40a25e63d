"""The public pages of living labs: list (filter, htmx, query count), the lab page with its
facts, map data, datastreams, latest values and charts with their tables, the live partial and
the CSV download."""

import json
from datetime import date

import pytest
from django.urls import reverse

from stadtallianz.core.testing import query_count
from stadtallianz.livinglabs.models import LivingLab

from .conftest import PUBLIC_VALUE, SHOWN_COUNT

pytestmark = pytest.mark.django_db


def _make_labs(operator, count, start=0):
    for index in range(start, start + count):
        LivingLab.objects.create(
            name_de=f"Labor {index:03}", slug=f"labor-{index:03}", description_de="Test",
            area={"type": "Point", "coordinates": [7.6, 51.9]}, starts_on=date(2026, 1, 1),
            state=LivingLab.State.RUNNING if index % 2 else LivingLab.State.PLANNED,
            operator=operator, contact_name="Team", contact_email="team@example.org")


def test_the_list_shows_labs_and_filters_by_state(client, organisation):
    _make_labs(organisation, 4)
    response = client.get(reverse("livinglabs:list"))
    assert response.status_code == 200
    assert "Labor 000" in response.text and "Labor 001" in response.text
    filtered = client.get(reverse("livinglabs:list"), {"state": "running"})
    assert "Labor 001" in filtered.text and "Labor 000" not in filtered.text
    partial = client.get(reverse("livinglabs:list"), {"state": "running"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.text and "Labor 003" in partial.text


def test_the_list_makes_the_same_number_of_queries_for_more_labs(client, organisation):
    _make_labs(organisation, 2)
    url = reverse("livinglabs:list")
    few = query_count(client.get, url)
    _make_labs(organisation, 15, start=2)
    assert query_count(client.get, url) == few


def test_the_lab_page_shows_facts_map_things_and_charts(client, lab, streams, make_project):
    project = make_project("Klimadaten am See")
    lab.projects.add(project)
    response = client.get(lab.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "Reallabor Aasee" in text and "Wasser und Luft am Aasee" in text
    assert "reallabor@example.org" in text and project.title in text
    assert 'id="lab-area"' in text and "Boje" in text  # the map's data and the location list
    assert "Wassertemperatur" in text and "Radzählung" in text
    assert "<svg" in text and "<table>" in text
    # The latest public value and the shown window; the chart's table has the same values.
    assert "21,5" in text
    assert f"<td>{SHOWN_COUNT}</td>" in text
    assert f'data-live-url="/de/living-labs/{lab.slug}/datastreams/' in text
    # The project page links back to the lab.
    assert lab.get_absolute_url() in client.get(project.get_absolute_url()).text


def test_the_lab_page_makes_the_same_number_of_queries_for_more_datastreams(
        client, lab, streams, make_datastream):
    url = lab.get_absolute_url()
    few = query_count(client.get, url)
    for index in range(5):
        make_datastream(lab, name=f"Mehr {index}", privacy_level="public")
    assert query_count(client.get, url) == few


def test_the_live_partial_and_the_csv_of_a_public_stream(client, lab, streams):
    public = streams["public"]
    partial = client.get(reverse("livinglabs:datastream_chart", args=[lab.slug, public.pk]),
                         HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.text
    assert "21,5" in partial.text
    csv = client.get(reverse("livinglabs:datastream_csv", args=[lab.slug, public.pk]))
    assert csv.status_code == 200
    body = b"".join(csv.streaming_content).decode()
    assert body.splitlines()[0].lstrip("\ufeff").startswith("Messbeginn")
    assert str(PUBLIC_VALUE) in body
    machine = client.get(reverse("livinglabs:datastream_csv", args=[lab.slug, public.pk]),
                         {"format": "utc"})
    body = b"".join(machine.streaming_content).decode()
    assert body.splitlines()[0].lstrip("\ufeff").startswith("phenomenon_time_start")


def test_the_csv_writes_structured_results_as_json(client, lab, make_datastream):
    from datetime import UTC, datetime

    from stadtallianz.sensorthings import ingest

    stream = make_datastream(lab, name="Zustand", privacy_level="public")
    ingest.store([ingest.NewObservation(stream.pk, datetime(2026, 5, 1, tzinfo=UTC),
                                        {"klar": True}),
                  ingest.NewObservation(stream.pk, datetime(2026, 5, 1, 1, tzinfo=UTC), "trüb")],
                 lab_id=lab.pk)
    csv = client.get(reverse("livinglabs:datastream_csv", args=[lab.slug, stream.pk]))
    body = b"".join(csv.streaming_content).decode()
    assert '"{""klar"": true}"' in body and "trüb" in body


def test_a_stream_of_another_lab_is_not_found_under_this_lab(client, lab, other_lab, streams,
                                                              make_datastream):
    foreign = make_datastream(other_lab, name="Fremd", privacy_level="public")
    assert client.get(reverse("livinglabs:datastream_csv",
                              args=[lab.slug, foreign.pk])).status_code == 404
    assert client.get(reverse("livinglabs:datastream_chart",
                              args=[lab.slug, foreign.pk])).status_code == 404


def test_the_english_page_is_in_english(client, lab, streams):
    response = client.get(f"/en/living-labs/{lab.slug}/")
    assert "What the lab has learned" in response.text
    german = client.get(f"/de/living-labs/{lab.slug}/")
    assert "What the lab has learned" not in german.text


def test_the_map_draws_locations_sent_as_features_and_skips_what_is_no_geometry(client, lab):
    from stadtallianz.sensorthings.models import Location

    Location.objects.create(lab=lab, name="Als Feature", description="x", location={
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [7.6, 51.9]},
        "properties": {}})
    Location.objects.create(lab=lab, name="Kaputt", description="x", location={"foo": 1})
    response = client.get(lab.get_absolute_url())
    collection = json.loads(response.text.split('id="lab-area" type="application/json">')[1]
                            .split("</script>")[0])
    assert [f["properties"]["title"] for f in collection["features"]] == [
        "Reallabor Aasee", "Als Feature"]
    assert collection["features"][1]["geometry"]["type"] == "Point"


def test_a_withdrawn_partner_is_not_listed(client, lab, make_organisation):
    from stadtallianz.partners.models import Organisation

    shown = make_organisation("Sichtbar GmbH")
    gone = make_organisation("Ausgetreten AG", status=Organisation.Status.WITHDRAWN)
    lab.partners.add(shown, gone)
    text = client.get(lab.get_absolute_url()).text
    assert "Sichtbar GmbH" in text and "Ausgetreten AG" not in text
    api = client.get(f"/api/v1/living-labs/{lab.slug}").json()
    assert [p["slug"] for p in api["partners"]] == [shown.slug]
