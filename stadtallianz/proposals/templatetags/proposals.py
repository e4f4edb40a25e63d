from django import template

from ..checks import euro as format_euro
from ..checks import percent as format_percent

register = template.Library()

STATE_BADGES = {"planned": "", "in_preparation": "info", "submitted": "warning",
                "granted": "success", "rejected": "danger", "withdrawn": ""}


@register.filter
def euro(value):
    """An amount as "80.000 €" in the reader's language ("" for None)."""
    return "" if value is None else format_euro(value)


@register.filter
def percent(value):
    return "" if value is None else format_percent(value)


@register.filter
def state_badge(state):
    """The badge colour of an application state (the label always says it)."""
    return STATE_BADGES.get(state, "")
