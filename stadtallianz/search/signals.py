"""Keeps the index up to date: a change to a searchable object reindexes it after commit.

After commit, so that a rolled-back change never reaches the index and an error in the index
never fails a person's change (`robust`: it is logged; `rebuild_search_index` repairs).

Search listens; the content apps do not know it. Saves arrive as Django's model signals; a
write with `update()` that a service makes (hiding an idea, a versioned project edit) arrives
as `core.signals.content_changed`, which the service sends. Other writes with `bulk_create` or
`update()` send nothing: run `rebuild_search_index` after them (the demo command does).

Only what changes an entry is listened to: a call's deadlines, rates and followers are not in
its entry (closing a call by the reminder job's `update()` changes nothing searched either); a
programme's name and funder are, so renaming a programme reindexes its calls. A partner-search
notice is reindexed when saved (closing, renewing and the daily expiry job save it) and drops
out once it is no longer open; its organisation's status and its idea's hiding reach it as
dependents of the partner and the idea.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from stadtallianz.core.signals import content_changed
from stadtallianz.discussions.models import Post, Thread
from stadtallianz.events.models import Event
from stadtallianz.funding.models import Call, Programme
from stadtallianz.ideas.models import Idea
from stadtallianz.knowledge.models import Article, Document
from stadtallianz.livinglabs.models import LivingLab
from stadtallianz.opendata.models import Dataset
from stadtallianz.partnering.models import Notice
from stadtallianz.partners.models import Offer, Organisation
from stadtallianz.projects.models import Project
from stadtallianz.workinggroups.models import WorkingGroup

from .index import reindex, reindex_of, reindex_with_dependents
from .models import SearchEntry

Type = SearchEntry.Type

_deferred = ContextVar("search_index_deferred", default=False)


@contextmanager
def deferred():
    """Changes made inside are not indexed one by one: the caller rebuilds the index after
    the block (`rebuild_search_index`). For a bulk load such as the demo command, whose
    thousand saves each reindexed their entry after commit at fifteen times the cost of the
    one rebuild its bulk writes need anyway."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def schedule(type_: str, pk: int | None, *, dependents: bool = False) -> None:
    if pk is None or _deferred.get():
        return
    job = partial(reindex_with_dependents, type_, pk) if dependents else partial(
        reindex, type_, [pk])
    transaction.on_commit(job, robust=True)


def _on_change(type_: str, *, attribute: str = "pk", dependents: bool = False):
    def handler(sender, instance, **kwargs):
        schedule(type_, getattr(instance, attribute), dependents=dependents)

    return handler


def _on_focus_areas(type_: str, *, dependents: bool = False):
    def handler(sender, instance, action, reverse, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        # From the focus area's side (`area.organisations.add(...)`) the objects are pk_set.
        for pk in (pk_set or ()) if reverse else [instance.pk]:
            schedule(type_, pk, dependents=dependents)

    return handler


# (model, type, attribute naming the indexed object, whether dependents follow)
CHANGES = [
    (Organisation, Type.PARTNER, "pk", True),
    (Offer, Type.PARTNER, "organisation_id", False),
    (WorkingGroup, Type.WORKING_GROUP, "pk", False),
    (Thread, Type.THREAD, "pk", False),
    (Post, Type.THREAD, "thread_id", False),
    (Event, Type.EVENT, "pk", True),
    (Article, Type.ARTICLE, "pk", True),
    (Document, Type.DOCUMENT, "pk", False),
    (Idea, Type.IDEA, "pk", True),
    (Project, Type.PROJECT, "pk", False),
    (LivingLab, Type.LIVING_LAB, "pk", False),
    (Call, Type.CALL, "pk", False),
    (Notice, Type.NOTICE, "pk", False),
    (Dataset, Type.DATASET, "pk", False),
]
FOCUS_AREAS = [
    (Organisation.focus_areas.through, Type.PARTNER, False),
    (WorkingGroup.focus_areas.through, Type.WORKING_GROUP, True),
    (Article.focus_areas.through, Type.ARTICLE, True),
    (Idea.focus_areas.through, Type.IDEA, False),
    (Project.focus_areas.through, Type.PROJECT, False),
    (Call.focus_areas.through, Type.CALL, False),
    (Notice.focus_areas.through, Type.NOTICE, False),
    (Dataset.focus_areas.through, Type.DATASET, False),
]
# Objects whose text is in other types' entries, not indexed themselves: (model, type, the
# objects of that type whose entries show it). Looked up after commit.
OWNERS = [
    (Programme, Type.CALL, lambda pk: Call.objects.filter(programme_id=pk)),
]
_handlers = []  # signals keep weak references


def _on_content_changed(changes):
    """`content_changed` of a model in `changes`: its rows' entries (or their owners', e.g. an
    offer's organisation) are reindexed after commit; other models are not in the index."""
    by_model = {model: (type_, attribute, dependents)
                for model, type_, attribute, dependents in changes}

    def handler(sender, pks, **kwargs):
        if sender not in by_model:
            return
        type_, attribute, dependents = by_model[sender]
        pks = list(pks)
        if attribute != "pk":
            pks = sorted(set(sender._default_manager.filter(pk__in=pks)
                             .values_list(attribute, flat=True)))
        for pk in pks:
            schedule(type_, pk, dependents=dependents)

    return handler


def _on_owner_change(type_: str, objects_of):
    def handler(sender, instance, **kwargs):
        if instance.pk is not None and not _deferred.get():
            transaction.on_commit(partial(reindex_of, type_, objects_of, instance.pk),
                                  robust=True)

    return handler


def connect(changes=CHANGES, focus_areas=FOCUS_AREAS, owners=OWNERS) -> None:
    for model, type_, attribute, dependents in changes:
        handler = _on_change(type_, attribute=attribute, dependents=dependents)
        _handlers.append(handler)
        uid = f"search-{model._meta.label}"
        post_save.connect(handler, sender=model, dispatch_uid=uid)
        post_delete.connect(handler, sender=model, dispatch_uid=uid)
    for through, type_, dependents in focus_areas:
        handler = _on_focus_areas(type_, dependents=dependents)
        _handlers.append(handler)
        m2m_changed.connect(handler, sender=through,
                            dispatch_uid=f"search-focus-{through._meta.label}")
    for model, type_, objects_of in owners:
        handler = _on_owner_change(type_, objects_of)
        _handlers.append(handler)
        post_save.connect(handler, sender=model, dispatch_uid=f"search-owner-{model._meta.label}")
    handler = _on_content_changed(changes)
    _handlers.append(handler)
    content_changed.connect(handler, dispatch_uid="search-content-changed")
