from datetime import timedelta
from math import ceil

from django import template

register = template.Library()


@register.filter
def minutes(value) -> int:
    """Whole minutes in a timedelta, rounded up: "try again in 15 minutes"."""
    if not isinstance(value, timedelta):
        return 0
    return max(1, ceil(value.total_seconds() / 60))
