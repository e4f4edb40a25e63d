"""Two people taking the last place at once: the event row is locked, so one gets the place
and the other the waiting list. Needs PostgreSQL: only it lets two connections write at once."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from stadtallianz.events import services
from stadtallianz.events.models import Registration

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_two_registrations_for_the_last_place_give_one_place(make_event, make_user):
    event = make_event(None, capacity=1)
    first, second = make_user("a@example.org"), make_user("b@example.org")
    done, errors = threading.Event(), []

    def register_first():
        try:
            with transaction.atomic():
                services.registration_register(event=event, by=first)
                done.set()
                # Holds the lock while the second registration starts.
                time.sleep(0.5)
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
            done.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=register_first)
    thread.start()
    assert done.wait(10)
    registration = services.registration_register(event=event, by=second)
    thread.join()
    assert errors == []
    assert (registration.state, registration.position) == (Registration.State.WAITING, 1)
    assert Registration.objects.filter(state=Registration.State.REGISTERED).count() == 1
