"""Keeping the catalogue in step with the data it publishes (connected in OpenDataConfig.ready).

- A datastream saved or deleted (its privacy changed, say), an observed property renamed or a
  lab changed: that lab's datasets are synced after the commit (opendata.sync), so a datastream
  turned restricted leaves the catalogue at once.
- A partner, project, idea, event or grant saved or deleted: the platform dataset that lists
  it is marked stale, and its files are made anew when next asked for or by the daily
  `refresh_open_data` (opendata.alliance_data).

The receivers are connected by the senders' app labels, so that none of those apps needs to
know the catalogue exists.
"""

import logging
from functools import partial

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

# (app label, model name) -> the platform datasets whose files hold it.
PLATFORM_SENDERS = {
    ("partners", "Organisation"): ("partners", "projects"),
    ("projects", "Project"): ("projects", "ideas", "funding"),
    ("projects", "ProjectSDG"): ("projects",),
    ("projects", "ConsortiumMember"): ("projects",),
    ("ideas", "Idea"): ("ideas",),
    ("events", "Event"): ("events",),
    ("workinggroups", "WorkingGroup"): ("projects", "events"),
    ("proposals", "Application"): ("funding",),
    ("proposals", "Grant"): ("funding",),
    ("funding", "Call"): ("funding",),
    ("funding", "Programme"): ("funding",),
}
# Many-to-many fields whose changes show in a platform file.
PLATFORM_M2M = {
    ("partners", "Organisation", "focus_areas"): ("partners",),
    ("projects", "Project", "focus_areas"): ("projects",),
    ("projects", "Project", "principles"): ("projects",),
    ("ideas", "Idea", "focus_areas"): ("ideas",),
    ("ideas", "Idea", "principles"): ("ideas",),
    ("ideas", "Idea", "sdgs"): ("ideas",),
}
LAB_SENDERS = (("sensorthings", "Datastream"), ("sensorthings", "ObservedProperty"))


def _sync_after_commit(lab_id) -> None:
    from .sync import sync_lab_by_id

    if lab_id is not None:
        transaction.on_commit(partial(sync_lab_by_id, lab_id), robust=True)


def lab_data_changed(sender, instance, **kwargs) -> None:
    _sync_after_commit(getattr(instance, "lab_id", None))


def lab_changed(sender, instance, created=False, **kwargs) -> None:
    if not created:
        _sync_after_commit(instance.pk)


def _stale(keys, **kwargs) -> None:
    from .alliance_data import mark_stale

    if kwargs.get("action", "post_").startswith("pre_"):
        return
    for key in keys:
        mark_stale(key)


def publisher_renamed(sender, instance, **kwargs):
    """A dataset's search column holds its publisher's name (Dataset.search_words)."""
    from .models import Dataset

    for dataset in Dataset.objects.filter(publisher=instance).select_related("publisher"):
        if instance.name.lower() not in dataset.search_text:
            dataset.publisher = instance
            dataset.save(update_fields=["search_text"])


def connect() -> None:
    from .versions import catalogue_changed

    post_save.connect(publisher_renamed, sender=apps.get_model("partners", "Organisation"),
                      dispatch_uid="opendata-publisher-save")
    # What the cached DCAT pages and CKAN facets show (opendata.versions).
    for model in ("Dataset", "Distribution"):
        sender = apps.get_model("opendata", model)
        post_save.connect(catalogue_changed, sender=sender,
                          dispatch_uid=f"opendata-version-{model}-save")
        post_delete.connect(catalogue_changed, sender=sender,
                            dispatch_uid=f"opendata-version-{model}-delete")
    post_save.connect(catalogue_changed, sender=apps.get_model("partners", "Organisation"),
                      dispatch_uid="opendata-version-publisher-save")
    for label, model in LAB_SENDERS:
        sender = apps.get_model(label, model)
        post_save.connect(lab_data_changed, sender=sender, dispatch_uid=f"opendata-{model}-save")
        post_delete.connect(lab_data_changed, sender=sender,
                            dispatch_uid=f"opendata-{model}-delete")
    post_save.connect(lab_changed, sender=apps.get_model("livinglabs", "LivingLab"),
                      dispatch_uid="opendata-lab-save")
    for (label, model), keys in PLATFORM_SENDERS.items():
        if not apps.is_installed(f"stadtallianz.{label}"):
            continue
        receiver = partial(_stale, keys)
        sender = apps.get_model(label, model)
        # weak=False: the partial lives only in the signal's list.
        post_save.connect(receiver, sender=sender, weak=False,
                          dispatch_uid=f"opendata-stale-{label}-{model}-save")
        post_delete.connect(receiver, sender=sender, weak=False,
                            dispatch_uid=f"opendata-stale-{label}-{model}-delete")
    for (label, model, field), keys in PLATFORM_M2M.items():
        through = getattr(apps.get_model(label, model), field).through
        m2m_changed.connect(partial(_stale, keys), sender=through, weak=False,
                            dispatch_uid=f"opendata-stale-{label}-{model}-{field}")
