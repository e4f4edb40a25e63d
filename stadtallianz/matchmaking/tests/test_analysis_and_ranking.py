"""The ranking's pure functions: the German analysis it reuses, the signals, the reasons."""

from stadtallianz.matchmaking.analysis import matching_words, terms
from stadtallianz.matchmaking.ranking import (
    Corpus,
    Group,
    Item,
    Profile,
    keyword_baseline,
    rank_partners,
    rank_subjects,
)


def item(source, text, weight=1.0):
    return Item(source, text, terms(text), weight)


def partner(pk, name, text, **fields):
    return Profile(kind="organisation", id=pk, slug=f"p{pk}", name=name,
                   items=(item("summary", text),), **fields)


def test_compounds_and_inflection_match():
    assert {"verkehr", "dat"} <= terms("Verkehrsdaten")
    assert terms("Daten zum Verkehr") <= terms("Verkehrsdaten")
    assert terms("Mobilität") <= terms("Mobilitätsplattform")
    assert matching_words("Wir bieten Verkehrsdaten an.", terms("Daten zum Verkehr")) == [
        "Verkehrsdaten"]


def corpus():
    partners = [
        partner(1, "Verkehrsamt", "Bietet Verkehrsdaten und Zählstellen.", type="municipal",
                groups=frozenset([7]), location=(51.96, 7.62)),
        partner(2, "Bäckerei", "Backt Brot.", type="company"),
        partner(3, "Institut", "Forschung zur Mobilitätsplattform.", type="research",
                focus_areas=frozenset([1]), projects=frozenset([50])),
        partner(4, "Stadtwerke", "Strom und Wärme.", type="company", projects=frozenset([50])),
        partner(5, "Planungsbüro", "Stadtplanung.", type="company", projects=frozenset([50])),
    ]
    return Corpus(partners=partners,
                  groups={7: Group(7, "Mobilität", "Mobility", frozenset([1]),
                                   terms("Mobilität Verkehr"))})


def test_ranks_by_text_and_explains_with_evidence():
    subject = Profile(kind="notice", id=1, items=(item("sought", "Daten zum Verkehr"),),
                      organisations=frozenset([4]))
    ranked = rank_partners(subject, corpus())
    assert [s.profile.id for s in ranked][0] == 1
    reasons = {r.code: r.params for r in ranked[0].reasons}
    assert reasons["profile"]["words"] == ["Verkehrsdaten"]
    assert 4 not in [s.profile.id for s in ranked]  # the owner is never suggested
    assert 2 not in [s.profile.id for s in ranked]  # nothing shared: no suggestion


def test_call_eligibility_leaves_out_and_names_the_type():
    subject = Profile(kind="call", id=1, items=(item("sought", "Mobilität"),),
                      eligible_types=frozenset(["research"]))
    ranked = rank_partners(subject, corpus())
    assert [s.profile.id for s in ranked] == [3]
    eligible = next(r for r in ranked[0].reasons if r.code == "eligible")
    assert eligible.params == {"type": "research"}


def test_group_focus_history_and_place_signals():
    subject = Profile(kind="project", id=99, items=(item("title", "Verkehr"),),
                      focus_areas=frozenset([1]), groups=frozenset([7]),
                      organisations=frozenset([4]), location=(51.95, 7.63))
    ranked = {s.profile.id: s for s in rank_partners(subject, corpus())}
    assert ranked[1].signals["group"] == 1.0
    assert "working_group" in [r.code for r in ranked[1].reasons]
    assert ranked[3].signals["focus"] == 1.0
    assert ranked[3].signals["history"] == 0.5  # one earlier project with the Stadtwerke
    joint = next(r for r in ranked[3].reasons if r.code == "joint_work")
    assert joint.params == {"partner": "Stadtwerke", "count": 1}
    assert ranked[1].signals["place"] > 0.9
    # Without the text signal the partner who only matches by text drops.
    without = rank_partners(subject, corpus(), disabled=frozenset(["text", "group"]))
    assert 1 not in [s.profile.id for s in without]


def test_exclude_and_reverse_direction():
    subject = Profile(kind="notice", id=5, items=(item("sought", "Verkehrsdaten"),))
    assert 1 not in [s.profile.id for s in rank_partners(subject, corpus(),
                                                         exclude=frozenset([1]))]
    data = corpus()
    found = rank_subjects(data.by_id[1], [subject, Profile(kind="call", id=6, items=(
        item("sought", "Brot"),))], data)
    assert [(s.profile.kind, s.profile.id) for s in found] == [("notice", 5)]
    assert rank_subjects(data.by_id[1], [subject], data,
                         exclude=frozenset([("notice", 5)])) == []


def test_baseline_needs_the_same_word():
    subject = Profile(kind="notice", id=1, items=(item("sought", "Daten zum Verkehr"),))
    assert 1 not in [s.profile.id for s in keyword_baseline(subject, corpus())]


def test_all_at_once_agrees_with_one_by_one():
    """rank_partners (arrays over all partners) and score_pair (one partner) are the same
    signals: the same scores."""
    from stadtallianz.matchmaking.ranking import score_pair

    data = corpus()
    subjects = [
        Profile(kind="project", id=99, items=(item("title", "Verkehr und Mobilität"),),
                focus_areas=frozenset([1]), groups=frozenset([7]),
                organisations=frozenset([4]), location=(51.95, 7.63)),
        Profile(kind="call", id=3, items=(item("sought", "Daten"),),
                eligible_types=frozenset(["research", "municipal"])),
        Profile(kind="notice", id=4, items=(item("sought", "Brot und Strom"),),
                wanted_types=frozenset(["company"])),
        # Two anchors in the same earlier project: it counts once.
        Profile(kind="call", id=5, items=(item("sought", "Forschung"),),
                organisations=frozenset([3, 4])),
        Profile(kind="notice", id=6, items=(item("sought", "Mobilität"),),
                organisations=frozenset([3, 4])),
    ]
    for subject in subjects:
        ranked = {s.profile.id: s.score for s in rank_partners(subject, data, limit=100)}
        one_by_one = {}
        for partner_ in data.partners:
            if partner_.id in subject.organisations:
                continue
            scored = score_pair(subject, partner_, data)
            if scored is not None:
                one_by_one[partner_.id] = round(scored[0], 4)
        assert ranked == one_by_one
    # Partner 5 shares one earlier project with both anchors of the last subject: once.
    assert score_pair(subjects[-1], data.by_id[5], data)[1]["history"] == 0.5
    assert rank_partners(subjects[-1], data, limit=100)[0].signals["history"] == 0.5
