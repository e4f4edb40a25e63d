"""Profiles read from the database, the partners' and the running projects' kept per process.

Building the partners' profiles (the terms of their offers, needs and texts, focus areas,
groups, projects, published applications) and the corpus with its arrays takes about a second
for 5,000 partners. They are kept per process under a token in the shared cache: a save or
delete of what they are built from sets a new token (signals.py), and the next ranking in
every process rebuilds them. Writes that send no signal (bulk_create, update()) are seen within
RECHECK_SECONDS, when the process compares a fingerprint of the tables (counts and latest
changes, one query) with the one it built from, or at once after `invalidate()`. A ranking
costs one cache read and Python over the kept profiles, no query.

Calls and notices come from the funding and partnering apps, applications from proposals:
each read is guarded while a model is missing (`_model`).
"""

import threading
import time
import uuid
from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache
from django.db import connection

from stadtallianz.core.geo import centre
from stadtallianz.partners.models import Offer, Organisation
from stadtallianz.projects.models import ConsortiumMember, Project, ProjectPlace
from stadtallianz.workinggroups.models import GroupOrganisation, WorkingGroup

from .analysis import terms
from .ranking import (
    BODY,
    DESCRIPTION,
    NEED,
    OFFER,
    SOUGHT,
    SUMMARY,
    TITLE,
    Corpus,
    Group,
    Item,
    Profile,
    SubjectIndex,
)

# The version of the kept profiles in the shared cache: a new random token after every change.
VERSION_KEYS = {"partners": "matchmaking:partners", "projects": "matchmaking:projects"}
# How often a process compares the fingerprint of what it keeps with the database, for writes
# that send no signal (bulk_create, update()); saves and deletes are seen at once (signals).
RECHECK_SECONDS = 60
# Long texts are read as far as this: a project description of 50,000 characters says what it
# needs near its beginning, and analysing all of it would slow every rebuild.
TEXT_LIMIT = 3000
# Projects in these phases are no longer suggested to partners.
CLOSED_PHASES = (Project.Phase.COMPLETED, Project.Phase.STOPPED)

_lock = threading.Lock()


@dataclass
class _Kept:
    token: str
    fingerprint: tuple
    checked: float
    value: object


_kept: dict = {}


def _model(app_label: str, name: str):
    """A model of another app, or None while it does not exist (yet)."""
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def invalidate(*names: str) -> None:
    """Makes every process rebuild the kept profiles (all, or those named: "partners",
    "projects") at its next ranking. The signals call it on every save and delete; call it
    after bulk writes (`stadtallianz demo`), or wait RECHECK_SECONDS."""
    for name in names or VERSION_KEYS:
        cache.set(VERSION_KEYS[name], uuid.uuid4().hex, None)


def _kept_value(name: str, build, fingerprint):
    """The kept value of `name`: rebuilt when its token changed (a signal), and compared with
    the database's fingerprint when the shared cache lost the token or RECHECK_SECONDS passed.
    On the common path it costs one cache read and no query."""
    token = cache.get(VERSION_KEYS[name])
    kept = _kept.get(name)
    now = time.monotonic()
    if token is not None and kept and kept.token == token \
            and now - kept.checked < RECHECK_SECONDS:
        return kept.value
    lost = token is None
    if lost:  # the cache was emptied or evicted: a new token; the data may be the same
        cache.add(VERSION_KEYS[name], uuid.uuid4().hex, None)
        token = cache.get(VERSION_KEYS[name])
    current = fingerprint()
    if kept and kept.fingerprint == current and (lost or kept.token == token):
        kept.token, kept.checked = token, now
        return kept.value
    with _lock:
        value = build()
        _kept[name] = _Kept(token, current, now, value)
    return value


def _item(source, text, weight):
    text = (text or "")[:TEXT_LIMIT]
    return Item(source, text, terms(text), weight) if text.strip() else None


def _location(latitude, longitude):
    if latitude is None or longitude is None:
        return None
    return (float(latitude), float(longitude))


def _fingerprint(tables) -> tuple:
    """Counts and latest changes of `tables` ((model, column) pairs), in one query."""
    parts = []
    for model, latest in tables:
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(latest)
        # Table and column names of the models, no input.
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT MAX({column}) FROM {table})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def partners_fingerprint() -> tuple:
    return _fingerprint([(Organisation, "updated_at"), (Offer, "id"),
                         (ConsortiumMember, "updated_at"), (GroupOrganisation, "id"),
                         (Organisation.focus_areas.through, "id")])


