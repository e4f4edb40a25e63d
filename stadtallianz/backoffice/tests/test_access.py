"""Every back-office page is for the coordination office only."""

import pytest
from django.urls import reverse

from stadtallianz.core.models import FocusArea
from stadtallianz.letter_of_intent.models import Signature

ROLES = ["visitor", "citizen", "member", "other_admin", "admin", "coordinator", "superuser"]
EXPECTED_GET = {"visitor": 302, "citizen": 403, "member": 403, "other_admin": 403, "admin": 403,
                "coordinator": 200, "superuser": 200}


@pytest.fixture
def urls(make_application):
    signature = make_application("Bewerber eV")
    focus_area = FocusArea.objects.first()
    return {
        "get": [
            reverse("backoffice:dashboard"),
            reverse("backoffice:applications"),
            reverse("backoffice:application", kwargs={"pk": signature.pk}),
            reverse("backoffice:partners"),
            reverse("backoffice:partners_export"),
            reverse("backoffice:partners_export") + "?format=xlsx",
            reverse("backoffice:audit"),
            reverse("backoffice:audit_export"),
            reverse("backoffice:audit_export") + "?format=xlsx",
            reverse("backoffice:versions"),
            reverse("backoffice:version_create"),
            reverse("backoffice:version_preview", kwargs={"number": 1}),
            reverse("backoffice:focus_areas"),
            reverse("backoffice:focus_area_create"),
            reverse("backoffice:focus_area_edit", kwargs={"pk": focus_area.pk}),
        ],
        "post": [
            reverse("backoffice:application_confirm", kwargs={"pk": signature.pk}),
            reverse("backoffice:application_reject", kwargs={"pk": signature.pk}),
            reverse("backoffice:version_publish", kwargs={"number": 1}),
            reverse("backoffice:version_create"),
            reverse("backoffice:focus_area_create"),
        ],
        "signature": signature,
    }


@pytest.mark.parametrize("role", ROLES)
def test_pages_are_for_the_coordination_office(client_for, person, urls, role):
    """Visitors are sent to log in, everyone outside the coordination office gets 403."""
    client = client_for(person(role))
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == EXPECTED_GET[role], url
        if role == "visitor":
            assert "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["visitor", "citizen", "member", "other_admin", "admin"])
def test_changes_are_refused_outside_the_coordination_office(client_for, person, urls, role):
    """No POST from outside the coordination office changes anything."""
    client = client_for(person(role))
    for url in urls["post"]:
        response = client.post(url, {"reason": "No.", "title_de": "x", "title_en": "x",
                                     "text_de": "x", "text_en": "x", "slug": "neu",
                                     "name_de": "Neu", "position": 1})
        assert response.status_code in (302, 403), url
    urls["signature"].refresh_from_db()
    assert urls["signature"].state == Signature.State.PENDING
    assert not FocusArea.objects.filter(slug="neu").exists()


def test_review_actions_need_post(client_for, coordinator, urls):
    """Confirm, reject and publish refuse GET."""
    client = client_for(coordinator)
    for url in urls["post"][:3]:
        assert client.get(url).status_code == 405
