"""Benchmark: the matchmaking at national scale, 5,000 partners and 3,000 projects.

    .venv/bin/python bench/matchmaking.py                                    # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench \
        .venv/bin/python bench/matchmaking.py                                # PostgreSQL
    .venv/bin/python bench/matchmaking.py --smoke                            # CI

In its own database (`<name>_matchmaking`, or var/bench-matchmaking.sqlite3): the demo alliance,
`stadtallianz demo --scale N` synthetic organisations, `projects.py`'s 3,000 projects with
their consortia, and for every synthetic organisation an offer in words real partners use (the
demo partners' summaries, in rotation) and a place in one or two working groups, so that the
text signal has work to do.

Times, for the 20 demo projects in turn (target: p95 of one ranking < 50 ms on PostgreSQL):
the ranking itself over the kept profiles (Python: scoring 5,000 partners and wording the top
ten's reasons), `suggestions.partners_for` (the ranking with its queries: fingerprint, the
subject, the person's dismissals, the partners shown), the suggestion page and its fragment and
the API; the partner's own suggestions (3,000 projects ranked for one partner); and the cold
build of the kept profiles (after a change, once per process).
"""

import os
import random
import sys
import time

from common import (
    describe_run,
    measure,
    parse_arguments,
    say,
    say_load_average,
    setup,
    time_request,
)

MARK = " (Benchmark)"


def enrich(progress=say) -> int:
    """Offers in real words and working-group places for the synthetic organisations (once)."""
    import json
    from pathlib import Path

    from stadtallianz.partners.models import Offer, Organisation
    from stadtallianz.workinggroups.models import GroupOrganisation, WorkingGroup

    if Offer.objects.filter(text__endswith=MARK).exists():
        progress("offers and group places from an earlier run reused")
        return 0
    data = json.loads((Path(__file__).resolve().parent.parent / "stadtallianz" / "demo" / "data"
                       / "alliance.json").read_text(encoding="utf-8"))
    summaries = [o["summary"] for o in data["organisations"]]
    groups = list(WorkingGroup.objects.values_list("pk", flat=True))
    ids = list(Organisation.objects.filter(slug__startswith="synthetic-").order_by("pk")
               .values_list("pk", flat=True))
    rng = random.Random(15)
    offers, places = [], []
    for number, pk in enumerate(ids):
        offers.append(Offer(organisation_id=pk, kind=Offer.Kind.OFFER, category="expertise",
                            text=summaries[number % len(summaries)] + MARK))
        for group in rng.sample(groups, k=min(len(groups), rng.randint(0, 2))):
            places.append(GroupOrganisation(group_id=group, organisation_id=pk))
    Offer.objects.bulk_create(offers, batch_size=1000)
    GroupOrganisation.objects.bulk_create(places, batch_size=1000, ignore_conflicts=True)
    progress(f"{len(offers)} offers, {len(places)} group places for synthetic organisations")
    return len(offers)


def main() -> int:
    arguments = parse_arguments(__doc__, {
        "--partners": (5000, "synthetic organisations"),
        "--projects": (3000, "synthetic projects (projects.py's generator)"),
    }, per="rankings", smoke={"partners": 50, "projects": 60})
    started = setup("matchmaking", smoke=arguments.smoke)
    from django.core.management import call_command
    from django.test import Client
    from projects import generate_projects

    from stadtallianz.accounts.models import User
    from stadtallianz.matchmaking import profiles, suggestions
    from stadtallianz.matchmaking.ranking import rank_partners
    from stadtallianz.partners.models import Organisation
    from stadtallianz.projects.models import Project

    call_command("demo", scale=arguments.partners, stdout=open(os.devnull, "w"))  # noqa: SIM115
    generate_projects(arguments.projects, progress=say)
    enrich()
    profiles.invalidate()
    say(f"set-up: {time.perf_counter() - started:.1f} s")
    describe_run(arguments, f"{Organisation.objects.public().count()} public partners of "
                 f"{Organisation.objects.count()}, {Project.objects.count()} projects",
                 per="rankings per row")

    office = User.objects.filter(is_coordinator=True).first()
    if office is None:
        sys.exit("no coordination-office account: did `stadtallianz demo` run?")
    demo_projects = list(Project.objects.exclude(slug__startswith="bench-project-")
                         .order_by("pk")[:20])
    subjects = profiles.project_profiles(Project.objects.filter(
        pk__in=[p.pk for p in demo_projects]))
    turn = {"n": 0}

    def next_of(items):
        turn["n"] += 1
        return items[turn["n"] % len(items)]

    rows = []
    build_started = time.perf_counter()
    corpus = profiles.build_partner_corpus()
    build_ms = (time.perf_counter() - build_started) * 1000
    profiles.partner_corpus()  # kept

    def check_ranked(found):
        if not found:
            sys.exit("the ranking suggested no partner")

    rows.append(("ranking alone (kept profiles, reasons)", "", measure(
        lambda: rank_partners(next_of(subjects), corpus), requests=arguments.requests,
        warmup=arguments.warmup, check=check_ranked)))
    rows.append(("partners_for (ranking + its queries)", "", measure(
        lambda: suggestions.partners_for(office, "project", next_of(demo_projects)),
        requests=arguments.requests, warmup=arguments.warmup, check=check_ranked)))
    client = Client()
    client.force_login(office)
    slug = demo_projects[0].slug
    for label, url, headers in (
            ("suggestion page of a project", f"/de/suggestions/projects/{slug}/", None),
            ("the fragment (htmx)", f"/de/suggestions/projects/{slug}/",
             {"HTTP_HX_REQUEST": "true"}),
            ("API", f"/api/v1/suggestions/projects/{slug}", None)):
        rows.append((label, url, time_request(client, url, arguments, headers=headers)))
    partner = Organisation.objects.public().filter(
        pk__in=[p.id for p in corpus.partners if p.projects]).order_by("pk").first()
    rows.append(("a partner's own suggestions (all projects)", "", measure(
        lambda: suggestions.subjects_for(office, partner), requests=max(
            1, arguments.requests // 10), warmup=min(arguments.warmup, 2))))

    say(f"{'scenario':<46} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} {'queries':>7}  url")
    for label, url, timing in rows:
        say(f"{label:<46} {timing.median:>9.1f} {timing.p95:>7.1f} {timing.cpu:>7.1f} "
            f"{timing.queries:>7}  {url}")
    say(f"{'building the kept profiles (cold, once)':<46} {build_ms:>9.1f}")
    say_load_average()
    return 0


if __name__ == "__main__":
    sys.exit(main())
