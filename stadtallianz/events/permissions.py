"""Who may see and change events: the one place the app decides it.

Seeing follows `Event.objects.visible_to`: members-only events of a group exist only for that
group's active members and the coordination office; for everyone else they are a 404 on every
path. Leads plan their group's events; alliance-wide events (no group) only the coordinator.
"""

from stadtallianz.workinggroups.permissions import is_lead_of

from .models import Event, Registration


def can_see(user, event: Event) -> bool:
    return Event.objects.filter(pk=event.pk).visible_to(user).exists()


def can_create_for(user, group) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    return group is not None and group.is_active and is_lead_of(user, group)


def can_plan_for_any_group(user) -> bool:
    """The coordinator plans events of every group and of the whole alliance, and so chooses
    the group on the form; a lead plans from their group's page."""
    return can_create_for(user, None)


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
