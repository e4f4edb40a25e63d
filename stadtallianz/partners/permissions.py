"""Who may do what with an organisation: the one place the partners app decides it."""

from .models import Invitation, Membership, Organisation


def membership_of(user, organisation: Organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def is_admin_of(user, organisation: Organisation) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, organisation=organisation, role=Membership.Role.ADMIN
    ).exists()


def can_view(user, organisation: Organisation) -> bool:
    """Public partners are seen by everyone; others by their people and the coordination office."""
    if organisation.is_public:
        return True
    if not user.is_authenticated:
        return False
    return user.is_coordination_office or membership_of(user, organisation) is not None


def can_create(user) -> bool:
    """Every active person with an account may register an organisation; they become its admin
    and it starts as a draft, which the coordination office reviews."""
    return user.is_authenticated and user.is_active


def can_edit(user, organisation: Organisation) -> bool:
    """The organisation's admins edit its profile, offers and needs; so does the coordinator."""
    if not user.is_authenticated:
        return False
    return user.is_coordination_office or is_admin_of(user, organisation)


def can_manage_members(user, organisation: Organisation) -> bool:
    return can_edit(user, organisation)


def can_view_members(user, organisation: Organisation) -> bool:
    """The people of an organisation are never public: its members and the office see them."""
    if not user.is_authenticated:
        return False
    return user.is_coordination_office or membership_of(user, organisation) is not None


def can_accept(user, invitation: Invitation) -> bool:
    """Only the account with the invited address accepts an invitation."""
    return user.is_authenticated and user.email.lower() == invitation.email.lower()
