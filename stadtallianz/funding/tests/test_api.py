import pytest

from stadtallianz.funding.models import Call, CallFollow, Programme

BASE = "/api/v1/funding"


def test_everyone_reads_programmes_calls_and_deadlines(call, funding_call, programme):
    programmes = call("GET", f"{BASE}/programmes").json()
    assert programmes["items"][0]["slug"] == "horizont-europa"
    calls = call("GET", f"{BASE}/calls").json()["items"]
    assert [item["source_id"] for item in calls] == ["HORIZON-CL5-2027-02-D6-07"]
    assert calls[0]["next_deadline"] is not None
    detail = call("GET", f"{BASE}/calls/{funding_call.slug}").json()
    assert detail["rates"] == [{"applicant_type": "research", "rate": "100.00"}]
    assert detail["deadlines"][0]["stage"] == "single"
    assert detail["eligible_types"] == ["company", "research", "municipal"]
    deadlines = call("GET", f"{BASE}/deadlines").json()["items"]
    assert deadlines[0]["call"]["slug"] == funding_call.slug
    assert call("GET", f"{BASE}/calls/nope").status_code == 404


@pytest.mark.parametrize(("query", "count"), [
    ("q=klimaneutral", 1), ("q=nichts", 0), ("state=closed", 0), ("all_states=true", 1),
    ("level=eu", 1), ("level=state", 0), ("applicant_type=research", 1),
    ("applicant_type=association", 0), ("programme=horizont-europa", 1)])
def test_call_filters(call, funding_call, query, count):
    assert call("GET", f"{BASE}/calls?{query}").json()["count"] == count


def _body(**overrides):
    body = {"programme": "horizont-europa", "source": "foerderdatenbank", "source_id": "FDB-9",
            "title_de": "Digitale Modellregion", "opens_on": "2027-01-01",
            "total_budget": "1000000", "max_amount": "200000", "funding_rate": "60",
            "rates": {"municipal": "90"}, "eligible_types": ["municipal"],
            "deadlines": [{"stage": "single", "due_at": "2027-03-01T17:00:00+01:00"}]}
    body.update(overrides)
    return body


def test_a_partner_admin_creates_and_changes_a_call(call, token_for, partner_admin,
                                                    programme):
    key = token_for(partner_admin)
    response = call("POST", f"{BASE}/calls", _body(), key=key)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["rates"] == [{"applicant_type": "municipal", "rate": "90.00"}]
    assert created["verified_on"] is not None
    response = call("PATCH", f"{BASE}/calls/{created['slug']}",
                    {"state": "closed", "max_amount": None}, key=key)
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "closed" and response.json()["max_amount"] is None
    assert Call.objects.get().deadlines.count() == 1  # not sent: kept


@pytest.mark.parametrize(("overrides", "field"), [
    ({"max_amount": "2000000"}, "max_amount"),
    ({"min_amount": "300000"}, "min_amount"),
    ({"funding_rate": "101"}, "funding_rate"),
    ({"rates": {"municipal": "150"}}, "rates"),
    ({"rates": {"ministry": "50"}}, "rates"),
    ({"eligible_types": ["ministry"]}, "eligible_types"),
    ({"deadlines": [{"stage": "single", "due_at": "2026-12-01T17:00:00+01:00"}]}, "deadlines"),
    ({"programme": "nope"}, "programme"),
    ({"focus_areas": ["nope"]}, "focus_areas"),
])
def test_bad_input_is_422_naming_the_field(call, token_for, coordinator, programme, overrides,
                                           field):
    response = call("POST", f"{BASE}/calls", _body(**overrides), key=token_for(coordinator))
    assert response.status_code == 422, response.json()
    fields = {str(item.get("loc", [""])[-1]) for item in response.json()["detail"]}
    assert field in fields, response.json()
    assert not Call.objects.exists()


@pytest.mark.parametrize("who", ["citizen", "partner_member"])
def test_others_may_not_write(call, token_for, request, who, programme, funding_call):
    key = token_for(request.getfixturevalue(who))
    assert call("POST", f"{BASE}/calls", _body(), key=key).status_code == 403
    assert call("PATCH", f"{BASE}/calls/{funding_call.slug}", {"state": "closed"},
                key=key).status_code == 403
    assert call("POST", f"{BASE}/programmes", {"name_de": "X", "funder": "Y",
                                               "level": "eu"}, key=key).status_code == 403
    assert call("POST", f"{BASE}/calls/{funding_call.slug}/verify", key=key).status_code == 403
    assert call("POST", f"{BASE}/calls", _body()).status_code == 401


def test_programmes_through_the_api(call, token_for, coordinator, programme):
    key = token_for(coordinator)
    response = call("POST", f"{BASE}/programmes", {
        "name_de": "Modellprojekte Smart Cities", "funder": "Bund", "level": "federal"}, key=key)
    assert response.status_code == 201
    response = call("PATCH", f"{BASE}/programmes/{programme.slug}", {"level": "galactic"},
                    key=key)
    assert response.status_code == 422
    assert call("GET", f"{BASE}/programmes?level=federal").json()["count"] == 1
    assert Programme.objects.count() == 2


def test_follow_through_the_api(call, token_for, citizen, funding_call):
    key = token_for(citizen)
    assert call("POST", f"{BASE}/calls/{funding_call.slug}/follow", key=key).json()[
        "followers"] == 1
    assert call("POST", f"{BASE}/calls/{funding_call.slug}/follow", key=key).status_code == 200
    assert [c["slug"] for c in call("GET", f"{BASE}/follows", key=key).json()] == [
        funding_call.slug]
    assert call("DELETE", f"{BASE}/calls/{funding_call.slug}/follow",
                key=key).status_code == 204
    assert not CallFollow.objects.exists()
    assert call("POST", f"{BASE}/calls/{funding_call.slug}/follow").status_code == 401


def test_the_list_keeps_its_queries_constant(call, funding_call, coordinator, call_data,
                                             django_assert_max_num_queries):
    from stadtallianz.funding import services

    for number in range(10):
        services.create_call(actor=coordinator, data=call_data(source_id=f"X-{number}"))
    with django_assert_max_num_queries(6):
        assert call("GET", f"{BASE}/calls").json()["count"] == 11
