"""What every benchmark in this folder shares: its own database, production settings,
Django set-up, the timing of one request (or any call) and the printed table.

A benchmark script keeps only its data generation and its list of URLs:

    arguments = parse_arguments(__doc__, {"--ideas": (20_000, "synthetic ideas")})
    started = setup("ideas")          # …_ideas database, django.setup(), migrate
    generate(...)                     # the script's own data
    say(f"data: {time.perf_counter() - started:.1f} s")
    describe_run(arguments, f"{Idea.objects.count()} ideas")
    print_table(time_pages(Client(), URLS, arguments))
"""

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def say(line: str = "") -> None:
    # Flushed: the data generation's progress shows while it runs, also through `make bench`.
    print(line, flush=True)


def parse_arguments(doc: str, options: dict[str, tuple[Any, str]],
                    per: str = "requests per URL",
                    smoke: dict[str, Any] | None = None) -> argparse.Namespace:
    """The script's own options ({"--ideas": (default, help)}; a bool default is a flag),
    then --requests, --warmup and --smoke, which every benchmark has. With --smoke the
    options in `smoke` ({"ideas": 300}) take these tiny sizes unless given on the command
    line, and every URL is requested once (checked) and timed once."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    for flag, (default, description) in options.items():
        if isinstance(default, bool):
            parser.add_argument(flag, action="store_true", help=description)
        else:
            parser.add_argument(flag, type=type(default), default=default, help=description)
    parser.add_argument("--requests", type=int, default=200, help=f"timed {per}")
    parser.add_argument("--warmup", type=int, default=20, help=f"untimed {per} first")
    if "--smoke" not in options:
        parser.add_argument("--smoke", action="store_true",
                            help="CI: tiny data in a database of its own (…_smoke), every "
                                 "request once, non-zero exit on an error; no figures asserted")
    # make bench passes the same options to every benchmark; the others' are not ours.
    arguments, _others = parser.parse_known_args()
    if arguments.smoke:
        given = {argument.split("=")[0] for argument in sys.argv[1:]}
        for name, value in {"requests": 1, "warmup": 0, **(smoke or {})}.items():
            if f"--{name.replace('_', '-')}" not in given:
                setattr(arguments, name, value)
    return arguments


def own_database(url: str, suffix: str, smoke: bool = False) -> str:
    """A database of the benchmark's own next to the one given, so that one benchmark's data
    does not change another's figures: `…_<suffix>` on PostgreSQL, `<stem>-<suffix>.sqlite3`
    on SQLite, var/bench-<suffix>.sqlite3 if none is given. A name that already contains the
    suffix is used as it is. `smoke` adds `_smoke` (`-smoke`): the smoke run's tiny data never
    mixes with a benchmark's full-size data (each generator reuses what it finds)."""
    if smoke:
        suffix = f"{suffix}_smoke" if url.startswith(("postgres://", "postgresql://")) \
            else f"{suffix}-smoke"
    if not url:
        return f"sqlite:///{ROOT / 'var' / f'bench-{suffix}.sqlite3'}"
    parsed = urlparse(url)
    path = Path(parsed.path)
    if suffix in path.name:
        return url
    if url.startswith(("postgres://", "postgresql://")):
        return parsed._replace(path=f"/{path.name}_{suffix}").geturl()
    return url[:-len(path.name)] + f"{path.stem}-{suffix}{path.suffix}"


def prefixed_rows(model, field: str, prefix: str, count: int, make) -> list[int]:
    """Primary keys of the synthetic rows whose `field` starts with `prefix`; if there are none
    yet, first writes `count` of them, `make(i)` for each. The data generators share them
    (working groups, organisations) and a second run reuses them."""
    def keys():
        return list(model.objects.filter(**{f"{field}__startswith": prefix})
                    .values_list("pk", flat=True))

    if rows := keys():
        return rows
    model.objects.bulk_create([make(i) for i in range(count)])
    return keys()


def first_focus_area() -> str:
    """The slug of the first focus area: the one the filtered URLs filter by."""
    from stadtallianz.core.models import FocusArea

    return FocusArea.objects.order_by("pk").values_list("slug", flat=True).first()


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
        # A benchmark times the answers, not the anonymous rate limit (which would answer 429
        # after ANON_READ_RATE requests of one address; core/ratelimit.py).
        "ANON_READ_RATE": "0",
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


def setup(suffix: str | None = None, smoke: bool = False) -> float:
    """Environment, database (`own_database(…, suffix, smoke)`, or the one given if no suffix
    and no smoke), django.setup() and migrate. Returns when the migration started: the set-up
    time the script prints includes it."""
    given = os.environ.get("DATABASE_URL", "")
    if suffix or smoke:
        # No suffix: the smoke run's database is `…_smoke` (var/bench-smoke.sqlite3).
        os.environ["DATABASE_URL"] = own_database(given, suffix or "smoke", smoke and bool(suffix))
    url = configure_environment()
    template = None
    if smoke:
        # A smoke run starts from an empty, migrated database, so that the data generation runs
        # every time (it reuses what it finds); a copy of a migrated template is quicker than
        # migrating each benchmark's database afresh (seconds each).
        template = own_database(given, "smoke_template" if url.startswith("postgres")
                                else "smoke-template")
        started = time.perf_counter()
        fresh_copy(template, url)
    # WhiteNoise warns that collectstatic has not run; the benchmark serves no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if not smoke:
        started = time.perf_counter()
    executor = MigrationExecutor(connection)
    stale = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    call_command("migrate", verbosity=0)
    if template and stale:  # the template was missing or lacked a migration: now it has all
        connection.close()
        fresh_copy(url, template)
    return started


