import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from stadtallianz.core.models import AuditEntry
from stadtallianz.workinggroups import services
from stadtallianz.workinggroups.models import GroupMembership, GroupOrganisation, WorkingGroup

pytestmark = pytest.mark.django_db
Policy = WorkingGroup.JoinPolicy
State = GroupMembership.State
Role = GroupMembership.Role


def test_coordinator_creates_a_group_with_a_lead_and_an_audit_entry(coordinator, lead,
                                                                    focus_area):
    """The coordinator founds a group; the named person becomes its lead, the log records it."""
    group = services.group_create(by=coordinator, data={"name_de": "Klima & Energie"},
                                  focus_areas=[focus_area], leads=[lead])
    assert group.slug == "klima-energie"
    assert group.memberships.get().is_lead
    assert AuditEntry.objects.filter(action="workinggroup.created").count() == 1


def test_only_the_coordinator_creates_groups(lead, focus_area):
    """Anyone else is refused by the service itself."""
    with pytest.raises(PermissionDenied):
        services.group_create(by=lead, data={"name_de": "X"}, focus_areas=[focus_area])


def test_a_group_needs_a_focus_area(coordinator):
    """A group without a focus area is refused, naming the field; nothing is written."""
    with pytest.raises(ValidationError) as error:
        services.group_create(by=coordinator, data={"name_de": "X"}, focus_areas=[])
    assert "focus_areas" in error.value.error_dict
    assert not WorkingGroup.objects.exists()


def test_a_lead_updates_the_group(group, lead):
    services.group_update(group=group, by=lead, data={"name_en": "Mobility"})
    group.refresh_from_db()
    assert group.name_en == "Mobility"
    entry = AuditEntry.objects.get(action="workinggroup.changed")
    assert entry.after == {"name_en": "Mobility"}


def test_a_member_cannot_update_the_group(group, member):
    with pytest.raises(PermissionDenied):
        services.group_update(group=group, by=member, data={"name_en": "Mobility"})


def test_archive_and_reactivate_by_the_coordinator_only(group, coordinator, lead):
    with pytest.raises(PermissionDenied):
        services.group_archive(group=group, by=lead)
    services.group_archive(group=group, by=coordinator)
    assert WorkingGroup.objects.get().state == "archived"
    services.group_reactivate(group=group, by=coordinator)
    assert WorkingGroup.objects.get().state == "active"
    assert AuditEntry.objects.filter(action__in=["workinggroup.archived",
                                                 "workinggroup.reactivated"]).count() == 2


def test_joining_an_open_group_is_immediate(group, citizen):
    membership = services.membership_join(group=group, by=citizen)
    assert membership.state == State.ACTIVE and membership.role == Role.MEMBER
    assert AuditEntry.objects.filter(action="workinggroup.member.joined").exists()


def test_joining_on_request_waits_and_notifies_the_leads(make_group, lead, citizen,
                                                         django_capture_on_commit_callbacks):
    """The request carries a message; each lead gets an e-mail in their own language."""
    group = make_group(join_policy=Policy.REQUEST, leads=[lead])
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_join(group=group, by=citizen, message=" Ich helfe! ")
    assert membership.state == State.REQUESTED and membership.message == "Ich helfe!"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@example.org"]
    assert mail.outbox[0].subject.startswith("Request to join")  # lead prefers English
    assert "Ich helfe!" in mail.outbox[0].body


def test_groups_by_invitation_refuse_joining(make_group, citizen):
    group = make_group(join_policy=Policy.INVITATION)
    with pytest.raises(ValidationError):
        services.membership_join(group=group, by=citizen)
    assert not GroupMembership.objects.filter(user=citizen).exists()


def test_archived_groups_accept_no_joins(make_group, citizen):
    group = make_group(state=WorkingGroup.State.ARCHIVED)
    with pytest.raises(ValidationError):
        services.membership_join(group=group, by=citizen)


def test_joining_twice_is_refused(group, member):
    with pytest.raises(ValidationError):
        services.membership_join(group=group, by=member)


@pytest.mark.parametrize("approve", [True, False])
def test_a_lead_decides_a_request_and_the_person_is_told(
        make_group, lead, citizen, approve, django_capture_on_commit_callbacks):
    """Approved: active member. Declined: the request is gone. The person gets the message."""
    group = make_group(join_policy=Policy.REQUEST, leads=[lead])
    request = services.membership_join(group=group, by=citizen, message="Bitte")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_decide(membership=request, by=lead, approve=approve,
                                   message="Willkommen" if approve else "Leider voll")
    exists = GroupMembership.objects.filter(user=citizen, state=State.ACTIVE).exists()
    assert exists is approve
    assert mail.outbox[0].to == [citizen.email]
    assert ("Willkommen" if approve else "Leider voll") in mail.outbox[0].body
    action = "workinggroup.request.approved" if approve else "workinggroup.request.declined"
    assert AuditEntry.objects.filter(action=action).exists()


def test_a_member_cannot_decide_requests(make_group, lead, member, citizen):
    group = make_group(join_policy=Policy.REQUEST, leads=[lead], members=[member])
    request = services.membership_join(group=group, by=citizen)
    with pytest.raises(PermissionDenied):
        services.membership_decide(membership=request, by=member, approve=True)


