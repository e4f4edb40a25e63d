"""The catalogue's own files at stable addresses: a lab dataset's observations per calendar year
(CSV) and its locations (GeoJSON), and the platform datasets' CSV and JSON files.

Everything here is what anybody may read, whoever asks: the lab files go through
sensorthings.privacy as an anonymous reader (restricted datastreams never, aggregated ones only
their closed windows and, for counts of people, only windows of at least k), and a dataset that
is not published answers 410 when it was withdrawn and 404 otherwise.
"""

import json
from datetime import UTC

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from stadtallianz.core.exports import csv_response
from stadtallianz.core.text import attachment_header
from stadtallianz.sensorthings import privacy
from stadtallianz.sensorthings.models import Datastream, Location, Observation, result_of

from . import alliance_data
from .models import Dataset
from .sync import _local_year_bounds, public_caller

# The CSV's columns: the SensorThings names, times in UTC (a file for machines, the same in
# every language). docs/api.md, "Open data downloads".
OBSERVATION_HEADERS = ["datastream_id", "datastream_name", "phenomenon_time_start",
                       "phenomenon_time_end", "result_time", "result"]
MAX_YEAR_SPAN = 200


class Gone(Exception):
    pass


def _dataset(slug: str, kind: str) -> Dataset:
    dataset = get_object_or_404(Dataset.objects.select_related("lab"), slug=slug, kind=kind)
    if dataset.state == Dataset.State.WITHDRAWN:
        raise Gone
    if dataset.state != Dataset.State.PUBLISHED:
        raise Http404
    return dataset


def _gone() -> HttpResponse:
    return HttpResponse("This dataset has been withdrawn.\n", status=410,
                        content_type="text/plain; charset=utf-8")


def _public_streams(dataset: Dataset):
    """The dataset's datastreams anybody may know of now (a datastream turned restricted since
    the last sync is left out at once)."""
    return (dataset.datastreams.filter(privacy.datastreams(public_caller()))
            .exclude(privacy_level="restricted").order_by("pk"))


@require_safe
def observations_csv(request, slug, year):
    try:
        dataset = _dataset(slug, Dataset.Kind.LAB)
    except Gone:
        return _gone()
    now = timezone.now()
    if not 2000 <= year <= timezone.localtime(now).year:
        raise Http404
    since, until = _local_year_bounds(year)
    names = dict(_public_streams(dataset).values_list("pk", "name"))
    return csv_response(f"{dataset.slug}-observations-{year}.csv", OBSERVATION_HEADERS,
                        observation_rows(names, since, until, now))


def _shown(moment):
    return moment.astimezone(UTC).isoformat() if moment else ""


def observation_rows(names: dict[int, str], since, until, now):
    """The readable observations of these datastreams ({id: name}) in [since, until), by
    datastream and time, streamed from one query however many datastreams: what anybody may
    read (sensorthings.privacy), times in UTC."""
    observations = (Observation.objects
                    .filter(privacy.observations(public_caller(), now=now),
                            datastream_id__in=list(names), phenomenon_time_start__gte=since,
                            phenomenon_time_start__lt=until)
                    .order_by("datastream_id", "phenomenon_time_start", "pk")
                    .values_list("datastream_id", "phenomenon_time_start",
                                 "phenomenon_time_end", "result_time", "result_number",
                                 "result_json", "result_integer"))
    for stream_id, start, end, result_time, number, json_value, integer in \
            observations.iterator(chunk_size=2000):
        # As the lab pages' CSV (livinglabs/readings.csv_rows): a number in its own type, a
        # text as it is, any other JSON result as JSON.
        result = result_of(number, json_value, integer)
        if not isinstance(result, str | int | float | None) or isinstance(result, bool):
            result = json.dumps(result, ensure_ascii=False)
        yield [stream_id, names[stream_id], _shown(start), _shown(end), _shown(result_time),
               result]


def locations_collection(dataset: Dataset) -> dict:
    """The lab's area and the locations of the things of the dataset's datastreams."""
    lab = dataset.lab
    things = Datastream.objects.filter(pk__in=_public_streams(dataset).values("pk")) \
        .values("thing")
    features = [{"type": "Feature", "geometry": lab.area,
                 "properties": {"name": lab.name_de, "kind": "lab_area"}}]
    locations = Location.objects.filter(things__in=things).distinct().order_by("pk")
    for location in locations:
        geometry = location.location
        if isinstance(geometry, dict) and geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")
        if not isinstance(geometry, dict) or "type" not in geometry:
            continue
        features.append({"type": "Feature", "id": location.pk, "geometry": geometry,
                         "properties": {"name": location.name,
                                        "description": location.description[:500],
                                        "kind": "location"}})
    return {"type": "FeatureCollection", "features": features}


@require_safe
def locations_geojson(request, slug):
    try:
        dataset = _dataset(slug, Dataset.Kind.LAB)
    except Gone:
        return _gone()
    response = HttpResponse(json.dumps(locations_collection(dataset), ensure_ascii=False),
                            content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = attachment_header(f"{dataset.slug}-locations.geojson")
    return response


def _platform_file(request, slug, file_type):
    try:
        dataset = _dataset(slug, Dataset.Kind.PLATFORM)
    except Gone:
        return _gone()
    made = alliance_data.current_file(dataset, file_type)
    media_type = "text/csv; charset=utf-8" if file_type == "CSV" \
        else "application/json; charset=utf-8"
    response = HttpResponse(bytes(made.content), content_type=media_type)
    response["Content-Disposition"] = attachment_header(f"{dataset.slug}.{file_type.lower()}")
    response["Last-Modified"] = http_date(made.made_at.timestamp())
    return response


@require_safe
def platform_csv(request, slug):
    return _platform_file(request, slug, "CSV")


@require_safe
def platform_json(request, slug):
    return _platform_file(request, slug, "JSON")
