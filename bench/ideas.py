"""Benchmark: ideas at national scale (20,000 ideas, 200,000 comments).

Runs standalone and in-process, on a database of its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench_ideas \
        .venv/bin/python bench/ideas.py                     # PostgreSQL (the target)
    .venv/bin/python bench/ideas.py                         # SQLite, var/bench-ideas.sqlite3

It migrates, writes the synthetic ideas (with focus areas, principles, SDGs, a working group,
places for a third), supports and comments with bulk_create (a second run reuses them), then
times with the test client: the ideas list (default, each sort, filtered, a later page, the
htmx fragment, page 990 in every sort), the map's GeoJSON, the API list (default, sorted,
filtered, a deep offset) and the page of an idea with 2,000 comments.
"""

import random
import sys
import time
from datetime import timedelta
from decimal import Decimal

from common import (
    describe_run,
    first_focus_area,
    parse_arguments,
    prefixed_rows,
    print_table,
    say,
    setup,
    time_pages,
)

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
    groups = prefixed_rows(WorkingGroup, "slug", PREFIX, 20, lambda i: WorkingGroup(
        slug=f"{PREFIX}{i}", name_de=f"AG {WORDS[i]}"))
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


def main() -> int:
    arguments = parse_arguments(__doc__, {"--ideas": (20_000, "synthetic ideas"),
                                          "--comments": (200_000, "synthetic comments")},
                                smoke={"ideas": 300, "comments": 3000})
    started = setup("ideas", smoke=arguments.smoke)
    from django.test import Client

    from stadtallianz.ideas.models import Comment, Idea

    generate_ideas(arguments.ideas, arguments.comments, progress=say)
    say(f"data: {time.perf_counter() - started:.1f} s")
    describe_run(arguments, f"{Idea.objects.count()} ideas, {Comment.objects.count()} comments")

    focus = first_focus_area()
    hot = Idea.objects.filter(title__startswith=PREFIX).order_by("pk").first()
    urls = [
        ("ideas list (newest)", "/de/ideas/"),
        ("ideas list, most supported", "/de/ideas/?sort=supported"),
        ("ideas list, most discussed", "/de/ideas/?sort=discussed"),
        ("ideas list, filtered (state + focus area)",
         f"/de/ideas/?state=discussion&focus_area={focus}"),
        ("ideas list, filtered (SDG 11), supported", "/de/ideas/?sdg=11&sort=supported"),
        ("ideas list, page 200", "/de/ideas/?page=200"),
        # Deep pages in every sort (issue 11, item 9): read from the sort's index, not sorted.
        ("ideas list, most supported, page 990", "/de/ideas/?sort=supported&page=990"),
        ("ideas list, most discussed, page 990", "/de/ideas/?sort=discussed&page=990"),
        ("ideas list, newest, page 990", "/de/ideas/?page=990"),
        ("API list, most supported, offset 19,780",
         "/api/v1/ideas?sort=supported&offset=19780&limit=20"),
        ("ideas list, htmx fragment", "/de/ideas/?state=submitted&page=2"),
        ("map GeoJSON (500 of ~6,700)", "/de/ideas/map.geojson"),
        ("API list", "/api/v1/ideas"),
        ("API list, most discussed", "/api/v1/ideas?sort=discussed"),
        ("API list, filtered (state + SDG)", "/api/v1/ideas?state=submitted&sdg=11"),
        (f"idea page ({hot.comment_count} comments)", f"/de/ideas/{hot.pk}/"),
        ("API idea", f"/api/v1/ideas/{hot.pk}"),
    ]
    rows = time_pages(Client(), urls, arguments)
    if arguments.smoke:  # the API's answers hold the ideas, not only a 200
        answers = {url: timing.result for _label, url, timing in rows}
        if not answers["/api/v1/ideas"].json()["items"]:
            sys.exit("/api/v1/ideas lists no idea")
        if len(answers[f"/api/v1/ideas/{hot.pk}"].json()["title"]) == 0:
            sys.exit(f"/api/v1/ideas/{hot.pk} has no title")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
