import pytest

from stadtallianz.discussions import services
from stadtallianz.discussions.models import Thread

# The working groups' shared people and group.
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403


@pytest.fixture
def public_thread(group, member):
    return services.thread_create(group=group, title="Radwege am Ring", body="Wer macht mit?",
                                  visibility=Thread.Visibility.PUBLIC, by=member)


@pytest.fixture
def private_thread(group, member):
    return services.thread_create(group=group, title="Interne Planung", body="Nur für uns.",
                                  visibility=Thread.Visibility.MEMBERS, by=member)


@pytest.fixture
def other_member(make_user, make_group):
    """A plain member of a different working group."""
    user = make_user("other-member@example.org", full_name="Otto Othermember")
    make_group("Dritte Gruppe", slug="dritte-gruppe", members=[user])
    return user
