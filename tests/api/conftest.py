"""Helpers for the API tests: tokens for the people of the shared fixtures, and JSON requests."""

import json

import pytest


@pytest.fixture
def token_for(db):
    """token_for(user) issues an API token for that person and returns its key."""
    from stadtallianz.accounts.models import ApiToken

    def make(user, name: str = "test"):
        _token, key = ApiToken.issue(user=user, name=name)
        return key

    return make


@pytest.fixture
def call(client):
    """call(method, path, body, key=…, **headers) sends JSON, with a bearer token if given."""

    def send(method: str, path: str, body=None, *, key: str | None = None, via=None, **headers):
        if key:
            headers["Authorization"] = f"Bearer {key}"
        kwargs = {"headers": headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(via or client, method.lower())(path, **kwargs)

    return send
