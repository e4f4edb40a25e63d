import pytest

from stadtallianz.accounts.models import ApiToken
from stadtallianz.core.testing import query_count
from stadtallianz.events import services
from stadtallianz.events.models import Event

pytestmark = pytest.mark.django_db
ROLES = [None, "citizen", "other_member", "member", "lead", "coordinator"]
SEES_MEMBERS_ONLY = {"member", "lead", "coordinator"}


@pytest.mark.parametrize("role", ROLES)
def test_members_only_events_hidden_from_non_members_in_api(as_role, role, event, members_event):
    """The list leaves members-only events out and their detail is 404 for non-members."""
    client = as_role(role)
    listed = {item["slug"] for item in client.get("/api/v1/events").json()["items"]}
    assert (members_event.slug in listed) == (role in SEES_MEMBERS_ONLY)
    assert event.slug in listed
    expected = 200 if role in SEES_MEMBERS_ONLY else 404
    assert client.get(f"/api/v1/events/{members_event.slug}").status_code == expected


def test_detail_has_ical_links_and_no_online_link_unless_registered(client_for, event, member):
    client = client_for(member)
    data = client.get("/api/v1/events/radtreffen").json()
    assert data["ical_url"].endswith("/events/radtreffen.ics")
    assert data["group_ical_url"].endswith("/working-groups/mobilitaet/events.ics")
    assert data["online_link"] is None and data["uid"] == event.uid
    assert data["starts_at"].startswith("2030-03-05T17:00:00")
    services.registration_register(event=event, by=member)
    assert client.get("/api/v1/events/radtreffen").json()["online_link"] == event.online_link
    assert "secret" not in str(client_for(None).get("/api/v1/events/radtreffen").json())


def test_token_holder_member_sees_members_only_event(client, members_event, member, citizen):
    """With a personal API token the caller is that person, with their group memberships."""
    _token, key = ApiToken.issue(user=member, name="test")
    response = client.get(f"/api/v1/events/{members_event.slug}",
                          HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    _token, key = ApiToken.issue(user=citizen, name="test")
    response = client.get(f"/api/v1/events/{members_event.slug}",
                          HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 404


def test_list_filters_and_pagination(client, make_event, group, event):
    make_event(None, slug="allianz")
    data = client.get("/api/v1/events", {"group": "alliance"}).json()
    assert [item["slug"] for item in data["items"]] == ["allianz"]
    assert data["items"][0]["group"] is None
    data = client.get("/api/v1/events", {"group": "mobilitaet", "limit": 1}).json()
    assert data["count"] == 1 and data["items"][0]["slug"] == "radtreffen"


def test_unknown_or_malformed_slug_is_404(client):
    assert client.get("/api/v1/events/nope").status_code == 404
    assert client.get("/api/v1/events/a%20b").status_code == 404


def test_list_query_count_constant(client_for, make_event, group, member):
    client = client_for(member)
    make_event(group)
    few = query_count(client.get, "/api/v1/events")
    for _ in range(10):
        make_event(group, visibility=Event.Visibility.MEMBERS)
        make_event(None)
    assert query_count(client.get, "/api/v1/events") == few
