import io

import pytest
from PIL import Image

from stadtallianz.partners.models import Membership

# Roles that may not change an organisation, with the answer each gets on a public partner.
DENIED = [(None, "login"), ("citizen", 403), ("other_member", 403), ("partner_member", 403)]
ALLOWED = ["partner_admin", "coordinator"]


@pytest.fixture
def other_member(make_user, make_organisation):
    """An admin of a different partner organisation."""
    user = make_user("other@example.org", full_name="Otto Other")
    Membership.objects.create(user=user, organisation=make_organisation("Other Org"),
                              role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def as_role(request, client_for):
    """as_role("citizen") is a client logged in as that fixture's person; None is a visitor."""
    def make(role):
        return client_for(request.getfixturevalue(role) if role else None)

    return make


def assert_denied(response, expected) -> None:
    if expected == "login":
        assert response.status_code == 302
        assert "/login/" in response["Location"] and "next=" in response["Location"]
    else:
        assert response.status_code == expected


def image_bytes(image_format: str = "PNG", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 90, 140)).save(buffer, format=image_format)
    return buffer.getvalue()
