from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.assessments import permissions
from stadtallianz.assessments.models import Assessment, Score
from stadtallianz.demo import assessments as demo
from stadtallianz.projects.models import Project

pytestmark = pytest.mark.django_db
State = Assessment.State


def test_demo_writes_assessments_in_every_state_once():
    call_command("demo", stdout=StringIO())
    projects = Project.objects.count()
    current = Assessment.objects.filter(is_current=True)
    assert current.count() >= projects // 2
    assert Assessment.objects.filter(state=State.ACCEPTED, is_current=False).exists()
    assert Assessment.objects.filter(state=State.SUBMITTED).count() == 1
    changes = Assessment.objects.get(state=State.CHANGES_REQUESTED)
    assert changes.review_comment and changes.reviewed_by is not None
    # Every assessment scores all eight principles, with German justifications.
    for assessment in Assessment.objects.all():
        assert assessment.scores.count() == 8
    assert Score.objects.filter(score__lt=0).exists()
    assert not Score.objects.filter(justification="").exists()
    # The authors are in the project's team, so they can revise.
    for assessment in Assessment.objects.exclude(state=State.ACCEPTED):
        assert permissions.can_write(assessment.created_by, assessment.project)
    count = Assessment.objects.count()
    assert demo.load(now=timezone.now()) == 0
    call_command("demo", stdout=StringIO())
    assert Assessment.objects.count() == count