def test_the_lead_of_another_group_cannot_decide(make_group, lead, other_lead, citizen):
    group = make_group(join_policy=Policy.REQUEST, leads=[lead])
    request = services.membership_join(group=group, by=citizen)
    with pytest.raises(PermissionDenied):
        services.membership_decide(membership=request, by=other_lead, approve=True)


def test_invitation_accepted_and_declined(make_group, lead, citizen, member,
                                          django_capture_on_commit_callbacks):
    group = make_group(join_policy=Policy.INVITATION, leads=[lead])
    with django_capture_on_commit_callbacks(execute=True):
        invited = services.membership_invite(group=group, by=lead, email="CITIZEN@example.org")
    assert invited.state == State.INVITED
    assert mail.outbox[-1].to == [citizen.email]
    services.membership_respond(membership=invited, by=citizen, accept=True)
    assert GroupMembership.objects.get(user=citizen).state == State.ACTIVE
    second = services.membership_invite(group=group, by=lead, email=member.email)
    assert services.membership_respond(membership=second, by=member, accept=False) is None
    assert not GroupMembership.objects.filter(user=member).exists()


def test_only_the_invited_person_answers(make_group, lead, citizen, member):
    group = make_group(join_policy=Policy.INVITATION, leads=[lead])
    invited = services.membership_invite(group=group, by=lead, email=citizen.email)
    with pytest.raises(PermissionDenied):
        services.membership_respond(membership=invited, by=member, accept=True)


def test_inviting_an_unknown_address_names_the_field(group, lead):
    with pytest.raises(ValidationError) as error:
        services.membership_invite(group=group, by=lead, email="nobody@example.org")
    assert "email" in error.value.error_dict


def test_inviting_a_member_is_refused(group, lead, member):
    with pytest.raises(ValidationError):
        services.membership_invite(group=group, by=lead, email=member.email)


def test_the_last_lead_cannot_leave_while_others_remain(group, lead, member):
    lead_membership = GroupMembership.objects.get(user=lead)
    with pytest.raises(ValidationError):
        services.membership_leave(membership=lead_membership, by=lead)
    services.membership_leave(membership=GroupMembership.objects.get(user=member), by=member)
    # Alone in the group, the lead may go.
    services.membership_leave(membership=lead_membership, by=lead)
    assert not GroupMembership.objects.exists()
    assert AuditEntry.objects.filter(action="workinggroup.member.left").count() == 2


def test_leads_manage_co_leads(group, lead, member):
    """A lead makes a member co-lead; then the first lead may step down."""
    membership = GroupMembership.objects.get(user=member)
    services.membership_set_role(membership=membership, by=lead, role=Role.LEAD)
    own = GroupMembership.objects.get(user=lead)
    services.membership_set_role(membership=own, by=lead, role=Role.MEMBER)
    assert list(GroupMembership.objects.filter(role=Role.LEAD).values_list("user", flat=True)) \
        == [member.pk]
    with pytest.raises(ValidationError):
        services.membership_set_role(membership=GroupMembership.objects.get(user=member),
                                     by=member, role=Role.MEMBER)


def test_a_member_cannot_change_roles_or_remove_others(group, lead, member):
    with pytest.raises(PermissionDenied):
        services.membership_set_role(membership=GroupMembership.objects.get(user=member),
                                     by=member, role=Role.LEAD)
    with pytest.raises(PermissionDenied):
        services.membership_leave(membership=GroupMembership.objects.get(user=lead), by=member)


def test_coordinator_can_do_what_a_lead_can(group, coordinator, member):
    membership = GroupMembership.objects.get(user=member)
    services.membership_set_role(membership=membership, by=coordinator, role=Role.LEAD)
    services.membership_invite(group=group, by=coordinator, email=coordinator.email)
    assert GroupMembership.objects.filter(role=Role.LEAD).count() == 2


def test_leads_add_and_remove_member_organisations(group, lead, organisation, member):
    services.organisation_add(group=group, by=lead, organisation=organisation)
    assert list(group.organisations.all()) == [organisation]
    with pytest.raises(ValidationError):
        services.organisation_add(group=group, by=lead, organisation=organisation)
    with pytest.raises(PermissionDenied):
        services.organisation_remove(group=group, by=member, organisation=organisation)
    services.organisation_remove(group=group, by=lead, organisation=organisation)
    assert not GroupOrganisation.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="workinggroup.organisation.").count() == 2


def test_only_partners_can_be_member_organisations(group, lead, make_organisation):
    from stadtallianz.partners.models import Organisation

    draft = make_organisation("Entwurf", status=Organisation.Status.DRAFT)
    with pytest.raises(ValidationError):
        services.organisation_add(group=group, by=lead, organisation=draft)


def test_nothing_is_managed_in_an_archived_group(group, lead, coordinator, citizen):
    services.group_archive(group=group, by=coordinator)
    with pytest.raises(PermissionDenied):
        services.membership_invite(group=group, by=lead, email=citizen.email)
    with pytest.raises(PermissionDenied):
        services.group_update(group=group, by=lead, data={"name_en": "x"})