def fresh_copy(source: str, target: str) -> None:
    """Replaces the smoke database `target` by a copy of `source` (if it exists; else by an
    empty one). Only names with both "bench" and "smoke" in them are dropped."""
    name = Path(urlparse(target).path).name
    if "bench" not in name or "smoke" not in name:
        sys.exit(f"Refusing to replace {name!r}: only a benchmark's smoke database is replaced")
    if not target.startswith(("postgres://", "postgresql://")):
        import shutil

        # WAL mode: a -wal or -shm file left by a stopped run must not meet the new copy.
        for ending in ("", "-wal", "-shm"):
            Path(urlparse(target).path + ending).unlink(missing_ok=True)
        if Path(urlparse(source).path).exists():
            shutil.copyfile(urlparse(source).path, urlparse(target).path)
        return
    import psycopg
    from psycopg import sql

    maintenance = urlparse(target)._replace(path="/postgres").geturl()
    source_name = Path(urlparse(source).path).name
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              [source_name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(source_name)))
        else:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def describe_run(arguments: argparse.Namespace, data: str,
                 per: str = "requests per URL") -> None:
    """Prints the database (after ANALYZE on PostgreSQL: fresh statistics for the planner after
    the bulk writes), what it holds, the machine and the number of requests."""
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql"
                       else "SELECT sqlite_version()")
        database_version = cursor.fetchone()[0].split(" on ")[0]
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    say(f"database: {connection.vendor} {database_version}, {data}")
    say(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Django {django.get_version()}, "
        f"load average {load_average()}")
    say(f"{arguments.warmup} warm-up + {arguments.requests} timed {per}\n")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[index]


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


class Timing(NamedTuple):
    median: float  # ms, wall clock
    p95: float
    cpu: float  # ms, median CPU time of this process
    queries: int  # SQL queries of one call
    result: Any  # what the counted call returned (a response: its status and size)


def measure(call, *, requests: int, warmup: int, check=None, before_each=None) -> Timing:
    """`warmup` untimed calls, one counted call, then `requests` timed ones. `check(result)`
    runs on the warm-up and counted calls' results (outside the timed part); `before_each()`
    before the counted and every timed call (e.g. emptying the cache), not timed either."""
    for _ in range(warmup):
        result = call()
        if check:
            check(result)
    from django.db import connection

    # Counted with an execute wrapper: a test-client request resets the connection's query
    # log at its start (and may reopen the connection), so CaptureQueriesContext sees none.
    queries = []
    if before_each:
        before_each()
    with connection.execute_wrapper(lambda execute, sql, *args: (
            queries.append(sql), execute(sql, *args))[1]):
        result = call()
    if check:
        check(result)
    timings, cpu = [], []
    for _ in range(requests):
        if before_each:
            before_each()
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return Timing(statistics.median(timings), percentile(timings, 0.95), statistics.median(cpu),
                  len(queries), result)


def status_check(url: str, statuses=(200,)):
    def check(response):
        if response.status_code not in statuses:
            sys.exit(f"{url} answered {response.status_code}")
    return check


def time_request(client, url: str, arguments: argparse.Namespace, *, headers=None,
                 statuses=(200,), requests: int | None = None, before_each=None) -> Timing:
    """A GET through the whole middleware stack; any other status than `statuses` stops."""
    if arguments.smoke:  # every request once: what is checked, not how long it takes
        requests = None
    return measure(lambda: client.get(url, **(headers or {})),
                   requests=requests or arguments.requests,
                   warmup=min(arguments.warmup, requests or arguments.requests),
                   check=status_check(url, statuses), before_each=before_each)


def time_pages(client, urls: list[tuple[str, str]], arguments: argparse.Namespace) -> list:
    """(label, url, Timing) per (label, url); a label with "htmx" in it is requested as htmx
    requests it (the fragment only)."""
    return [(label, url, time_request(client, url, arguments,
                                      headers={"HTTP_HX_REQUEST": "true"} if "htmx" in label
                                      else None))
            for label, url in urls]


def print_table(rows: list, heading: str = "page") -> None:
    """The table of (label, url, Timing) rows, then the load average."""
    say(f"{heading:<46} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} {'queries':>7}  url")
    for label, url, timing in rows:
        say(f"{label:<46} {timing.median:>9.1f} {timing.p95:>7.1f} {timing.cpu:>7.1f} "
            f"{timing.queries:>7}  {url}")
    say_load_average()


def say_load_average() -> None:
    # Other processes on the machine inflate wall-clock times; the load says how much.
    say(f"\nload average (1, 5, 15 min) at the end: {load_average()}")
