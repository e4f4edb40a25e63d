"""Writing the audit log. Every service that changes state calls `audit_log` in its transaction
(`audit_log_many` for one change to many rows); nothing else writes AuditEntry rows."""

from collections.abc import Iterable
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


def _entry(*, actor, action: str, target: models.Model | None, before: dict[str, Any] | None,
           after: dict[str, Any] | None, object_repr: str | None) -> AuditEntry:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
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
    entry = _entry(actor=actor, action=action, target=target, before=before, after=after,
                   object_repr=object_repr)
    entry.save(force_insert=True)
    return entry


def audit_log_many(
    *,
    actor,
    action: str,
    targets: Iterable[models.Model],
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    batch_size: int = 500,
) -> int:
    """Records the same `action` on each of `targets`, one entry per target as `audit_log`
    writes it, inserted in bulk: for a change that touches thousands of rows at once. Returns
    how many entries were written."""
    entries = [_entry(actor=actor, action=action, target=target, before=before, after=after,
                      object_repr=None) for target in targets]
    AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
    return len(entries)
