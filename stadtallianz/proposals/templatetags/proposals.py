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


@register.inclusion_tag("proposals/includes/project_funding.html", takes_context=True)
def project_funding(context, project):
    """The funding applications of a project that the reader may know of, with the amounts
    granted: `{% load proposals %}{% project_funding project %}` on the project page (projects
    cannot import this app). One query."""
    from ..models import Application
    from ..queries import with_sums

    user = context["request"].user
    applications = list(with_sums(Application.objects.visible_to(user).filter(project=project)
                                  .select_related("call__programme")).order_by("-created_at"))
    return {"applications": applications, "project": project, "request": context["request"]}
