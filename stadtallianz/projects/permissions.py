"""Who may do what with a project: the one place the projects app decides it.

Every project is public. Its team ("members") edits it: the people of the organisations with an
accepted place in the consortium, the leads of its working group (when it belongs to one) and the
coordination office. Consortium invitations are sent by the lead organisation's admins (for a
project without a lead organisation: the group's leads), and answered by the invited
organisation's admins.
"""

from django.db.models import Exists, OuterRef, Q

from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

from .models import ConsortiumMember, Project


def _accepted(project: Project):
    return ConsortiumMember.objects.of_public_organisations().filter(
        project=project, state=ConsortiumMember.State.ACCEPTED)


def is_group_lead(user, project: Project) -> bool:
    return bool(project.working_group_id) and GroupMembership.objects.active().leads().of(
        user).filter(group_id=project.working_group_id).exists()


def team_projects(user):
    """The projects whose team `user` is in (one query): through an organisation with an
    accepted place in the consortium, or as a lead of the project's working group. The
    coordination office is in every team (`is_member`) but not listed here ("Mein Bereich")."""
    if not user.is_authenticated:
        return Project.objects.none()
    accepted = ConsortiumMember.objects.of_public_organisations().filter(
        project=OuterRef("pk"), state=ConsortiumMember.State.ACCEPTED,
        organisation__in=Membership.objects.filter(user=user).values("organisation"))
    led = GroupMembership.objects.active().leads().of(user).values("group_id")
    return Project.objects.filter(Q(Exists(accepted)) | Q(working_group_id__in=led))


def is_member(user, project: Project) -> bool:
    """The project's team: people of accepted consortium organisations, the group's leads and
    the coordination office (`team_projects`, the same rule for a list)."""
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    return team_projects(user).filter(pk=project.pk).exists()


def can_edit(user, project: Project) -> bool:
    """Texts, phase and everything the project page lists (milestones, results, …)."""
    return is_member(user, project)


def creatable_organisations(user):
    """The organisations a person can start a project for (as its lead): the public partners
    they administer (all public partners for the coordination office). Starting a project
    commits the organisation as lead, and consortium places are accepted by an organisation's
    admins, so a plain member cannot; they can start one of a working group they belong to."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    organisations = Organisation.objects.public()
    if not user.is_coordination_office:
        organisations = organisations.filter(memberships__user=user,
                                             memberships__role=Membership.Role.ADMIN)
    return organisations.order_by("name")


def creatable_groups(user):
    """The active working groups a person can start a project for: those they lead or belong
    to; the coordination office: all active groups."""
    if not user.is_authenticated:
        return WorkingGroup.objects.none()
    groups = WorkingGroup.objects.active()
    if not user.is_coordination_office:
        groups = groups.of_member(user)
    return groups.order_by("name_de")


def can_create(user) -> bool:
    if not user.is_authenticated:
        return False
    return (user.is_coordination_office or creatable_organisations(user).exists()
            or creatable_groups(user).exists())


def lead_of(project: Project) -> ConsortiumMember | None:
    return (_accepted(project).filter(role=ConsortiumMember.Role.LEAD)
            .select_related("organisation").first())


def can_manage_consortium(user, project: Project) -> bool:
    """Invite and remove organisations: the lead organisation's admins; without a lead
    organisation, the group's leads; always the coordination office."""
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    lead = lead_of(project)
    if lead is not None:
        return Membership.objects.filter(user=user, organisation_id=lead.organisation_id,
                                         role=Membership.Role.ADMIN).exists()
    return is_group_lead(user, project)


def administered_organisation_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, role=Membership.Role.ADMIN)
               .values_list("organisation_id", flat=True))


def can_answer(user, member: ConsortiumMember) -> bool:
    """An invitation is answered by the invited organisation's admins."""
    return user.is_authenticated and Membership.objects.filter(
        user=user, organisation_id=member.organisation_id, role=Membership.Role.ADMIN).exists()


def shown_consortium(user, project: Project):
    """The consortium as a person sees it: public partners only (the coordination office sees
    every organisation, to clean up)."""
    members = project.consortium.all()
    if not (user.is_authenticated and user.is_coordination_office):
        members = members.of_public_organisations()
    return members
