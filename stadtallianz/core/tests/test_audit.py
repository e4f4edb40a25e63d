"""The audit log is written through core.audit only: `audit_log_many` writes for many targets
the same entries `audit_log` writes for one, in bulk."""

import pytest

from stadtallianz.core.audit import audit_log, audit_log_many
from stadtallianz.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _fields(entry: AuditEntry) -> tuple:
    return (entry.actor_id, entry.actor_repr, entry.action, entry.content_type_id,
            entry.object_id, entry.object_repr, entry.before, entry.after)


def test_many_targets_get_the_entries_one_target_gets(make_organisation, coordinator,
                                                      django_assert_num_queries):
    first, second = make_organisation("Erste"), make_organisation("Zweite")
    single = audit_log(actor=coordinator, action="test.done", target=first,
                       before={"a": 1}, after={"a": 2})
    with django_assert_num_queries(1):  # one insert, however many targets
        assert audit_log_many(actor=coordinator, action="test.done", targets=[first, second],
                              before={"a": 1}, after={"a": 2}) == 2
    bulk = AuditEntry.objects.exclude(pk=single.pk).order_by("pk")
    assert [_fields(entry) for entry in bulk][0] == _fields(single)
    assert bulk[1].object_repr == "Zweite" and bulk[1].object_id == str(second.pk)


def test_without_an_actor_the_system_did_it(make_organisation):
    audit_log_many(actor=None, action="test.system", targets=[make_organisation()])
    entry = AuditEntry.objects.get()
    assert entry.actor is None and entry.actor_repr == "system"
