"""API tokens: looked up by their hash, and their last use recorded at most once a minute."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stadtallianz.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_token_records_its_last_use_at_most_once_a_minute(call, partner_admin):
    """The first call stamps last_used_at; another within the minute does not write again;
    one after a minute does."""
    token, key = ApiToken.issue(user=partner_admin, name="cli")
    assert call("GET", "/api/v1/partners", key=key).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    call("GET", "/api/v1/partners", key=key)
    token.refresh_from_db()
    assert token.last_used_at == first

    earlier = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    call("GET", "/api/v1/partners", key=key)
    token.refresh_from_db()
    assert token.last_used_at > earlier + timedelta(minutes=1)


def test_only_the_hash_of_the_key_is_stored(partner_admin):
    """The key itself is nowhere in the database row."""
    token, key = ApiToken.issue(user=partner_admin, name="cli")
    assert key.startswith("sta_")
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash


def test_reading_with_another_scheme_than_bearer_answers_401(call):
    """Basic or other authorisation schemes are not accepted by the API."""
    response = call("GET", "/api/v1/partners", Authorization="Basic dXNlcjpwYXNz")
    assert response.status_code == 401
