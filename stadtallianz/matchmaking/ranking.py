"""The ranking: pure functions over prefetched profiles, the one place for the signals.

A *profile* is what the ranking knows of an organisation or of a subject (a project, a
partner-search notice, a call): its terms (analysis.py), focus areas, working groups, type,
place, and the organisations and projects it is tied to. profiles.py reads them from the
database (and caches the partners'); the evaluation (bench/matchmaking_quality.py) and the tests
build them directly.

    score = Σ WEIGHTS[signal] · strength(signal) ∈ [0, 1]

Signals (a partner p for a subject s):

- ``text``: the idf-weighted terms of the subject that p's offers, one-line summary or
  description carry (offers and summary weigh most), saturating (TEXT_SCALE); in the partner's
  own view its needs count as much as its offers (a call funds what it needs).
- ``focus``: the share of the subject's focus areas p works in.
- ``group``: p is in the subject's working group (1) or a group of the subject's focus areas
  whose name or description shares terms with the subject (0.6), or only the focus areas (0.3).
- ``type``: a call's eligible types (not eligible: left out, not ranked), a notice's wanted
  types.
- ``history``: earlier joint projects and published joint applications with the subject's
  organisations (a project's consortium, a notice's owner, the reader's organisations for a
  call); 1 from two on.
- ``place``: closeness, 1 at the same place down to 0 at PLACE_RANGE_KM.

Reasons (explain) are computed for the shown suggestions only, as codes with parameters;
reasons.py words them in the reader's language.
"""

import math
from dataclasses import dataclass, field

import numpy as np

SIGNALS = ("text", "focus", "group", "type", "history", "place")
WEIGHTS = {"text": 0.5, "focus": 0.15, "group": 0.12, "type": 0.08, "history": 0.1,
           "place": 0.05}
# Field weights of an organisation's texts, and of a subject's.
OFFER, SUMMARY, DESCRIPTION, NEED = 1.0, 1.0, 0.7, 0.4
TITLE, SOUGHT, BODY = 1.0, 1.0, 0.6
PLACE_RANGE_KM = 50.0
# A term in at most a tenth of the partners is evidence worth quoting in a reason.
RARE_IDF = math.log(1 + 10)
# Shared idf-weighted terms worth about two rare words give a text strength of 1 - 1/e.
TEXT_SCALE = 6.0
# A suggestion needs at least this much: a partner that shares nothing is none.
MIN_SCORE = 0.05


@dataclass(slots=True)
class Item:
    """A text of a profile with its terms: an offer, a need, a summary, a call's summary."""

    source: str  # "offer", "need", "summary", "description", "title", "sought", "body"
    text: str
    terms: frozenset
    weight: float


@dataclass(slots=True)
class Profile:
    kind: str  # "organisation", "project", "notice", "call"
    id: int
    slug: str = ""
    name: str = ""
    type: str = ""  # an organisation's type
    items: tuple = ()
    focus_areas: frozenset = frozenset()
    groups: frozenset = frozenset()  # an organisation's groups; a project's own group
    projects: frozenset = frozenset()  # an organisation's projects (accepted consortium)
    applications: frozenset = frozenset()  # an organisation's published applications
    organisations: frozenset = frozenset()  # a subject's consortium, owner or readers
    eligible_types: frozenset = frozenset()  # a call's (empty: all)
    wanted_types: frozenset = frozenset()  # a notice's
    location: tuple | None = None  # (latitude, longitude)
    weights: dict = field(default_factory=dict)  # term -> highest field weight

    def __post_init__(self):
        if not self.weights:
            for item in self.items:
                for term in item.terms:
                    if item.weight > self.weights.get(term, 0.0):
                        self.weights[term] = item.weight


@dataclass(slots=True)
class Group:
    id: int
    name: str
    name_en: str
    focus_areas: frozenset
    terms: frozenset


