"""Benchmark: taking part in ideas at national scale (20,000 ideas, 200,000 comments).

Uses the data of bench/ideas.py (the same database, `<name>_ideas`, generated if missing) and
adds 500 open reports. Times, in-process with Django's test client: the page of the idea with
2,000 comments (first and a later page of comments) for a visitor and for a logged-in person,
its comments in the API, the caller's participation state, the coordination office's
moderation queue (page and API), and a support followed by its withdrawal (the write path):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench \\
        .venv/bin/python bench/participation.py
"""

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

REPORTS = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ideas", type=int, default=20_000, help="synthetic ideas")
    parser.add_argument("--comments", type=int, default=200_000, help="synthetic comments")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per URL")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per URL first")
    arguments, _others = parser.parse_known_args()

    from ideas import PREFIX, generate_ideas, own_database

    os.environ["DATABASE_URL"] = own_database(os.environ.get("DATABASE_URL", ""))
    from directory import configure_environment, load_average, percentile

    configure_environment()
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from stadtallianz.accounts.models import User
    from stadtallianz.ideas.models import Comment, Idea, Report

    def say(line):
        print(line, flush=True)

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    generate_ideas(arguments.ideas, arguments.comments, progress=say)
    person, _new = User.objects.get_or_create(
        email="bench-participant@example.org",
        defaults={"full_name": "Bench Participant", "email_confirmed_at": timezone.now()})
    office, _new = User.objects.get_or_create(
        email="bench-office@example.org",
        defaults={"full_name": "Bench Office", "email_confirmed_at": timezone.now(),
                  "is_coordinator": True})
    missing = REPORTS - Report.objects.filter(state=Report.State.OPEN).count()
    if missing > 0:
        comments = list(Comment.objects.filter(hidden_at=None).order_by("pk")
                        .values_list("pk", "idea_id")[:missing // 2])
        ideas = list(Idea.objects.filter(hidden_at=None).order_by("pk")
                     .values_list("pk", flat=True)[:missing - len(comments)])
        Report.objects.bulk_create(
            [Report(idea_id=idea, comment_id=comment, reporter=person, reason="Bench")
             for comment, idea in comments]
            + [Report(idea_id=idea, reporter=person, reason="Bench") for idea in ideas])
    say(f"data: {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql"
                       else "SELECT sqlite_version()")
        database_version = cursor.fetchone()[0].split(" on ")[0]
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    say(f"database: {connection.vendor} {database_version}, {Idea.objects.count()} ideas, "
        f"{Comment.objects.count()} comments, "
        f"{Report.objects.filter(state=Report.State.OPEN).count()} open reports")
    say(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Django {django.get_version()}, "
        f"load average {load_average()}")
    say(f"{arguments.warmup} warm-up + {arguments.requests} timed requests per URL\n")

    hot = Idea.objects.filter(title__startswith=PREFIX).order_by("pk").first()
    Idea.objects.filter(pk=hot.pk).update(state=Idea.State.DISCUSSION)
    visitor, participant, coordinator = Client(), Client(), Client()
    participant.force_login(person)
    coordinator.force_login(office)
    page = f"/de/ideas/{hot.pk}/"
    get = [
        (f"idea page ({hot.comment_count} comments), visitor", visitor, page),
        ("idea page, logged in", participant, page),
        ("idea page, comments page 40, logged in", participant, page + "?page=40"),
        ("API comments (20 with replies)", visitor, f"/api/v1/ideas/{hot.pk}/comments"),
        ("API comments, limit 100, offset 900", visitor,
         f"/api/v1/ideas/{hot.pk}/comments?limit=100&offset=900"),
        ("API participation state, logged in", participant,
         f"/api/v1/ideas/{hot.pk}/participation"),
        ("moderation queue page", coordinator, "/de/ideas/moderation/"),
        ("moderation queue page 10", coordinator, "/de/ideas/moderation/?page=10"),
        ("API moderation queue", coordinator, "/api/v1/ideas/moderation/reports"),
    ]
    rows = []

    def measure(label, url, run):
        for _ in range(arguments.warmup):
            response = run()
            assert response.status_code in (200, 302), (url, response.status_code)
        # Counted by a wrapper: the debug query log is reset at each request's start.
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *args: (
                queries.append(sql), execute(sql, *args))[1]):
            run()
        timings, cpu = [], []
        for _ in range(arguments.requests):
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        rows.append((label, url, statistics.median(timings), percentile(timings, 0.95),
                     statistics.median(cpu), len(queries)))

    for label, client, url in get:
        measure(label, url, lambda client=client, url=url: client.get(url))
    support, unsupport = f"/de/ideas/{hot.pk}/support/", f"/de/ideas/{hot.pk}/unsupport/"

    def support_and_withdraw():
        participant.post(support)
        return participant.post(unsupport)

    measure("support + withdraw (2 POSTs)", support, support_and_withdraw)

    say(f"{'request':<46} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} {'queries':>7}  url")
    for label, url, median, p95, cpu, query_count in rows:
        say(f"{label:<46} {median:>9.1f} {p95:>7.1f} {cpu:>7.1f} {query_count:>7}  {url}")
    say(f"\nload average (1, 5, 15 min) at the end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
