"""Working groups through the API: people, requests, invitations, roles, organisations, and the
coordinator's group changes. Every endpoint for every role, the denied paths first."""

import pytest
from django.test import Client

from stadtallianz.core.models import AuditEntry, FocusArea
from stadtallianz.core.testing import field_errors, query_count
from stadtallianz.workinggroups.models import GroupMembership, GroupOrganisation, WorkingGroup
from stadtallianz.workinggroups.tests.api_fixtures import *  # noqa: F403 - the shared people and group
from stadtallianz.workinggroups.tests.api_fixtures import ROLES

pytestmark = pytest.mark.django_db
URL = "/api/v1/working-groups"
MANAGERS = {"lead", "coordinator"}


@pytest.fixture
def requester(make_user, group):
    user = make_user("requester@example.org", full_name="Rita Request")
    return GroupMembership.objects.create(group=group, user=user, message="Ich möchte mitmachen.",
                                          state=GroupMembership.State.REQUESTED)


@pytest.fixture
def invitee(make_user, group):
    user = make_user("invitee@example.org", full_name="Ina Invited")
    GroupMembership.objects.create(group=group, user=user, state=GroupMembership.State.INVITED)
    return user


def _membership(group, user):
    return GroupMembership.objects.get(group=group, user=user)


def manage_calls(group, requester, member, organisation):
    """Each lead's endpoint with a valid body, and what it would change."""
    return [
        ("POST", f"{URL}/{group.slug}/requests/{requester.pk}/approve", {"message": "Willkommen"}),
        ("POST", f"{URL}/{group.slug}/requests/{requester.pk}/decline", {"message": "Leider"}),
        ("POST", f"{URL}/{group.slug}/invitations", {"email": "citizen@example.org"}),
        ("PATCH", f"{URL}/{group.slug}/members/{_membership(group, member).pk}",
         {"role": "lead"}),
        ("DELETE", f"{URL}/{group.slug}/members/{_membership(group, member).pk}", None),
        ("POST", f"{URL}/{group.slug}/organisations", {"organisation": organisation.slug}),
    ]


def _no_change(group):
    return not AuditEntry.objects.filter(action__startswith="workinggroup.").exists()


# --- The members list --------------------------------------------------------------------------


def test_a_visitor_gets_401_for_the_members_list(call, group):
    response = call("GET", f"{URL}/{group.slug}/members")
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["citizen", "partner_member", "outsider", "member"])
def test_logged_in_people_see_active_members_only(call, key_for, group, requester, invitee, role):
    response = call("GET", f"{URL}/{group.slug}/members", key=key_for(role))
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [(i["name"], i["role"]) for i in items] == [("Lena Lead", "lead"),
                                                       ("Mia Member", "member")]
    assert all(i["message"] is None for i in items)
    assert "Rita" not in response.content.decode() and "Ina" not in response.content.decode()


@pytest.mark.parametrize("role", ["lead", "coordinator"])
def test_leads_also_see_requests_with_their_message_and_invitations(call, key_for, group,
                                                                    requester, invitee, role):
    items = call("GET", f"{URL}/{group.slug}/members", key=key_for(role)).json()["items"]
    by_name = {i["name"]: i for i in items}
    assert by_name["Rita Request"]["state"] == "requested"
    assert by_name["Rita Request"]["message"] == "Ich möchte mitmachen."
    assert by_name["Ina Invited"]["state"] == "invited"
    assert by_name["Lena Lead"]["state"] == "active"


def test_the_members_list_of_an_unknown_group_is_404(call, key_for, group):
    assert call("GET", f"{URL}/gibt-es-nicht/members", key=key_for("citizen")).status_code == 404


def test_the_members_list_query_count_does_not_grow(client_for, group, lead, make_user):
    client = client_for(lead)
    path = f"{URL}/{group.slug}/members"

    def add(count, state):
        for _n in range(count):
            user = make_user(f"p{GroupMembership.objects.count()}@example.org")
            GroupMembership.objects.create(group=group, user=user, state=state)

    add(1, GroupMembership.State.REQUESTED)
    few = query_count(client.get, path)
    add(10, GroupMembership.State.ACTIVE)
    add(5, GroupMembership.State.INVITED)
    assert query_count(client.get, path) == few
    assert client.get(path).json()["count"] == 18


