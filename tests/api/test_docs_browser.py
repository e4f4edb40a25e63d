"""The interactive API docs really run in a browser under the strict Content Security Policy."""

import pytest

from tests.browser.conftest import axe_violations, browser, page  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Swagger UI puts a button inside the clickable summary of each operation; that is its markup,
# not something a stylesheet can change (docs/api.md names it).
THIRD_PARTY_RULES = {"nested-interactive"}


def test_swagger_ui_renders_the_endpoints_without_csp_violations(page, live_server):  # noqa: F811
    """Swagger UI starts from ninja's bundled files and our script; the browser reports no
    blocked script or style, and axe finds no contrast or other serious problem of ours."""
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/partners" in path for path in paths)
    assert page.csp_violations == []
    problems = [v for v in axe_violations(page) if v["id"] not in THIRD_PARTY_RULES]
    assert problems == [], problems
