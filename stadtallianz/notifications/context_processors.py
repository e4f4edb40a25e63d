from functools import cached_property

from .models import Notification


class UnreadBadge:
    """The header's unread count: one query, and only when a template shows it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return Notification.objects.for_reader(self.user).filter(read_at__isnull=True).count()


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_badge": UnreadBadge(user)}