def projects_fingerprint() -> tuple:
    return _fingerprint([(Project, "updated_at"), (ConsortiumMember, "updated_at"),
                         (ProjectPlace, "id"), (Project.focus_areas.through, "id")])


def partner_corpus() -> Corpus:
    """The public partners' corpus, kept per process (_kept_value)."""
    return _kept_value("partners", build_partner_corpus, partners_fingerprint)


def running_projects() -> SubjectIndex:
    """The projects neither completed nor stopped, their profiles as arrays (SubjectIndex),
    kept per process."""
    return _kept_value("projects", lambda: SubjectIndex(project_profiles(
        Project.objects.exclude(phase__in=CLOSED_PHASES))), projects_fingerprint)


def build_partner_corpus() -> Corpus:
    public = Organisation.PUBLIC_STATUSES
    rows = list(Organisation.objects.filter(status__in=public).order_by("pk").values_list(
        "pk", "slug", "name", "type", "summary_de", "description_de", "latitude", "longitude"))
    ids = {row[0] for row in rows}
    items: dict[int, list] = {pk: [] for pk in ids}
    for organisation_id, kind, text in Offer.objects.filter(
            organisation__status__in=public).order_by("pk").values_list(
            "organisation_id", "kind", "text"):
        source, weight = ("offer", OFFER) if kind == Offer.Kind.OFFER else ("need", NEED)
        if (item := _item(source, text, weight)) is not None:
            items[organisation_id].append(item)
    focus: dict[int, set] = {}
    for organisation_id, area_id in Organisation.focus_areas.through.objects.filter(
            organisation__status__in=public).values_list("organisation_id", "focusarea_id"):
        focus.setdefault(organisation_id, set()).add(area_id)
    groups: dict[int, set] = {}
    for organisation_id, group_id in GroupOrganisation.objects.filter(
            group__state=WorkingGroup.State.ACTIVE, organisation__status__in=public
    ).values_list("organisation_id", "group_id"):
        groups.setdefault(organisation_id, set()).add(group_id)
    projects: dict[int, set] = {}
    for organisation_id, project_id in ConsortiumMember.objects.filter(
            state=ConsortiumMember.State.ACCEPTED, organisation__status__in=public
    ).values_list("organisation_id", "project_id"):
        projects.setdefault(organisation_id, set()).add(project_id)
    applications: dict[int, set] = {}
    member = _model("proposals", "ApplicationMember")
    if member is not None:
        # Only applications everyone may know of: an unpublished one never becomes a reason.
        application = _model("proposals", "Application")
        for organisation_id, application_id in member.objects.filter(
                application__in=application.objects.public().values("pk"),
                organisation__status__in=public).values_list("organisation_id",
                                                             "application_id"):
            applications.setdefault(organisation_id, set()).add(application_id)
    partners = []
    for pk, slug, name, type_, summary, description, latitude, longitude in rows:
        own = [i for i in (_item("summary", summary, SUMMARY),
                           _item("description", description, DESCRIPTION)) if i is not None]
        partners.append(Profile(
            kind="organisation", id=pk, slug=slug, name=name, type=type_,
            items=tuple(items[pk] + own), focus_areas=frozenset(focus.get(pk, ())),
            groups=frozenset(groups.get(pk, ())), projects=frozenset(projects.get(pk, ())),
            applications=frozenset(applications.get(pk, ())),
            location=_location(latitude, longitude)))
    return Corpus(partners=partners, groups=working_groups())


def working_groups() -> dict:
    areas: dict[int, set] = {}
    for group_id, area_id in WorkingGroup.focus_areas.through.objects.values_list(
            "workinggroup_id", "focusarea_id"):
        areas.setdefault(group_id, set()).add(area_id)
    return {pk: Group(pk, name_de, name_en or name_de, frozenset(areas.get(pk, ())),
                      terms(f"{name_de} {description_de}"))
            for pk, name_de, name_en, description_de in WorkingGroup.objects.active()
            .values_list("pk", "name_de", "name_en", "description_de")}


# Subjects ---------------------------------------------------------------------------------