@dataclass
class Corpus:
    """The partners that may be suggested, with what ranking them needs precomputed: the
    document frequency of each term (idf), an inverted index term -> (positions, field weights),
    and per signal an array over the partners (focus areas, groups, projects, applications,
    types, places), so that scoring 5,000 partners is a few array operations (numpy)."""

    partners: list
    groups: dict = field(default_factory=dict)  # id -> Group
    idf: dict = field(default_factory=dict)
    by_id: dict = field(default_factory=dict)
    default_idf: float = 1.0

    def __post_init__(self):
        count = len(self.partners) or 1
        postings: dict[str, tuple[list, list]] = {}
        self.position = {}
        areas, groups, projects, applications, types = {}, {}, {}, {}, {}
        for position, partner in enumerate(self.partners):
            self.by_id[partner.id] = partner
            self.position[partner.id] = position
            for term, weight in partner.weights.items():
                entry = postings.setdefault(term, ([], []))
                entry[0].append(position)
                entry[1].append(weight)
            for area in partner.focus_areas:
                areas.setdefault(area, []).append(position)
            for group in partner.groups:
                groups.setdefault(group, []).append(position)
            for project in partner.projects:
                projects.setdefault(project, []).append(position)
            for application in partner.applications:
                applications.setdefault(application, []).append(position)
            types.setdefault(partner.type, len(types))
        self.idf = {term: math.log(1 + count / len(entry[0])) for term, entry in postings.items()}
        self.default_idf = math.log(1 + count)
        self.postings = {term: (np.array(entry[0], dtype=np.int32),
                                np.array(entry[1], dtype=np.float64))
                         for term, entry in postings.items()}
        self.area_rows = {a: np.array(rows, dtype=np.int32) for a, rows in areas.items()}
        self.group_rows = {g: np.array(rows, dtype=np.int32) for g, rows in groups.items()}
        self.project_rows = {p: np.array(rows, dtype=np.int32) for p, rows in projects.items()}
        self.application_rows = {a: np.array(rows, dtype=np.int32)
                                 for a, rows in applications.items()}
        self.type_codes = types
        self.types = np.array([types[p.type] for p in self.partners], dtype=np.int32)
        located = [p.location or (math.nan, math.nan) for p in self.partners]
        self.latitudes = np.radians(np.array([lat for lat, _lon in located], dtype=np.float64))
        self.longitudes = np.radians(np.array([lon for _lat, lon in located], dtype=np.float64))
        self.names = [p.name for p in self.partners]


@dataclass(slots=True)
class Reason:
    code: str
    params: dict


@dataclass(slots=True)
class Suggestion:
    profile: Profile
    score: float
    signals: dict
    reasons: list = field(default_factory=list)


def distance_km(a: tuple | None, b: tuple | None) -> float | None:
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def subject_weights(subject: Profile, corpus: Corpus) -> tuple[dict, float]:
    """The subject's terms with their idf times field weight, and their sum."""
    weighted = {term: corpus.idf.get(term, corpus.default_idf) * weight
                for term, weight in subject.weights.items()}
    return weighted, sum(weighted.values()) or 1.0


def group_closeness(group: Group, subject: Profile) -> float:
    """How close a working group is to the subject (see the module's docstring)."""
    if group.id in subject.groups:
        return 1.0
    if group.focus_areas & subject.focus_areas:
        return 0.6 if not group.terms.isdisjoint(subject.weights.keys()) else 0.3
    return 0.0


def related_groups(subject: Profile, corpus: Corpus) -> dict:
    """Working group id -> its closeness to the subject, for the groups close at all."""
    return {group.id: closeness for group in corpus.groups.values()
            if (closeness := group_closeness(group, subject))}


def anchor_work(subject: Profile, corpus: Corpus) -> tuple[dict, dict]:
    """project id -> the anchors (subject's organisations) in it; the same for applications;
    the subject project itself is not "earlier" work."""
    projects, applications = {}, {}
    for organisation_id in subject.organisations:
        anchor = corpus.by_id.get(organisation_id)
        if anchor is None:
            continue
        for project in anchor.projects:
            if not (subject.kind == "project" and project == subject.id):
                projects.setdefault(project, []).append(organisation_id)
        for application in anchor.applications:
            applications.setdefault(application, []).append(organisation_id)
    return projects, applications


def type_strength(subject: Profile, organisation_type: str) -> float | None:
    """1 for a wanted or (restricted call) eligible type, 0 for none asked; None: excluded."""
    if subject.kind == "call":
        if subject.eligible_types and organisation_type not in subject.eligible_types:
            return None
        return 1.0 if subject.eligible_types else 0.0
    if subject.wanted_types:
        return 1.0 if organisation_type in subject.wanted_types else 0.0
    return 0.0


def text_strength(shared: float) -> float:
    """Saturating: the first rare shared terms count most, and a long subject text does not
    dilute them (a share of its terms would)."""
    return 1 - math.exp(-shared / TEXT_SCALE)