# --- Who may manage ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r not in MANAGERS])
def test_no_one_but_leads_and_the_coordinator_manages_members(call, key_for, group, requester,
                                                              member, organisation, role,
                                                              citizen):
    key = key_for(role)
    for method, path, body in manage_calls(group, requester, member, organisation):
        response = call(method, path, body, key=key)
        assert response.status_code == (401 if role is None else 403), (method, path)
    assert _no_change(group)
    assert GroupMembership.objects.filter(group=group).count() == 3
    assert not GroupOrganisation.objects.exists()


@pytest.mark.parametrize("role", sorted(MANAGERS))
def test_leads_and_the_coordinator_manage_members(call, key_for, group, requester, member,
                                                  organisation, citizen, role):
    key = key_for(role)
    calls = manage_calls(group, requester, member, organisation)
    expected = [200, None, 201, 200, 204, 201]  # decline after approve is checked elsewhere
    for (method, path, body), status in zip(calls, expected, strict=True):
        if status is None:
            continue
        response = call(method, path, body, key=key)
        assert response.status_code == status, (method, path, response.content)
    assert _membership(group, requester.user).state == GroupMembership.State.ACTIVE
    assert _membership(group, citizen).state == GroupMembership.State.INVITED
    assert not GroupMembership.objects.filter(group=group, user=member).exists()
    assert GroupOrganisation.objects.filter(group=group, organisation=organisation).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"workinggroup.request.approved", "workinggroup.member.invited",
            "workinggroup.member.role_changed", "workinggroup.member.removed",
            "workinggroup.organisation.added"} <= actions


def test_a_session_without_the_csrf_token_changes_nothing(group, lead, requester):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(f"{URL}/{group.slug}/requests/{requester.pk}/approve", data="{}",
                           content_type="application/json")
    assert response.status_code == 403
    assert _membership(group, requester.user).state == GroupMembership.State.REQUESTED


def test_an_archived_group_is_managed_by_no_one(call, key_for, group, requester):
    group.state = WorkingGroup.State.ARCHIVED
    group.save()
    for role in ("lead", "coordinator"):
        response = call("POST", f"{URL}/{group.slug}/requests/{requester.pk}/approve", {},
                        key=key_for(role))
        assert response.status_code == 403


# --- Requests ----------------------------------------------------------------------------------


def test_approving_lets_the_person_in_and_a_second_decision_is_409(call, key_for, group,
                                                                   requester, mailoutbox):
    key = key_for("lead")
    path = f"{URL}/{group.slug}/requests/{requester.pk}/approve"
    response = call("POST", path, {"message": "Herzlich willkommen"}, key=key)
    assert response.status_code == 200
    assert response.json()["state"] == "active"
    again = call("POST", f"{URL}/{group.slug}/requests/{requester.pk}/decline?lang=en", {},
                 key=key)
    assert again.status_code == 409
    assert "already been decided" in again.json()["detail"]


def test_declining_removes_the_request(call, key_for, group, requester):
    response = call("POST", f"{URL}/{group.slug}/requests/{requester.pk}/decline",
                    {"message": "Die Gruppe ist voll."}, key=key_for("lead"))
    assert response.status_code == 204
    assert not GroupMembership.objects.filter(pk=requester.pk).exists()
    entry = AuditEntry.objects.get(action="workinggroup.request.declined")
    assert entry.after["message"] == "Die Gruppe ist voll."


def test_a_too_long_decision_message_is_422(call, key_for, group, requester):
    response = call("POST", f"{URL}/{group.slug}/requests/{requester.pk}/approve",
                    {"message": "x" * 2001}, key=key_for("lead"))
    assert field_errors(response) == {"message"}
    assert _membership(group, requester.user).state == GroupMembership.State.REQUESTED


def test_a_membership_of_another_group_is_404(call, key_for, group, outsider, requester):
    other = GroupMembership.objects.get(user=outsider)
    response = call("POST", f"{URL}/{group.slug}/requests/{other.pk}/approve", {},
                    key=key_for("lead"))
    assert response.status_code == 404


# --- Invitations -------------------------------------------------------------------------------


@pytest.mark.parametrize(("email", "why"), [
    ("nobody@example.org", "unknown"), ("gmember@example.org", "member"),
    ("invitee@example.org", "invited"), ("", "empty")])
def test_an_invitation_to_an_unknown_person_or_a_member_is_422_naming_email(
        call, key_for, group, invitee, email, why):
    response = call("POST", f"{URL}/{group.slug}/invitations", {"email": email},
                    key=key_for("lead"))
    assert field_errors(response) == {"email"}, why


