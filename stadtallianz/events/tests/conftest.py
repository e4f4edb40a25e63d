from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from stadtallianz.events.models import Event

# The working groups' shared people and group.
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def other_member(other_lead):
    """A member (and lead) of a different working group."""
    return other_lead


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
