"""`Assessment.objects.visible_to(user, project)`: the accepted assessments for everyone, the
open one too for the project's team and the coordination office (pages and API ask it)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from stadtallianz.assessments.models import Assessment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "sees_open"), [
    (None, False), ("citizen", False), ("outsider", False), ("team_member", True),
    ("coordinator", True)])
def test_who_sees_the_open_assessment(request, project, make_project, make_assessment, role,
                                      sees_open):
    accepted = make_assessment(project)
    draft = make_assessment(project, state=Assessment.State.DRAFT)
    make_assessment(make_project("Anderes Projekt"))  # another project's: never listed
    user = AnonymousUser() if role is None else request.getfixturevalue(role)
    expected = {accepted, draft} if sees_open else {accepted}
    assert set(Assessment.objects.visible_to(user, project)) == expected
    assert list(Assessment.objects.filter(project=project).open()) == [draft]
    assert list(Assessment.objects.filter(project=project).accepted()) == [accepted]
