"""Benchmark: ideas at national scale (20,000 ideas, 200,000 comments).

Runs standalone and in-process, on a database of its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench_ideas \
        .venv/bin/python bench/ideas.py                     # PostgreSQL (the target)
    .venv/bin/python bench/ideas.py                         # SQLite, var/bench-ideas.sqlite3

It migrates, writes the synthetic ideas (with focus areas, principles, SDGs, a working group,
places for a third), supports and comments with bulk_create (a second run reuses them), then
times with the test client: the ideas list (default, each sort, filtered, a later page, the
htmx fragment), the map's GeoJSON, the API list (default, sorted, filtered) and the page of an
idea with 2,000 comments.
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
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PREFIX = "bench-idea-"
BATCH = 2000
HOT_COMMENTS = 2000  # the comments of the one idea whose page is timed
WORDS = ["Quartier", "Radweg", "Ladesäule", "Solardach", "Sensor", "Bank", "Mikrodepot",
         "Lastenrad", "Wärmenetz", "Haltestelle", "Bibliothek", "Schule", "Reparaturcafé",
         "Trinkbrunnen", "Gründach", "Innenstadt", "Hafen", "Busspur", "Spielplatz", "Baum"]
PLACES = ["Kreuzviertel", "Hiltrup", "Gievenbeck", "Mauritz", "Kinderhaus", "Coerde", "Roxel",
          "Wolbeck", "Handorf", "Nienberge"]
STATES = ["submitted"] * 4 + ["discussion"] * 3 + ["accepted", "declined", "merged"]


def generate_ideas(n: int, comments: int, *, progress=print, seed: int = 2030) -> int:
    """Makes sure `n` synthetic ideas (titles starting with the prefix) with about `comments`
    comments exist; the counters match the rows. Returns how many ideas it created."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
    from stadtallianz.ideas.models import Comment, Idea, Support
    from stadtallianz.workinggroups.models import WorkingGroup

    existing = Idea.objects.filter(title__startswith=PREFIX).count()
    if existing >= n:
        progress(f"{existing} ideas from an earlier run reused ({PREFIX}*)")
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    User = get_user_model()
    User.objects.bulk_create([User(email=f"{PREFIX}{i}@example.org", full_name=f"Person {i}",
                                   password="!", email_confirmed_at=now) for i in range(500)],
                             ignore_conflicts=True)
    people = list(User.objects.filter(email__startswith=PREFIX).values_list("pk", flat=True))
    groups = list(WorkingGroup.objects.filter(slug__startswith=PREFIX).values_list("pk",
                                                                                    flat=True))
    if not groups:
        WorkingGroup.objects.bulk_create([WorkingGroup(slug=f"{PREFIX}{i}",
                                                       name_de=f"AG {WORDS[i]}")
                                          for i in range(20)])
        groups = list(WorkingGroup.objects.filter(slug__startswith=PREFIX)
                      .values_list("pk", flat=True))
    areas = list(FocusArea.objects.values_list("pk", flat=True))
    principles = list(Principle.objects.values_list("pk", flat=True))
    sdgs = list(SustainableDevelopmentGoal.objects.values_list("pk", flat=True))
    started, written = time.perf_counter(), 0
    spread = max(0, comments - HOT_COMMENTS)  # over all ideas, exactly: i*spread//n steps
    for start in range(existing, n, BATCH):
        batch = []
        for number in range(start, min(start + BATCH, n)):
            placed = number % 3 == 0
            batch.append(Idea(
                title=f"{PREFIX}{number} {rng.choice(WORDS)} in {rng.choice(PLACES)}",
                description=f"Wir schlagen vor: {rng.choice(WORDS)} für {rng.choice(PLACES)}. "
                            * rng.randint(2, 6),
                author_id=rng.choice(people), state=rng.choice(STATES),
                working_group_id=rng.choice(groups) if number % 2 else None,
                place_name=rng.choice(PLACES) if placed else "",
                latitude=Decimal(f"{51.96 + rng.uniform(-0.04, 0.04):.6f}") if placed else None,
                longitude=Decimal(f"{7.62 + rng.uniform(-0.06, 0.06):.6f}") if placed else None,
                support_count=0, comment_count=0))
        ideas = Idea.objects.bulk_create(batch)
        number_of = {idea.pk: start + position for position, idea in enumerate(ideas)}
        Idea.focus_areas.through.objects.bulk_create([
            Idea.focus_areas.through(idea_id=idea.pk, focusarea_id=area)
            for idea in ideas for area in rng.sample(areas, rng.randint(1, 2))])
        Idea.principles.through.objects.bulk_create([
            Idea.principles.through(idea_id=idea.pk, principle_id=p)
            for idea in ideas for p in rng.sample(principles, 2)])
        Idea.sdgs.through.objects.bulk_create([
            Idea.sdgs.through(idea_id=idea.pk, sustainabledevelopmentgoal_id=goal)
            for idea in ideas for goal in rng.sample(sdgs, 2)])
        supports, rows = [], []
        for idea in ideas:
            idea.support_count = rng.randint(0, 30)
            supports += [Support(idea_id=idea.pk, user_id=user)
                         for user in rng.sample(people, idea.support_count)]
            index = number_of[idea.pk]
            idea.comment_count = spread * (index + 1) // n - spread * index // n
            rows += [Comment(idea_id=idea.pk, author_id=rng.choice(people),
                             body=f"Kommentar {k}: {rng.choice(WORDS)}?")
                     for k in range(idea.comment_count)]
            idea.created_at = now - timedelta(minutes=idea.pk)
        Support.objects.bulk_create(supports, batch_size=5000)
        Comment.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
        Idea.objects.bulk_update(ideas, ["support_count", "comment_count", "created_at"],
                                 batch_size=1000)
        progress(f"  ideas: {start + len(ideas)} / {n}, comments so far {written}")
    hot = Idea.objects.filter(title__startswith=PREFIX).order_by("pk").first()
    # Half of them comments, half replies: the page shows both.
    parents = Comment.objects.bulk_create([
        Comment(idea=hot, author_id=rng.choice(people), body=f"Viel diskutiert {k}")
        for k in range(HOT_COMMENTS // 2)])
    Comment.objects.bulk_create([Comment(idea=hot, parent=parent, author_id=rng.choice(people),
                                         body="Antwort") for parent in parents])
    hot.comment_count = hot.comments.count()
    hot.save(update_fields=["comment_count"])
    progress(f"  ideas: {time.perf_counter() - started:.1f} s")
    return n - existing


def own_database(url: str) -> str:
    """`…_ideas` next to the database given (or var/bench-ideas.sqlite3)."""
    if not url:
        return f"sqlite:///{ROOT / 'var' / 'bench-ideas.sqlite3'}"
    parsed = urlparse(url)
    path = Path(parsed.path)
    if "ideas" in path.name:
        return url
    if url.startswith(("postgres://", "postgresql://")):
        return parsed._replace(path=f"/{path.name}_ideas").geturl()
    return url[:-len(path.name)] + f"{path.stem}-ideas{path.suffix}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ideas", type=int, default=20_000, help="synthetic ideas")
    parser.add_argument("--comments", type=int, default=200_000, help="synthetic comments")
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
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from stadtallianz.core.models import FocusArea
    from stadtallianz.ideas.models import Comment, Idea

    def say(line):
        print(line, flush=True)

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    generate_ideas(arguments.ideas, arguments.comments, progress=say)
    say(f"data: {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql"
                       else "SELECT sqlite_version()")
        database_version = cursor.fetchone()[0].split(" on ")[0]
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    say(f"database: {connection.vendor} {database_version}, {Idea.objects.count()} ideas, "
        f"{Comment.objects.count()} comments")
    say(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Django {django.get_version()}, "
        f"load average {load_average()}")
    say(f"{arguments.warmup} warm-up + {arguments.requests} timed requests per URL\n")

    focus = FocusArea.objects.order_by("pk").values_list("slug", flat=True).first()
    hot = Idea.objects.filter(title__startswith=PREFIX).order_by("pk").first()
    urls = [
        ("ideas list (newest)", "/de/ideas/"),
        ("ideas list, most supported", "/de/ideas/?sort=supported"),
        ("ideas list, most discussed", "/de/ideas/?sort=discussed"),
        ("ideas list, filtered (state + focus area)",
         f"/de/ideas/?state=discussion&focus_area={focus}"),
        ("ideas list, filtered (SDG 11), supported", "/de/ideas/?sdg=11&sort=supported"),
        ("ideas list, page 200", "/de/ideas/?page=200"),
        ("ideas list, htmx fragment", "/de/ideas/?state=submitted&page=2"),
        ("map GeoJSON (500 of ~6,700)", "/de/ideas/map.geojson"),
        ("API list", "/api/v1/ideas"),
        ("API list, most discussed", "/api/v1/ideas?sort=discussed"),
        ("API list, filtered (state + SDG)", "/api/v1/ideas?state=submitted&sdg=11"),
        (f"idea page ({hot.comment_count} comments)", f"/de/ideas/{hot.pk}/"),
        ("API idea", f"/api/v1/ideas/{hot.pk}"),
    ]
    client = Client()
    rows = []
    for label, url in urls:
        headers = {"HTTP_HX_REQUEST": "true"} if "htmx" in label else {}
        for _ in range(arguments.warmup):
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, **headers)
        query_count = len(queries)
        timings, cpu = [], []
        for _ in range(arguments.requests):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(url, **headers)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        rows.append((label, url, statistics.median(timings), percentile(timings, 0.95),
                     statistics.median(cpu), query_count))

    say(f"{'page':<46} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} {'queries':>7}  url")
    for label, url, median, p95, cpu, query_count in rows:
        say(f"{label:<46} {median:>9.1f} {p95:>7.1f} {cpu:>7.1f} {query_count:>7}  {url}")
    say(f"\nload average (1, 5, 15 min) at the end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