def place_strength(distance: float | None) -> float:
    return max(0.0, 1 - distance / PLACE_RANGE_KM) if distance is not None else 0.0


def _is_suggestion(signals: dict, score: float) -> bool:
    """Only a partner that shares something of substance is suggested: text, focus, a group
    or history, not only the place or the type."""
    return bool(signals["text"] or signals["focus"] or signals["group"]
                or signals["history"]) and score >= MIN_SCORE


def score_pair(subject: Profile, partner: Profile, corpus: Corpus, *,
               disabled: frozenset = frozenset()) -> tuple | None:
    """(score, signals) of one partner for one subject, or None when it is no suggestion:
    what rank_partners computes for all partners at once, for one (rank_subjects; the tests
    check that both agree)."""
    weights = {s: (0.0 if s in disabled else w) for s, w in WEIGHTS.items()}
    type_ = type_strength(subject, partner.type)
    if type_ is None:
        return None
    signals = dict.fromkeys(SIGNALS, 0.0)
    # Only what the two share is looked at: cheap enough for 3,000 subjects (rank_subjects).
    if weights["text"]:
        shared = subject.weights.keys() & partner.weights.keys()
        signals["text"] = text_strength(sum(
            corpus.idf.get(term, corpus.default_idf) * subject.weights[term]
            * partner.weights[term] for term in shared))
    if weights["focus"] and subject.focus_areas:
        signals["focus"] = len(partner.focus_areas & subject.focus_areas) / len(
            subject.focus_areas)
    if weights["group"]:
        signals["group"] = max((closeness for g in partner.groups if g in corpus.groups
                                if (closeness := group_closeness(corpus.groups[g], subject))),
                               default=0.0)
    signals["type"] = type_ if weights["type"] else 0.0
    if weights["history"]:
        projects, applications = set(), set()
        for organisation_id in subject.organisations:
            if (anchor := corpus.by_id.get(organisation_id)) is not None:
                projects |= anchor.projects & partner.projects
                applications |= anchor.applications & partner.applications
        if subject.kind == "project":
            projects.discard(subject.id)
        signals["history"] = min(1.0, (len(projects) + len(applications)) / 2)
    if weights["place"]:
        signals["place"] = place_strength(distance_km(subject.location, partner.location))
    score = sum(weights[s] * v for s, v in signals.items())
    return (score, signals) if _is_suggestion(signals, score) else None


