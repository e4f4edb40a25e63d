import pytest

from stadtallianz.core.models import FocusArea
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

Role = GroupMembership.Role
State = GroupMembership.State


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow by design; these tests create many accounts and never check passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
def other_lead(make_user, make_group):
    """The lead of a different working group."""
    user = make_user("other-lead@example.org", full_name="Olaf Otherlead")
    make_group("Andere Gruppe", slug="andere-gruppe", leads=[user])
    return user


@pytest.fixture
def group(make_group, lead, member):
    return make_group("Mobilität der Zukunft", slug="mobilitaet", name_en="Future mobility",
                      description_de="## Ziel\n\nWir bauen **Radwege**.", leads=[lead],
                      members=[member])


@pytest.fixture
def as_role(request, client_for):
    """as_role("citizen") is a client logged in as that fixture's person; None is a visitor."""

    def make(role):
        if role is None:
            return client_for(None)
        return client_for(request.getfixturevalue(role))

    return make
