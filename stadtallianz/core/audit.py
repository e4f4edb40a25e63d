"""Writing the audit log. Every service that changes state calls `audit_log` in its transaction."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .models import AuditEntry


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of an instance as JSON-safe values, for `before` and `after`."""
    encoder = DjangoJSONEncoder()
    values = {}
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = encoder.default(value)
        values[name] = value
    return values


def audit_log(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """Records `actor` doing `action` (a dotted code such as "partner.signature.confirmed").

    `object_repr` names the target where its own text must not be kept (a deleted account).
    """
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_repr=str(actor.email if authenticated else "system")[:254],
        action=action,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        object_repr=(object_repr if object_repr is not None
                     else str(target) if target is not None else "")[:254],
        before=before,
        after=after,
    )
