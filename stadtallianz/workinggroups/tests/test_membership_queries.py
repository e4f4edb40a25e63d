"""The one definition of "active member of a group" (`GroupMembership.objects.active()`, `.of`,
`.leads`, `WorkingGroup.objects.of_member`) that every app asks, and what it supplies to the
notifications below (`notifications.models.supply_member_groups`)."""

from django.contrib.auth.models import AnonymousUser

from stadtallianz.notifications.models import Notification
from stadtallianz.workinggroups import permissions
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

State = GroupMembership.State


def test_only_an_active_membership_makes_a_member(make_group, make_user, lead, member):
    asking = make_user("asking@example.org")
    invited = make_user("invited@example.org")
    group = make_group(leads=[lead], members=[member])
    GroupMembership.objects.create(group=group, user=asking, state=State.REQUESTED)
    GroupMembership.objects.create(group=group, user=invited, state=State.INVITED)
    other = make_group(members=[asking])

    in_group = GroupMembership.objects.active().filter(group=group)
    assert set(in_group.values_list("user__email", flat=True)) == {lead.email, member.email}
    assert list(GroupMembership.objects.active().leads().filter(group=group)
                .values_list("user__email", flat=True)) == [lead.email]
    assert list(WorkingGroup.objects.of_member(asking)) == [other]
    assert list(WorkingGroup.objects.of_member(invited)) == []
    assert [permissions.is_member(person, group) for person in (lead, member, asking, invited)] \
        == [True, True, False, False]
    assert [permissions.is_lead_of(person, group) for person in (lead, member)] == [True, False]


def test_an_anonymous_person_is_in_no_group_and_costs_no_query(
        make_group, lead, django_assert_num_queries):
    group = make_group(leads=[lead])
    visitor = AnonymousUser()
    with django_assert_num_queries(0):
        assert list(GroupMembership.objects.active().of(visitor)) == []
        assert not permissions.is_member(visitor, group)
        assert not permissions.is_lead_of(visitor, group)
        assert not permissions.is_member(lead, None)


def test_notifications_learn_the_active_groups_from_this_app(make_group, make_user, lead):
    """Notifications import nothing of the groups; the groups supply who is in which. A
    members-only notification is read by an active member, not by someone whose membership is
    only requested."""
    asking = make_user("asking@example.org")
    group = make_group(leads=[lead])
    membership = GroupMembership.objects.create(group=group, user=asking, state=State.REQUESTED)
    for person in (lead, asking):
        Notification.objects.create(recipient=person, kind="test", key="members", subject="S",
                                    body="B", members_of=group)
    assert Notification.objects.for_reader(lead).count() == 1
    assert Notification.objects.for_reader(asking).count() == 0
    membership.state = State.ACTIVE
    membership.save()
    assert Notification.objects.for_reader(asking).count() == 1
