"""`{% latest_discussions group %}`: the group page's list of its most recently active threads,
only those the person looking may read."""

from django import template

from .. import permissions
from ..models import Thread

register = template.Library()
LATEST = 5


@register.inclusion_tag("discussions/includes/latest.html", takes_context=True)
def latest_discussions(context, group):
    user = context["request"].user
    threads = list(Thread.objects.visible_to(user, group).order_by("-last_activity_at", "-pk")
                   .only("pk", "title", "visibility", "last_activity_at", "group")[:LATEST])
    for thread in threads:
        thread.group = group
    return {"group": group, "threads": threads,
            "can_create": permissions.can_create_thread(user, group)}
