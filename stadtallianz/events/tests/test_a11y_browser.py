"""The events list and an event page in a real browser: axe-core finds no serious problem and
the strict Content Security Policy blocks nothing, in both languages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import DEMO_PASSWORD
from stadtallianz.events import services
from stadtallianz.events.models import Event
from tests.browser.conftest import axe_violations, browser, login, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def planned(group, lead, member, make_event):
    """A hybrid event with agenda, minutes, capacity and a waiting list; a past one."""
    event = make_event(group, slug="radtreffen", title_de="Radtreffen",
                       title_en="Cycling meetup", format=Event.Format.HYBRID,
                       address="Stadthaus 1, Münster", room_notes="Raum 101",
                       accessibility_notes="Stufenloser Zugang", capacity=1,
                       latitude="51.961800", longitude="7.628000",
                       online_link="https://meet.example.org/x",
                       description_de="Wir planen **Radwege**.", agenda="1. Begrüßung\n2. Pläne",
                       minutes="## Ergebnisse\n\n- Neue Route")
    make_event(None, slug="alt", starts_at=timezone.now() - timedelta(days=10))
    services.registration_register(event=event, by=member)
    services.registration_register(event=event, by=lead)  # waiting list
    return event


@pytest.mark.parametrize("language", ["de", "en"])
def test_events_list_and_event_page_are_accessible(page, live_server, planned, lead,  # noqa: F811
                                                   language):
    """As a lead on the waiting list: list, event page and attendance list pass axe and CSP."""
    login(page, live_server, lead.email, DEMO_PASSWORD, language)
    for path in ("/events/", "/events/radtreffen/", "/events/radtreffen/attendance/",
                 "/events/radtreffen/edit/"):
        response = page.goto(f"{live_server.url}/{language}{path}")
        assert response.status == 200 and page.url.endswith(path)
        assert page.locator("h1").count() == 1
        problems = axe_violations(page)
        assert problems == [], (path, problems)
    assert page.csp_violations == []


def test_visitor_event_page_is_accessible(page, live_server, planned):  # noqa: F811
    page.goto(f"{live_server.url}/de/events/radtreffen/")
    page.wait_for_selector("#event-map .leaflet-marker-icon", timeout=10000)
    assert axe_violations(page) == []
    assert page.csp_violations == []