def test_the_invited_person_accepts(call, key_for, token_for, group, invitee):
    response = call("POST", f"{URL}/{group.slug}/invitation/accept", key=token_for(invitee))
    assert response.status_code == 200, response.content
    assert response.json() == {"group": group.slug, "role": "member", "state": "active"}
    again = call("POST", f"{URL}/{group.slug}/invitation/accept", key=token_for(invitee))
    assert again.status_code == 409


def test_the_invited_person_declines(call, token_for, group, invitee):
    response = call("POST", f"{URL}/{group.slug}/invitation/decline", key=token_for(invitee))
    assert response.status_code == 204
    assert not GroupMembership.objects.filter(group=group, user=invitee).exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_invited_person_answers_an_invitation(call, key_for, group, invitee, role):
    for answer in ("accept", "decline"):
        response = call("POST", f"{URL}/{group.slug}/invitation/{answer}", key=key_for(role))
        # A visitor is not authenticated; people without a membership have nothing to answer;
        # members have no open invitation.
        expected = {None: 401, "member": 409, "lead": 409}.get(role, 404)
        assert response.status_code == expected, (role, answer)
    assert _membership(group, invitee).state == GroupMembership.State.INVITED


# --- Roles and removal -------------------------------------------------------------------------


def test_a_member_becomes_lead_and_back(call, key_for, group, member):
    path = f"{URL}/{group.slug}/members/{_membership(group, member).pk}"
    assert call("PATCH", path, {"role": "lead"}, key=key_for("lead")).json()["role"] == "lead"
    assert call("PATCH", path, {"role": "member"}, key=key_for("coordinator")).status_code == 200


def test_the_last_lead_cannot_become_a_member_nor_be_removed(call, key_for, group, lead):
    path = f"{URL}/{group.slug}/members/{_membership(group, lead).pk}"
    assert call("PATCH", path, {"role": "member"}, key=key_for("coordinator")).status_code == 409
    assert call("DELETE", path, key=key_for("coordinator")).status_code == 409
    assert _membership(group, lead).is_lead


def test_an_unknown_role_is_422_naming_role(call, key_for, group, member):
    path = f"{URL}/{group.slug}/members/{_membership(group, member).pk}"
    assert field_errors(call("PATCH", path, {"role": "king"}, key=key_for("lead"))) == {"role"}


def test_a_pending_request_has_no_role(call, key_for, group, requester):
    path = f"{URL}/{group.slug}/members/{requester.pk}"
    assert call("PATCH", path, {"role": "lead"}, key=key_for("lead")).status_code == 409


# --- Member organisations ----------------------------------------------------------------------


def test_organisations_are_added_once_and_removed(call, key_for, group, organisation):
    key = key_for("lead")
    path = f"{URL}/{group.slug}/organisations"
    response = call("POST", path, {"organisation": organisation.slug}, key=key)
    assert response.status_code == 201
    assert response.json()["slug"] == organisation.slug
    assert field_errors(call("POST", path, {"organisation": organisation.slug}, key=key)) \
        == {"organisation"}
    assert call("DELETE", f"{path}/{organisation.slug}", key=key).status_code == 204
    assert call("DELETE", f"{path}/{organisation.slug}", key=key).status_code == 404
    assert [e.action for e in AuditEntry.objects.order_by("pk")] == [
        "workinggroup.organisation.added", "workinggroup.organisation.removed"]


def test_only_alliance_partners_are_added(call, key_for, group, make_organisation):
    from stadtallianz.partners.models import Organisation

    draft = make_organisation("Entwurf GmbH", status=Organisation.Status.DRAFT)
    for slug in (draft.slug, "gibt-es-nicht"):
        response = call("POST", f"{URL}/{group.slug}/organisations", {"organisation": slug},
                        key=key_for("lead"))
        assert field_errors(response) == {"organisation"}


@pytest.mark.parametrize("role", [r for r in ROLES if r not in MANAGERS])
def test_no_one_else_removes_an_organisation(call, key_for, group, organisation, role):
    GroupOrganisation.objects.create(group=group, organisation=organisation)
    response = call("DELETE", f"{URL}/{group.slug}/organisations/{organisation.slug}",
                    key=key_for(role))
    assert response.status_code == (401 if role is None else 403)
    assert GroupOrganisation.objects.exists()


# --- Creating, changing, archiving groups ------------------------------------------------------


def _new_group(**fields):
    area = FocusArea.objects.active().first()
    return {"name_de": "Klimaanpassung", "name_en": "Climate adaptation",
            "description_de": "Hitze und Starkregen.", "join_policy": "request",
            "focus_areas": [area.slug], "leads": ["lead@example.org"], **fields}