def rank_partners(subject: Profile, corpus: Corpus, *, limit: int = 10,
                  exclude: frozenset = frozenset(), disabled: frozenset = frozenset(),
                  explain_top: bool = True) -> list:
    """The partners that fit `subject`, best first, at most `limit`; `exclude` holds partner ids
    (the subject's own organisations are always left out); `disabled` signals are ignored (the
    ablation of the evaluation). The signals of score_pair, for all partners at once."""
    count = len(corpus.partners)
    if not count:
        return []
    weights = {s: (0.0 if s in disabled else w) for s, w in WEIGHTS.items()}
    zeros = np.zeros(count)
    text, focus, group, type_, history, place = (zeros,) * 6
    allowed = np.ones(count, dtype=bool)
    if weights["text"]:
        shared = np.zeros(count)
        weighted, _total = subject_weights(subject, corpus)
        for term, value in weighted.items():
            entry = corpus.postings.get(term)
            if entry is not None:
                shared[entry[0]] += value * entry[1]
        text = 1 - np.exp(-shared / TEXT_SCALE)
    if weights["focus"] and subject.focus_areas:
        focus = np.zeros(count)
        for area in subject.focus_areas:
            if (rows := corpus.area_rows.get(area)) is not None:
                focus[rows] += 1
        focus /= len(subject.focus_areas)
    groups = related_groups(subject, corpus) if weights["group"] else {}
    if groups:
        group = np.zeros(count)
        for group_id, closeness in groups.items():
            if (rows := corpus.group_rows.get(group_id)) is not None:
                group[rows] = np.maximum(group[rows], closeness)
    wanted = subject.eligible_types if subject.kind == "call" else subject.wanted_types
    if wanted:
        codes = [corpus.type_codes[t] for t in wanted if t in corpus.type_codes]
        matching = np.isin(corpus.types, codes)
        if subject.kind == "call":
            allowed &= matching
        if weights["type"]:
            type_ = matching.astype(np.float64)
    projects, applications = anchor_work(subject, corpus) if weights["history"] else ({}, {})
    if projects or applications:
        joint = np.zeros(count)
        for rows_of, keys in ((corpus.project_rows, projects),
                              (corpus.application_rows, applications)):
            for key in keys:
                if (rows := rows_of.get(key)) is not None:
                    joint[rows] += 1
        history = np.minimum(1.0, joint / 2)
    if weights["place"] and subject.location is not None:
        latitude, longitude = map(math.radians, subject.location)
        h = (np.sin((corpus.latitudes - latitude) / 2) ** 2 + math.cos(latitude)
             * np.cos(corpus.latitudes) * np.sin((corpus.longitudes - longitude) / 2) ** 2)
        distance = 12742.0 * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        place = np.nan_to_num(np.maximum(0.0, 1 - distance / PLACE_RANGE_KM), nan=0.0)
    arrays = {"text": text, "focus": focus, "group": group, "type": type_,
              "history": history, "place": place}
    score = sum(weights[s] * arrays[s] for s in SIGNALS)
    valid = allowed & ((text > 0) | (focus > 0) | (group > 0) | (history > 0)) & (
        score >= MIN_SCORE)
    for partner_id in exclude | subject.organisations:
        if (position := corpus.position.get(partner_id)) is not None:
            valid[position] = False
    candidates = np.flatnonzero(valid)
    # The best few by score (a partial sort), then in full order with the name and id breaking
    # ties, so the order is the same on every run.
    room = limit + 20
    if len(candidates) > room:
        candidates = candidates[np.argpartition(-score[candidates], room)[:room]]
    ordered = sorted(candidates.tolist(), key=lambda i: (-round(float(score[i]), 9),
                                                         corpus.names[i], corpus.partners[i].id))
    found = []
    for position in ordered[:limit]:
        signals = {s: float(arrays[s][position]) for s in SIGNALS}
        found.append(Suggestion(corpus.partners[position], round(float(score[position]), 4),
                                signals))
    if explain_top:
        for suggestion in found:
            suggestion.reasons = explain(subject, suggestion.profile, corpus, suggestion.signals,
                                         groups=groups, projects=projects,
                                         applications=applications)
    return found


class SubjectIndex:
    """Many subjects of one kind (the running projects, kept with their profiles) as arrays, so
    that one partner is scored against all of them at once: score_pair's signals, the other
    way round. Projects have no eligible or wanted types."""

    def __init__(self, subjects: list):
        self.subjects = subjects
        postings: dict[str, tuple[list, list]] = {}
        areas, groups, organisations = {}, {}, {}
        for row, subject in enumerate(subjects):
            for term, weight in subject.weights.items():
                entry = postings.setdefault(term, ([], []))
                entry[0].append(row)
                entry[1].append(weight)
            for area in subject.focus_areas:
                areas.setdefault(area, []).append(row)
            for group in subject.groups:
                groups.setdefault(group, []).append(row)
            for organisation in subject.organisations:
                organisations.setdefault(organisation, []).append(row)
        self.postings = {t: (np.array(e[0], dtype=np.int32), np.array(e[1], dtype=np.float64))
                         for t, e in postings.items()}
        self.area_rows = {a: np.array(r, dtype=np.int32) for a, r in areas.items()}
        self.group_rows = {g: np.array(r, dtype=np.int32) for g, r in groups.items()}
        self.organisation_rows = {o: np.array(r, dtype=np.int32)
                                  for o, r in organisations.items()}
        self.row = {subject.id: row for row, subject in enumerate(subjects)}
        self.sizes = np.array([len(s.focus_areas) for s in subjects], dtype=np.float64)
        located = [s.location or (math.nan, math.nan) for s in subjects]
        self.latitudes = np.radians(np.array([lat for lat, _ in located], dtype=np.float64))
        self.longitudes = np.radians(np.array([lon for _, lon in located], dtype=np.float64))


