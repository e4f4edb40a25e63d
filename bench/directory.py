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

import os
import sys
import time

from common import (
    describe_run,
    parse_arguments,
    say,
    say_load_average,
    setup,
    time_request,
)

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


def check_answers(rows: list, public: int) -> None:
    """--smoke: the pages are not only 200 but say what they should (a wrong answer fails)."""
    answers = {url: timing.result for _label, url, timing in rows}
    if not answers["/api/v1/partners"].json()["items"]:
        sys.exit(f"/api/v1/partners lists no partner ({public} public)")
    if answers["/sitemap.xml"].content.count(b"/partners/") < public:
        sys.exit(f"/sitemap.xml lists fewer than the {public} public partners")


def main() -> int:
    arguments = parse_arguments(__doc__, {"--partners": (5000, "synthetic organisations")},
                                smoke={"partners": 50})
    # The database given, or var/bench.sqlite3; with --smoke `…_smoke` (var/bench-smoke.sqlite3).
    started = setup(smoke=arguments.smoke)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from stadtallianz.partners.models import Organisation

    call_command("demo", scale=arguments.partners, stdout=open(os.devnull, "w"))  # noqa: SIM115
    say(f"set-up (migrate + demo --scale {arguments.partners}): "
        f"{time.perf_counter() - started:.1f} s")
    describe_run(arguments, f"{Organisation.objects.count()} organisations, "
                 f"{Organisation.objects.public().count()} public",
                 per="requests per URL (unless the scenario says otherwise)")

    client = Client()
    rows = []
    for label, url, requests, uncached in SCENARIOS:
        timing = time_request(client, url, arguments, requests=requests,
                              before_each=cache.clear if uncached else None)
        rows.append((f"{label} [{requests or arguments.requests}]", url, timing))
    if arguments.smoke:
        check_answers(rows, Organisation.objects.public().count())

    say(f"{'scenario [timed requests]':<46} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} "
        f"{'queries':>7} {'bytes':>6}  URL")
    for label, url, timing in rows:
        say(f"{label:<46} {timing.median:>9.1f} {timing.p95:>7.1f} {timing.cpu:>7.1f} "
            f"{timing.queries:>7} {len(timing.result.content):>6}  {url}")
    say_load_average()
    return 0


if __name__ == "__main__":
    sys.exit(main())
