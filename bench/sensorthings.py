"""Benchmark: the SensorThings API at national scale (5,000 datastreams in 100 living labs,
10 million observations of minute data).

Runs standalone and in-process, on a database of its own (PostgreSQL is the target):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench_sta \
        .venv/bin/python bench/sensorthings.py
    .venv/bin/python bench/sensorthings.py --observations 200000   # SQLite, small

The first run writes the data with server-side bulk SQL (never through the API) and a second
run reuses it. Then it measures:

(a) ingest through `POST /CreateObservations` (test client, production settings, batches of
    `--batch` rows into ten datastreams kept for it) in observations per second, beside a raw
    psycopg COPY of the same rows into the same table in the same run;
(b) `Datastreams(x)/Observations?$filter=phenomenonTime ge … and phenomenonTime lt …
    &$top=1000&$orderby=phenomenonTime`;
(c) the latest observation of each of the 5,000 datastreams:
    `Datastreams?$top=5000&$expand=Observations($top=1;$orderby=phenomenonTime desc)`;
(d) hourly means over 30 days of one datastream of minute data: from the hourly aggregates,
    and for comparison with GROUP BY over the raw rows.
"""

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlparse

from common import (
    describe_run,
    measure,
    own_database,
    parse_arguments,
    print_table,
    say,
    setup,
    time_pages,
)

PREFIX = "bench-sta-"
LABS = 100
FOCUS_STREAMS = 10  # datastreams with 30 days of minute data (for b and d)
FOCUS_MINUTES = 30 * 24 * 60
INGEST_STREAMS = 10  # the ingest benchmark's own datastreams, emptied before each run
# The data ends here; the ingest benchmark writes after it.
END = datetime(2026, 6, 1, tzinfo=UTC)


