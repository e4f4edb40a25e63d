"""Who may see and do what with assessments: the one place the app decides it.

The project team is whoever may edit the project (`projects.permissions.can_edit`); the team
writes and submits self-assessments. The coordination office reviews them. Since the coordination
office may edit every project, a coordinator may also help write one; but nobody reviews what
they wrote themselves (four eyes): whoever started, saved scores in or submitted an assessment
may neither accept it nor ask for changes on it, another coordinator does. Accepted assessments
are public; open ones (draft, submitted, changes requested) are seen by the team and the
coordination office only, everyone else gets a 404.
"""

from stadtallianz.core.models import AuditEntry
from stadtallianz.projects import permissions as project_permissions

from .models import Assessment

# The audit actions by which a person wrote (part of) an assessment.
WRITING_ACTIONS = ("assessment.created", "assessment.scores_saved", "assessment.submitted")


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


def can_write(user, project) -> bool:
    """Start, edit and submit a self-assessment: the team."""
    return is_team(user, project)


def can_review(user) -> bool:
    return is_coordinator(user)


def wrote(user, assessment: Assessment) -> bool:
    """`user` started, saved scores in or submitted the assessment (the audit log records every
    save with its author; one query unless the assessment's own fields already tell)."""
    if not user.is_authenticated:
        return False
    if user.pk in (assessment.created_by_id, assessment.submitted_by_id):
        return True
    return AuditEntry.objects.filter(
        content_type__app_label="assessments", content_type__model="assessment",
        object_id=str(assessment.pk), actor=user, action__in=WRITING_ACTIONS).exists()


def can_review_assessment(user, assessment: Assessment) -> bool:
    """Accept or ask for changes on this assessment: a coordinator who did not write it."""
    return can_review(user) and not wrote(user, assessment)
