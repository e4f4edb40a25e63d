"""Accepting an idea makes it a project through the `idea_accepted` hook the projects app
answers (ideas import no project code), in the decision's transaction."""

import pytest

from stadtallianz.core.models import AuditEntry
from stadtallianz.ideas import services
from stadtallianz.ideas.models import Idea
from stadtallianz.ideas.signals import idea_accepted
from stadtallianz.projects.models import Project

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
S = Idea.State


def test_the_decision_names_the_project_the_idea_became(idea, lead):
    services.change_state(idea=idea, by=lead, state=S.DISCUSSION)
    services.change_state(idea=idea, by=lead, state=S.ACCEPTED)
    project = Project.objects.get(origin_idea=idea)
    entry = AuditEntry.objects.filter(action="idea.state_changed").latest("pk")
    assert entry.after["state"] == S.ACCEPTED and entry.after["project"] == project.pk
    assert AuditEntry.objects.filter(action="project.created_from_idea",
                                     object_id=str(project.pk)).exists()


def test_a_failing_project_rolls_the_decision_back(idea, lead):
    services.change_state(idea=idea, by=lead, state=S.DISCUSSION)

    def refuse(sender, **kwargs):
        raise RuntimeError("no project today")

    idea_accepted.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError):
            services.change_state(idea=idea, by=lead, state=S.ACCEPTED)
    finally:
        idea_accepted.disconnect(dispatch_uid="test.refuse")
    idea.refresh_from_db()
    assert idea.state == S.DISCUSSION
    assert not Project.objects.exists()
