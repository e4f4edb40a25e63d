"""The quality of the ranking on the labelled set (data/evaluation_de.json, its judging rule at
its top): recall@10 and nDCG@10 of the ranking, of a baseline of plain keyword overlap, and of
the ranking without each signal (the ablation). bench/matchmaking_quality.py prints the table;
the tests check that the ranking beats the baseline on the demo data."""

import json
import math
from pathlib import Path

from .analysis import terms
from .ranking import SIGNALS, SOUGHT, TITLE, Item, Profile, keyword_baseline, rank_partners

DATA = Path(__file__).resolve().parent / "data" / "evaluation_de.json"
K = 10


def recall_at(ranked: list, relevant: set, k: int = K) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def ndcg_at(ranked: list, relevant: set, k: int = K) -> float:
    gain = sum(1 / math.log2(i + 2) for i, pk in enumerate(ranked[:k]) if pk in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return gain / ideal if ideal else 0.0


def notice_profile(query: dict, number: int, corpus, focus_ids: dict) -> Profile:
    owner = next((p for p in corpus.partners if p.slug == query["owner"]), None)
    items = (Item("title", query["title"], terms(query["title"]), TITLE),
             Item("sought", query["sought"], terms(query["sought"]), SOUGHT))
    return Profile(kind="notice", id=-number, slug=f"eval-{number}", name=query["title"],
                   items=items,
                   focus_areas=frozenset(focus_ids[s] for s in query["focus_areas"]),
                   organisations=frozenset([owner.id] if owner else []),
                   wanted_types=frozenset(query.get("wanted_types", ())),
                   location=owner.location if owner else None)


def cases(data: dict, corpus, projects: dict, leads: dict, focus_ids: dict,
          calls: dict | None = None) -> list:
    """(query label, subject profile, relevant partner ids) for each query whose subject exists
    and that has a relevant public partner. `projects`: German title -> profile; `leads`:
    project id -> lead id; `calls`: slug -> profile."""
    by_slug = {p.slug: p.id for p in corpus.partners}
    found = []
    for number, query in enumerate(data["queries"], start=1):
        if query["kind"] == "project":
            subject = projects.get(query["project"])
            if subject is None:
                continue
            # The consortium hidden but for the lead: can the ranking find the others?
            lead = leads.get(subject.id)
            subject.organisations = frozenset([lead] if lead else [])
            label = query["project"]
        elif query["kind"] == "call":
            subject = (calls or {}).get(query["call"])
            if subject is None:
                continue
            label = subject.name
        else:
            subject = notice_profile(query, number, corpus, focus_ids)
            label = query["title"]
        relevant = {by_slug[slug] for slug in query["relevant"] if slug in by_slug}
        if relevant:
            found.append((label, subject, relevant))
    return found


def evaluate(cases_: list, corpus, *, k: int = K) -> dict:
    """Variant name -> (mean recall@k, mean nDCG@k)."""
    variants = {"ranking": frozenset(), **{f"without {s}": frozenset([s]) for s in SIGNALS}}
    results = {}
    for name, disabled in variants.items():
        recalls, gains = [], []
        for _label, subject, relevant in cases_:
            ranked = [s.profile.id for s in rank_partners(subject, corpus, limit=k,
                                                          disabled=disabled,
                                                          explain_top=False)]
            recalls.append(recall_at(ranked, relevant, k))
            gains.append(ndcg_at(ranked, relevant, k))
        results[name] = (sum(recalls) / len(recalls), sum(gains) / len(gains))
    recalls, gains = [], []
    for _label, subject, relevant in cases_:
        ranked = [s.profile.id for s in keyword_baseline(subject, corpus, limit=k)]
        recalls.append(recall_at(ranked, relevant, k))
        gains.append(ndcg_at(ranked, relevant, k))
    results["baseline: keyword overlap"] = (sum(recalls) / len(recalls), sum(gains) / len(gains))
    return results


def cases_from_database(path: Path = DATA) -> tuple:
    """The labelled set against the database's demo data: (cases, corpus)."""
    from stadtallianz.core.models import FocusArea
    from stadtallianz.projects.models import ConsortiumMember

    from . import profiles

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    corpus = profiles.build_partner_corpus()
    projects = {p.name: p for p in profiles.project_profiles()}
    leads = dict(ConsortiumMember.objects.filter(
        role=ConsortiumMember.Role.LEAD, state=ConsortiumMember.State.ACCEPTED).values_list(
        "project_id", "organisation_id"))
    focus_ids = dict(FocusArea.objects.values_list("slug", "pk"))
    calls = {p.slug: p for p in profiles.call_profiles()}
    return cases(data, corpus, projects, leads, focus_ids, calls), corpus
