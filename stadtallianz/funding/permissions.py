"""Who may do what with funding programmes and calls: the one place the platform decides it.

Reading: calls and programmes are public information (funders publish them), so every page,
feed and API read is open to everyone, visitors included.

Entering and editing: the coordination office, and the admins of alliance partners (an
organisation whose signature of the letter of intent is confirmed). Why partner admins and not
every member: the issue names "the coordination office and partner admins"; an admin speaks for
their organisation, and the partners are the ones who spot a call first (a research institute
reads the Horizon work programme, a chamber the state programmes). Why they may edit *any* call,
not only those their organisation entered: a call is the funder's data, not the partner's
content; whoever checks it against the source corrects it and becomes its "last verified by".
Every change is in the audit log with its author.

Reserved to the coordination office: deleting calls and programmes (follows, reminders and
applications hang on them) and importing files (one import changes hundreds of calls at once,
and a re-import overwrites calls others have corrected).

Following a call: any signed-in person.
"""

from stadtallianz.partners.models import Membership, Organisation


def is_partner_admin(user) -> bool:
    """Admin of at least one alliance partner (a confirmed, public organisation)."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, role=Membership.Role.ADMIN,
        organisation__status__in=Organisation.PUBLIC_STATUSES).exists()


def can_edit_calls(user) -> bool:
    """Create and edit calls and programmes (all of them, see above)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_coordination_office or is_partner_admin(user)


def can_edit_call(user, call) -> bool:
    return can_edit_calls(user)


def can_edit_programme(user, programme) -> bool:
    return can_edit_calls(user)


def can_delete(user) -> bool:
    """Delete a call or a programme: the coordination office only."""
    return user.is_authenticated and user.is_active and user.is_coordination_office


def can_import(user) -> bool:
    """Import calls from a file: the coordination office only (see above)."""
    return user.is_authenticated and user.is_active and user.is_coordination_office


def can_follow(user) -> bool:
    return user.is_authenticated and user.is_active
