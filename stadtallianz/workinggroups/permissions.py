"""Who may do what with a working group: the one place the app decides it.

Groups are public, archived ones too (read-only). People's names are shown to logged-in persons
only. Leads manage their group; the coordinator can do everything a lead can, and more.
"""

from .models import GroupMembership, WorkingGroup


def membership_of(user, group: WorkingGroup) -> GroupMembership | None:
    if not user.is_authenticated:
        return None
    return GroupMembership.objects.filter(user=user, group=group).first()


def is_member(user, group: WorkingGroup | None) -> bool:
    """An active member or lead of the group."""
    if group is None:
        return False
    return GroupMembership.objects.active().of(user).filter(group=group).exists()


def is_lead_of(user, group: WorkingGroup) -> bool:
    return GroupMembership.objects.active().leads().of(user).filter(group=group).exists()


def can_create(user) -> bool:
    return user.is_authenticated and user.is_coordination_office


def can_archive(user, group: WorkingGroup) -> bool:
    return can_create(user)


def can_edit(user, group: WorkingGroup) -> bool:
    """Leads and the coordinator change the group's texts; archived groups only the coordinator
    (who may reactivate them)."""
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    return group.is_active and is_lead_of(user, group)


def can_manage(user, group: WorkingGroup) -> bool:
    """Members, requests, invitations, roles and organisations: leads and the coordinator, and
    only while the group is active."""
    return group.is_active and can_edit(user, group)


def can_see_people(user) -> bool:
    return user.is_authenticated


def can_join(user, group: WorkingGroup) -> bool:
    return (user.is_authenticated and group.is_active
            and group.join_policy != WorkingGroup.JoinPolicy.INVITATION)
