from datetime import timedelta
from math import ceil

from django import template

from stadtallianz.accounts.models import public_name as public_name_of
from stadtallianz.accounts.names import shown_name as shown_name_of

register = template.Library()


@register.filter
def minutes(value) -> int:
    """Whole minutes in a timedelta, rounded up: "try again in 15 minutes"."""
    if not isinstance(value, timedelta):
        return 0
    return max(1, ceil(value.total_seconds() / 60))


@register.filter
def public_name(user) -> str:
    """`{{ comment.author|public_name }}`: the person as visitors see them (models.public_name):
    their display name, else "participant" with a number, "former participant" once deleted."""
    return public_name_of(user)


@register.filter
def shown_name(person, viewer) -> str:
    """`{{ comment.author|shown_name:request.user }}`: the author as `viewer` may see them
    (names.shown_name): the real name for the coordination office and the person themself,
    the public name for everyone else."""
    return shown_name_of(person, viewer)
