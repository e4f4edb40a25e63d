import pytest
from django.urls import reverse

from stadtallianz.core.testing import query_count
from stadtallianz.workinggroups.models import GroupMembership, GroupOrganisation, WorkingGroup

pytestmark = pytest.mark.django_db
Policy = WorkingGroup.JoinPolicy
State = GroupMembership.State

# Everyone but a lead of this group and the coordinator, with the answer on a management page.
DENIED = [(None, "login"), ("citizen", 403), ("member", 403), ("other_lead", 403)]
ALLOWED = ["lead", "coordinator"]


def _assert_denied(response, expected):
    if expected == "login":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected


def _manage_urls(group, target_pk, organisation_pk):
    slug = group.slug
    return [
        ("get", reverse("workinggroups:edit", args=[slug]), {}),
        ("post", reverse("workinggroups:edit", args=[slug]), {"name_de": "Neu"}),
        ("get", reverse("workinggroups:manage", args=[slug]), {}),
        ("post", reverse("workinggroups:manage", args=[slug]),
         {"action": "invite", "email": "citizen@example.org"}),
        ("post", reverse("workinggroups:decide", args=[slug, target_pk]),
         {"decision": "approve"}),
        ("post", reverse("workinggroups:member_role", args=[slug, target_pk]), {"role": "lead"}),
        ("post", reverse("workinggroups:member_remove", args=[slug, target_pk]), {}),
        ("post", reverse("workinggroups:organisation_remove", args=[slug, organisation_pk]), {}),
    ]


# --- Public pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, "citizen", "member", "lead", "other_lead", "coordinator"])
def test_everyone_sees_the_list_and_the_group_page(as_role, role, group, make_group):
    make_group("Archiv", slug="archiv", state=WorkingGroup.State.ARCHIVED)
    client = as_role(role)
    response = client.get(reverse("workinggroups:list"))
    assert response.status_code == 200
    names = [g.name_de for g in response.context["groups"]]
    assert names.index("Mobilität der Zukunft") < names.index("Archiv")  # active first
    response = client.get(group.get_absolute_url())
    assert response.status_code == 200
    assert "<h3>Ziel</h3>" in response.content.decode()  # description under a section heading


def test_visitors_see_counts_not_names(client, group):
    """The public learns how many people take part, not who; logged-in persons see names."""
    content = client.get(group.get_absolute_url()).content.decode()
    assert "Mia Member" not in content and "Lena Lead" not in content
    assert "2 Mitglieder" in content


def test_logged_in_persons_see_leads_and_members(client_for, citizen, group):
    content = client_for(citizen).get(group.get_absolute_url()).content.decode()
    assert "Mia Member" in content and "Lena Lead" in content


def test_unknown_group_is_404(client):
    assert client.get(reverse("workinggroups:detail", args=["nope"])).status_code == 404
    assert client.get(reverse("workinggroups:manage", args=["nope"])).status_code == 302


def test_filter_by_focus_area(client, make_group, focus_area):
    from stadtallianz.core.models import FocusArea

    other_area = FocusArea.objects.active().exclude(pk=focus_area.pk).first()
    other = make_group("Andere")
    other.focus_areas.set([other_area])
    make_group("Eigene")
    response = client.get(reverse("workinggroups:list"), {"focus": other_area.slug})
    assert [g.name_de for g in response.context["groups"]] == ["Andere"]


def test_the_list_query_count_does_not_grow(client, make_group, make_user, organisation):
    def build(count):
        for n in range(count):
            group = make_group()
            GroupMembership.objects.create(group=group, user=make_user(f"p{group.pk}-{n}@x.org"))
            GroupOrganisation.objects.create(group=group, organisation=organisation)

    url = reverse("workinggroups:list")
    build(2)
    few = query_count(client.get, url)
    build(20)
    assert query_count(client.get, url) == few


def test_the_group_page_query_count_does_not_grow(client_for, citizen, group, make_user,
                                                  make_organisation):
    client = client_for(citizen)
    url = group.get_absolute_url()
    few = query_count(client.get, url)
    for n in range(15):
        GroupMembership.objects.create(group=group, user=make_user(f"many{n}@x.org"))
        GroupOrganisation.objects.create(group=group, organisation=make_organisation())
    assert query_count(client.get, url) == few


