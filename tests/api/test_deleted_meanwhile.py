"""Issue 11, item 5, "objects deleted between read and write": a change of something another
request deletes at the same time answers 404, never a server error (changing a group membership
while it was being deleted was a 500, GroupMembership.DoesNotExist), and writes nothing — in
particular it does not bring a deleted row back.

The first tests pass a copy read before the deletion to the services (both databases); the last
ones make two requests really meet on PostgreSQL (tests/test_races.py): the deletion holds its
lock while the change waits for it.
"""

from datetime import date

import pytest
from django.db import connection
from django.http import Http404

from stadtallianz.core.testing import in_open_transaction
from stadtallianz.projects import services as project_services
from stadtallianz.projects.models import ConsortiumMember, Milestone, Project
from stadtallianz.workinggroups import services as group_services
from stadtallianz.workinggroups.models import GroupMembership
from stadtallianz.workinggroups.tests.api_fixtures import *  # noqa: F403

Role = GroupMembership.Role
State = GroupMembership.State


@pytest.fixture
def membership(group, member):
    return GroupMembership.objects.get(group=group, user=member)


@pytest.fixture
def project(partner_admin, organisation):
    return project_services.create_project(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Quartiersbus", "phase": Project.Phase.CONCEPT})


def _gone(row) -> None:
    type(row).objects.filter(pk=row.pk).delete()


CHANGES_OF_A_MEMBERSHIP = {
    "set role": lambda m, lead, member: group_services.membership_set_role(
        membership=m, by=lead, role=Role.LEAD),
    "remove": lambda m, lead, member: group_services.membership_leave(membership=m, by=lead),
    "leave": lambda m, lead, member: group_services.membership_leave(membership=m, by=member),
}


@pytest.mark.django_db
@pytest.mark.parametrize("change", CHANGES_OF_A_MEMBERSHIP, ids=str)
def test_a_change_of_a_membership_deleted_before_it_is_a_404(membership, lead, member, change):
    _gone(membership)
    with pytest.raises(Http404):
        CHANGES_OF_A_MEMBERSHIP[change](membership, lead, member)
    assert not GroupMembership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("approve", [True, False])
def test_deciding_a_request_withdrawn_before_is_a_404(group, lead, make_user, approve):
    person = make_user("asking@example.org")
    request = GroupMembership.objects.create(group=group, user=person, state=State.REQUESTED)
    _gone(request)
    with pytest.raises(Http404):
        group_services.membership_decide(membership=request, by=lead, approve=approve)
    assert not GroupMembership.objects.filter(pk=request.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [True, False])
def test_answering_an_invitation_withdrawn_before_is_a_404(group, make_user, accept):
    person = make_user("invited@example.org")
    invitation = GroupMembership.objects.create(group=group, user=person, state=State.INVITED)
    _gone(invitation)
    with pytest.raises(Http404):
        group_services.membership_respond(membership=invitation, by=person, accept=accept)


@pytest.mark.django_db
def test_a_consortium_invitation_withdrawn_before_is_a_404(project, other_admin, partner_admin):
    from stadtallianz.partners.models import Organisation

    other = Organisation.objects.get(memberships__user=other_admin)
    invitation = project_services.invite(project=project, actor=partner_admin,
                                         organisation=other, role=ConsortiumMember.Role.PARTNER)
    _gone(invitation)
    with pytest.raises(Http404):
        project_services.answer(member=invitation, actor=other_admin, accept=True)
    with pytest.raises(Http404):
        project_services.remove(member=invitation, actor=partner_admin)
    assert not ConsortiumMember.objects.filter(pk=invitation.pk).exists()


@pytest.mark.django_db
def test_a_project_part_deleted_before_it_is_changed_is_not_brought_back(project,
                                                                          partner_admin):
    milestone = project_services.save_part(
        project=project, actor=partner_admin, instance=Milestone(),
        data={"title": "Start", "due": date(2026, 6, 1)})
    _gone(milestone)
    with pytest.raises(Http404):
        project_services.save_part(project=project, actor=partner_admin, instance=milestone,
                                   data={"title": "Start verschoben"})
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["milestone", "result"])
def test_a_project_part_deleted_meanwhile_is_not_deleted_and_recorded_twice(
        project, partner_admin, part):
    from stadtallianz.core.models import AuditEntry
    from stadtallianz.projects.models import Result

    instance, data = {"milestone": (Milestone(), {"title": "Start", "due": date(2026, 6, 1)}),
                      "result": (Result(), {"title": "Fahrgäste", "progress": 10})}[part]
    instance = project_services.save_part(project=project, actor=partner_admin,
                                          instance=instance, data=data)
    project_services.delete_part(project=project, actor=partner_admin, instance=instance)
    recorded = AuditEntry.objects.filter(action__endswith=".deleted").count()
    with pytest.raises(Http404):  # a second request that read the part before it went
        project_services.delete_part(project=project, actor=partner_admin, instance=instance)
    assert AuditEntry.objects.filter(action__endswith=".deleted").count() == recorded == 1
    assert not type(instance).objects.filter(pk=instance.pk).exists()
    assert Result.objects.filter(project=project).count() == 0


