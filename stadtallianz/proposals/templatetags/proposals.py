from django import template
from django.utils.safestring import mark_safe

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



@register.simple_tag(takes_context=True)
def project_funding(context, project):
    """The funding applications of a project the reader may know of:
    `{% load proposals %}{% project_funding project %}` where a page cannot use the registered
    section (core.sections, place "projects.project")."""
    from ..sections import project_section

    return mark_safe(project_section(context["request"], project))  # noqa: S308 - rendered


@register.inclusion_tag("proposals/includes/my_applications.html", takes_context=True)
def my_funding_applications(context):
    """For Mein Bereich: the five applications of the person's consortia changed last, with
    their sums, and a link to all of them (one query)."""
    from ..queries import my_applications

    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "applications": list(my_applications(user)[:5])}
