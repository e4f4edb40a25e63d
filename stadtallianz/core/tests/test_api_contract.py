"""The check of the published API contract runs for every test of the project, not only for those
under tests/api: each answer of /api/v1/ a test receives through Django's test client is held to
the OpenAPI document (the autouse fixture of the root conftest.py, tests/api/contract.py).

This test lives outside tests/api on purpose. It serves deliberately wrong answers for documented
operations from a URLconf of its own and reads what the fixture found; it fails when the fixture
is not in force here (removed from the root conftest, or moved back into tests/api).
"""

import pytest
from django.http import HttpResponse, JsonResponse
from django.urls import path

pytestmark = pytest.mark.urls(__name__)


def _partner_without_fields(request, slug):
    return JsonResponse({"slug": slug})  # PartnerDetailOut requires far more


def _teapot(request):
    return JsonResponse({"detail": "I am a teapot."}, status=418)


def _html(request):
    return HttpResponse("<p>Not JSON</p>")


def _not_checked(request):
    return JsonResponse({"anything": "goes"}, status=418)


urlpatterns = [
    path("api/v1/partners/<slug:slug>", _partner_without_fields),
    path("api/v1/focus-areas", _teapot),
    path("api/v1/sdgs", _html),
    path("api/v1/no-such-operation", _not_checked),
    path("elsewhere/", _not_checked),
]


def test_the_contract_check_is_in_force_outside_tests_api(request, client):
    assert "_answers_follow_the_contract" in request.fixturenames, (
        "the root conftest.py must check every test's answers of /api/v1/ against the document")
    problems = request.getfixturevalue("_answers_follow_the_contract")
    assert problems == []

    client.get("/api/v1/partners/stadtwerke")
    client.get("/api/v1/focus-areas")
    client.get("/api/v1/sdgs")
    client.get("/api/v1/no-such-operation")
    client.get("/elsewhere/")
    found = list(problems)
    # Emptied, or this test would fail at teardown for the wrong answers it served on purpose.
    problems.clear()

    assert len([p for p in found if p.startswith("GET /api/v1/partners/stadtwerke → 200: ")]) > 1
    assert any("'name' is a required property" in p for p in found)
    assert any(p.startswith("GET /api/v1/focus-areas → 418: status not documented") for p in found)
    assert any(p.startswith("GET /api/v1/sdgs → 200: content type 'text/html'") for p in found)
    assert any(p.startswith("GET /api/v1/no-such-operation → 418: no such operation")
               for p in found)
    assert not [p for p in found if "/elsewhere/" in p]  # only /api/v1/ is the contract's

