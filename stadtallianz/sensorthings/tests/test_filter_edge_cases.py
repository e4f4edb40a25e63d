"""$filter and $orderby edge cases: JSON members with any key text, JSON values
compared with times, whole JSON values where a number is needed, boolean literals inside logic,
fractional ids, long operator chains and ordering by JSON members. Each answers the right rows
or a 400 that names the problem, never a 500."""

import pytest

from stadtallianz.sensorthings import models as sta

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"


@pytest.fixture
def things(lab):
    made = [sta.Thing.objects.create(lab=lab, name=name, description="x", properties=props)
            for name, props in [
                ("Alpha", {"x__isnull": "ja", "x": {"isnull": "nested"}, "rank": 10,
                           "label": "b"}),
                ("Beta", {"x": None, "rank": 9, "label": "c"}),
                ("Gamma", {"rank": 100, "label": "a", "a__b": 1}),
            ]]
    return made


def names(client, params):
    response = client.get(f"{ROOT}/Things", params)
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["value"]]


def error(client, path, params):
    response = client.get(f"{ROOT}/{path}", params)
    assert response.status_code == 400, response.content
    return response.json()["message"]


@pytest.mark.parametrize("query,expected", [
    # A key with "__" is one plain key, not a Django lookup or a nested path.
    ("properties/x__isnull eq 'ja'", ["Alpha"]),
    ("properties/x__isnull eq null", ["Beta", "Gamma"]),
    ("properties/x/isnull eq 'nested'", ["Alpha"]),
    ("properties/a__b eq 1", ["Gamma"]),
    ("properties/x__regex eq '.*'", []),
    ("startswith(properties/x__startswith, 'j')", []),
    ("properties/rank gt 9", ["Alpha", "Gamma"]),
])
def test_json_keys_are_plain_keys(client, things, query, expected):
    assert names(client, {"$filter": query, "$orderby": "id"}) == expected


def test_unit_symbol_with_a_lookup_like_key_is_no_error(client, lab, make_datastream):
    make_datastream(lab)
    response = client.get(f"{ROOT}/Datastreams",
                          {"$filter": "unitOfMeasurement/symbol__startswith eq '°'"})
    assert response.status_code == 200, response.content
    assert response.json()["value"] == []


@pytest.mark.parametrize("path,query", [
    ("Observations", "result gt now()"),
    ("Observations", "result gt 2026-01-01T00:00:00Z"),
    ("Observations", "parameters/x eq now()"),
    ("Things", "properties/a eq 2026-01-01"),
    ("Things", "properties/a eq 06:00"),
    ("Things", "properties/a eq duration'P1D'"),
    ("Things", "now() lt properties/a"),
])
def test_json_compared_with_a_time_is_a_400(client, things, path, query):
    message = error(client, path, {"$filter": query})
    assert "cannot be compared with a" in message


@pytest.mark.parametrize("path,params", [
    ("Things", {"$orderby": "properties"}),
    ("Observations", {"$filter": "result eq parameters"}),
    ("Things", {"$filter": "properties add 1 gt 0"}),
])
def test_a_whole_json_value_where_a_number_is_needed_is_a_400(client, things, path, params):
    assert "name a member of it" in error(client, path, params)


@pytest.mark.parametrize("query,expected", [
    ("not true", []),
    ("not false", ["Alpha", "Beta", "Gamma"]),
    ("name eq 'nope' or true", ["Alpha", "Beta", "Gamma"]),
    ("name eq 'Alpha' and true", ["Alpha"]),
    ("name eq 'Alpha' or false", ["Alpha"]),
    ("true and not (name eq 'Alpha')", ["Beta", "Gamma"]),
])
def test_boolean_literals_inside_logic(client, things, query, expected):
    assert names(client, {"$filter": query, "$orderby": "id"}) == expected


def test_a_fractional_id_matches_no_whole_id(client, things):
    first = things[0].pk
    assert names(client, {"$filter": f"id eq {first}.5"}) == []
    assert names(client, {"$filter": f"id eq {first}.0"}) == ["Alpha"]
    assert names(client, {"$filter": f"id lt {first}.5", "$orderby": "id"}) == ["Alpha"]
    assert "Alpha" in names(client, {"$filter": f"id ne {first}.5"})


@pytest.mark.parametrize("query,problem", [
    ("id add " * 150 + "1 gt 0", "more than 20 arithmetic operators"),
    ("id add " * 21 + "1 gt 0", "more than 20 arithmetic operators"),
    ("1 eq 1 or " * 900 + "1 eq 1", "more than 100 operators"),
    ("name eq 'a' or " * 50 + "name eq 'b'", "more than 100 operators"),
    ("not " * 150 + "true", "more than 100"),
])
def test_long_operator_chains_are_a_400(client, things, query, problem):
    assert problem in error(client, "Things", {"$filter": query})


def test_the_allowed_number_of_operators_works(client, things):
    query = "id add " * 20 + "0 gt 0"
    assert names(client, {"$filter": query, "$orderby": "id"}) == ["Alpha", "Beta", "Gamma"]
    query = " or ".join(["name eq 'Alpha'"] * 50)  # 99 operators
    assert names(client, {"$filter": query}) == ["Alpha"]


def test_order_by_a_json_member_of_strings_and_of_numbers(client, things):
    assert names(client, {"$orderby": "properties/label"}) == ["Gamma", "Alpha", "Beta"]
    assert names(client, {"$orderby": "properties/label desc"}) == ["Beta", "Alpha", "Gamma"]
    # Numbers sort as numbers (100 after 9 and 10), not as text.
    assert names(client, {"$orderby": "properties/rank"}) == ["Beta", "Alpha", "Gamma"]


def test_orderby_errors_name_orderby(client, things):
    message = error(client, "Things", {"$orderby": "Datastreams/name"})
    assert message.startswith("$orderby:")
    assert "only in $filter" in message
    assert "only in $orderby" not in message
