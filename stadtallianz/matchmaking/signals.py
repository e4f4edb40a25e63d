"""Keeps the kept partner profiles fresh: any save or delete of what they are built from makes
every process rebuild them at its next ranking (profiles.invalidate, after commit). The
fingerprint query (profiles.fingerprint) notices most changes by itself; the signals add the
edits that change no count and no date (an offer's text)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from stadtallianz.partners.models import Offer, Organisation
from stadtallianz.projects.models import ConsortiumMember
from stadtallianz.workinggroups.models import GroupOrganisation, WorkingGroup

from .profiles import _model, invalidate

UID = "matchmaking-profiles"


def _changed(sender, **kwargs):
    transaction.on_commit(invalidate, robust=True)


def connect() -> None:
    for model in (Organisation, Offer, ConsortiumMember, GroupOrganisation, WorkingGroup):
        post_save.connect(_changed, sender=model, dispatch_uid=f"{UID}-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{UID}-del-{model.__name__}")
    for label, name in (("proposals", "ApplicationMember"), ("proposals", "Application")):
        if (model := _model(label, name)) is not None:
            post_save.connect(_changed, sender=model, dispatch_uid=f"{UID}-save-{name}")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"{UID}-del-{name}")
    for through in (Organisation.focus_areas.through, WorkingGroup.focus_areas.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"{UID}-m2m-{through.__name__}")
