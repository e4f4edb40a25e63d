from datetime import timedelta
from math import ceil

from django import template

from stadtallianz.accounts.models import public_name as public_name_of

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
