"""Two changes of one group at once wait for each other (the group row is locked), so the
rules that depend on the other members hold. Needs PostgreSQL: only it lets two connections
write at once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from stadtallianz.core.testing import in_open_transaction
from stadtallianz.workinggroups import services
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_two_leads_leaving_at_once_leave_one_lead(make_user):
    """Of two leads who leave at the same moment while a member remains, the second is refused:
    the group keeps a lead."""
    first, second, member = (make_user(f"{name}@example.org") for name in ("a", "b", "c"))
    group = WorkingGroup.objects.create(name_de="Gruppe", slug="gruppe")
    for user in (first, second):
        GroupMembership.objects.create(group=group, user=user, role=GroupMembership.Role.LEAD)
    GroupMembership.objects.create(group=group, user=member)
    thread, errors = in_open_transaction(lambda: services.membership_leave(
        membership=GroupMembership.objects.get(user=first), by=first))
    with pytest.raises(ValidationError):
        services.membership_leave(membership=GroupMembership.objects.get(user=second), by=second)
    thread.join()
    assert errors == []
    assert list(GroupMembership.objects.filter(role=GroupMembership.Role.LEAD)
                .values_list("user", flat=True)) == [second.pk]
