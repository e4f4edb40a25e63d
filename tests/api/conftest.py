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



@pytest.fixture(scope="session")
def contract():
    """The published OpenAPI document as a checker of answers (tests/api/contract.py)."""
    from config.api import api

    from .contract import ContractChecker

    # Through JSON, as clients receive it (enums and other Python values become plain values).
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="api/v1/")))
    return ContractChecker(document)


@pytest.fixture(autouse=True)
def _answers_follow_the_contract(contract, monkeypatch):
    """Every answer of /api/v1/ that a test in tests/api receives is checked against the
    document: a documented status, content type and body schema (see contract.py)."""
    from django.test.client import Client

    problems = []
    send = Client.request

    def checked(self, **request):
        response = send(self, **request)
        if not getattr(response, "streaming", False):
            problems.extend(contract.problems(
                request["REQUEST_METHOD"], request["PATH_INFO"], response.status_code,
                response.get("Content-Type", ""), response.content))
        return response

    monkeypatch.setattr(Client, "request", checked)
    yield
    assert not problems, "answers that break the published contract:\n" + "\n".join(problems)
