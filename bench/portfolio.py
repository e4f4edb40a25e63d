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

import random
import sys
import time
from datetime import timedelta

from common import (
    describe_run,
    first_focus_area,
    measure,
    parse_arguments,
    print_table,
    say,
    setup,
    time_pages,
)

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


def main() -> int:
    arguments = parse_arguments(__doc__, {"--projects": (3000, "synthetic projects")},
                                smoke={"projects": 60})
    started = setup("portfolio", smoke=arguments.smoke)
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template
    from django.test import Client, RequestFactory
    from projects import generate_projects, sample_project

    from stadtallianz.assessments.models import Assessment
    from stadtallianz.projects.models import Project

    generate_projects(arguments.projects, progress=say)
    generate_assessments(progress=say)
    say(f"data: {time.perf_counter() - started:.1f} s")
    describe_run(arguments, f"{Project.objects.count()} projects, "
                 f"{Assessment.objects.filter(is_current=True).count()} published assessments "
                 f"({Assessment.objects.count()} in all)")

    focus = first_focus_area()
    sample = sample_project(arguments.projects)
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
    rows = time_pages(Client(), urls, arguments)

    # The assessment part of the project page alone: the inclusion tag, rendered as the page
    # renders it.
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    tag = Template("{% load assessments %}{% project_assessment project %}")
    assert "<svg" in tag.render(Context({"project": sample, "request": request}))
    rows.append(("assessment part of a project page (tag only)", "{% project_assessment %}",
                 measure(lambda: tag.render(Context({"project": sample, "request": request})),
                         requests=arguments.requests, warmup=arguments.warmup)))
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
