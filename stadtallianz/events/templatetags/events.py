"""`{% upcoming_events group %}`: the group page's list of its next events, visible ones only."""

from django import template
from django.utils import timezone

from .. import permissions
from ..models import Event

register = template.Library()


@register.inclusion_tag("events/includes/upcoming.html", takes_context=True)
def upcoming_events(context, group, limit=5):
    user = context["request"].user
    events = (Event.objects.filter(group=group, ends_at__gte=timezone.now()).visible_to(user)
              .select_related("group").with_registration_counts()
              .order_by("starts_at", "pk")[:limit])
    return {"group": group, "events": list(events), "request": context["request"],
            "can_create": permissions.can_create_for(user, group)}
