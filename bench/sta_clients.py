"""Benchmark: the read shapes real SensorThings clients send, replayed as a mix against a real
server at national scale, with p50/p95/p99 per shape (issue 11, item 9).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench \
        .venv/bin/python bench/sta_clients.py --duration 60

gunicorn in production mode (4 workers, 2 threads, as docs/deployment.md) on the SensorThings
benchmark's data (bench/sensorthings.py: 5,000 datastreams, 10 million observations). `--clients`
threads send requests back to back for `--duration` seconds, each one a shape drawn by its
weight, for a datastream drawn at random from all public ones (so the high ids, which were the
slow ones, are as likely as the low):

- QGIS: `Datastreams(id)/Observations?$count=true&$top=0` (the count, before it pages);
- FROST client: the first page in the default order, and `$top=1`, `2`, `5`, `10`;
- Grafana's SensorThings data source: a time range in time order with `$select`;
- dashboards: the latest observation (`$orderby=phenomenonTime desc&$top=1`), a time range
  without `$orderby`;
- the lab pages: a living lab's page (`/de/living-labs/<slug>/`).

`--code /tmp/before` serves an older checkout on the same data (the before/after in
docs/performance.md). `--smoke` (CI): bench/sta_expand_load.py's small data set, a few seconds;
fails on any error.
"""

import os
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from common import own_database, parse_arguments, percentile, say, say_load_average, setup
from server import ROOT, Server


def shapes(end: datetime) -> list[tuple[str, int, object]]:
    """(label, weight, make(datastream id, lab slug) -> path)."""
    def observations(query: str):
        return lambda stream, _lab: f"/sta/v1.1/Datastreams({stream})/Observations{query}"

    def stamp(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    six_hours = quote(f"phenomenonTime ge {stamp(end - timedelta(hours=6))} and "
                      f"phenomenonTime le {stamp(end)}")
    last_hour = quote(f"phenomenonTime ge {stamp(end - timedelta(hours=1))}")
    return [
        ("QGIS: $count=true&$top=0", 5, observations("?$count=true&$top=0")),
        ("FROST: first page (default order)", 15, observations("")),
        ("FROST: $top=1", 5, observations("?$top=1")),
        ("FROST: $top=2", 5, observations("?$top=2")),
        ("FROST: $top=5", 5, observations("?$top=5")),
        ("FROST: $top=10", 5, observations("?$top=10")),
        ("Grafana: 6 h in time order, $select", 20, observations(
            f"?$filter={six_hours}&$orderby=phenomenonTime%20asc"
            "&$select=phenomenonTime,result&$top=1000")),
        ("dashboard: latest observation", 20, observations(
            "?$orderby=phenomenonTime%20desc&$top=1")),
        ("dashboard: last hour, no $orderby", 10, observations(f"?$filter={last_hour}")),
        ("lab page", 10, lambda _stream, lab: f"/de/living-labs/{lab}/"),
    ]


def run_mix(server: Server, mix, streams: list[int], labs: list[str], clients: int,
            duration: float, seed: int = 7) -> tuple[dict, float]:
    results: dict[str, list] = {label: [] for label, _weight, _make in mix}
    weights = [weight for _label, weight, _make in mix]
    deadline = time.monotonic() + duration

    def client(number: int) -> None:
        chooser = random.Random(seed + number)  # noqa: S311 - not for security
        while time.monotonic() < deadline:
            label, _weight, make = chooser.choices(mix, weights)[0]
            path = make(chooser.choice(streams), chooser.choice(labs))
            results[label].append(server.get(path, timeout=60))

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def main() -> int:
    arguments = parse_arguments(__doc__, {
        "--duration": (60.0, "seconds of the timed mix"),
        "--clients": (8, "clients sending requests back to back"),
        "--code": ("", "checkout to serve (default: this one)"),
        "--workers": (4, "gunicorn workers"),
        "--threads": (2, "gunicorn threads per worker"),
        "--streams": (5000, "datastreams of the national-scale data"),
        "--observations": (10_000_000, "observations of the national-scale data"),
        "--smoke": (False, "CI: small data, a few seconds, fail on any error"),
    })
    if arguments.smoke:
        import sta_expand_load

        url = os.environ.get("DATABASE_URL", "")
        os.environ["DATABASE_URL"] = own_database(
            url, "expand_smoke" if url.startswith("postgres") else "expand-smoke")
        setup()
        sta_expand_load.generate_smoke()
        end = datetime(2026, 3, 1, 5, tzinfo=UTC)
        duration, warmup = min(arguments.duration, 5.0), 1.0
    else:
        import sensorthings

        os.environ["DATABASE_URL"] = sensorthings.database_url()
        setup()
        sensorthings.generate(arguments.streams, arguments.observations)
        end = sensorthings.END
        duration, warmup = arguments.duration, 10.0
    from django.db import connection

    from stadtallianz.livinglabs.models import LivingLab, PrivacyLevel
    from stadtallianz.sensorthings.models import Datastream, Observation

    streams = list(Datastream.objects.filter(privacy_level=PrivacyLevel.PUBLIC)
                   .values_list("pk", flat=True))
    labs = list(LivingLab.objects.values_list("slug", flat=True))
    observations = Observation.objects.count() if arguments.smoke else None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class "
                           "WHERE relname = 'sensorthings_observation'")
            observations = observations or cursor.fetchone()[0]
            cursor.execute("VACUUM ANALYZE sensorthings_observation")
    connection.close()
    code = Path(arguments.code) if arguments.code else ROOT
    mix = shapes(end)
    say(f"serving {code} with gunicorn ({arguments.workers} workers, {arguments.threads} "
        f"threads), {connection.vendor}: {len(streams)} public datastreams, about "
        f"{observations:,} observations, {len(labs)} labs; {arguments.clients} clients for "
        f"{duration:.0f} s after {warmup:.0f} s of warm-up")
    with Server(code=code, workers=arguments.workers, threads=arguments.threads) as server:
        run_mix(server, mix, streams, labs, arguments.clients, warmup, seed=1)
        results, seconds = run_mix(server, mix, streams, labs, arguments.clients, duration)
    total = sum(len(r) for r in results.values())
    say(f"\n{'shape':<40} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>6}")
    errors = 0
    for label, _weight, _make in mix:
        responses = results[label]
        if not responses:
            continue
        times = [r.seconds * 1000 for r in responses]
        failed = sum(1 for r in responses if r.status != 200)
        errors += failed
        say(f"{label:<40} {len(times):>8} {statistics.median(times):>8.1f} "
            f"{percentile(times, 0.95):>8.1f} {percentile(times, 0.99):>8.1f} "
            f"{max(times):>8.1f} {failed:>6}")
    everything = [r.seconds * 1000 for rs in results.values() for r in rs]
    say(f"{'all':<40} {total:>8} {statistics.median(everything):>8.1f} "
        f"{percentile(everything, 0.95):>8.1f} {percentile(everything, 0.99):>8.1f} "
        f"{max(everything):>8.1f} {errors:>6}")
    say(f"\nthroughput: {total / seconds:.0f} requests/s")
    say_load_average()
    return 1 if errors and (arguments.smoke or not arguments.code) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
