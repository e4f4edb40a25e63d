"""People and a working group for the API tests of groups, discussions and events.

Imported into a test module with `from .group_fixtures import *`. The roles: a visitor (None),
`citizen`, `partner_member`, `partner_admin` (root conftest), and here `member` and `lead` of
`group`, `outsider` (lead of another group) and `coordinator` (root conftest).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from stadtallianz.core.models import FocusArea
from stadtallianz.events.models import Event
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

__all__ = ["_fast_password_hashing", "lead", "member", "group", "outsider", "make_event",
           "ROLES", "person", "key_for"]

# Every role the rules tell apart; None is a visitor without an account.
ROLES = [None, "citizen", "partner_member", "partner_admin", "outsider", "member", "lead",
         "coordinator"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow by design; these tests never check a password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def lead(make_user):
    return make_user("lead@example.org", full_name="Lena Lead", preferred_language="en")


@pytest.fixture
def member(make_user):
    return make_user("gmember@example.org", full_name="Mia Member")


@pytest.fixture
def group(db, lead, member):
    group = WorkingGroup.objects.create(name_de="Mobilität", name_en="Mobility",
                                        slug="mobilitaet",
                                        join_policy=WorkingGroup.JoinPolicy.REQUEST)
    area = FocusArea.objects.active().first()
    if area is not None:
        group.focus_areas.add(area)
    GroupMembership.objects.create(group=group, user=lead, role=GroupMembership.Role.LEAD)
    GroupMembership.objects.create(group=group, user=member)
    return group


@pytest.fixture
def outsider(make_user):
    """The lead of a different working group: logged in, active elsewhere, not in `group`."""
    user = make_user("outsider@example.org", full_name="Olaf Outsider")
    other = WorkingGroup.objects.create(name_de="Energie", slug="energie")
    GroupMembership.objects.create(group=other, user=user, role=GroupMembership.Role.LEAD)
    return user


@pytest.fixture
def make_event(db):
    counter = {"n": 0}

    def make(group=None, **fields):
        counter["n"] += 1
        starts = fields.pop("starts_at", timezone.now() + timedelta(days=7))
        return Event.objects.create(
            group=group, title_de=fields.pop("title_de", f"Treffen {counter['n']}"),
            title_en=fields.pop("title_en", f"Meeting {counter['n']}"),
            slug=fields.pop("slug", f"treffen-{counter['n']}"), starts_at=starts,
            ends_at=fields.pop("ends_at", starts + timedelta(hours=2)), **fields)

    return make


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
