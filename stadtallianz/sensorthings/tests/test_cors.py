"""Browsers on other sites may read the SensorThings API (CORS, django-cors-headers): answers
and preflights carry the headers, never credentials, and a write still needs the lab token."""

import pytest

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"


@pytest.mark.parametrize("url", [ROOT, f"{ROOT}/Things", f"{ROOT}/Things(999)"])
def test_browser_clients_on_other_sites_may_read(client, url):
    response = client.get(url, HTTP_ORIGIN="https://geoportal.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("url", [ROOT, f"{ROOT}/Things", f"{ROOT}/CreateObservations"])
def test_a_preflight_is_answered_with_methods_and_headers(client, url):
    response = client.options(url, HTTP_ORIGIN="https://geoportal.example.org",
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                              HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type")
    assert response.status_code == 200  # django-cors-headers answers a preflight with 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "GET" in response["Access-Control-Allow-Methods"]
    allowed = response["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "Access-Control-Allow-Credentials" not in response


def test_a_browser_write_still_needs_the_token(client):
    response = client.post(f"{ROOT}/Things", "{}", content_type="application/json",
                           HTTP_ORIGIN="https://geoportal.example.org")
    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == "*"
