import json

import pytest

from stadtallianz.accounts.models import ApiToken
from stadtallianz.core.testing import query_count
from stadtallianz.workinggroups.models import GroupMembership, GroupOrganisation, WorkingGroup

pytestmark = pytest.mark.django_db
URL = "/api/v1/working-groups"


def _post(client, path, body=None, *, user=None):
    headers = {}
    if user is not None:
        _token, key = ApiToken.issue(user=user, name="test")
        headers["Authorization"] = f"Bearer {key}"
    return client.post(path, data=json.dumps(body or {}), content_type="application/json",
                       headers=headers)


def test_the_list_shows_active_groups_first_with_counts(client, group, make_group, organisation):
    make_group("Archiv", slug="archiv", state=WorkingGroup.State.ARCHIVED)
    GroupOrganisation.objects.create(group=group, organisation=organisation)
    answer = client.get(URL, {"lang": "en"}).json()
    assert answer["count"] == 2
    first = answer["items"][0]
    assert first["slug"] == "mobilitaet" and first["name"] == "Future mobility"
    assert first["member_count"] == 2 and first["organisation_count"] == 1
    assert first["web_url"] == "/en/working-groups/mobilitaet/"
    assert answer["items"][1]["state"] == "archived"


def test_the_list_filters_by_state_and_focus_area(client, group, make_group, focus_area):
    from stadtallianz.core.models import FocusArea

    make_group("Archiv", slug="archiv", state=WorkingGroup.State.ARCHIVED)
    other = make_group("Andere", slug="andere")
    other.focus_areas.set([FocusArea.objects.exclude(pk=focus_area.pk).first()])
    assert [g["slug"] for g in client.get(URL, {"state": "archived"}).json()["items"]] \
        == ["archiv"]
    slugs = [g["slug"] for g in client.get(URL, {"focus_area": focus_area.slug}).json()["items"]]
    assert set(slugs) == {"mobilitaet", "archiv"}


def test_a_bad_state_filter_is_422_naming_the_field(client):
    response = client.get(URL, {"state": "gone"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "state"


def test_the_list_query_count_does_not_grow(client, make_group, make_user, organisation):
    def build(count):
        for n in range(count):
            group = make_group()
            GroupMembership.objects.create(group=group, user=make_user(f"a{group.pk}-{n}@x.org"))
            GroupOrganisation.objects.create(group=group, organisation=organisation)

    build(2)
    few = query_count(client.get, URL)
    build(20)
    assert query_count(client.get, URL) == few


def test_the_detail_has_lead_names_organisations_and_no_email(client, group, organisation):
    GroupOrganisation.objects.create(group=group, organisation=organisation)
    answer = client.get(f"{URL}/mobilitaet").json()
    assert answer["leads"] == [{"name": "Lena Lead"}]
    assert answer["organisations"] == [{"slug": organisation.slug, "name": organisation.name}]
    assert answer["member_count"] == 2
    assert "lead@example.org" not in json.dumps(answer)


def test_an_unknown_group_is_404(client):
    assert client.get(f"{URL}/nope").status_code == 404
    assert _post(client, f"{URL}/nope/join", user=None).status_code == 401


def test_joining_needs_authentication(client, group):
    assert _post(client, f"{URL}/{group.slug}/join").status_code == 401
    assert _post(client, f"{URL}/{group.slug}/leave").status_code == 401


def test_join_and_leave_with_a_token(client, group, citizen):
    response = _post(client, f"{URL}/{group.slug}/join", user=citizen)
    assert response.status_code == 200
    assert response.json() == {"group": "mobilitaet", "role": "member", "state": "active"}
    assert _post(client, f"{URL}/{group.slug}/leave", user=citizen).status_code == 204
    assert not GroupMembership.objects.filter(user=citizen).exists()


def test_join_on_request_records_the_message(client, make_group, lead, citizen):
    group = make_group(join_policy=WorkingGroup.JoinPolicy.REQUEST, leads=[lead])
    response = _post(client, f"{URL}/{group.slug}/join", {"message": "Hallo"}, user=citizen)
    assert response.json()["state"] == "requested"
    assert GroupMembership.objects.get(user=citizen).message == "Hallo"


def test_join_refusals_are_422(client, make_group, citizen):
    invitation = make_group(join_policy=WorkingGroup.JoinPolicy.INVITATION)
    archived = make_group(state=WorkingGroup.State.ARCHIVED)
    for group in (invitation, archived):
        assert _post(client, f"{URL}/{group.slug}/join", user=citizen).status_code == 422
    too_long = _post(client, f"{URL}/{invitation.slug}/join", {"message": "x" * 2001},
                     user=citizen)
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"][-1] == "message"
    assert not GroupMembership.objects.filter(user=citizen).exists()


def test_leaving_a_group_one_is_not_in_is_404(client, group, citizen):
    assert _post(client, f"{URL}/{group.slug}/leave", user=citizen).status_code == 404


def test_the_last_lead_cannot_leave_by_api(client, group, lead):
    assert _post(client, f"{URL}/{group.slug}/leave", user=lead).status_code == 422
    assert GroupMembership.objects.filter(user=lead).exists()


def test_session_join_needs_the_csrf_token(group, citizen):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen, backend="django.contrib.auth.backends.ModelBackend")
    assert browser.post(f"{URL}/{group.slug}/join", data="{}",
                        content_type="application/json").status_code == 403
    assert not GroupMembership.objects.filter(user=citizen).exists()


@pytest.mark.parametrize("path", [
    f"{URL}?focus_area=%00", f"{URL}?state=%00", f"{URL}?offset=99999999999999",
    f"{URL}/%00", f"{URL}/a%20b", "/de/working-groups/?focus=%00",
    "/de/working-groups/%C3%A4/",
])
def test_malformed_input_never_causes_a_server_error(client, group, path):
    assert client.get(path).status_code in (200, 404, 422)


def test_a_malformed_join_body_is_422(client, group, citizen):
    _token, key = ApiToken.issue(user=citizen, name="test")
    for body in ("not json", '{"message": 5}', '{"message": "a\\u0000b"}'):
        response = client.post(f"{URL}/{group.slug}/join", data=body,
                               content_type="application/json",
                               headers={"Authorization": f"Bearer {key}"})
        assert response.status_code in (400, 422), body
    assert not GroupMembership.objects.filter(user=citizen).exists()
