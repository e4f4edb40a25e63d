"""Who may sign, withdraw, review and publish: the one place the letter-of-intent app decides it."""

from stadtallianz.partners.models import Organisation
from stadtallianz.partners.permissions import is_admin_of


def can_sign(user, organisation: Organisation) -> bool:
    """Only an organisation's admins sign (and withdraw) for it; the coordinator reviews instead."""
    return is_admin_of(user, organisation)


def can_withdraw(user, organisation: Organisation) -> bool:
    return is_admin_of(user, organisation)


def can_view_status(user, organisation: Organisation) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_coordination_office or is_admin_of(user, organisation)


def can_review(user) -> bool:
    return user.is_authenticated and user.is_coordination_office


def can_manage_versions(user) -> bool:
    return user.is_authenticated and user.is_coordination_office
