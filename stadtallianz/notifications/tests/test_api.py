import json

import pytest

from stadtallianz.accounts.models import ApiToken
from stadtallianz.core.testing import query_count
from stadtallianz.notifications import services
from stadtallianz.notifications.models import NotificationSettings

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications"


@pytest.fixture
def bearer(db):
    def make(user):
        _token, key = ApiToken.issue(user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make


@pytest.mark.parametrize("method,path", [
    ("get", ""), ("get", "/unread-count"), ("post", "/read-all"), ("post", "/1/read"),
    ("get", "/settings"), ("put", "/settings"),
])
def test_every_operation_needs_a_login(client, method, path):
    response = getattr(client, method)(URL + path, content_type="application/json")
    assert response.status_code == 401


def test_the_list_shows_only_own_notifications_with_an_unread_filter(
        client, bearer, member, lead, make_notification):
    first = make_notification(member, "a", thing="Erste")
    make_notification(member, "b", thing="Zweite")
    make_notification(lead, "c", thing="Fremde")
    services.mark_read(first, by=member)
    auth = bearer(member)
    body = client.get(URL, **auth).json()
    assert body["count"] == 2
    assert [n["subject"] for n in body["items"]] == ["Benachrichtigungen: Zweite",
                                                     "Benachrichtigungen: Erste"]
    item = body["items"][0]
    assert item["web_url"] == "http://127.0.0.1:8000/de/working-groups/"
    assert item["read_at"] is None and item["kind"] == "test"
    unread = client.get(URL + "?unread=true", **auth).json()
    assert [n["subject"] for n in unread["items"]] == ["Benachrichtigungen: Zweite"]
    assert client.get(URL + "?unread=false", **auth).json()["count"] == 1
    assert client.get(URL + "?unread=maybe", **auth).status_code == 422
    assert client.get(URL + "/unread-count", **auth).json() == {"unread": 1}


def test_mark_read_own_only(client, bearer, member, lead, make_notification):
    mine = make_notification(member, "a")
    theirs = make_notification(lead, "b")
    auth = bearer(member)
    response = client.post(f"{URL}/{mine.pk}/read", **auth)
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert client.post(f"{URL}/{theirs.pk}/read", **auth).status_code == 404
    assert client.post(f"{URL}/999999/read", **auth).status_code == 404
    make_notification(member, "c")
    assert client.post(URL + "/read-all", **auth).json() == {"marked": 1}
    assert services.unread_count(lead) == 1


def test_a_session_write_needs_the_csrf_token(member, make_notification):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(URL).status_code == 200
    assert client.post(URL + "/read-all").status_code == 403


def test_settings_read_and_change(client, bearer, member):
    auth = bearer(member)
    assert client.get(URL + "/settings", **auth).json() == {"email_mode": "immediately"}
    response = client.put(URL + "/settings", json.dumps({"email_mode": "digest"}),
                          content_type="application/json", **auth)
    assert response.status_code == 200 and response.json() == {"email_mode": "digest"}
    assert services.email_mode(member) == NotificationSettings.EmailMode.DIGEST
    response = client.put(URL + "/settings", json.dumps({"email_mode": "hourly"}),
                          content_type="application/json", **auth)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "email_mode"
    assert services.email_mode(member) == NotificationSettings.EmailMode.DIGEST


def test_the_list_query_count_does_not_grow(client, bearer, member, make_notification):
    auth = bearer(member)
    make_notification(member, "k0")

    def get():
        return client.get(URL, **auth)

    get()  # the token's first use of the minute writes last_used_at
    few = query_count(get)
    for n in range(1, 11):
        make_notification(member, f"k{n}", send=False)
    assert query_count(get) == few
    assert get().json()["count"] == 11
