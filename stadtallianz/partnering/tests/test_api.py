"""The API: public open notices, owners' archived ones, writes through the services with 422
naming the field, 409 for a state that forbids the change, 403 for others."""

from datetime import timedelta

import pytest

from stadtallianz.partnering import services
from stadtallianz.partnering.models import Interest, Notice

pytestmark = pytest.mark.django_db
BASE = "/api/v1/partner-search"


@pytest.fixture
def api(client, token_for):
    def make(user):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"} if user else {}
        headers["HTTP_ACCEPT_LANGUAGE"] = "en"

        def call(method, path="", json=None, **params):
            kwargs = {"content_type": "application/json", "data": json} if json is not None \
                else {"data": params} if params else {}
            return getattr(client, method.lower())(f"{BASE}{path}", **kwargs, **headers)

        return call

    return make


def test_open_notices_are_public(api, notice):
    answer = api(None)("get")
    assert answer.status_code == 200
    item = answer.json()["items"][0]
    assert item["title_de"] == "Partner für Datenplattform gesucht"
    assert item["project"]["slug"] == "quartiersbus-kreuzviertel"
    assert item["accepts_interest"] is True
    detail = api(None)("get", f"/{notice.pk}").json()
    assert detail["capabilities_sought_de"] == "Verkehrsdaten, Fahrgastzählung"
    assert detail["can_manage"] is False


def test_archived_notices_only_for_owners_and_office(api, notice, partner_member, coordinator,
                                                     other_admin):
    Notice.objects.filter(pk=notice.pk).update(state=Notice.State.ARCHIVED)
    assert api(None)("get", f"/{notice.pk}").status_code == 404
    assert api(other_admin)("get", f"/{notice.pk}").status_code == 404
    assert api(partner_member)("get", f"/{notice.pk}").status_code == 200
    assert api(coordinator)("get", f"/{notice.pk}").status_code == 200
    assert api(coordinator)("get", open_only="false").json()["count"] == 1
    assert api(None)("get", open_only="false").json()["count"] == 0


def test_the_list_filters(api, notice):
    assert api(None)("get", wanted_type="research").json()["count"] == 1
    assert api(None)("get", wanted_type="company").json()["count"] == 0
    assert api(None)("get", role="coordinator").json()["count"] == 0
    assert api(None)("get", wanted_type="alien").status_code == 422


def test_posting_a_notice(api, partner_admin, organisation, project, funding_call, today):
    answer = api(partner_admin)("post", json={
        "organisation": organisation.slug, "project": project.slug, "call": funding_call.slug,
        "title_de": "Gesucht", "roles_sought": ["partner"],
        "expires_on": (today + timedelta(days=30)).isoformat()})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["call"]["slug"] == funding_call.slug
    assert answer.json()["can_manage"] is True


@pytest.mark.parametrize(("change", "field"), [
    ({"roles_sought": []}, "roles_sought"),
    ({"roles_sought": ["boss"]}, "roles_sought"),
    ({"project": "gibt-es-nicht"}, "project"),
    ({"expires_on_days": -3}, "expires_on"),
    ({"deadline_days": 90}, "deadline"),
    ({"organisation": "andere"}, "organisation"),
])
def test_bad_input_is_a_422_naming_the_field(api, partner_admin, organisation, project, today,
                                             change, field):
    payload = {"organisation": organisation.slug, "project": project.slug, "title_de": "X",
               "roles_sought": ["partner"],
               "expires_on": (today + timedelta(days=30)).isoformat()}
    if "expires_on_days" in change:
        payload["expires_on"] = (today + timedelta(days=change["expires_on_days"])).isoformat()
    elif "deadline_days" in change:
        payload["deadline"] = (today + timedelta(days=change["deadline_days"])).isoformat()
    else:
        payload.update(change)
    answer = api(partner_admin)("post", json=payload)
    assert answer.status_code == 422, answer.json()
    assert any(field in item["loc"] for item in answer.json()["detail"])
    assert not Notice.objects.exists()


