"""Benchmark: projects at national scale (3,000 projects with their consortia, milestones,
results, budget lines and places).

Runs standalone and in-process, on a database of its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench_projects \
        .venv/bin/python bench/projects.py                  # PostgreSQL (the target)
    .venv/bin/python bench/projects.py                      # SQLite, var/bench-projects.sqlite3

It migrates, writes the synthetic data with bulk_create (a second run reuses it), then times with
the test client: the project list (default, filtered, page 50), the API list (default and
filtered), and a project page. Other benchmarks (bench/portfolio.py) reuse the data generator:
`generate_projects(n, progress=print)` after django.setup().
"""

import random
import sys
import time
from datetime import date, timedelta
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

PREFIX = "bench-project-"
BATCH = 500
WORDS = ["Quartier", "Radweg", "Ladesäule", "Solardach", "Sensor", "Datenplattform",
         "Mikrodepot", "Lastenrad", "Wärmenetz", "Haltestelle", "Bibliothek", "Schule",
         "Reparatur", "Mieterstrom", "Gründach", "Innenstadt", "Hafen", "Busspur", "Messstelle",
         "Dashboard"]
PLACES = ["Kreuzviertel", "Hiltrup", "Gievenbeck", "Mauritz", "Kinderhaus", "Coerde", "Roxel",
          "Wolbeck", "Handorf", "Nienberge"]
RESULT_STATES = ["planned", "in_progress", "completed"]


