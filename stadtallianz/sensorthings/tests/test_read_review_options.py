"""Bad query options found in review answer 400 naming the problem, never 500."""

import pytest

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"


def error(client, path, **params):
    response = client.get(f"{ROOT}/{path}", params)
    assert response.status_code == 400, response.content
    return response.json()["message"]


@pytest.mark.parametrize("option", ["$top", "$skip"])
@pytest.mark.parametrize("text", ["²", "¹", "٣", "1²"])
def test_top_and_skip_accept_only_ascii_digits(client, option, text):
    assert option in error(client, "Things", **{option: text})
