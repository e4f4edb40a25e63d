import pytest

# The threads shared with the API tests, and the working groups' shared people and group.
from stadtallianz.discussions.tests.fixtures import *  # noqa: F403
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403


@pytest.fixture
def other_member(make_user, make_group):
    """A plain member of a different working group."""
    user = make_user("other-member@example.org", full_name="Otto Othermember")
    make_group("Dritte Gruppe", slug="dritte-gruppe", members=[user])
    return user
