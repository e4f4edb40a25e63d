"""Reference data through the API, and how a caller chooses the language of translated texts."""

import pytest

from stadtallianz.core.models import FocusArea, Principle

pytestmark = pytest.mark.django_db


def test_focus_areas_lists_the_active_ones_in_order(client):
    """Inactive focus areas are left out; each carries both languages and the active one."""
    hidden = FocusArea.objects.create(slug="hidden", name_de="Versteckt", name_en="Hidden",
                                      is_active=False)
    body = client.get("/api/v1/focus-areas").json()
    slugs = [item["slug"] for item in body]
    assert slugs == list(FocusArea.objects.active().values_list("slug", flat=True))
    assert hidden.slug not in slugs
    assert set(body[0]) == {"slug", "name", "name_de", "name_en", "description", "description_de",
                            "description_en"}


def test_principles_and_sdgs(client):
    """The eight guiding principles and the 17 SDGs, by number."""
    principles = client.get("/api/v1/principles").json()
    assert [item["number"] for item in principles] == list(range(1, 9))
    assert principles[0]["sentence_de"] and principles[0]["sentence_en"]
    sdgs = client.get("/api/v1/sdgs").json()
    assert [item["number"] for item in sdgs] == list(range(1, 18))


@pytest.mark.parametrize("query, header, language", [
    ({"lang": "en"}, "de", "en"),
    ({"lang": "de"}, "en", "de"),
    ({}, "en-GB,en;q=0.9", "en"),
    ({}, "de-DE", "de"),
    ({}, "", "de"),
    ({"lang": "fr"}, "en", "en"),
])
def test_the_active_language_comes_from_lang_then_accept_language(client, query, header, language):
    """`?lang=` wins over `Accept-Language`; an unknown one is ignored; German is the default."""
    principle = Principle.objects.get(number=1)
    headers = {"Accept-Language": header} if header else {}
    response = client.get("/api/v1/principles", query, headers=headers)
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]
    first = response.json()[0]
    assert first["name"] == getattr(principle, f"name_{language}")
    assert first["name_de"] == principle.name_de and first["name_en"] == principle.name_en


def test_an_english_text_falls_back_to_german_when_missing(client):
    """A focus area without English name shows its German one as the English value."""
    area = FocusArea.objects.create(slug="kiez", name_de="Kiez", name_en="", position=999)
    body = client.get("/api/v1/focus-areas", {"lang": "en"}).json()
    item = next(item for item in body if item["slug"] == area.slug)
    assert item["name"] == "Kiez" and item["name_en"] == ""


@pytest.mark.parametrize("lang,unauthenticated,not_found,refused", [
    ("de", "Anmeldung erforderlich.", "Nicht gefunden.",
     "Nur die Koordinierungsstelle legt Arbeitsgruppen an."),
    ("en", "Authentication required.", "Not found.",
     "Only the coordination office creates working groups."),
])
def test_error_texts_follow_the_request_language(client, client_for, citizen, lang,
                                                 unauthenticated, not_found, refused):
    """401, 404 and a refusal of the platform's rules speak the caller's language."""
    response = client.get(f"/api/v1/notifications?lang={lang}")
    assert (response.status_code, response.json()) == (401, {"detail": unauthenticated})
    response = client.get(f"/api/v1/working-groups/no-such-group?lang={lang}")
    assert (response.status_code, response.json()) == (404, {"detail": not_found})
    response = client_for(citizen).post(
        f"/api/v1/working-groups?lang={lang}", {"name_de": "Neu", "focus_areas": ["mobility"]},
        content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": refused}
