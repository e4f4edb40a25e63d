"""Which changes make the cached figures stale: saves and deletions of every model a figure
counts, and changes of the focus areas they are filtered by (connected in ImpactConfig.ready).
Observations and hourly aggregates are written in bulk by the ingest, without signals: the data
availability follows them through the cache's expiry and the nightly recompute."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import cache


def counted_models():
    from stadtallianz.assessments.models import Assessment, Score
    from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
    from stadtallianz.discussions.models import Post, Thread
    from stadtallianz.events.models import Event, Registration
    from stadtallianz.funding.models import Call, Programme
    from stadtallianz.ideas.models import Idea
    from stadtallianz.letter_of_intent.models import Signature
    from stadtallianz.livinglabs.models import LivingLab
    from stadtallianz.opendata.models import Dataset, ValidationRun
    from stadtallianz.partners.models import Organisation
    from stadtallianz.projects.models import Project, ProjectSDG
    from stadtallianz.proposals.models import Application, Grant
    from stadtallianz.sensorthings.models import Datastream, Sensor
    from stadtallianz.workinggroups.models import WorkingGroup

    return [Organisation, Signature, WorkingGroup, Thread, Post, Event, Registration, Idea,
            Project, ProjectSDG, Assessment, Score, Application, Grant, Call, Programme,
            LivingLab, Datastream, Sensor, Dataset, ValidationRun, FocusArea, Principle,
            SustainableDevelopmentGoal]


def filtered_relations():
    """The many-to-many relations the focus-area filter reads."""
    from stadtallianz.funding.models import Call
    from stadtallianz.ideas.models import Idea
    from stadtallianz.opendata.models import Dataset
    from stadtallianz.partners.models import Organisation
    from stadtallianz.projects.models import Project
    from stadtallianz.workinggroups.models import WorkingGroup

    return [model.focus_areas.through
            for model in (Organisation, WorkingGroup, Idea, Project, Call, Dataset)]


def connect() -> None:
    for model in counted_models():
        post_save.connect(cache.invalidate_on_commit, sender=model,
                          dispatch_uid=f"impact-save-{model._meta.label}")
        post_delete.connect(cache.invalidate_on_commit, sender=model,
                            dispatch_uid=f"impact-delete-{model._meta.label}")
    from stadtallianz.livinglabs.models import LivingLab
    from stadtallianz.sensorthings.models import Datastream, Sensor

    for model in (LivingLab, Datastream, Sensor):
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(cache.invalidate_streams_on_commit, sender=model,
                           dispatch_uid=f"impact-streams-{name}-{model._meta.label}")
    for through in filtered_relations():
        m2m_changed.connect(cache.invalidate_on_commit, sender=through,
                            dispatch_uid=f"impact-m2m-{through._meta.label}")
