"""`Event.objects.visible_to`, the one rule for who sees which event (pages, feeds, the group
page's tag, the API, documents of events), and the planning permissions the pages ask."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from stadtallianz.events import permissions
from stadtallianz.events.models import Event

pytestmark = pytest.mark.django_db

MEMBERS = Event.Visibility.MEMBERS


@pytest.fixture
def events(make_event, group, event, members_event):
    """A public and a members-only event of `group`, and a members-only one of the alliance."""
    alliance = make_event(None, slug="allianz-intern", visibility=MEMBERS)
    return {"public": event, "group": members_event, "alliance": alliance}


@pytest.mark.parametrize(("role", "expected"), [
    (None, {"public"}),
    ("citizen", {"public"}),
    # A member of another group: the alliance's members-only events are for any group.
    ("other_member", {"public", "alliance"}),
    ("member", {"public", "group", "alliance"}),
    ("lead", {"public", "group", "alliance"}),
    ("coordinator", {"public", "group", "alliance"}),
])
def test_who_sees_which_event(request, events, role, expected):
    user = AnonymousUser() if role is None else request.getfixturevalue(role)
    names = {pk: name for name, pk in ((name, e.pk) for name, e in events.items())}
    seen = {names[pk] for pk in Event.objects.visible_to(user).values_list("pk", flat=True)}
    assert seen == expected
    assert {name for name, e in events.items() if permissions.can_see(user, e)} == expected


def test_public_is_what_a_visitor_sees(events):
    assert set(Event.objects.public()) == set(Event.objects.visible_to(AnonymousUser())) \
        == {events["public"]}


def test_the_rule_costs_one_query_for_the_groups_whatever_their_number(
        events, member, make_group, django_assert_num_queries):
    for _ in range(3):
        make_group(members=[member])
    with django_assert_num_queries(2):
        assert len(list(Event.objects.visible_to(member))) == 3


@pytest.mark.parametrize(("role", "may"), [
    ("citizen", False), ("member", False), ("lead", False), ("coordinator", True)])
def test_only_the_coordinator_plans_for_any_group_and_sees_the_button(as_role, request, role,
                                                                      may):
    assert permissions.can_plan_for_any_group(request.getfixturevalue(role)) is may
    page = as_role(role).get(reverse("events:list")).content.decode()
    assert (reverse("events:create") in page) is may