def test_the_coordinator_creates_a_group_with_its_first_lead(call, key_for, lead):
    response = call("POST", URL, _new_group(), key=key_for("coordinator"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "klimaanpassung" and body["join_policy"] == "request"
    assert body["leads"] == [{"name": "Lena Lead"}]
    group = WorkingGroup.objects.get(slug="klimaanpassung")
    assert _membership(group, lead).is_lead
    assert AuditEntry.objects.filter(action="workinggroup.created").count() == 1


@pytest.mark.parametrize("role", [r for r in ROLES if r != "coordinator"])
def test_no_one_else_creates_a_group(call, key_for, group, role):
    response = call("POST", URL, _new_group(name_de="Heimlich"), key=key_for(role))
    assert response.status_code == (401 if role is None else 403)
    assert not WorkingGroup.objects.filter(name_de="Heimlich").exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"name_de": ""}, "name_de"), ({"name_de": "x" * 201}, "name_de"),
    ({"focus_areas": []}, "focus_areas"), ({"focus_areas": ["gibt-es-nicht"]}, "focus_areas"),
    ({"join_policy": "secret"}, "join_policy"), ({"leads": ["nobody@example.org"]}, "leads"),
    ({"name_en": "a\x00b"}, "name_en")])
def test_a_bad_new_group_is_422_naming_the_field(call, key_for, lead, fields, field):
    response = call("POST", URL, _new_group(**fields), key=key_for("coordinator"))
    assert field in field_errors(response)
    assert not WorkingGroup.objects.exists()


@pytest.mark.parametrize(("role", "status"), [
    (None, 401), ("citizen", 403), ("partner_admin", 403), ("outsider", 403), ("member", 403),
    ("lead", 200), ("coordinator", 200)])
def test_leads_and_the_coordinator_change_a_group(call, key_for, group, role, status):
    response = call("PATCH", f"{URL}/{group.slug}", {"description_de": "Neu."},
                    key=key_for(role))
    assert response.status_code == status
    group.refresh_from_db()
    assert (group.description_de == "Neu.") == (status == 200)


def test_a_change_keeps_what_was_not_sent(call, key_for, group):
    response = call("PATCH", f"{URL}/{group.slug}", {"name_en": "Mobility of tomorrow"},
                    key=key_for("lead"))
    assert response.json()["name_de"] == "Mobilität"
    assert response.json()["name_en"] == "Mobility of tomorrow"
    entry = AuditEntry.objects.get(action="workinggroup.changed")
    assert set(entry.after) == {"name_en"}


@pytest.mark.parametrize(("body", "field"), [
    ({"name_de": None}, "name_de"), ({"name_de": ""}, "name_de"),
    ({"focus_areas": ["nope"]}, "focus_areas"), ({"join_policy": None}, "join_policy")])
def test_a_bad_change_is_422_naming_the_field(call, key_for, group, body, field):
    response = call("PATCH", f"{URL}/{group.slug}", body, key=key_for("lead"))
    assert field in field_errors(response)
    group.refresh_from_db()
    assert group.name_de == "Mobilität"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "coordinator"])
def test_only_the_coordinator_archives(call, key_for, group, role):
    response = call("POST", f"{URL}/{group.slug}/archive", key=key_for(role))
    assert response.status_code == (401 if role is None else 403)
    group.refresh_from_db()
    assert group.is_active


def test_the_coordinator_archives_and_reactivates(call, key_for, group):
    key = key_for("coordinator")
    assert call("POST", f"{URL}/{group.slug}/archive", key=key).json()["state"] == "archived"
    # An archived group: its lead no longer changes it, the coordinator still does.
    assert call("PATCH", f"{URL}/{group.slug}", {"name_en": "X"},
                key=key_for("lead")).status_code == 403
    assert call("POST", f"{URL}/{group.slug}/reactivate", key=key).json()["state"] == "active"
    assert [e.action for e in AuditEntry.objects.order_by("pk")] == [
        "workinggroup.archived", "workinggroup.reactivated"]


def test_writes_to_an_unknown_group_are_404(call, key_for):
    key = key_for("coordinator")
    for method, path, body in [
            ("PATCH", f"{URL}/nope", {"name_en": "X"}), ("POST", f"{URL}/nope/archive", None),
            ("POST", f"{URL}/nope/invitations", {"email": "a@b.org"}),
            ("DELETE", f"{URL}/nope/members/1", None)]:
        assert call(method, path, body, key=key).status_code == 404, path
