"""Keeps the kept profiles fresh (profiles.py): a save or delete of what they are built from
sets a new token at once and again after commit (a process that rebuilt in between, from the
data before the commit, rebuilds once more). Bulk writes send nothing: profiles.RECHECK_SECONDS
or profiles.invalidate() covers them."""

from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from stadtallianz.partners.models import Offer, Organisation
from stadtallianz.projects.models import ConsortiumMember, Project, ProjectPlace
from stadtallianz.workinggroups.models import GroupOrganisation, WorkingGroup

from .profiles import _model, invalidate

UID = "matchmaking-profiles"
PARTNERS, PROJECTS, BOTH = ("partners",), ("projects",), ("partners", "projects")


def _handler(names):
    def changed(sender, **kwargs):
        invalidate(*names)
        transaction.on_commit(partial(invalidate, *names), robust=True)

    return changed


def connect() -> None:
    models = [(Organisation, PARTNERS), (Offer, PARTNERS), (GroupOrganisation, PARTNERS),
              (WorkingGroup, PARTNERS), (ConsortiumMember, BOTH), (Project, PROJECTS),
              (ProjectPlace, PROJECTS)]
    for label, name in (("proposals", "ApplicationMember"), ("proposals", "Application")):
        if (model := _model(label, name)) is not None:
            models.append((model, PARTNERS))
    for model, names in models:
        handler = _handler(names)
        post_save.connect(handler, sender=model, weak=False,
                          dispatch_uid=f"{UID}-save-{model.__name__}")
        post_delete.connect(handler, sender=model, weak=False,
                            dispatch_uid=f"{UID}-delete-{model.__name__}")
    for through, names in ((Organisation.focus_areas.through, PARTNERS),
                           (WorkingGroup.focus_areas.through, PARTNERS),
                           (Project.focus_areas.through, PROJECTS)):
        m2m_changed.connect(_handler(names), sender=through, weak=False,
                            dispatch_uid=f"{UID}-m2m-{through.__name__}")
