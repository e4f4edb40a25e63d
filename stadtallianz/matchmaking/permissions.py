"""Who may see suggestions and hide them: the one place matchmaking decides it.

Suggestions are for the alliance's partners: a logged-in person in a public partner
organisation, and the coordination office. Citizens and visitors see none. What a suggestion
shows is public anyway (the public directory's partners, visible calls, notices and projects,
published applications only), so seeing suggestions reveals nothing the person could not find;
the rule keeps the tool, and the dismissals it remembers, with the people who form consortia.
"""

from stadtallianz.partners.models import Membership, Organisation


def can_see_suggestions(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_coordination_office:
        return True
    return Membership.objects.filter(
        user=user, organisation__status__in=Organisation.PUBLIC_STATUSES).exists()


def can_dismiss(user) -> bool:
    """Whoever sees suggestions may hide one for themselves (and bring it back)."""
    return can_see_suggestions(user)


def can_see_suggestions_for_organisation(user, organisation: Organisation) -> bool:
    """An organisation's suggestions (calls, notices, projects that fit it) are for its own
    people and the coordination office; only a public partner gets any."""
    if not organisation.is_public or not user.is_authenticated:
        return False
    if user.is_coordination_office:
        return True
    return Membership.objects.filter(user=user, organisation=organisation).exists()
