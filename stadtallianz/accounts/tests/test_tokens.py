import pytest
from django.urls import reverse

from stadtallianz.accounts.forms import MAX_ACTIVE_TOKENS
from stadtallianz.accounts.models import ApiToken
from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import query_count

pytestmark = pytest.mark.django_db


def test_a_person_creates_a_token_and_sees_the_key_once(client_for, citizen):
    """The key is shown in the answer to the creation, stored only as a hash, never shown again."""
    client = client_for(citizen)
    response = client.post(reverse("accounts:tokens"), {"name": "Import script"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("sta_")
    assert key.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=citizen)
    assert token.name == "Import script"
    assert token.key_hash == ApiToken.hash_key(key)
    assert key.encode() not in client.get(reverse("accounts:tokens")).content
    assert AuditEntry.objects.filter(action="account.api_token.created").exists()


def test_the_token_list_shows_prefix_and_dates(client_for, citizen):
    token, _key = ApiToken.issue(user=citizen, name="Dashboard")
    response = client_for(citizen).get(reverse("accounts:tokens"))
    assert token.prefix.encode() in response.content
    assert b"Dashboard" in response.content


def test_a_token_needs_a_name(client_for, citizen):
    response = client_for(citizen).post(reverse("accounts:tokens"), {"name": ""})
    assert response.context["form"].has_error("name", "required")
    assert not ApiToken.objects.exists()


def test_the_number_of_active_tokens_is_limited(client_for, citizen):
    for index in range(MAX_ACTIVE_TOKENS):
        ApiToken.issue(user=citizen, name=f"t{index}")
    response = client_for(citizen).post(reverse("accounts:tokens"), {"name": "one more"})
    assert response.context["form"].has_error("__all__", "too_many_tokens")
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_a_person_revokes_their_token(client_for, citizen):
    """Revoking marks the token revoked; it disappears from the list and from active tokens."""
    token, _key = ApiToken.issue(user=citizen, name="Old")
    client = client_for(citizen)
    response = client.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not ApiToken.objects.active().exists()
    assert list(client.get(reverse("accounts:tokens")).context["tokens"]) == []
    assert AuditEntry.objects.filter(action="account.api_token.revoked").exists()


def test_revoking_needs_post(client_for, citizen):
    token, _key = ApiToken.issue(user=citizen, name="Kept")
    response = client_for(citizen).get(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("role", ["partner_member", "partner_admin", "coordinator", "superuser"])
def test_nobody_revokes_another_persons_token(request, client_for, citizen, role):
    """Another person's token is not found, whatever the role: 404, and it stays active."""
    token, _key = ApiToken.issue(user=citizen, name="Private")
    other = request.getfixturevalue(role)
    response = client_for(other).post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_cannot_revoke(client, citizen):
    token, _key = ApiToken.issue(user=citizen, name="Private")
    response = client.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_persons_tokens_are_not_listed(client_for, citizen, partner_member):
    ApiToken.issue(user=partner_member, name="Member's secret tool")
    response = client_for(citizen).get(reverse("accounts:tokens"))
    assert b"secret tool" not in response.content


def test_the_token_list_query_count_does_not_grow(client_for, citizen):
    client = client_for(citizen)
    url = reverse("accounts:tokens")
    ApiToken.issue(user=citizen, name="first")
    few = query_count(client.get, url)
    for index in range(8):
        ApiToken.issue(user=citizen, name=f"more {index}")
    assert query_count(client.get, url) == few