def project_profiles(queryset=None) -> list:
    """Profiles of projects (all of `queryset`; four queries however many)."""
    queryset = Project.objects.all() if queryset is None else queryset
    rows = list(queryset.order_by("pk").values_list(
        "pk", "slug", "title_de", "summary_de", "description_de", "working_group_id"))
    ids = [row[0] for row in rows]
    focus: dict[int, set] = {}
    for project_id, area_id in Project.focus_areas.through.objects.filter(
            project_id__in=ids).values_list("project_id", "focusarea_id"):
        focus.setdefault(project_id, set()).add(area_id)
    consortium: dict[int, set] = {}
    for project_id, organisation_id in ConsortiumMember.objects.filter(
            project_id__in=ids).exclude(state=ConsortiumMember.State.DECLINED).values_list(
            "project_id", "organisation_id"):
        consortium.setdefault(project_id, set()).add(organisation_id)
    places: dict[int, tuple] = {}
    for project_id, geometry in ProjectPlace.objects.filter(project_id__in=ids).order_by(
            "pk").values_list("project_id", "geometry"):
        if project_id not in places:
            try:
                longitude, latitude = centre(geometry)
                places[project_id] = (latitude, longitude)
            except (KeyError, IndexError, TypeError, ZeroDivisionError):
                pass
    profiles = []
    for pk, slug, title, summary, description, group_id in rows:
        items = [i for i in (_item("title", title, TITLE), _item("sought", summary, SOUGHT),
                             _item("body", description, BODY)) if i is not None]
        profiles.append(Profile(
            kind="project", id=pk, slug=slug, name=title, items=tuple(items),
            focus_areas=frozenset(focus.get(pk, ())),
            groups=frozenset([group_id] if group_id else []),
            organisations=frozenset(consortium.get(pk, ())), location=places.get(pk)))
    return profiles


def call_profiles(queryset=None) -> list:
    call = _model("funding", "Call")
    if call is None:
        return []
    queryset = call.objects.all() if queryset is None else queryset
    rows = list(queryset.order_by("pk").values_list(
        "pk", "slug", "title_de", "summary_de", "keywords", "eligible_types"))
    focus: dict[int, set] = {}
    for call_id, area_id in call.focus_areas.through.objects.filter(
            call_id__in=[row[0] for row in rows]).values_list("call_id", "focusarea_id"):
        focus.setdefault(call_id, set()).add(area_id)
    profiles = []
    for pk, slug, title, summary, keywords, eligible in rows:
        items = [i for i in (_item("title", title, TITLE), _item("sought", summary, SOUGHT),
                             _item("sought", keywords, SOUGHT)) if i is not None]
        profiles.append(Profile(kind="call", id=pk, slug=slug, name=title, items=tuple(items),
                                focus_areas=frozenset(focus.get(pk, ())),
                                eligible_types=frozenset(eligible or ())))
    return profiles


def notice_profiles(queryset=None) -> list:
    notice = _model("partnering", "Notice")
    if notice is None:
        return []
    queryset = notice.objects.all() if queryset is None else queryset
    rows = list(queryset.order_by("pk").values_list(
        "pk", "title_de", "description_de", "capabilities_sought_de", "wanted_types",
        "organisation_id", "organisation__latitude", "organisation__longitude", "project_id",
        "project__working_group_id"))
    ids = [row[0] for row in rows]
    focus: dict[int, set] = {}
    for notice_id, area_id in notice.focus_areas.through.objects.filter(
            notice_id__in=ids).values_list("notice_id", "focusarea_id"):
        focus.setdefault(notice_id, set()).add(area_id)
    profiles = []
    for (pk, title, description, sought, wanted, owner, latitude, longitude, _project,
         group_id) in rows:
        items = [i for i in (_item("title", title, TITLE), _item("sought", sought, SOUGHT),
                             _item("body", description, BODY)) if i is not None]
        profiles.append(Profile(
            kind="notice", id=pk, slug=str(pk), name=title, items=tuple(items),
            focus_areas=frozenset(focus.get(pk, ())),
            groups=frozenset([group_id] if group_id else []),
            organisations=frozenset([owner]), wanted_types=frozenset(wanted or ()),
            location=_location(latitude, longitude)))
    return profiles


def open_subjects(user) -> tuple[SubjectIndex, list]:
    """What a partner may be suggested, as `user` may see it: the running projects (kept, as
    arrays), and the open and forthcoming calls and the open notices (profiles)."""
    others = []
    if (call := _model("funding", "Call")) is not None:
        others += call_profiles(call.objects.visible_to(user).current())
    if (notice := _model("partnering", "Notice")) is not None:
        others += notice_profiles(notice.objects.visible_to(user).open())
    return running_projects(), others


def readers_anchor(subject, organisation_ids) -> None:
    """A call has no consortium: earlier joint work counts with the reader's organisations."""
    if subject.kind == "call":
        subject.organisations = frozenset(organisation_ids)

