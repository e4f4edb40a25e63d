"""Benchmark: the portfolio against the guiding principles at national scale (3,000 projects, each
with a published assessment, a third with an earlier one as history).

Runs standalone and in-process, on a database of its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench_portfolio \
        .venv/bin/python bench/portfolio.py                 # PostgreSQL (the target)
    .venv/bin/python bench/portfolio.py                     # SQLite, var/bench-portfolio.sqlite3

It migrates, writes the projects with bench/projects.py's generator and the assessments with
bulk_create (a second run reuses both), then times with the test client: the portfolio page
(default, filtered by focus area and phase, only harming projects, page 30, the htmx fragment),
the CSV download, the portfolio JSON, a project page and its assessment part alone.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BATCH = 500


def generate_assessments(*, progress=print, seed: int = 2031) -> int:
    """A published assessment (eight scores, evidence for the best one) for every bench project
    without one; every third also an earlier published one. Returns how many it created."""
    from django.utils import timezone
    from projects import PREFIX

    from stadtallianz.assessments.models import Assessment, Evidence, Score, principle_masks
    from stadtallianz.core.models import Principle
    from stadtallianz.projects.models import Project

    todo = list(Project.objects.filter(slug__startswith=PREFIX)
                .exclude(assessments__isnull=False).order_by("pk").values_list("pk", flat=True))
    if not todo:
        progress("assessments from an earlier run reused")
        return 0
    rng = random.Random(seed + len(todo))
    principles = list(Principle.objects.values_list("pk", "number"))
    now = timezone.now()
    created, started = 0, time.perf_counter()
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        assessments = []
        for index, project_id in enumerate(batch):
            published = now - timedelta(days=rng.randint(1, 300))
            if (start + index) % 3 == 0:
                assessments.append(Assessment(
                    project_id=project_id, state="accepted", is_current=False,
                    published_at=published - timedelta(days=365),
                    reviewed_at=published - timedelta(days=365)))
            assessments.append(Assessment(project_id=project_id, state="accepted",
                                          is_current=True, published_at=published,
                                          reviewed_at=published))
        values = [[rng.choices([-2, -1, 0, 1, 2], weights=[1, 3, 40, 35, 21])[0]
                   for _principle in principles] for _assessment in assessments]
        for assessment, row in zip(assessments, values, strict=True):
            assessment.serves_mask, assessment.harms_mask = principle_masks(
                (number, value) for (_pk, number), value in zip(principles, row, strict=True))
        Assessment.objects.bulk_create(assessments)
        # Mostly neutral or serving; about one score in 25 harms.
        scores = [Score(assessment=assessment, principle_id=pk, score=value,
                        justification="Begründung für den Benchmark: " +
                        "Wirkung im Quartier. " * rng.randint(1, 6))
                  for assessment, row in zip(assessments, values, strict=True)
                  for (pk, _number), value in zip(principles, row, strict=True)]
        Score.objects.bulk_create(scores)
        Evidence.objects.bulk_create([
            Evidence(score=score, label="Evaluationsbericht",
                     url=f"https://example.org/bericht/{score.assessment_id}.pdf")
            for score in scores if score.score == 2 and rng.random() < 0.3])
        created += len(assessments)
        progress(f"  assessments: {start + len(batch)} / {len(todo)} projects "
                 f"({time.perf_counter() - started:.1f} s)")
    return created


def own_database(url: str) -> str:
    """`…_portfolio` next to the database given (or var/bench-portfolio.sqlite3)."""
    if not url:
        return f"sqlite:///{ROOT / 'var' / 'bench-portfolio.sqlite3'}"
    parsed = urlparse(url)
    path = Path(parsed.path)
    if "portfolio" in path.name:
        return url
    if url.startswith(("postgres://", "postgresql://")):
        return parsed._replace(path=f"/{path.name}_portfolio").geturl()
    return url[:-len(path.name)] + f"{path.stem}-portfolio{path.suffix}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=3000, help="synthetic projects")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per URL")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per URL first")
    arguments, _others = parser.parse_known_args()

    os.environ["DATABASE_URL"] = own_database(os.environ.get("DATABASE_URL", ""))
    from directory import configure_environment, load_average, percentile

    configure_environment()
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection
    from django.template import Context, Template
    from django.test import Client, RequestFactory
    from projects import PREFIX, generate_projects

    from stadtallianz.assessments.models import Assessment
    from stadtallianz.core.models import FocusArea
    from stadtallianz.projects.models import Project

    def say(line):
        print(line, flush=True)

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    generate_projects(arguments.projects, progress=say)
    generate_assessments(progress=say)
    say(f"data: {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql"
                       else "SELECT sqlite_version()")
        database_version = cursor.fetchone()[0].split(" on ")[0]
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    say(f"database: {connection.vendor} {database_version}, {Project.objects.count()} projects, "
        f"{Assessment.objects.filter(is_current=True).count()} published assessments "
        f"({Assessment.objects.count()} in all)")
    say(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Django {django.get_version()}, "
        f"load average {load_average()}")
    say(f"{arguments.warmup} warm-up + {arguments.requests} timed requests per URL\n")

    focus = FocusArea.objects.order_by("pk").values_list("slug", flat=True).first()
    sample = Project.objects.filter(slug__startswith=PREFIX).order_by("pk")[
        arguments.projects // 2]
    urls = [
        ("portfolio", "/de/assessments/portfolio/"),
        ("portfolio, filtered (focus area + phase)",
         f"/de/assessments/portfolio/?focus_area={focus}&phase=pilot"),
        ("portfolio, only harming projects", "/de/assessments/portfolio/?harms=on"),
        ("portfolio, page 30", "/de/assessments/portfolio/?page=30"),
        ("portfolio, htmx fragment (filtered, page 2)",
         f"/de/assessments/portfolio/?focus_area={focus}&page=2"),
        ("portfolio JSON", "/api/v1/assessments/portfolio"),
        ("portfolio JSON, filtered",
         f"/api/v1/assessments/portfolio?focus_area={focus}&phase=pilot"),
        ("portfolio CSV, filtered (focus area + phase)",
         f"/de/assessments/portfolio.csv?focus_area={focus}&phase=pilot"),
        ("project page (with its assessment)", f"/de/projects/{sample.slug}/"),
        ("API assessments of a project", f"/api/v1/assessments/projects/{sample.slug}"),
    ]
    client = Client()

    def time_calls(call):
        for _ in range(arguments.warmup):
            call()
        # Counted with an execute wrapper: a request closes and reopens the connection, which
        # empties the query log CaptureQueriesContext reads.
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *args: (
                queries.append(sql), execute(sql, *args))[1]):
            call()
        timings, cpu = [], []
        for _ in range(arguments.requests):
            start, start_cpu = time.perf_counter(), time.process_time()
            call()
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        return (statistics.median(timings), percentile(timings, 0.95), statistics.median(cpu),
                len(queries))

    rows = []
    for label, url in urls:
        headers = {"HTTP_HX_REQUEST": "true"} if "htmx" in label else {}
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)
        rows.append((label, url, *time_calls(lambda url=url, h=headers: client.get(url, **h))))

    # The assessment part of the project page alone: the inclusion tag, rendered as the page
    # renders it.
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    tag = Template("{% load assessments %}{% project_assessment project %}")
    assert "<svg" in tag.render(Context({"project": sample, "request": request}))
    rows.append(("assessment part of a project page (tag only)", "{% project_assessment %}",
                 *time_calls(lambda: tag.render(Context({"project": sample,
                                                         "request": request})))))

    say(f"{'page':<46} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} {'queries':>7}  url")
    for label, url, median, p95, cpu, query_count in rows:
        say(f"{label:<46} {median:>9.1f} {p95:>7.1f} {cpu:>7.1f} {query_count:>7}  {url}")
    say(f"\nload average (1, 5, 15 min) at the end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
