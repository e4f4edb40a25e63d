"""Every /api/v1/ body is read within the input limits (docs/api.md "Input limits"): a body over
one is answered 422 naming the limit and the field, and nothing is written."""

import json

import pytest

from stadtallianz.core.jsonlimits import MAX_DEPTH, MAX_MEMBERS, MAX_STRING_LENGTH

pytestmark = pytest.mark.django_db

OFFER = {"kind": "offer", "category": "data", "text": "Verkehrsdaten"}


def _nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


# (raw JSON body, the limit its message names, the field last in loc)
HOSTILE_BODIES = [
    ('{"kind": "offer", "category": "data", "text": "a", "x": ' + _nested(MAX_DEPTH + 1) + "}",
     "depth", None),
    ('{"text": ' + _nested(100_000) + "}", "depth", None),
    (json.dumps({**OFFER, "text": "x" * (MAX_STRING_LENGTH + 1)}), "string length", "text"),
    (json.dumps({**OFFER, "tags": list(range(MAX_MEMBERS + 1))}), "members", "tags"),
    ('{"kind": "offer", "category": "data", "text": "\\ud800"}', "characters", "text"),
    ('{"kind": "offer", "category": "data", "text": "ok", "\\udc00": 1}', "characters", None),
    ('{"kind": "offer", "category": "data", "text": "a\\u0000b"}', "characters", "text"),
    ('{"kind": "offer", "category": "data", "text": "t", "n": 1e999}', "number", "n"),
    ('{"kind": "offer", "category": "data", "text": "t", "n": NaN}', "number", None),
    ('{"kind": "offer", "category": "data", "text": "t", "n": [-Infinity]}', "number", None),
    ('{"kind": "offer", "category": "data", "text": "t", "n": 99999999999999999999}',
     "integer range", "n"),
    ('{"kind": "offer", "category": "data", "text": "t", "n": [1' + "0" * 5000 + "]}",
     "integer range", "n"),
]


@pytest.mark.parametrize("raw, limit, field", HOSTILE_BODIES)
def test_a_body_over_a_limit_is_422_naming_it(client, token_for, partner_admin, organisation,
                                              raw, limit, field):
    response = client.post(f"/api/v1/partners/{organisation.slug}/offers", raw.encode(),
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {token_for(partner_admin)}"})
    assert response.status_code == 422, response.content
    (item,) = response.json()["detail"]
    assert f"limit: {limit}" in item["msg"]
    assert item["loc"][0] == "body" and item["type"] == "input_limit"
    if field is not None:
        assert item["loc"][-1] == field
    assert not organisation.offers.exists()


@pytest.mark.parametrize("raw", [b'{"text": "\xff"}', b'{"text": "\xed\xa0\x80"}', b"\xc3"])
def test_a_body_that_is_not_utf8_is_422(client, token_for, partner_admin, organisation, raw):
    response = client.post(f"/api/v1/partners/{organisation.slug}/offers", raw,
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {token_for(partner_admin)}"})
    assert response.status_code == 422
    assert "limit: characters" in response.json()["detail"][0]["msg"]
    assert not organisation.offers.exists()


def test_a_body_over_the_upload_size_is_422(client, token_for, partner_admin, organisation,
                                            settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({**OFFER, "text": "x" * 2000})
    response = client.post(f"/api/v1/partners/{organisation.slug}/offers", body,
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {token_for(partner_admin)}"})
    assert response.status_code == 422
    assert "limit: size" in response.json()["detail"][0]["msg"]
    assert not organisation.offers.exists()


def test_within_the_limits_the_write_succeeds_and_invalid_json_stays_400(
        client, token_for, partner_admin, organisation):
    headers = {"Authorization": f"Bearer {token_for(partner_admin)}"}
    url = f"/api/v1/partners/{organisation.slug}/offers"
    text = "Daten 😀 " + "x" * 1000
    created = client.post(url, json.dumps({**OFFER, "text": text}),
                          content_type="application/json", headers=headers)
    assert created.status_code in (200, 201), created.content
    assert organisation.offers.get().text == text
    broken = client.post(f"{url}?lang=en", b'{"kind": ', content_type="application/json",
                         headers=headers)
    assert broken.status_code == 400
    assert broken.json() == {"detail": "Cannot parse request body"}
    german = client.post(url, b'{"kind": ', content_type="application/json", headers=headers)
    assert german.json() == {"detail": "Der Inhalt der Anfrage lässt sich nicht lesen"}


def test_anonymous_is_refused_before_the_body_is_read(client, organisation):
    response = client.post(f"/api/v1/partners/{organisation.slug}/offers",
                           _nested(5000).encode(), content_type="application/json")
    assert response.status_code == 401