# --- Joining and leaving ---------------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in_to_join(client, group):
    response = client.post(reverse("workinggroups:join", args=[group.slug]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_citizen_joins_an_open_group_and_leaves(client_for, citizen, group):
    client = client_for(citizen)
    client.post(reverse("workinggroups:join", args=[group.slug]))
    assert GroupMembership.objects.get(user=citizen).state == State.ACTIVE
    content = client.get(group.get_absolute_url()).content.decode()
    assert "Arbeitsgruppe verlassen" in content
    client.post(reverse("workinggroups:leave", args=[group.slug]))
    assert not GroupMembership.objects.filter(user=citizen).exists()


def test_join_and_leave_refuse_get(client_for, citizen, group):
    client = client_for(citizen)
    assert client.get(reverse("workinggroups:join", args=[group.slug])).status_code == 405
    assert client.get(reverse("workinggroups:leave", args=[group.slug])).status_code == 405


def test_request_with_message_then_lead_approves(client_for, citizen, lead, make_group):
    group = make_group(join_policy=Policy.REQUEST, leads=[lead])
    client_for(citizen).post(reverse("workinggroups:join", args=[group.slug]),
                             {"message": "Ich kenne mich mit Radwegen aus."})
    request = GroupMembership.objects.get(user=citizen)
    assert request.state == State.REQUESTED
    manage = client_for(lead).get(reverse("workinggroups:manage", args=[group.slug]))
    assert "Ich kenne mich mit Radwegen aus." in manage.content.decode()
    client_for(lead).post(reverse("workinggroups:decide", args=[group.slug, request.pk]),
                          {"decision": "approve", "message": "Willkommen"})
    request.refresh_from_db()
    assert request.state == State.ACTIVE and request.message == "Willkommen"


def test_invitation_only_group_shows_no_join_button(client_for, citizen, make_group):
    group = make_group(join_policy=Policy.INVITATION)
    content = client_for(citizen).get(group.get_absolute_url()).content.decode()
    assert reverse("workinggroups:join", args=[group.slug]) not in content
    client_for(citizen).post(reverse("workinggroups:join", args=[group.slug]))
    assert not GroupMembership.objects.filter(user=citizen).exists()


def test_invited_person_accepts_on_the_group_page(client_for, citizen, lead, make_group):
    group = make_group(join_policy=Policy.INVITATION, leads=[lead])
    client_for(lead).post(reverse("workinggroups:manage", args=[group.slug]),
                          {"action": "invite", "email": citizen.email})
    client = client_for(citizen)
    assert "Einladung annehmen" in client.get(group.get_absolute_url()).content.decode()
    client.post(reverse("workinggroups:respond", args=[group.slug]), {"answer": "accept"})
    assert GroupMembership.objects.get(user=citizen).state == State.ACTIVE


def test_invite_error_is_shown_next_to_the_field(client_for, lead, group):
    response = client_for(lead).post(reverse("workinggroups:manage", args=[group.slug]),
                                     {"action": "invite", "email": "nobody@example.org"})
    assert response.status_code == 200
    assert response.context["invite_form"].errors["email"]


def test_archived_group_is_read_only(client_for, citizen, lead, make_group):
    group = make_group(state=WorkingGroup.State.ARCHIVED, leads=[lead])
    content = client_for(citizen).get(group.get_absolute_url()).content.decode()
    assert reverse("workinggroups:join", args=[group.slug]) not in content
    client_for(citizen).post(reverse("workinggroups:join", args=[group.slug]))
    assert not GroupMembership.objects.filter(user=citizen).exists()
    assert client_for(lead).get(reverse("workinggroups:manage",
                                        args=[group.slug])).status_code == 403


# --- Management permissions ------------------------------------------------------------------


@pytest.fixture
def targets(group, make_user, organisation):
    """A pending request and a member organisation for the management actions to act on."""
    group.join_policy = Policy.REQUEST
    group.save()
    requester = make_user("requester@example.org")
    request = GroupMembership.objects.create(group=group, user=requester, state=State.REQUESTED)
    GroupOrganisation.objects.create(group=group, organisation=organisation)
    return request.pk, organisation.pk


@pytest.mark.parametrize(("role", "expected"), DENIED)
def test_management_is_denied(as_role, role, expected, group, targets, other_lead):
    client = as_role(role)
    for method, url, data in _manage_urls(group, *targets):
        _assert_denied(getattr(client, method)(url, data), expected)
    assert GroupMembership.objects.get(pk=targets[0]).state == State.REQUESTED
    assert GroupOrganisation.objects.count() == 1
    assert WorkingGroup.objects.get(pk=group.pk).name_de == "Mobilität der Zukunft"


@pytest.mark.parametrize("role", ALLOWED)
def test_management_is_allowed(as_role, role, group, targets):
    client = as_role(role)
    assert client.get(reverse("workinggroups:manage", args=[group.slug])).status_code == 200
    assert client.get(reverse("workinggroups:edit", args=[group.slug])).status_code == 200
    client.post(reverse("workinggroups:decide", args=[group.slug, targets[0]]),
                {"decision": "approve"})
    assert GroupMembership.objects.get(pk=targets[0]).state == State.ACTIVE
    client.post(reverse("workinggroups:organisation_remove", args=[group.slug, targets[1]]))
    assert not GroupOrganisation.objects.exists()


@pytest.mark.parametrize(("role", "expected"),
                         [*DENIED, ("lead", 403)])
def test_create_and_archive_are_for_the_coordinator(as_role, role, expected, group, lead,
                                                    other_lead, focus_area):
    client = as_role(role)
    _assert_denied(client.get(reverse("workinggroups:create")), expected)
    _assert_denied(client.post(reverse("workinggroups:create"),
                               {"name_de": "X", "focus_areas": [focus_area.pk],
                                "join_policy": "open"}), expected)
    _assert_denied(client.post(reverse("workinggroups:state", args=[group.slug]),
                               {"state": "archived"}), expected)
    assert WorkingGroup.objects.filter(state="active").count() == 2


def test_coordinator_creates_edits_and_archives(client_for, coordinator, lead, focus_area):
    client = client_for(coordinator)
    response = client.post(reverse("workinggroups:create"), {
        "name_de": "Digitale Verwaltung", "name_en": "Digital administration",
        "description_de": "Text", "focus_areas": [focus_area.pk], "join_policy": "request",
        "lead_email": lead.email})
    group = WorkingGroup.objects.get(slug="digitale-verwaltung")
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert group.memberships.get().user == lead
    client.post(reverse("workinggroups:state", args=[group.slug]), {"state": "archived"})
    group.refresh_from_db()
    assert group.state == "archived"
    client.post(reverse("workinggroups:state", args=[group.slug]), {"state": "active"})
    group.refresh_from_db()
    assert group.state == "active"


def test_create_form_errors_next_to_the_fields(client_for, coordinator):
    response = client_for(coordinator).post(reverse("workinggroups:create"),
                                            {"name_de": "", "join_policy": "open",
                                             "lead_email": "unknown@example.org"})
    form = response.context["form"]
    assert {"name_de", "focus_areas"} <= set(form.errors)
    assert not WorkingGroup.objects.exists()


def test_a_lead_removes_a_member_and_adds_an_organisation(client_for, lead, member, group,
                                                          organisation):
    client = client_for(lead)
    membership = GroupMembership.objects.get(user=member)
    client.post(reverse("workinggroups:manage", args=[group.slug]),
                {"action": "organisation", "organisation": organisation.pk})
    assert list(group.organisations.all()) == [organisation]
    client.post(reverse("workinggroups:member_remove", args=[group.slug, membership.pk]))
    assert not GroupMembership.objects.filter(user=member).exists()


def test_a_lead_cannot_act_on_another_groups_membership(client_for, lead, group, other_lead):
    """A membership id of another group is 404 on this group's management URLs."""
    foreign = GroupMembership.objects.get(user=other_lead)
    response = client_for(lead).post(
        reverse("workinggroups:member_remove", args=[group.slug, foreign.pk]))
    assert response.status_code == 404
    assert GroupMembership.objects.filter(pk=foreign.pk).exists()


def test_a_too_long_request_message_is_shown_with_its_error(client_for, citizen, lead,
                                                            make_group):
    """The request form comes back with the text and the error next to the field; nothing is
    stored."""
    group = make_group(join_policy=Policy.REQUEST, leads=[lead])
    response = client_for(citizen).post(reverse("workinggroups:join", args=[group.slug]),
                                        {"message": "x" * 2001})
    assert response.status_code == 400
    assert response.context["join_form"].errors["message"]
    html = response.content.decode()
    assert 'id="id_message_error"' in html
    # The error summary at the top links to the field (focus moves there: site.js).
    assert "data-error-summary" in html and 'href="#id_message"' in html
    assert not GroupMembership.objects.filter(user=citizen).exists()


def test_the_manage_page_query_count_does_not_grow(client_for, lead, group, make_user,
                                                   make_organisation):
    client = client_for(lead)
    url = reverse("workinggroups:manage", args=[group.slug])
    few = query_count(client.get, url)
    for n in range(10):
        GroupMembership.objects.create(group=group, user=make_user(f"m{n}@x.org"))
        GroupMembership.objects.create(group=group, user=make_user(f"r{n}@x.org"),
                                       state=State.REQUESTED, message="Bitte")
        GroupOrganisation.objects.create(group=group, organisation=make_organisation())
    assert query_count(client.get, url) == few
