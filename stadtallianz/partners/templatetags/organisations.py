"""`{% organisation_logo organisation %}`: the logo, or the generated initials square.

Both are decorative next to the organisation's name (alt="" / aria-hidden), which every card and
profile writes out; `alt` gives the image a text where the name is not beside it.
"""

from django import template
from django.utils.html import format_html

from ..avatars import initials_svg

register = template.Library()


@register.simple_tag
def organisation_logo(organisation, size=48, alt=""):
    if getattr(organisation, "logo", None):
        return format_html(
            '<img class="org-logo" src="{}" alt="{}" width="{}" height="{}" loading="lazy">',
            organisation.logo.url, alt, size, size)
    return initials_svg(organisation.name, size=size)


@register.filter
def more_than(items, limit):
    """How many of `items` are beyond the first `limit` (the "+3" after five logos)."""
    try:
        return max(len(items) - int(limit), 0)
    except (TypeError, ValueError):
        return 0