def database_url() -> str:
    """stadtallianz_bench_sta next to the given database (or var/bench-sta.sqlite3)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return own_database("", "sta")
    parsed = urlparse(url)
    name = Path(parsed.path).name
    if name.endswith("_sta") or name.endswith("-sta.sqlite3"):
        return url
    if url.startswith(("postgres://", "postgresql://")):
        return parsed._replace(path=f"/{name}_sta").geturl()
    return url[:-len(name)] + f"{Path(name).stem}-sta{Path(name).suffix}"


def generate(streams: int, observations: int, progress=say, *, lab_count: int = LABS,
             focus_streams: int = FOCUS_STREAMS, focus_minutes: int = FOCUS_MINUTES) -> None:
    """5,000 datastreams (50 per lab, one thing with a location each, a sensor and observed
    property per lab) and their minute data: the first `focus_streams` have 30 days
    (`focus_minutes`), the others share the rest of `observations`. Plus INGEST_STREAMS empty
    ones for the ingest run. --smoke makes fewer labs and focus minutes."""
    from django.db import connection, transaction

    from stadtallianz.livinglabs.models import LivingLab, PrivacyLevel
    from stadtallianz.partners.models import Organisation
    from stadtallianz.sensorthings import models as sta

    if sta.Datastream.objects.filter(name__startswith=PREFIX).count() >= streams:
        progress(f"{streams} datastreams and their observations from an earlier run reused")
        return
    started = time.perf_counter()
    with transaction.atomic():
        operator, _created = Organisation.objects.get_or_create(
            slug=f"{PREFIX}operator", defaults={
                "name": "Bench-Stadtwerke", "type": Organisation.Type.COMPANY,
                "status": Organisation.Status.PARTNER, "partner_since": END})
        labs = LivingLab.objects.bulk_create([LivingLab(
            name_de=f"Bench-Reallabor {i}", slug=f"{PREFIX}{i}", description_de="Bench",
            area={"type": "Point", "coordinates": [7 + i / 100, 51.5]},
            starts_on=END.date(), state=LivingLab.State.RUNNING, operator=operator,
            contact_name="Team", contact_email="team@example.org",
            default_privacy_level=PrivacyLevel.PUBLIC) for i in range(lab_count + 1)])
        per_lab = streams // lab_count
        stream_rows = []
        for number, lab in enumerate(labs):
            count = INGEST_STREAMS if number == lab_count else per_lab
            sensor = sta.Sensor.objects.create(lab=lab, name="Sensor", description="d",
                                               encoding_type="text/html", metadata="m")
            observed = sta.ObservedProperty.objects.create(
                lab=lab, name="Temperatur", definition="https://example.org/t", description="d")
            locations = sta.Location.objects.bulk_create([sta.Location(
                lab=lab, name=f"Ort {k}", description="d",
                location={"type": "Point", "coordinates": [7 + k / 1000, 51.9]})
                for k in range(count)])
            things = sta.Thing.objects.bulk_create([sta.Thing(
                lab=lab, name=f"Station {k}", description="d") for k in range(count)])
            sta.Thing.locations.through.objects.bulk_create([
                sta.Thing.locations.through(thing_id=t.pk, location_id=loc.pk)
                for t, loc in zip(things, locations, strict=True)])
            sta.FeatureOfInterest.objects.bulk_create([sta.FeatureOfInterest(
                lab=lab, name=loc.name, description="d", feature=loc.location,
                generated_from=loc) for loc in locations])
            stream_rows += [sta.Datastream(
                lab=lab, thing=t, sensor=sensor, observed_property=observed,
                name=f"{PREFIX}{'ingest' if number == lab_count else 'data'} {lab.pk}-{k}",
                description="d", observation_type="OM_Measurement",
                unit_of_measurement={"name": "Grad Celsius", "symbol": "°C", "definition": "u"},
                # every 20th restricted: the visitor's list leaves them out
                privacy_level=(PrivacyLevel.RESTRICTED if k % 20 == 19
                               else PrivacyLevel.PUBLIC))
                for k, t in enumerate(things)]
        sta.Datastream.objects.bulk_create(stream_rows, batch_size=1000)
    progress(f"  {len(stream_rows)} datastreams ({time.perf_counter() - started:.1f} s)")
    data = list(sta.Datastream.objects.filter(name__startswith=f"{PREFIX}data").order_by("pk")
                .values_list("pk", flat=True))
    rest = max(1, (observations - focus_streams * focus_minutes)
               // (len(data) - focus_streams))
    if connection.vendor != "postgresql":
        generate_sqlite(data, rest, progress, started, focus_streams, focus_minutes)
        return
    focus = set(data[:focus_streams])
    chunk = 250
    for start in range(0, len(data), chunk):
        ids = data[start:start + chunk]
        with transaction.atomic(), connection.cursor() as cursor:
            for datastream_id in ids:
                minutes = focus_minutes if datastream_id in focus else rest
                # Server-side: one INSERT … SELECT per datastream, its feature from the thing's
                # location; values a daily curve with noise.
                cursor.execute(
                    "INSERT INTO sensorthings_observation (datastream_id, phenomenon_time_start, "
                    "result_number, feature_of_interest_id) SELECT d.id, "
                    "%s::timestamptz - make_interval(mins => g), "
                    "round((15 + 5 * sin(g / 229.0) + random())::numeric, 2), f.id "
                    "FROM sensorthings_datastream d "
                    "JOIN sensorthings_thing_locations tl ON tl.thing_id = d.thing_id "
                    "JOIN sensorthings_featureofinterest f ON f.generated_from_id = "
                    "tl.location_id, generate_series(1, %s) g WHERE d.id = %s",
                    [END, minutes, datastream_id])
            cursor.execute(
                "INSERT INTO sensorthings_hourlyaggregate (datastream_id, hour, count, total, "
                "minimum, maximum) SELECT datastream_id, date_trunc('hour', "
                "phenomenon_time_start), count(*), sum(result_number), min(result_number), "
                "max(result_number) FROM sensorthings_observation WHERE datastream_id = ANY(%s) "
                "GROUP BY 1, 2", [ids])
            cursor.execute(
                "UPDATE sensorthings_datastream d SET phenomenon_time_start = s.first, "
                "phenomenon_time_end = s.last FROM (SELECT datastream_id, "
                "min(phenomenon_time_start) AS first, max(phenomenon_time_start) AS last "
                "FROM sensorthings_observation WHERE datastream_id = ANY(%s) GROUP BY 1) s "
                "WHERE d.id = s.datastream_id", [ids])
        progress(f"  observations: {min(start + chunk, len(data))} / {len(data)} datastreams "
                 f"({time.perf_counter() - started:.1f} s)")


def generate_sqlite(data: list[int], rest: int, progress, started: float,
                    focus_streams: int, focus_minutes: int) -> None:
    """SQLite (small runs only): the same minute data through ingest.store, which keeps the
    hourly aggregates and spans."""
    from stadtallianz.sensorthings import ingest

    for number, datastream_id in enumerate(data, start=1):
        minutes = focus_minutes if number <= focus_streams else rest
        ingest.store([ingest.NewObservation(datastream_id, END - timedelta(minutes=m),
                                            round(15 + (m % 600) / 100, 2))
                      for m in range(1, minutes + 1)], lab_id=None)
        if number % 250 == 0 or number == len(data):
            progress(f"  observations: {number} / {len(data)} datastreams "
                     f"({time.perf_counter() - started:.1f} s)")


def ingest_rows(streams: list[int], total: int, start: datetime) -> list[list]:
    """Minute values for the ingest datastreams, datastream by datastream."""
    per = total // len(streams)
    return [[stream, [(start + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                      round(15 + (m % 600) / 100, 2)]] for stream in streams
            for m in range(per)]


def batches_of(rows: list[list], size: int) -> list[bytes]:
    """CreateObservations bodies of `size` rows each, one item per datastream in the batch."""
    bodies = []
    for start in range(0, len(rows), size):
        items: dict[int, list] = {}
        for stream, row in rows[start:start + size]:
            items.setdefault(stream, []).append(row)
        bodies.append(json.dumps([{"Datastream": {"@iot.id": stream},
                                   "components": ["phenomenonTime", "result"],
                                   "dataArray": data} for stream, data in items.items()]
                                 ).encode())
    return bodies


def bench_ingest(arguments) -> list:
    """(a): returns table rows (label, url, rate) and prints the rates."""
    from django.db import connection, transaction
    from django.test import Client

    from stadtallianz.livinglabs.models import LabToken
    from stadtallianz.sensorthings import models as sta

    streams = list(sta.Datastream.objects.filter(name__startswith=f"{PREFIX}ingest")
                   .order_by("pk").values_list("pk", flat=True))
    lab = sta.Datastream.objects.get(pk=streams[0]).lab
    sta.Observation.objects.filter(datastream_id__in=streams).delete()
    sta.HourlyAggregate.objects.filter(datastream_id__in=streams).delete()
    LabToken.objects.filter(lab=lab).delete()
    _token, key = LabToken.issue(lab=lab, name="bench")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    rows = ingest_rows(streams, arguments.ingest, END)
    bodies = batches_of(rows, arguments.batch)
    say(f"(a) ingest: {len(rows)} observations in {len(bodies)} batches of {arguments.batch} "
        f"into {len(streams)} datastreams")
    client = Client()
    # one warm-up batch (imports, connection, statement plans), not counted, then deleted
    warm = batches_of(ingest_rows(streams, arguments.batch, END - timedelta(days=400)),
                      arguments.batch)[0]
    assert client.post("/sta/v1.1/CreateObservations", warm, content_type="application/json",
                       **headers).status_code == 201
    sta.Observation.objects.filter(datastream_id__in=streams).delete()
    sta.HourlyAggregate.objects.filter(datastream_id__in=streams).delete()
    started, cpu = time.perf_counter(), time.process_time()
    for number, body in enumerate(bodies, start=1):
        response = client.post("/sta/v1.1/CreateObservations", body,
                               content_type="application/json", **headers)
        if response.status_code != 201:
            sys.exit(f"CreateObservations answered {response.status_code}: "
                     f"{response.content[:300]!r}")
        if number % 10 == 0 or number == len(bodies):
            elapsed = time.perf_counter() - started
            say(f"  API: {number}/{len(bodies)} batches, {number * arguments.batch / elapsed:,.0f}"
                " observations/s so far")
    api_seconds, api_cpu = time.perf_counter() - started, time.process_time() - cpu
    stored = sta.Observation.objects.filter(datastream_id__in=streams).count()
    if stored != len(rows):
        sys.exit(f"stored {stored} observations, sent {len(rows)}")
    # The same rows with a raw COPY into the same table, batch by batch (each committed).
    feature = dict(sta.FeatureOfInterest.objects.filter(
        generated_from__things__datastreams__in=streams).values_list(
            "generated_from__things__datastreams", "pk"))
    tuples = [(stream, datetime.fromisoformat(row[0]), row[1], feature[stream])
              for stream, row in rows]
    started = time.perf_counter()
    for start in range(0, len(tuples), arguments.batch):
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(
                "COPY sensorthings_observation (datastream_id, phenomenon_time_start, "
                "result_number, feature_of_interest_id) FROM STDIN") as copy:
            for row in tuples[start:start + arguments.batch]:
                copy.write_row(row)
    copy_seconds = time.perf_counter() - started
    sta.Observation.objects.filter(datastream_id__in=streams).delete()
    sta.HourlyAggregate.objects.filter(datastream_id__in=streams).delete()
    api_rate, copy_rate = len(rows) / api_seconds, len(rows) / copy_seconds
    say(f"  POST /CreateObservations: {api_rate:,.0f} observations/s "
        f"({api_seconds:.1f} s wall, {api_cpu:.1f} s CPU of this process)")
    say(f"  raw COPY of the same rows: {copy_rate:,.0f} observations/s ({copy_seconds:.1f} s)")
    say(f"  API / COPY: {api_rate / copy_rate:.0%} (targets: ≥ 50,000/s and ≥ 50%)\n")
    return [api_rate, copy_rate]


def hourly_means(datastream_id: int, since: datetime):
    from stadtallianz.sensorthings.models import HourlyAggregate

    return [(hour, total / count) for hour, total, count in HourlyAggregate.objects.filter(
        datastream_id=datastream_id, hour__gte=since).order_by("hour")
        .values_list("hour", "total", "count")]


def hourly_means_from_raw(datastream_id: int, since: datetime):
    from django.db.models import Avg
    from django.db.models.functions import TruncHour

    from stadtallianz.sensorthings.models import Observation

    return list(Observation.objects.filter(
        datastream_id=datastream_id, phenomenon_time_start__gte=since)
        .annotate(hour=TruncHour("phenomenon_time_start")).values("hour")
        .annotate(mean=Avg("result_number")).order_by("hour").values_list("hour", "mean"))


def main() -> int:
    arguments = parse_arguments(__doc__, {
        "--streams": (5000, "datastreams with data"),
        "--observations": (10_000_000, "observations of minute data"),
        "--ingest": (500_000, "observations sent through POST /CreateObservations"),
        "--batch": (10_000, "observations per CreateObservations request"),
        "--skip-ingest": (False, "leave out (a)"),
    }, smoke={"streams": 40, "observations": 20_000, "ingest": 2000, "batch": 500})
    if arguments.smoke:  # …_sta_smoke, from an empty migrated copy each time
        started = setup("sta", smoke=True)
    else:
        os.environ["DATABASE_URL"] = database_url()
        started = setup()
    from django.db import connection
    from django.test import Client

    from stadtallianz.sensorthings import models as sta

    # --smoke: 4 labs, and 4 days of minute data in 2 datastreams instead of 30 days in 10.
    shape = {"lab_count": 4, "focus_streams": 2, "focus_minutes": 4 * 24 * 60} if arguments.smoke \
        else {}
    generate(arguments.streams, arguments.observations, **shape)
    say(f"data: {time.perf_counter() - started:.1f} s")
    describe_run(arguments, f"{sta.Datastream.objects.count()} datastreams, "
                 f"{sta.Observation.objects.count():,} observations, "
                 f"{sta.HourlyAggregate.objects.count():,} hourly aggregates")
    if connection.vendor == "postgresql" and not arguments.skip_ingest:
        bench_ingest(arguments)
    elif not arguments.skip_ingest:
        say("(a) ingest: measured on PostgreSQL only (COPY)\n")

    focus = sta.Datastream.objects.filter(name__startswith=f"{PREFIX}data").order_by("pk")[0]
    day_start = END - timedelta(days=3)
    window = (f"phenomenonTime ge {day_start:%Y-%m-%dT%H:%M:%SZ} and phenomenonTime lt "
              f"{day_start + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}")
    urls = [
        ("(b) a day of one datastream, $top=1000",
         f"/sta/v1.1/Datastreams({focus.pk})/Observations?$filter={quote(window)}"
         "&$top=1000&$orderby=phenomenonTime"),
        ("(c) latest observation of 5,000 datastreams",
         "/sta/v1.1/Datastreams?$top=5000&$expand="
         + quote("Observations($top=1;$orderby=phenomenonTime desc)")),
    ]
    rows = time_pages(Client(), urls, arguments)
    since = END - timedelta(days=30)
    hours = shape.get("focus_minutes", FOCUS_MINUTES) // 60
    if len(hourly_means(focus.pk, since)) != hours:
        sys.exit(f"hourly aggregates: {len(hourly_means(focus.pk, since))} hours, not {hours}")
    if arguments.smoke:  # the answers hold the data, not only a 200
        day = rows[0][2].result.json()["value"]
        if len(day) != 1000:  # $top=1000 of the day's 1,440
            sys.exit(f"a day of one datastream: {len(day)} observations, not 1000")
        latest = rows[1][2].result.json()["value"]
        if not any(stream["Observations"] for stream in latest):
            sys.exit("latest observations: no datastream has one")
        if len(hourly_means_from_raw(focus.pk, since)) != hours:
            sys.exit("hourly means from the raw rows disagree with the hourly aggregates")
    for label, call in [
            ("(d) hourly means, 30 days (hourly aggregates)",
             lambda: hourly_means(focus.pk, since)),
            ("(d) hourly means, 30 days (GROUP BY raw rows)",
             lambda: hourly_means_from_raw(focus.pk, since))]:
        rows.append((label, "(ORM call)", measure(call, requests=arguments.requests,
                                                  warmup=arguments.warmup)))
    print_table(rows, heading="request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
