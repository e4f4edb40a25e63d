"""What the open-data fuzzing pass (fuzz/open_data_grammar.py) found in CKAN's action API: a
request Django cannot read, JSON nested past the decoder's depth and lone surrogates in a JSON
body were answered with Django's HTML 400 page or a 500 instead of CKAN's error envelope."""

import json

import pytest

pytestmark = pytest.mark.django_db

BASE = "/api/3/action/"


def assert_ckan_error(response, status: int, error_type: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert body["error"]["__type"] == error_type
    return body["error"]


@pytest.mark.parametrize("action", ["package_search", "package_show", "status_show"])
def test_more_query_parameters_than_django_takes_are_a_bad_request(client, action):
    query = "&".join(["q=x"] * 1200)
    assert_ckan_error(client.get(f"{BASE}{action}?{query}"), 400, "Bad Request")


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=",
                                          "multipart/form-data; boundary=\x7f"])
def test_a_multipart_body_without_a_boundary_is_a_bad_request(client, make_dataset,
                                                              content_type):
    response = client.generic("POST", BASE + "package_search", b"q=x",
                              content_type=content_type)
    assert_ckan_error(response, 400, "Bad Request")


def test_more_form_fields_than_django_takes_are_a_bad_request(client):
    response = client.generic("POST", BASE + "package_search", "&".join(["q=x"] * 1200),
                              content_type="application/x-www-form-urlencoded")
    assert_ckan_error(response, 400, "Bad Request")


def test_a_body_larger_than_django_keeps_is_a_bad_request(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(BASE + "package_search", json.dumps({"q": "x" * 2000}),
                           content_type="application/json")
    assert_ckan_error(response, 400, "Bad Request")


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000,
                                  b'{"q": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
                                  b'{"q": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001])
def test_json_nested_past_the_decoders_depth_is_a_bad_request(client, body):
    response = client.post(BASE + "package_search", body, content_type="application/json")
    assert_ckan_error(response, 400, "Bad Request")


@pytest.mark.parametrize(("action", "params", "field"), [
    ("package_search", {"q": "\ud800"}, "q"),
    ("package_search", {"fq": "tags:\udfff"}, "fq"),
    ("package_search", {"q": "tags:x", "sort": "name asc\ud800"}, "sort"),
    ("package_search", {"fq_list": ["tags:\ud800"]}, "fq_list"),
    ("package_show", {"id": "a\ud800"}, "id"),
    ("organization_show", {"id": "\udfff"}, "id"),
    ("tag_list", {"query": "\ud800"}, "query"),
    ("group_show", {"id": "\ud800"}, "id"),
])
def test_a_lone_surrogate_in_a_json_body_is_a_validation_error(client, make_dataset, action,
                                                                params, field):
    make_dataset()
    # As a client sends it: the escape, which json.loads turns into a lone surrogate.
    body = json.dumps(params, ensure_ascii=True)
    response = client.post(BASE + action, body, content_type="application/json")
    error = assert_ckan_error(response, 409, "Validation Error")
    assert field in error


def test_a_lone_surrogate_in_a_key_is_a_bad_request_naming_the_limit(client):
    body = json.dumps({"\ud800": "x"}, ensure_ascii=True)
    response = client.post(BASE + "package_search", body, content_type="application/json")
    error = assert_ckan_error(response, 400, "Bad Request")
    assert "lone surrogate" in error["message"]


@pytest.mark.parametrize(("query", "field"), [("q=%00", "q"), ("fq=tags:a%00b", "fq"),
                                              ("q=x&sort=name%00", "sort")])
def test_a_nul_in_a_query_parameter_is_a_validation_error_naming_it(client, query, field):
    error = assert_ckan_error(client.get(f"{BASE}package_search?{query}"), 409,
                              "Validation Error")
    assert field in error
