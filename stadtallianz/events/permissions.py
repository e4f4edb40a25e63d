"""Who may see and change events: the one place the app decides it.

Public events are for everyone. Members-only events of a group exist only for that group's
active members and the coordination office: for everyone else they are a 404 on every path.
Leads plan their group's events; alliance-wide events (no group) only the coordinator.
"""

from django.db.models import Q

from stadtallianz.workinggroups.models import GroupMembership
from stadtallianz.workinggroups.permissions import is_lead_of

from .models import Event, Registration


def _member_group_ids(user) -> list[int]:
    return list(GroupMembership.objects.filter(
        user=user, state=GroupMembership.State.ACTIVE).values_list("group_id", flat=True))


def visible_events(user, queryset=None):
    queryset = queryset if queryset is not None else Event.objects.all()
    if user.is_authenticated and user.is_coordination_office:
        return queryset
    public = Q(visibility=Event.Visibility.PUBLIC)
    if not user.is_authenticated:
        return queryset.filter(public)
    # Members-only alliance events (no group) are for the people of any group.
    groups = _member_group_ids(user)
    members = Q(visibility=Event.Visibility.MEMBERS) & (
        Q(group_id__in=groups) | (Q(group__isnull=True) if groups else Q(pk__in=[])))
    return queryset.filter(public | members)


def can_see(user, event: Event) -> bool:
    return visible_events(user, Event.objects.filter(pk=event.pk)).exists()


def can_create_for(user, group) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    return group is not None and group.is_active and is_lead_of(user, group)


def can_edit(user, event: Event) -> bool:
    return can_create_for(user, event.group)


def can_see_attendance(user, event: Event) -> bool:
    return can_edit(user, event)


def can_register(user, event: Event) -> bool:
    return user.is_authenticated and can_see(user, event)


def registration_of(user, event: Event) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(user=user, event=event).first()


def can_see_online_link(user, event: Event, registration: Registration | None = None) -> bool:
    """Only people with a confirmed place (not the waiting list) see the link."""
    if registration is None:
        registration = registration_of(user, event)
    return registration is not None and registration.state == Registration.State.REGISTERED