def generate_projects(n: int = 3000, *, progress=print, seed: int = 2030) -> int:
    """Makes sure `n` synthetic projects exist (prefix bench-project-), each with a lead and
    one to three partner organisations, 4 milestones, 3 results (progress set), 3 budget lines,
    a place (point or area), 1–2 focus areas, 2 principles and 2 SDG relations. Returns how many
    it created. Needs django.setup()."""
    from django.utils import timezone

    from stadtallianz.core.models import FocusArea, Principle, SDGTarget
    from stadtallianz.partners.models import Organisation
    from stadtallianz.projects.models import (
        BudgetLine,
        ConsortiumMember,
        Milestone,
        PhasePeriod,
        Project,
        ProjectPlace,
        ProjectSDG,
        Result,
    )
    from stadtallianz.workinggroups.models import WorkingGroup

    existing = Project.objects.filter(slug__startswith=PREFIX).count()
    if existing >= n:
        progress(f"{existing} projects from an earlier run reused ({PREFIX}*)")
        return 0
    rng = random.Random(seed + existing)
    now = timezone.now()
    organisations = prefixed_rows(Organisation, "slug", PREFIX, 300, lambda i: Organisation(
        slug=f"{PREFIX}{i}", name=f"Bench-Partner {i} GmbH", type=Organisation.Type.COMPANY,
        status=Organisation.Status.PARTNER, partner_since=now))
    groups = prefixed_rows(WorkingGroup, "slug", PREFIX, 30, lambda i: WorkingGroup(
        slug=f"{PREFIX}{i}", name_de=f"AG Bench {i}"))
    areas = list(FocusArea.objects.values_list("pk", flat=True))
    principles = list(Principle.objects.values_list("pk", flat=True))
    targets = list(SDGTarget.objects.values_list("pk", "goal_id"))
    phases = [value for value, _label in Project.Phase.choices]
    started = time.perf_counter()
    for start in range(existing, n, BATCH):
        stop = min(start + BATCH, n)
        projects = Project.objects.bulk_create([Project(
            slug=f"{PREFIX}{i}", phase=phases[i % len(phases)],
            title_de=f"{rng.choice(WORDS)} {rng.choice(PLACES)} {i}",
            title_en=f"Project {i}", summary_de="Ein synthetisches Projekt für den Benchmark.",
            description_de="## Ziel\n\n" + " ".join(rng.choices(WORDS, k=80)),
            working_group_id=rng.choice(groups) if i % 3 == 0 else None)
            for i in range(start, stop)])
        members, milestones, results, lines, places, sdgs, periods = [], [], [], [], [], [], []
        area_links, principle_links = [], []
        for project in projects:
            chosen = rng.sample(organisations, rng.randint(2, 4))
            members.append(ConsortiumMember(project=project, organisation_id=chosen[0],
                                            role="lead", state="accepted"))
            members += [ConsortiumMember(project=project, organisation_id=org,
                                         role=rng.choice(["partner", "associated"]),
                                         state=rng.choice(["accepted", "accepted", "invited"]))
                        for org in chosen[1:]]
            base = date(2025, 1, 1) + timedelta(days=rng.randint(0, 600))
            milestones += [Milestone(project=project, title=f"Meilenstein {k}",
                                     due=base + timedelta(days=90 * k)) for k in range(4)]
            shares = [rng.choice([0, 20, 50, 80, 100]) for _ in range(3)]
            results += [Result(project=project, title=f"Ergebnis {k}", progress=share,
                               state=RESULT_STATES[min(2, share // 50)], position=k)
                        for k, share in enumerate(shares)]
            project.progress = round(sum(shares) / len(shares))
            lines += [BudgetLine(project=project, source=source, label=f"Posten {source}",
                                 amount=Decimal(rng.randint(1000, 500000)))
                      for source in ("own", "funding", "other")]
            lon, lat = 7.55 + rng.random() * 0.15, 51.90 + rng.random() * 0.1
            geometry = ({"type": "Point", "coordinates": [lon, lat]} if rng.random() < 0.7 else
                        {"type": "Polygon", "coordinates": [[[lon, lat], [lon + .003, lat],
                                                             [lon + .003, lat + .002],
                                                             [lon, lat + .002], [lon, lat]]]})
            places.append(ProjectPlace(project=project, name="Ort", geometry=geometry))
            for target, goal in rng.sample(targets, 2):
                sdgs.append(ProjectSDG(project=project, goal_id=goal, target_id=target))
            periods.append(PhasePeriod(project=project, phase="concept", start=base))
            area_links += [Project.focus_areas.through(project_id=project.pk, focusarea_id=a)
                           for a in rng.sample(areas, rng.randint(1, 2))]
            principle_links += [Project.principles.through(project_id=project.pk,
                                                           principle_id=p)
                                for p in rng.sample(principles, 2)]
        Project.objects.bulk_update(projects, ["progress"])
        for model, objects in [(ConsortiumMember, members), (Milestone, milestones),
                               (Result, results), (BudgetLine, lines), (ProjectPlace, places),
                               (ProjectSDG, sdgs), (PhasePeriod, periods)]:
            model.objects.bulk_create(objects, ignore_conflicts=model is ProjectSDG)
        Project.focus_areas.through.objects.bulk_create(area_links)
        Project.principles.through.objects.bulk_create(principle_links)
        progress(f"  projects: {stop} / {n} ({time.perf_counter() - started:.1f} s)")
    return n - existing


def sample_project(n: int):
    """The project whose page is timed: the middle one of the `n` synthetic projects."""
    from stadtallianz.projects.models import Project

    return Project.objects.filter(slug__startswith=PREFIX).order_by("pk")[n // 2]


def main() -> int:
    arguments = parse_arguments(__doc__, {"--projects": (3000, "synthetic projects")},
                                smoke={"projects": 60})
    started = setup("projects", smoke=arguments.smoke)
    from django.test import Client

    from stadtallianz.projects.models import Project

    generate_projects(arguments.projects, progress=say)
    say(f"data: {time.perf_counter() - started:.1f} s")
    describe_run(arguments, f"{Project.objects.count()} projects")

    focus = first_focus_area()
    sample = sample_project(arguments.projects)
    urls = [
        ("project list", "/de/projects/"),
        ("project list, filtered (phase + focus area)",
         f"/de/projects/?phase=pilot&focus_area={focus}"),
        ("project list, filtered (SDG 11)", "/de/projects/?sdg=11"),
        ("project list, page 50", "/de/projects/?page=50"),
        ("project list, htmx fragment", "/de/projects/?phase=rollout&page=2"),
        ("API list", "/api/v1/projects"),
        ("API list, filtered (phase + SDG)", "/api/v1/projects?phase=pilot&sdg=11"),
        ("project page", f"/de/projects/{sample.slug}/"),
        ("API project", f"/api/v1/projects/{sample.slug}"),
    ]
    rows = time_pages(Client(), urls, arguments)
    if arguments.smoke:  # the API's answers hold the projects, not only a 200
        answers = {url: timing.result for _label, url, timing in rows}
        if not answers["/api/v1/projects"].json()["items"]:
            sys.exit("/api/v1/projects lists no project")
        if answers[f"/api/v1/projects/{sample.slug}"].json()["slug"] != sample.slug:
            sys.exit(f"/api/v1/projects/{sample.slug} answered another project")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
