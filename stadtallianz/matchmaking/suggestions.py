"""Suggestions as the pages and the API show them: the subject read as the person may see it,
the ranking (ranking.py) over the kept profiles (profiles.py), the person's hidden ones left out,
the suggested objects read in one query per kind, the reasons worded (reasons.py).

The number of queries does not grow with the data: a fixed handful per call.
"""

from dataclasses import dataclass, field

from django.http import Http404

from stadtallianz.core.models import FocusArea
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects.models import Project

from . import profiles
from .models import Dismissal, Kind
from .ranking import rank_partners, rank_subjects
from .reasons import describe, describe_html

LIMIT = 10


@dataclass
class Shown:
    kind: str
    id: int
    object: object
    score: float
    reasons: list = field(default_factory=list)  # [{"code", "params", "text"}]
    signals: dict = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def subject_queryset(user, kind: str):
    """The subjects of `kind` the person may see (None: the kind does not exist yet)."""
    if kind == Kind.PROJECT:
        return Project.objects.all()  # projects are public
    model = profiles._model(*{Kind.CALL: ("funding", "Call"),
                              Kind.NOTICE: ("partnering", "Notice")}[kind])
    return None if model is None else model.objects.visible_to(user)


def get_subject(user, kind: str, key):
    """The project, call (by slug) or notice (by number) the person may see, else 404."""
    if kind not in (Kind.PROJECT, Kind.CALL, Kind.NOTICE):
        raise Http404
    queryset = subject_queryset(user, kind)
    if queryset is None:
        raise Http404
    if isinstance(key, str) and "\x00" in key:
        raise Http404  # no slug holds NUL, and PostgreSQL refuses it in a query
    lookup = {"pk": key} if kind == Kind.NOTICE else {"slug": key}
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found


def readers_organisations(user) -> list:
    """The public organisations the person belongs to (ids)."""
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(
        user=user, organisation__status__in=Organisation.PUBLIC_STATUSES).values_list(
        "organisation_id", flat=True))


def _dismissed(user, subject_kind: str, subject_id: int) -> set:
    return set(Dismissal.objects.filter(
        user=user, subject_kind=subject_kind, subject_id=subject_id).values_list(
        "object_kind", "object_id"))


def _focus_names() -> dict:
    return {area.pk: area.name for area in FocusArea.objects.all()}


def _word(reasons, own_view: bool, focus_names: dict) -> list:
    return [{"code": r.code, "params": r.params,
             "text": describe(r, focus_names=focus_names, own_view=own_view),
             "html": describe_html(r, focus_names=focus_names, own_view=own_view)}
            for r in reasons]


def subject_profile(user, kind: str, subject):
    builder = {Kind.PROJECT: profiles.project_profiles, Kind.CALL: profiles.call_profiles,
               Kind.NOTICE: profiles.notice_profiles}[kind]
    found = builder(type(subject).objects.filter(pk=subject.pk))
    profile = found[0]
    if kind == Kind.CALL:
        profiles.readers_anchor(profile, readers_organisations(user))
    return profile


def partners_for(user, kind: str, subject, *, limit: int = LIMIT) -> list:
    """The public partners that fit `subject` (a project, call or notice), best first."""
    profile = subject_profile(user, kind, subject)
    corpus = profiles.partner_corpus()
    hidden = {pk for object_kind, pk in _dismissed(user, kind, subject.pk)
              if object_kind == Kind.ORGANISATION}
    ranked = rank_partners(profile, corpus, limit=limit, exclude=frozenset(hidden))
    organisations = Organisation.objects.public().in_bulk([s.profile.id for s in ranked])
    names = _focus_names()
    return [Shown(Kind.ORGANISATION, s.profile.id, organisations[s.profile.id], s.score,
                  _word(s.reasons, False, names), s.signals)
            for s in ranked if s.profile.id in organisations]


def subjects_for(user, organisation: Organisation, *, limit: int = LIMIT) -> list:
    """The open calls, notices and projects that fit `organisation` (a public partner)."""
    corpus = profiles.partner_corpus()
    partner = corpus.by_id.get(organisation.pk)
    if partner is None:
        return []
    hidden = _dismissed(user, Kind.ORGANISATION, organisation.pk)
    projects, others = profiles.open_subjects(user)
    ranked = rank_subjects(partner, others, corpus, limit=limit, exclude=frozenset(hidden),
                           index=projects)
    objects = {}
    for kind in (Kind.PROJECT, Kind.CALL, Kind.NOTICE):
        ids = [s.profile.id for s in ranked if s.profile.kind == kind]
        queryset = subject_queryset(user, kind)
        if ids and queryset is not None:
            objects[kind] = queryset.in_bulk(ids)
    names = _focus_names()
    return [Shown(s.profile.kind, s.profile.id, objects[s.profile.kind][s.profile.id], s.score,
                  _word(s.reasons, True, names), s.signals)
            for s in ranked if s.profile.id in objects.get(s.profile.kind, {})]
