import pytest
from django.urls import reverse

from stadtallianz.events.models import Event, Registration

pytestmark = pytest.mark.django_db


def test_unknown_group_filter_lists_all_events(client, event):
    """A filter value that is no group is ignored rather than an error."""
    response = client.get(reverse("events:list"), {"group": "<script>"})
    assert response.status_code == 200 and event.title_de in response.content.decode()


def test_create_for_unknown_group_is_404(client_for, coordinator):
    assert client_for(coordinator).get(
        reverse("events:create") + "?group=nope").status_code == 404


def test_malformed_form_input_errors_next_to_fields(client_for, coordinator):
    """Bad numbers, dates and links come back as errors on their fields; nothing is saved."""
    response = client_for(coordinator).post(reverse("events:create"), {
        "title_de": "", "format": "teleport", "starts_at": "morgen", "ends_at": "",
        "capacity": "-3", "latitude": "north", "online_link": "javascript:alert(1)",
        "visibility": "public"})
    assert response.status_code == 400
    page = response.content.decode()
    for field in ("title_de", "format", "starts_at", "ends_at", "capacity", "latitude",
                  "online_link"):
        assert f'id="id_{field}_error"' in page, field
    assert not Event.objects.exists()


def test_second_registration_changes_nothing(client_for, event, member):
    client = client_for(member)
    client.post(reverse("events:register", kwargs={"slug": event.slug}))
    response = client.post(reverse("events:register", kwargs={"slug": event.slug}), follow=True)
    assert "bereits angemeldet" in response.content.decode()
    assert Registration.objects.filter(event=event).count() == 1


def test_cancelling_without_registration_shows_a_message(client_for, event, member):
    response = client_for(member).post(
        reverse("events:unregister", kwargs={"slug": event.slug}), follow=True)
    assert "keine Anmeldung" in response.content.decode()


def test_api_bad_filter_is_422(client):
    assert client.get("/api/v1/events", {"upcoming": "perhaps"}).status_code == 422
    assert client.get("/api/v1/events", {"group": "a\x00b"}).status_code == 422
