"""The API of joint applications, per role: a partner never sees another consortium's budget
(404 for unpublished applications), illegal transitions are 422 naming `state`, bad input is
422 naming the field."""

from decimal import Decimal

import pytest

from stadtallianz.proposals import services
from stadtallianz.proposals.models import Application, ApplicationMember

BASE = "/api/v1/funding/applications"
S = Application.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def api(call, token_for):
    def make(user):
        key = token_for(user) if user is not None else None

        def send(method, path, body=None):
            return call(method, f"{BASE}{path}", body, key=key, **{"Accept-Language": "en"})

        return send

    return make


def coordinator_member(application):
    return application.members.get(role=ApplicationMember.Role.COORDINATOR)


@pytest.mark.parametrize(("role", "status"), [
    (None, 404), ("citizen", 404), ("outsider_admin", 404), ("partner_member", 200),
    ("other_admin", 200), ("partner_admin", 200), ("coordinator", 200)])
def test_an_unpublished_application_is_the_consortiums(request, api, application, role, status):
    user = request.getfixturevalue(role) if role else None
    for path in ("", "/budget", "/checklist", "/members"):
        response = api(user)("GET", f"/{application.pk}{path}")
        assert response.status_code == status, (path, response.content)
    listed = api(user)("GET", "").json()
    assert (application.pk in [item["id"] for item in listed["items"]]) == (status == 200)


@pytest.mark.parametrize("role", [None, "citizen", "outsider_admin"])
def test_a_published_application_shows_without_budget(request, api, application,
                                                      partner_admin, role):
    services.application_update(actor=partner_admin, application=application,
                                data={"published": True})
    user = request.getfixturevalue(role) if role else None
    detail = api(user)("GET", f"/{application.pk}").json()
    assert detail["confidential"] is False and detail["budget"] is None
    assert detail["checklist"] is None and detail["history"] is None
    assert api(user)("GET", f"/{application.pk}/budget").status_code == 403
    assert api(user)("GET", f"/{application.pk}/checklist").status_code == 403
    assert "requested" not in str(api(user)("GET", "").json())


def test_the_consortium_sees_the_budget_with_its_checks(api, application, partner_member):
    budget = api(partner_member)("GET", f"/{application.pk}/budget").json()
    assert budget["requested"] == "84000.00" and budget["problems"] == []
    assert [m["rate"] for m in budget["members"]] == ["70.00", "70.00"]


def test_create_then_the_whole_flow(api, partner_admin, organisation, other_organisation,
                                    funding_call, project, coordinator):
    admin = api(partner_admin)
    created = admin("POST", "", {"call": funding_call.slug, "organisation": organisation.slug,
                                 "project": project.slug, "title": "Neu"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["next_states"] == ["in_preparation", "withdrawn"]
    member = admin("POST", f"/{pk}/members", {"organisation": other_organisation.slug,
                                              "role": "partner"})
    assert member.status_code == 201
    coordinator_id = Application.objects.get(pk=pk).members.get(role="coordinator").pk
    budget = admin("PUT", f"/{pk}/members/{coordinator_id}/budget", {"lines": [
        {"category": "personnel", "amount": "100000", "requested": "70000"}]})
    assert budget.status_code == 200, budget.content
    assert admin("POST", f"/{pk}/transitions", {"state": "in_preparation"}).status_code == 200
    assert admin("POST", f"/{pk}/transitions", {"state": "submitted"}).status_code == 200
    granted = api(coordinator)("POST", f"/{pk}/grant", {
        "amount": "70000", "reference": "03SC0001", "starts_on": "2027-01-01",
        "ends_on": "2028-12-31"})
    assert granted.status_code == 201, granted.content
    assert granted.json()["state"] == "granted"
    totals = api(None)("GET", "/totals").json()
    assert totals["total"] == "70000.00" and totals["projects"][0]["project"] == project.slug


def test_an_illegal_transition_is_422_naming_state(api, application, partner_admin):
    response = api(partner_admin)("POST", f"/{application.pk}/transitions",
                                  {"state": "rejected"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "state"
    response = api(partner_admin)("POST", f"/{application.pk}/transitions",
                                  {"state": "granted"})
    assert response.status_code == 422


@pytest.mark.parametrize(("line", "field"), [
    ({"category": "personnel", "amount": "-1", "requested": "0"}, "amount"),
    ({"category": "personnel", "amount": "100000", "requested": "90000"}, "requested"),
    ({"category": "travel", "amount": "1", "requested": "0"}, "category"),
])
def test_bad_budget_input_is_422_naming_the_field(api, application, partner_admin, line,
                                                  field):
    member = coordinator_member(application)
    response = api(partner_admin)("PUT", f"/{application.pk}/members/{member.pk}/budget",
                                  {"lines": [line]})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field
    assert member.budget_lines.get().requested == Decimal("70000")


def test_the_rate_error_names_the_member(api, application, partner_admin):
    member = coordinator_member(application)
    response = api(partner_admin)("PUT", f"/{application.pk}/members/{member.pk}/budget",
                                  {"lines": [{"category": "personnel", "amount": "100000",
                                              "requested": "80000"}]})
    assert response.json()["detail"][0]["msg"] == (
        "Stadtwerke Beispielstadt: requested funding 80,000 € exceeds 70 % of eligible costs "
        "(70,000 €).")


@pytest.mark.parametrize("role", ["other_admin", "outsider_admin", "citizen"])
def test_writes_of_others_are_refused(request, api, application, partner_admin, role):
    services.application_update(actor=partner_admin, application=application,
                                data={"published": True})
    client = api(request.getfixturevalue(role))
    assert client("POST", f"/{application.pk}/transitions",
                  {"state": "in_preparation"}).status_code == 403
    assert client("PATCH", f"/{application.pk}", {"title": "X"}).status_code == 403
    member = coordinator_member(application)
    assert client("PUT", f"/{application.pk}/members/{member.pk}/budget",
                  {"lines": []}).status_code == 403


def test_a_grant_of_a_planned_application_is_409(api, application, coordinator):
    response = api(coordinator)("POST", f"/{application.pk}/grant", {
        "amount": "1", "reference": "X", "starts_on": "2027-01-01", "ends_on": "2027-02-01"})
    assert response.status_code == 409


@pytest.mark.parametrize(("role", "status"), [
    (None, 401), ("citizen", 403), ("partner_admin", 403), ("coordinator", 200)])
def test_the_pipeline_is_the_offices(request, api, application, role, status):
    user = request.getfixturevalue(role) if role else None
    response = api(user)("GET", "/pipeline")
    assert response.status_code == status
    if status == 200:
        data = response.json()
        assert data["total"]["requested"] == "84000.00"
        assert data["deadlines"][0]["application"] == application.pk


def test_list_queries_do_not_grow(api, application, coordinator, django_assert_max_num_queries,
                                  partner_admin, funding_call, organisation, project):
    for index in range(5):
        services.application_create(actor=partner_admin, call=funding_call,
                                    organisation=organisation, title=f"A{index}",
                                    project=project)
    client = api(coordinator)
    with django_assert_max_num_queries(8):
        assert client("GET", "").json()["count"] == 6
    page = client("GET", "?limit=2&offset=1").json()
    assert page["count"] == 6 and len(page["items"]) == 2
    assert len(client("GET", "?state=planned&mine=true").json()["items"]) == 0
    with django_assert_max_num_queries(10):
        client("GET", "/pipeline")
