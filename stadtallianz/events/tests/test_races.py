"""Two people taking the last place at once: the event row is locked, so one gets the place
and the other the waiting list. Needs PostgreSQL: only it lets two connections write at once."""

import pytest
from django.db import connection

from stadtallianz.core.testing import in_open_transaction
from stadtallianz.events import services
from stadtallianz.events.models import Registration

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_two_registrations_for_the_last_place_give_one_place(make_event, make_user):
    event = make_event(None, capacity=1)
    first, second = make_user("a@example.org"), make_user("b@example.org")
    # Holds the event's lock while the second registration starts.
    thread, errors = in_open_transaction(
        lambda: services.registration_register(event=event, by=first))
    registration = services.registration_register(event=event, by=second)
    thread.join()
    assert errors == []
    assert (registration.state, registration.position) == (Registration.State.WAITING, 1)
    assert Registration.objects.filter(state=Registration.State.REGISTERED).count() == 1
