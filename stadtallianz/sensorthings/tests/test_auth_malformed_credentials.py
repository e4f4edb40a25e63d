"""Credentials that are malformed (not ASCII, a NUL byte, a user name of another form) are a
401 like any wrong credential, never a server or database error."""

import base64

import pytest

from stadtallianz.sensorthings.tests.conftest import basic, bearer

pytestmark = pytest.mark.django_db


def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


@pytest.mark.parametrize("header", [
    "Basic ä",  # not ASCII: base64 cannot decode it
    _basic(b"lab_ab\x00:x"),  # a NUL byte in the user name
    _basic(b"lab_abcdef0\x00:x"),
    "Bearer lab_ab\x00_x",
    _basic(b"lab_ABCDEF01:x"),  # not the form issue() gives out
    _basic(b"lab_abcdef01\n:x"),
    _basic(("lab_" + "a" * 5000 + ":x").encode()),
    _basic(b"\xff\xfe:x"),
])
def test_malformed_credentials_are_refused_with_401(client, lab, header):
    response = client.get("/sta/v1.1/Things", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "error" in response.json() or "message" in response.json()


def test_the_lab_token_still_works_as_bearer_and_basic(client, lab, lab_key):
    assert client.get("/sta/v1.1/Things", **bearer(lab_key)).status_code == 200
    assert client.get("/sta/v1.1/Things", **basic(lab_key)).status_code == 200
