import pytest
from django.core import mail
from django.urls import reverse

from stadtallianz.core.testing import query_count
from stadtallianz.notifications import services
from stadtallianz.notifications.models import Notification, NotificationSettings

pytestmark = pytest.mark.django_db
Mode = NotificationSettings.EmailMode
LIST = "/de/notifications/"


@pytest.mark.parametrize("url", [LIST, "/de/notifications/settings/"])
def test_visitors_are_sent_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_visitors_cannot_mark_anything_read(client, member, make_notification):
    notification = make_notification(member)
    for url in (f"/de/notifications/{notification.pk}/read/", "/de/notifications/read-all/"):
        assert client.post(url).status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_list_shows_own_notifications_newest_first_unread_highlighted(
        client_for, member, lead, make_notification):
    make_notification(member, "a", thing="Erste")
    second = make_notification(member, "b", thing="Zweite")
    make_notification(lead, "c", thing="Fremde")
    services.mark_read(second, by=member)
    response = client_for(member).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Zweite") < html.index("Erste")
    assert "Fremde" not in html
    assert html.count("notification-unread") == 1
    # The header badge counts the unread one.
    assert '<span class="badge">1<span class="visually-hidden"> ungelesen</span>' in html


def test_marking_one_and_all_read(client_for, member, make_notification):
    one = make_notification(member, "a")
    make_notification(member, "b")
    client = client_for(member)
    response = client.post(f"/de/notifications/{one.pk}/read/", {"next": LIST + "?page=1"})
    assert response.status_code == 302 and response["Location"] == LIST + "?page=1"
    assert services.unread_count(member) == 1
    response = client.post(f"/de/notifications/{one.pk}/read/",
                           {"next": "https://evil.example/"})
    assert response["Location"] == LIST
    client.post("/de/notifications/read-all/")
    assert services.unread_count(member) == 0


def test_marking_read_with_htmx_answers_the_item_only(client_for, member, make_notification):
    one = make_notification(member, "a", thing="Radweg")
    response = client_for(member).post(f"/de/notifications/{one.pk}/read/",
                                       HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<li class="notification"') and "Radweg" in html
    assert "<html" not in html and "notification-unread" not in html
    # The header's count is swapped too (out of band): none unread any more.
    assert '<li id="nav-notifications" hx-swap-oob="true">' in html
    assert 'class="badge"' not in html


def test_no_one_sees_or_marks_someone_elses_notification(client_for, member, lead,
                                                         make_notification):
    notification = make_notification(lead)
    client = client_for(member)
    assert client.post(f"/de/notifications/{notification.pk}/read/").status_code == 404
    client.post("/de/notifications/read-all/")
    notification.refresh_from_db()
    assert notification.read_at is None
    assert client.get("/de/notifications/read-all/").status_code == 405


def test_the_list_is_paginated_and_its_query_count_does_not_grow(client_for, member,
                                                                 make_notification):
    client = client_for(member)
    make_notification(member, "k0")
    few = query_count(client.get, LIST)
    for n in range(1, 25):
        make_notification(member, f"k{n}", send=False)
    assert query_count(client.get, LIST) == few
    html = client.get(LIST).content.decode()
    assert html.count('<li class="notification') == 20
    assert "?page=2" in html
    assert client.get(LIST + "?page=2").content.decode().count('<li class="notification') == 5


def test_the_header_badge_costs_one_query_and_none_for_visitors(client, client_for, member,
                                                                make_notification):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_notification(member)
    with CaptureQueriesContext(connection) as queries:
        client_for(member).get("/de/")
    assert sum("notifications_notification" in q["sql"] for q in queries) == 1
    with CaptureQueriesContext(connection) as queries:
        client.get("/de/")
    assert not any("notifications_" in q["sql"] for q in queries)


def test_the_settings_page_changes_the_mode(client_for, member):
    client = client_for(member)
    response = client.get("/de/notifications/settings/")
    assert response.status_code == 200
    assert 'value="immediately"' in response.content.decode()
    response = client.post("/de/notifications/settings/", {"email_mode": "digest"})
    assert response.status_code == 302
    assert services.email_mode(member) == Mode.DIGEST


def test_the_settings_page_names_a_bad_choice(client_for, member):
    response = client_for(member).post("/de/notifications/settings/", {"email_mode": "hourly"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_email_mode_error"' in html and 'aria-describedby="' in html
    assert services.email_mode(member) == Mode.IMMEDIATELY


def _unsubscribe_url(user, language="de"):
    return f"/{language}/notifications/unsubscribe/{services.unsubscribe_token(user)}/"


def test_the_unsubscribe_link_asks_first_then_unsubscribes(client, member):
    url = _unsubscribe_url(member)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert member.email in html and f'action="{url}"' in html
    assert services.email_mode(member) == Mode.IMMEDIATELY  # a GET changes nothing
    response = client.post(url)  # the page's button (works without a login)
    assert response.status_code == 200 and "Abbestellt" in response.content.decode()
    assert services.email_mode(member) == Mode.NEVER


def test_one_click_unsubscribe_rfc_8058_needs_no_csrf_token(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(_unsubscribe_url(member, "en"),
                           data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert services.email_mode(member) == Mode.NEVER


def test_the_email_link_is_the_one_click_url(client, member, make_notification):
    make_notification(member)
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    path = header.strip("<>").removeprefix("http://127.0.0.1:8000")
    assert client.post(path).status_code == 200
    assert services.email_mode(member) == Mode.NEVER
    # The in-app list keeps working.
    make_notification(member, "second")
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=member).count() == 2


@pytest.mark.parametrize("token", ["1:forged", "nonsense", "1"])
def test_a_bad_unsubscribe_link_gives_a_clear_page(client, member, token):
    from django.test import Client

    url = f"/de/notifications/unsubscribe/{token}/"
    for response in (client.get(url), Client(enforce_csrf_checks=True).post(url)):
        assert response.status_code == 400
        assert "Link ungültig" in response.content.decode()
    assert services.email_mode(member) == Mode.IMMEDIATELY


def test_a_token_of_one_person_does_not_work_for_another(member, lead):
    token = services.unsubscribe_token(member)
    pk, signature = token.split(":")
    assert services.user_for_unsubscribe_token(f"{lead.pk}:{signature}") is None
    assert services.user_for_unsubscribe_token(token) == member


def test_the_unsubscribe_page_in_english(client, lead):
    response = client.get(reverse("notifications:unsubscribe",
                                  args=[services.unsubscribe_token(lead)]).replace("/de/", "/en/"))
    assert "Unsubscribe from e-mails" in response.content.decode()
