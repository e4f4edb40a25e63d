"""People of every role and a working group for the API tests of groups, discussions and events
(and the cross-cutting API tests under tests/ that walk every role).

Imported into a test module with
`from stadtallianz.workinggroups.tests.api_fixtures import *  # noqa: F403`. The roles: a visitor
(None), `citizen`, `partner_member`, `partner_admin` and `coordinator` (root conftest), and here
`member` and `lead` of `group` and `outsider` (lead of another group).
"""

import pytest

from stadtallianz.workinggroups.models import WorkingGroup

# The shared people, group and event factory; `group_fields` below makes this module's group
# "Mobilität", joined on request.
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403
from stadtallianz.workinggroups.tests.fixtures import __all__ as _shared

__all__ = [*_shared, "outsider", "ROLES", "person", "key_for"]

# Every role the rules tell apart; None is a visitor without an account.
ROLES = [None, "citizen", "partner_member", "partner_admin", "outsider", "member", "lead",
         "coordinator"]


@pytest.fixture
def group_fields():
    return {"name": "Mobilität", "name_en": "Mobility",
            "join_policy": WorkingGroup.JoinPolicy.REQUEST}


@pytest.fixture
def outsider(other_lead):
    """The lead of a different working group: logged in, active elsewhere, not in `group`."""
    return other_lead


@pytest.fixture
def person(request):
    """person(role) is that fixture's user; None stays None (a visitor)."""

    def get(role):
        return None if role is None else request.getfixturevalue(role)

    return get


@pytest.fixture
def key_for(token_for, person):
    """key_for(role) is an API token of that role's person; None for a visitor."""

    def make(role):
        user = person(role)
        return None if user is None else token_for(user)

    return make
