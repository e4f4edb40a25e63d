"""Quality of the matchmaking on the labelled set, on a database with the demo data.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/stadtallianz migrate
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/stadtallianz demo
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/matchmaking_quality.py

The labelled set, stadtallianz/matchmaking/data/evaluation_de.json (its judging rule at its
top), names for each query (a demo project with its consortium hidden but for the lead, or a
partner-search notice written for the set) the public demo partners that really fit. Prints
recall@10 and nDCG@10 of the ranking, of the baseline (plain keyword overlap: the same
lower-cased words, no stems, no compounds, no weights) and of the ranking without each signal
(the ablation); --queries also each query's recall and what was ranked. --min-recall R exits
non-zero when the ranking's mean recall@10 is below R or not above the baseline's.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--min-recall", type=float, default=0.0)
    parser.add_argument("--queries", action="store_true", help="each query's figures too")
    arguments = parser.parse_args()
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from stadtallianz.matchmaking.evaluation import K, cases_from_database, evaluate, recall_at
    from stadtallianz.matchmaking.ranking import rank_partners

    cases, corpus = cases_from_database()
    if not cases:
        sys.exit("no labelled query found its subject: did `stadtallianz demo` run?")
    if arguments.queries:
        names = {p.id: p.slug for p in corpus.partners}
        for label, subject, relevant in cases:
            ranked = [s.profile.id for s in rank_partners(subject, corpus, limit=K,
                                                          explain_top=False)]
            print(f"{recall_at(ranked, relevant):.2f}  {label}")
            print("      missed: " + ", ".join(names[i] for i in relevant - set(ranked)))
    results = evaluate(cases, corpus)
    kinds = {kind: sum(1 for _l, s, _r in cases if s.kind == kind)
             for kind in ("project", "notice", "call")}
    print(f"{connection.vendor}: {len(cases)} queries ({kinds['project']} projects, "
          f"{kinds['notice']} notices, {kinds['call']} calls), {len(corpus.partners)} public "
          f"partners\n")
    print(f"| {'variant':<28} | recall@{K} | nDCG@{K} |")
    print(f"|{'-' * 30}|{'-' * 11}|{'-' * 9}|")
    for name, (recall, ndcg) in results.items():
        print(f"| {name:<28} | {recall:>9.3f} | {ndcg:>7.3f} |")
    # At 5 too: with a few dozen partners, ten places hold a third of them.
    print(f"\n| {'variant':<28} | recall@5 | nDCG@5 |")
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 8}|")
    for name, (recall, ndcg) in evaluate(cases, corpus, k=5).items():
        print(f"| {name:<28} | {recall:>8.3f} | {ndcg:>6.3f} |")
    ranking, baseline = results["ranking"][0], results["baseline: keyword overlap"][0]
    return 1 if ranking < arguments.min_recall or ranking <= baseline else 0


if __name__ == "__main__":
    sys.exit(main())
