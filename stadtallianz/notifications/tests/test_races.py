"""Two requests notifying the same person of the same thing at once: the unique key decides, the
second call returns None without an error, one row and one e-mail. Needs PostgreSQL: only it lets
two connections write at once."""

import pytest
from django.core import mail
from django.db import connection

from stadtallianz.core.testing import in_open_transaction
from stadtallianz.notifications import services
from stadtallianz.notifications.models import Notification

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def _notify(user):
    return services.notify(user, kind="test", key="mention:post:1",
                           template="notifications/tests/hello", context={"thing": "x"},
                           url="/de/")


def test_two_notifications_with_the_same_key_at_once_give_one(member):
    results = []
    # Holds the new row uncommitted while the second call checks and inserts.
    thread, errors = in_open_transaction(lambda: results.append(_notify(member)))
    second = _notify(member)
    thread.join()
    assert errors == [] and results[0] is not None
    assert second is None
    assert Notification.objects.filter(recipient=member).count() == 1
    assert len(mail.outbox) == 1