@pytest.mark.django_db
def test_a_coauthor_invitation_withdrawn_before_is_a_404(citizen, make_user):
    from stadtallianz.ideas import services as idea_services
    from stadtallianz.ideas.models import CoAuthor

    guest = make_user("guest@example.org")
    idea = idea_services.idea_create(by=citizen, data={"title": "Mehr Bänke am Aasee",
                                                       "description": "Zum Ausruhen."})
    invitation = idea_services.coauthor_invite(idea=idea, by=citizen, email=guest.email)
    _gone(invitation)
    with pytest.raises(Http404):
        idea_services.coauthor_respond(coauthor=invitation, by=guest, accept=True)
    with pytest.raises(Http404):
        idea_services.coauthor_remove(coauthor=invitation, by=citizen)
    assert not CoAuthor.objects.filter(pk=invitation.pk).exists()


@pytest.mark.django_db
def test_a_partner_invitation_cancelled_before_is_a_404(organisation, partner_admin, make_user):
    from stadtallianz.partners import services as partner_services
    from stadtallianz.partners.models import Invitation, Membership

    person = make_user("joining@example.org")
    invitation = Invitation.objects.create(organisation=organisation, email=person.email,
                                           invited_by=partner_admin, token="t" * 40)
    _gone(invitation)
    with pytest.raises(Http404):
        partner_services.invitation_accept(invitation=invitation, by=person)
    with pytest.raises(Http404):
        partner_services.invitation_resend(invitation=invitation, by=partner_admin)
    assert not Membership.objects.filter(user=person).exists()


@pytest.mark.django_db
def test_the_api_answers_404_for_a_membership_that_is_gone(call, token_for, lead, group,
                                                           membership):
    key = token_for(lead)
    path = f"/api/v1/working-groups/{group.slug}/members/{membership.pk}"
    assert call("DELETE", path, key=key).status_code == 204
    assert call("PATCH", path, {"role": "lead"}, key=key).status_code == 404
    assert call("DELETE", path, key=key).status_code == 404


# ---------------------------------------------------------------------------------------------
# Two requests at once (PostgreSQL)

race = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")


@race
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["set role", "remove"], ids=str)
def test_changing_a_membership_while_it_is_being_deleted_is_a_404(membership, lead, member,
                                                                  change):
    stale = GroupMembership.objects.get(pk=membership.pk)
    # The member leaves; that transaction holds the group's lock for half a second more.
    thread, errors = in_open_transaction(
        lambda: group_services.membership_leave(membership=membership, by=member))
    with pytest.raises(Http404):
        CHANGES_OF_A_MEMBERSHIP[change](stale, lead, member)
    thread.join()
    assert errors == []
    assert not GroupMembership.objects.filter(pk=membership.pk).exists()


@race
@pytest.mark.django_db(transaction=True)
def test_the_api_answers_404_when_the_member_leaves_during_the_change(call, token_for, lead,
                                                                      member, group, membership):
    key = token_for(lead)
    path = f"/api/v1/working-groups/{group.slug}/members/{membership.pk}"
    thread, errors = in_open_transaction(
        lambda: group_services.membership_leave(membership=membership, by=member))
    # The API's read does not wait for the lock and still finds the row; the service then
    # waits for the group's lock and finds the membership gone.
    response = call("PATCH", path, {"role": "lead"}, key=key)
    thread.join()
    assert errors == []
    assert response.status_code == 404, response.content
    assert response.json()["detail"] in {"Nicht gefunden.", "Not found."}
