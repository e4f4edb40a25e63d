"""Who may do what with a funding application: the one place the proposals app decides it.

- The consortium's people (anyone with a membership in a member organisation) and the
  coordination office see everything of an application: budget, documents, checklist, history.
  They tick the checklist and link documents.
- The coordinator organisation's admins (and the office) manage it: title, publishing, members,
  state changes, the grant. Each member organisation's admins edit their own budget.
- Everyone else sees an application only when it is public (published or granted), without
  its budget (`Application.objects.visible_to`).
"""

from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects import permissions as project_permissions

from .models import Application, ApplicationMember


def _is_office(user) -> bool:
    return user.is_authenticated and user.is_coordination_office


def _admin_of(user, organisation_ids) -> bool:
    return user.is_authenticated and Membership.objects.filter(
        user=user, role=Membership.Role.ADMIN, organisation_id__in=organisation_ids).exists()


def can_view(user, application: Application) -> bool:
    return Application.objects.visible_to(user).filter(pk=application.pk).exists()


def can_see_confidential(user, application: Application) -> bool:
    """Budget, documents, checklist and state history."""
    return Application.objects.confidential_for(user).filter(pk=application.pk).exists()


def can_manage(user, application: Application) -> bool:
    """Title, publishing, members, state changes: the coordinator's admins and the office."""
    if _is_office(user):
        return True
    coordinator = ApplicationMember.objects.filter(
        application=application, role=ApplicationMember.Role.COORDINATOR).values(
        "organisation_id")
    return _admin_of(user, coordinator)


def can_edit_budget(user, member: ApplicationMember) -> bool:
    """A member's budget: its own organisation's admins, the coordinator's admins, the office."""
    return (_admin_of(user, [member.organisation_id])
            or can_manage(user, member.application))


def can_work_on(user, application: Application) -> bool:
    """Tick the checklist, link documents: anyone of the consortium and the office."""
    return can_see_confidential(user, application)


def can_upload_document(user, application: Application) -> bool:
    """Upload a document for the consortium: anyone of the consortium and the office, as
    linking one."""
    return can_work_on(user, application)


def can_record_grant(user, application: Application) -> bool:
    """The grant carries the budget into the project, so the person also edits the project
    (the office does; a coordinator's admin who is in the project's team)."""
    if not can_manage(user, application):
        return False
    project = application.project or getattr(application.idea, "project", None)
    return project is None or project_permissions.can_edit(user, project)


def coordinator_organisations(user):
    """The organisations a person can start an application for as its coordinator: the public
    partners they administer (every public partner for the office)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    organisations = Organisation.objects.public()
    if not _is_office(user):
        organisations = organisations.filter(memberships__user=user,
                                             memberships__role=Membership.Role.ADMIN)
    return organisations.order_by("name")


def can_create(user) -> bool:
    return _is_office(user) or coordinator_organisations(user).exists()


def can_see_pipeline(user) -> bool:
    return _is_office(user)
