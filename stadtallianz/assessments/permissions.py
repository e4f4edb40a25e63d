"""Who may see and do what with assessments: the one place the app decides it.

The project team is whoever may edit the project (`projects.permissions.can_edit`); the team
writes and submits self-assessments. The coordination office reviews them. Accepted assessments
are public; open ones (draft, submitted, changes requested) are seen by the team and the
coordination office only, everyone else gets a 404.
"""

from stadtallianz.projects import permissions as project_permissions

from .models import Assessment


def is_coordinator(user) -> bool:
    return user.is_authenticated and user.is_coordination_office


def is_team(user, project) -> bool:
    return user.is_authenticated and project_permissions.can_edit(user, project)


def can_see_open(user, project) -> bool:
    """Open assessments of the project: its team and the coordination office."""
    return is_coordinator(user) or is_team(user, project)


def can_see(user, assessment: Assessment) -> bool:
    return assessment.state == Assessment.State.ACCEPTED or can_see_open(user,
                                                                          assessment.project)


def visible_assessments(user, project):
    """The project's assessments `user` may see."""
    assessments = Assessment.objects.filter(project=project)
    if can_see_open(user, project):
        return assessments
    return assessments.filter(state=Assessment.State.ACCEPTED)


def can_write(user, project) -> bool:
    """Start, edit and submit a self-assessment: the team."""
    return is_team(user, project)


def can_review(user) -> bool:
    return is_coordinator(user)
