"""Recall of the search on the labelled German queries, on a database with the demo data.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/stadtallianz migrate
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/stadtallianz demo
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/search_recall.py

The labelled set, stadtallianz/search/tests/data/labelled_queries_de.json, names for each query
the results a person expects (by "<type>:<German title>"). The script rebuilds the search index
with the code it runs with (so an older checkout, put first on PYTHONPATH, measures "before"),
searches each query as the coordination office (who may see everything: this measures finding,
not permissions) and prints each query's recall (expected results found / expected results),
their mean, the recall over all expected results, and how many results were not in the labelled
set. --min-recall R exits non-zero below R (the mean).
"""

import argparse
import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace

LABELS = (Path(__file__).resolve().parent.parent / "stadtallianz" / "search" / "tests" / "data"
          / "labelled_queries_de.json")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", default=str(LABELS))
    parser.add_argument("--min-recall", type=float, default=0.0)
    parser.add_argument("--no-rebuild", action="store_true")
    arguments = parser.parse_args()
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from stadtallianz.search.services import search

    labels = json.loads(Path(arguments.labels).read_text(encoding="utf-8"))["queries"]
    if not arguments.no_rebuild:
        call_command("rebuild_search_index", stdout=open(os.devnull, "w"))  # noqa: SIM115
    office = SimpleNamespace(is_authenticated=True, is_coordination_office=True)
    recalls, found_total, expected_total, others_total = [], 0, 0, 0
    print(f"{'query':<32} {'expected':>8} {'found':>5} {'recall':>6} {'other':>5}")
    for q, expected in labels.items():
        results = search(user=office, q=q)
        keys = {f"{entry.type}:{entry.title_de}" for entry in results[0:500]}
        found = len(keys & set(expected))
        recall = found / len(expected) if expected else 1.0
        recalls.append(recall)
        found_total += found
        expected_total += len(expected)
        others = len(keys - set(expected))
        others_total += others
        print(f"{q:<32} {len(expected):>8} {found:>5} {recall:>6.2f} {others:>5}")
    mean = sum(recalls) / len(recalls)
    print(f"{connection.vendor}: {len(labels)} queries, mean recall {mean:.3f}, "
          f"recall over all {expected_total} expected results {found_total / expected_total:.3f}, "
          f"{others_total} results not in the labelled set")
    return 1 if mean < arguments.min_recall else 0


if __name__ == "__main__":
    sys.exit(main())
