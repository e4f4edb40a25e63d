"""The people and working group that the tests of several apps share.

A plain module, not a conftest: an app's conftest (or a test module) imports the fixtures it needs
by name, so they stay scoped to the apps that use them (other apps have a `member` of their own).
The people: `lead` and `member` of `group`, and `other_lead`, the lead of another group (also
known as `other_member` in the events and knowledge tests and `outsider` in the API tests).

Used as `from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403`: the fixtures
must be names in the conftest for pytest to find them, and a fixture that requests one of them
would otherwise be flagged as redefining an unused import (F811).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from stadtallianz.core.models import FocusArea
from stadtallianz.events.models import Event
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

__all__ = ["focus_area", "make_group", "lead", "member",
           "group_fields", "group", "other_lead", "make_event", "as_role"]

Role = GroupMembership.Role


@pytest.fixture
def focus_area(db):
    return FocusArea.objects.active().first()


@pytest.fixture
def make_group(db, focus_area):
    counter = {"n": 0}

    def make(name=None, *, join_policy=WorkingGroup.JoinPolicy.OPEN,
             state=WorkingGroup.State.ACTIVE, leads=(), members=(), **fields):
        counter["n"] += 1
        name = name or f"Gruppe {counter['n']}"
        group = WorkingGroup.objects.create(
            name_de=name, name_en=fields.pop("name_en", f"Group {counter['n']}"),
            slug=fields.pop("slug", f"gruppe-{counter['n']}"), join_policy=join_policy,
            state=state, **fields)
        # A transactional test (the browser tests) may run after the reference data was flushed.
        if focus_area is not None:
            group.focus_areas.add(focus_area)
        for user in leads:
            GroupMembership.objects.create(group=group, user=user, role=Role.LEAD)
        for user in members:
            GroupMembership.objects.create(group=group, user=user)
        return group

    return make


@pytest.fixture
def lead(make_user):
    return make_user("lead@example.org", full_name="Lena Lead", preferred_language="en")


@pytest.fixture
def member(make_user):
    return make_user("gmember@example.org", full_name="Mia Member")


@pytest.fixture
def group_fields():
    """What `group` is made with besides its slug and people; the API tests override it."""
    return {"name": "Mobilität der Zukunft", "name_en": "Future mobility",
            "description_de": "## Ziel\n\nWir bauen **Radwege**."}


@pytest.fixture
def group(make_group, lead, member, group_fields):
    return make_group(slug="mobilitaet", leads=[lead], members=[member], **group_fields)


@pytest.fixture
def other_lead(make_user, make_group):
    """The lead of a different working group: logged in, active elsewhere, not in `group`."""
    user = make_user("outsider@example.org", full_name="Olaf Outsider")
    make_group("Energie", slug="energie", leads=[user])
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
def as_role(request, client_for):
    """as_role("citizen") is a client logged in as that fixture's person; None is a visitor."""

    def make(role):
        if role is None:
            return client_for(None)
        return client_for(request.getfixturevalue(role))

    return make
