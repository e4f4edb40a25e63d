"""REST API of the caller's own notifications and e-mail setting. Every operation needs a token
or the logged-in session; someone else's notification answers 404."""

from datetime import datetime
from enum import StrEnum

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from stadtallianz.core.api import ErrorOut, InputSchema, Pagination, ValidationErrorOut
from stadtallianz.core.api_auth import write_auth

from . import services
from .models import Notification, NotificationSettings

router = Router(tags=["notifications"], auth=write_auth)

EmailMode = StrEnum("EmailMode", [(c.name, c.value) for c in NotificationSettings.EmailMode])


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    web_url: str
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None


class NotificationFilter(InputSchema):
    unread: bool | None = None


class UnreadCountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class SettingsOut(Schema):
    email_mode: EmailMode


class SettingsIn(InputSchema):
    email_mode: EmailMode


def _out(notification: Notification) -> dict:
    return {"id": notification.pk, "kind": notification.kind, "subject": notification.subject,
            "body": notification.body, "web_url": services.absolute(notification.url),
            "created_at": notification.created_at, "read_at": notification.read_at,
            "emailed_at": notification.emailed_at}


@router.get("", response={200: list[NotificationOut], 401: ErrorOut},
            summary="My notifications")
@paginate(Pagination)
def notification_list(request, filters: Query[NotificationFilter]):
    """The caller's notifications, newest first; `unread=true` for unread ones only."""
    notifications = Notification.objects.for_reader(request.auth)
    if filters.unread is not None:
        notifications = notifications.filter(read_at__isnull=filters.unread)
    return [_out(n) for n in notifications]


@router.get("/unread-count", response={200: UnreadCountOut, 401: ErrorOut},
            summary="Number of unread notifications")
def notification_unread_count(request):
    return {"unread": services.unread_count(request.auth)}


@router.post("/read-all", response={200: MarkedOut, 401: ErrorOut, 403: ErrorOut},
             summary="Mark all notifications as read")
def notification_read_all(request):
    return {"marked": services.mark_all_read(by=request.auth)}


@router.post("/{notification_id}/read",
             response={200: NotificationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             summary="Mark one notification as read")
def notification_read(request, notification_id: int):
    notification = get_object_or_404(Notification.objects.for_reader(request.auth),
                                     pk=notification_id)
    return _out(services.mark_read(notification, by=request.auth))


@router.get("/settings", response={200: SettingsOut, 401: ErrorOut},
            summary="My e-mail setting")
def notification_settings_get(request):
    """`immediately` (one e-mail per notification), `digest` (daily) or `never`."""
    return {"email_mode": services.email_mode(request.auth)}


@router.put("/settings",
            response={200: SettingsOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
            summary="Change my e-mail setting")
def notification_settings_put(request, payload: SettingsIn):
    current = services.set_email_mode(request.auth, payload.email_mode.value, by=request.auth)
    return {"email_mode": current.email_mode}
