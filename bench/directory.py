"""Benchmark: the partner directory page and the partner API list with 5,000 organisations.

Runs standalone and in-process (Django's test Client, no web server, no network):

    .venv/bin/python bench/directory.py                      # SQLite, var/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench \
        .venv/bin/python bench/directory.py                  # PostgreSQL

It migrates its own database, loads the demo alliance plus synthetic partners with
`stadtallianz demo --scale N` (idempotent, so a second run reuses them), warms each URL up and
then times N requests per URL. Production settings (DEBUG off) unless the environment says
otherwise. See bench/README.md and docs/performance.md.
"""

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Label, URL, how many timed requests (None: --requests), and whether the cache is emptied
# before each request. The sitemap lists every partner in both languages and is cached for ten
# minutes: measured as crawlers mostly get it (cached), and as it is built once in ten minutes.
SCENARIOS = [
    ("home page", "/de/", None, False),
    ("directory, first page", "/de/partners/", None, False),
    ("directory, filtered (type+focus area)", "/de/partners/?type=company&focus=energy", None,
     False),
    ("directory, page 2", "/de/partners/?page=2", None, False),
    ("directory, text search", "/de/partners/?q=werk", None, False),
    ("API list, first 50", "/api/v1/partners", None, False),
    ("sitemap.xml, from the cache", "/sitemap.xml", None, False),
    ("sitemap.xml, built (all partners, de + en)", "/sitemap.xml", 10, True),
]


def configure_environment() -> str:
    """Production-mode settings that need no secrets; the benchmark's own database."""
    defaults = {
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-not-used-anywhere-else-0123456789",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "EMAIL_URL": "locmem:",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}",
    }
    for name, value in defaults.items():
        if not os.environ.get(name):
            os.environ[name] = value
    url = os.environ["DATABASE_URL"]
    name = Path(urlparse(url).path).name
    # The benchmark writes thousands of rows: only into a database meant for it.
    if "bench" not in name:
        sys.exit(f"Refusing to write benchmark data into {name!r}: use a database whose name "
                 "contains 'bench', e.g. .../stadtallianz_bench.")
    if url.startswith(("postgres://", "postgresql://")):
        create_postgres_database(url)
    else:
        (ROOT / "var").mkdir(exist_ok=True)
    return url


def create_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    database = parsed.path.lstrip("/")
    maintenance = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    [database]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            print(f"created PostgreSQL database {database}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[index]


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--partners", type=int, default=5000, help="synthetic organisations")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per URL")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per URL first")
    arguments = parser.parse_args()

    configure_environment()
    # WhiteNoise warns that collectstatic has not run; the benchmark serves no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from stadtallianz.partners.models import Organisation

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", scale=arguments.partners, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"set-up (migrate + demo --scale {arguments.partners}): "
          f"{time.perf_counter() - started:.1f} s")

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql"
                       else "SELECT sqlite_version()")
        database_version = cursor.fetchone()[0].split(" on ")[0]
    print(f"database: {connection.vendor} {database_version}, "
          f"{Organisation.objects.count()} organisations, "
          f"{Organisation.objects.public().count()} public")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, Django {django.get_version()}, "
          f"load average {load_average()}")
    print(f"{arguments.warmup} warm-up + {arguments.requests} timed requests per URL "
          "(unless the scenario says otherwise)\n")

    client = Client()
    rows = []
    for label, url, requests, uncached in SCENARIOS:
        requests = requests or arguments.requests
        for _ in range(min(arguments.warmup, requests)):
            response = client.get(url)
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
        if uncached:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        # Counted now: the context reads the connection's query log lazily.
        query_count = len(queries)
        timings, cpu = [], []
        for _ in range(requests):
            if uncached:
                cache.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200
        rows.append((f"{label} [{requests}]", url, statistics.median(timings),
                     percentile(timings, 0.95), statistics.median(cpu), query_count,
                     len(response.content)))

    print(f"{'scenario [timed requests]':<46} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} "
          f"{'queries':>7} {'bytes':>6}  URL")
    for label, url, median, p95, cpu_median, queries_per_request, size in rows:
        print(f"{label:<46} {median:>9.1f} {p95:>7.1f} {cpu_median:>7.1f} "
              f"{queries_per_request:>7} {size:>6}  {url}")
    # Other processes on the machine inflate wall-clock times; the load says how much.
    print(f"\nload average (1, 5, 15 min) at the end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