def _score_index(reader: Profile, index: SubjectIndex, corpus: Corpus,
                 exclude: frozenset) -> list:
    """(score, signals, subject) of the subjects of `index` that fit `reader`."""
    count = len(index.subjects)
    if not count:
        return []
    shared = np.zeros(count)
    for term, weight in reader.weights.items():
        if (entry := index.postings.get(term)) is not None:
            shared[entry[0]] += corpus.idf.get(term, corpus.default_idf) * weight * entry[1]
    text = 1 - np.exp(-shared / TEXT_SCALE)
    hits = np.zeros(count)
    for area in reader.focus_areas:
        if (rows := index.area_rows.get(area)) is not None:
            hits[rows] += 1
    focus = np.divide(hits, index.sizes, out=np.zeros(count), where=index.sizes > 0)
    group = np.zeros(count)
    for group_id in reader.groups:
        if (known := corpus.groups.get(group_id)) is None:
            continue
        in_focus, in_words = np.zeros(count, dtype=bool), np.zeros(count, dtype=bool)
        for area in known.focus_areas:
            if (rows := index.area_rows.get(area)) is not None:
                in_focus[rows] = True
        for term in known.terms:
            if (entry := index.postings.get(term)) is not None:
                in_words[entry[0]] = True
        closeness = np.where(in_focus, np.where(in_words, 0.6, 0.3), 0.0)
        if (rows := index.group_rows.get(group_id)) is not None:
            closeness[rows] = 1.0
        group = np.maximum(group, closeness)
    # Earlier joint work: exactly as score_pair, for the few subjects with a partner the reader
    # worked with.
    history = np.zeros(count)
    together: dict[int, tuple[set, set]] = {}
    for key, rows_of, attribute in ((0, corpus.project_rows, "projects"),
                                    (1, corpus.application_rows, "applications")):
        for item in getattr(reader, attribute):
            for position in rows_of.get(item, ()):
                other = corpus.partners[position].id
                if other != reader.id:
                    together.setdefault(other, (set(), set()))[key].add(item)
    touched = set()
    for other in together:
        touched.update(index.organisation_rows.get(other, np.array([], dtype=np.int32)).tolist())
    for row in touched:
        subject = index.subjects[row]
        projects, applications = set(), set()
        for other in subject.organisations:
            if other in together:
                projects |= together[other][0]
                applications |= together[other][1]
        if subject.kind == "project":
            projects.discard(subject.id)
        history[row] = min(1.0, (len(projects) + len(applications)) / 2)
    place = np.zeros(count)
    if reader.location is not None:
        latitude, longitude = map(math.radians, reader.location)
        h = (np.sin((index.latitudes - latitude) / 2) ** 2 + math.cos(latitude)
             * np.cos(index.latitudes) * np.sin((index.longitudes - longitude) / 2) ** 2)
        distance = 12742.0 * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        place = np.nan_to_num(np.maximum(0.0, 1 - distance / PLACE_RANGE_KM), nan=0.0)
    arrays = {"text": text, "focus": focus, "group": group, "type": np.zeros(count),
              "history": history, "place": place}
    score = sum(WEIGHTS[s] * arrays[s] for s in SIGNALS)
    valid = ((text > 0) | (focus > 0) | (group > 0) | (history > 0)) & (score >= MIN_SCORE)
    for row in index.organisation_rows.get(reader.id, ()):
        valid[row] = False  # its own
    for project in reader.projects:
        if (row := index.row.get(project)) is not None:
            valid[row] = False
    found = []
    for row in np.flatnonzero(valid).tolist():
        subject = index.subjects[row]
        if (subject.kind, subject.id) in exclude:
            continue
        found.append((float(score[row]), {s: float(arrays[s][row]) for s in SIGNALS}, subject))
    return found


def rank_subjects(partner: Profile, subjects: list, corpus: Corpus, *, limit: int = 10,
                  exclude: frozenset = frozenset(), index: SubjectIndex | None = None) -> list:
    """The subjects (open calls, notices, projects) that fit `partner`, best first: the same
    signals from the other side (score_pair), the partner's needs counting as much as its
    offers. The subjects of `index` (the running projects) are scored all at once."""
    reader = Profile(kind=partner.kind, id=partner.id, slug=partner.slug, name=partner.name,
                     type=partner.type, items=partner.items, focus_areas=partner.focus_areas,
                     groups=partner.groups, projects=partner.projects,
                     applications=partner.applications, location=partner.location,
                     weights={})
    for item in partner.items:
        weight = OFFER if item.source == "need" else item.weight
        for term in item.terms:
            reader.weights[term] = max(weight, reader.weights.get(term, 0.0))
    found = []
    for subject in subjects:
        if (subject.kind, subject.id) in exclude or partner.id in subject.organisations:
            continue
        if subject.kind == "project" and subject.id in partner.projects:
            continue
        scored = score_pair(subject, reader, corpus)
        if scored is not None:
            found.append(Suggestion(subject, round(scored[0], 4), scored[1]))
    if index is not None:
        found += [Suggestion(subject, round(score, 4), signals)
                  for score, signals, subject in _score_index(reader, index, corpus, exclude)]
    found.sort(key=lambda s: (-s.score, s.profile.name, s.profile.id))
    found = found[:limit]
    for suggestion in found:
        suggestion.reasons = explain(suggestion.profile, reader, corpus, suggestion.signals)
    return found