def test_a_citizen_may_not_post(api, citizen, organisation, project):
    answer = api(citizen)("post", json={"organisation": organisation.slug,
                                        "project": project.slug, "title_de": "X",
                                        "roles_sought": ["partner"]})
    assert answer.status_code == 403


def test_editing_renewing_closing(api, notice, partner_admin, other_admin, today):
    assert api(other_admin)("patch", f"/{notice.pk}", json={"title_de": "X"}).status_code == 403
    answer = api(partner_admin)("patch", f"/{notice.pk}", json={"title_de": "Neu",
                                                                 "wanted_types": []})
    assert answer.status_code == 200 and answer.json()["wanted_types"] == []
    assert api(partner_admin)("patch", f"/{notice.pk}",
                              json={"title_de": None}).status_code == 422
    assert api(partner_admin)("post", f"/{notice.pk}/close").json()["state"] == "closed"
    assert api(partner_admin)("post", f"/{notice.pk}/close").status_code == 409
    answer = api(partner_admin)("post", f"/{notice.pk}/renew", json={
        "expires_on": (today + timedelta(days=10)).isoformat()})
    assert answer.status_code == 200 and answer.json()["state"] == "open"
    answer = api(partner_admin)("post", f"/{notice.pk}/renew", json={
        "expires_on": (today - timedelta(days=1)).isoformat()})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "expires_on"


def test_interests_through_the_api(api, notice, other_member, other_organisation,
                                   partner_admin, outsider_admin):
    answer = api(other_member)("post", f"/{notice.pk}/interests", json={
        "organisation": other_organisation.slug, "message": "Wir bieten Daten."})
    assert answer.status_code == 201, answer.json()
    interest_id = answer.json()["id"]
    assert answer.json()["owner_contact"] is None
    assert api(other_member)("post", f"/{notice.pk}/interests", json={
        "organisation": other_organisation.slug, "message": "Noch mal"}).status_code == 409
    assert api(outsider_admin)("get", f"/{notice.pk}/interests").status_code == 403
    assert api(other_member)(
        "post", f"/{notice.pk}/interests/{interest_id}/accept").status_code == 403
    answer = api(partner_admin)("post", f"/{notice.pk}/interests/{interest_id}/accept")
    assert answer.status_code == 200
    assert answer.json()["contact"]["email"] == "other-member@example.org"
    assert api(partner_admin)(
        "post", f"/{notice.pk}/interests/{interest_id}/decline").status_code == 409
    assert Interest.objects.get().state == Interest.State.ACCEPTED


def test_interest_on_the_own_notice_or_without_message(api, notice, partner_member,
                                                       organisation, other_admin,
                                                       other_organisation):
    assert api(partner_member)("post", f"/{notice.pk}/interests", json={
        "organisation": organisation.slug, "message": "Wir"}).status_code == 403
    answer = api(other_admin)("post", f"/{notice.pk}/interests", json={
        "organisation": other_organisation.slug, "message": ""})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "message"


def test_interest_after_the_deadline_is_a_409(api, notice, other_admin, other_organisation,
                                              today):
    Notice.objects.filter(pk=notice.pk).update(deadline=today - timedelta(days=1))
    assert api(other_admin)("post", f"/{notice.pk}/interests", json={
        "organisation": other_organisation.slug, "message": "Spät"}).status_code == 409


def test_the_api_list_keeps_its_queries_constant(api, notice, partner_admin, organisation,
                                                 project, today, django_assert_max_num_queries):
    call = api(None)
    with django_assert_max_num_queries(10) as few:
        call("get")
    for number in range(10):
        services.notice_create(actor=partner_admin, organisation=organisation, data={
            "title_de": f"Gesuch {number}", "project": project, "roles_sought": ["partner"],
            "expires_on": today + timedelta(days=30)})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert call("get").json()["count"] == 11
