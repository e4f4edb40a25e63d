"""Assertions the API tests share."""


def field_errors(response) -> set[str]:
    """The field names a 422 answer names (the last part of each `loc`)."""
    assert response.status_code == 422, response.content
    return {str(item["loc"][-1]) for item in response.json()["detail"]}
