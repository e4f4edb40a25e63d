import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def _render(group, user):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load events %}{% upcoming_events group %}")
    return template.render(Context({"request": request, "group": group}))


def test_upcoming_events_tag_hides_members_only_from_non_members(group, event, members_event,
                                                                 member, citizen, lead):
    """The group page's event list shows members-only events to members only."""
    for user in (AnonymousUser(), citizen):
        html = _render(group, user)
        assert event.title_de in html and members_event.title_de not in html
        assert "/events/new/" not in html
    assert members_event.title_de in _render(group, member)
    assert "/events/new/?group=mobilitaet" in _render(group, lead)
    assert "/working-groups/mobilitaet/events.ics" in _render(group, citizen)
