from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from stadtallianz.core.models import FocusArea
from stadtallianz.events.models import Event
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow by design; these tests create many accounts and never check passwords."""
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
                                        slug="mobilitaet")
    # A transactional test (the browser tests) may run after the reference data was flushed.
    area = FocusArea.objects.active().first()
    if area is not None:
        group.focus_areas.add(area)
    GroupMembership.objects.create(group=group, user=lead, role=GroupMembership.Role.LEAD)
    GroupMembership.objects.create(group=group, user=member)
    return group


@pytest.fixture
def other_member(make_user):
    """A member (and lead) of a different working group."""
    user = make_user("other@example.org", full_name="Olaf Other")
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
def event(make_event, group):
    return make_event(group, slug="radtreffen", title_de="Radtreffen", title_en="Cycling meetup",
                      address="Stadthaus 1, Klemensstraße 10, 48143 Münster",
                      online_link="https://meet.example.org/secret-room",
                      format=Event.Format.HYBRID, agenda="1. **Begrüßung**",
                      starts_at=datetime(2030, 3, 5, 18, 0, tzinfo=BERLIN),
                      ends_at=datetime(2030, 3, 5, 20, 0, tzinfo=BERLIN))


@pytest.fixture
def members_event(make_event, group):
    return make_event(group, slug="intern", title_de="Internes Treffen",
                      title_en="Internal meeting", visibility=Event.Visibility.MEMBERS,
                      online_link="https://meet.example.org/internal")


@pytest.fixture
def as_role(request, client_for):
    def make(role):
        if role is None:
            return client_for(None)
        return client_for(request.getfixturevalue(role))

    return make