def _best_item(partner: Profile, wanted: dict, sources: tuple) -> tuple:
    best, best_value = None, 0.0
    for item in partner.items:
        if item.source not in sources:
            continue
        value = sum(wanted.get(term, 0.0) for term in item.terms) * item.weight
        if value > best_value:
            best, best_value = item, value
    return best, best_value


def explain(subject: Profile, partner: Profile, corpus: Corpus, signals: dict, *,
            groups: dict | None = None, projects: dict | None = None,
            applications: dict | None = None) -> list:
    """The reasons of one suggestion, strongest evidence first, as codes with parameters."""
    from .analysis import matching_words

    reasons = []
    if signals.get("text"):
        wanted, _total = subject_weights(subject, corpus)
        # In a small alliance a term of one partner is rare, whatever the share.
        rare_idf = min(RARE_IDF, corpus.default_idf)
        for sources in (("offer",), ("summary", "description"), ("need",)):
            item, value = _best_item(partner, wanted, sources)
            if item is None or value <= 0:
                continue
            # Evidence is what few partners say: a word most of them share ("Allianz",
            # "Daten" in the generic offers) explains nothing.
            rare = frozenset(term for term in item.terms if term in wanted
                             and corpus.idf.get(term, corpus.default_idf) >= rare_idf)
            words = matching_words(item.text, rare)
            if not words:
                continue
            code = {"offer": "offer", "need": "need"}.get(item.source, "profile")
            reasons.append(Reason(code, {"words": words, "evidence": item.text}))
    if signals.get("group"):
        groups = groups if groups is not None else related_groups(subject, corpus)
        for group_id in sorted(partner.groups, key=lambda g: -groups.get(g, 0.0)):
            if groups.get(group_id) and group_id in corpus.groups:
                group = corpus.groups[group_id]
                reasons.append(Reason("working_group", {"group": group.name,
                                                        "group_en": group.name_en}))
                break
    if signals.get("focus"):
        reasons.append(Reason("focus_area",
                              {"areas": sorted(partner.focus_areas & subject.focus_areas)}))
    if signals.get("type"):
        code = "eligible" if subject.kind == "call" else "wanted_type"
        reasons.append(Reason(code, {"type": partner.type}))
    if signals.get("history"):
        if projects is None or applications is None:
            projects, applications = anchor_work(subject, corpus)
        by_anchor: dict[int, list] = {}
        for project in partner.projects:
            for anchor in projects.get(project, ()):
                by_anchor.setdefault(anchor, []).append(project)
        for application in partner.applications:
            for anchor in applications.get(application, ()):
                by_anchor.setdefault(anchor, []).append(application)
        for anchor, shared in sorted(by_anchor.items(), key=lambda kv: -len(kv[1]))[:2]:
            other = corpus.by_id.get(anchor)
            reasons.append(Reason("joint_work", {"partner": other.name if other else "",
                                                 "count": len(shared)}))
    if signals.get("place"):
        near = distance_km(subject.location, partner.location)
        if near is not None and near <= PLACE_RANGE_KM:
            reasons.append(Reason("nearby", {"km": max(1, round(near))}))
    return reasons


def keyword_baseline(subject: Profile, corpus: Corpus, *, limit: int = 10) -> list:
    """The baseline of the evaluation: plain keyword overlap, the lower-cased words (no stems,
    no compounds, no weights) the subject's texts share with a partner's texts."""
    import re

    def words(profile):
        return {w.lower() for item in profile.items for w in re.findall(r"\w{3,}", item.text)}

    wanted = words(subject)
    scored = []
    for partner in corpus.partners:
        if partner.id in subject.organisations or type_strength(subject, partner.type) is None:
            continue
        shared = len(wanted & words(partner))
        if shared:
            scored.append((shared, partner.name, partner.id, partner))
    scored.sort(key=lambda row: (-row[0], row[1], row[2]))
    return [Suggestion(row[3], float(row[0]), {}) for row in scored[:limit]]
