"""The labelled evaluation runs on the demo data and the ranking beats the keyword baseline
(bench/matchmaking_quality.py prints the whole table)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from stadtallianz.matchmaking.evaluation import (
    DATA,
    cases_from_database,
    evaluate,
    ndcg_at,
    recall_at,
)

pytestmark = pytest.mark.django_db


def test_the_labelled_set_is_large_enough_and_states_its_rule():
    data = json.loads(DATA.read_text(encoding="utf-8"))
    assert len(data["queries"]) >= 60
    assert data["judging_rule"]
    assert all(query["relevant"] for query in data["queries"])


def test_measures():
    assert recall_at([1, 2, 3], {1, 4}) == 0.5
    assert ndcg_at([1, 2], {1}) == 1.0
    assert ndcg_at([2, 1], {1}) < 1.0


def test_ranking_beats_the_baseline_on_the_demo_data():
    call_command("demo", stdout=StringIO())
    # The funding demo's calls, until the demo command loads them itself.
    from stadtallianz.demo import funding

    funding.load()
    cases, corpus = cases_from_database()
    assert len(cases) >= 90
    assert {subject.kind for _label, subject, _relevant in cases} == {"project", "notice", "call"}
    results = evaluate(cases, corpus)
    recall, ndcg = results["ranking"]
    baseline_recall, baseline_ndcg = results["baseline: keyword overlap"]
    assert recall >= 0.8
    assert recall > baseline_recall + 0.1 and ndcg > baseline_ndcg + 0.1
    # The text signal (the German analysis) carries the most.
    assert results["without text"][1] < ndcg

    # A partner's own suggestions: the running projects scored as arrays (SubjectIndex) agree
    # with score_pair one by one, for every demo partner.
    from stadtallianz.matchmaking import profiles
    from stadtallianz.matchmaking.ranking import SubjectIndex, rank_subjects

    projects = profiles.project_profiles()
    index = SubjectIndex(projects)
    for partner in corpus.partners:
        at_once = rank_subjects(partner, [], corpus, limit=100, index=index)
        one_by_one = rank_subjects(partner, projects, corpus, limit=100)
        assert [(s.profile.id, s.score) for s in at_once] == [
            (s.profile.id, s.score) for s in one_by_one]
