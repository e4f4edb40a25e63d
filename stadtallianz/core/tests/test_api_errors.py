"""The API's one error shape (core/api_errors.py): a service's refusal becomes 403, 409 or 422 by
the global handlers, and every error text, Pydantic's 422 messages included, follows `?lang=`."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema

from stadtallianz.core.api import with_request_language
from stadtallianz.core.api_errors import add_error_handlers, translated_schema_message
from stadtallianz.core.exceptions import Conflict

# A small API of its own (outside /api/v1/, whose answers the contract check holds to the
# document), with the real handlers and language decorator, to raise each refusal directly.
scratch = NinjaAPI(urls_namespace="api-errors-test")
scratch.add_decorator(with_request_language, mode="view")
add_error_handlers(scratch)


class NameIn(Schema):
    name: str


@scratch.post("/refused")
def refused(request, payload: NameIn):
    raise PermissionDenied(payload.name)


@scratch.post("/refused-silently")
def refused_silently(request):
    raise PermissionDenied


@scratch.post("/conflict")
def conflict(request):
    raise Conflict([gettext_lazy("Not found."), "Second."])


@scratch.post("/field-error")
def field_error(request):
    raise ValidationError({"name": ["Too short."]})


@scratch.post("/state-error")
def state_error(request):
    raise ValidationError("Neither a field nor a conflict.")


urlpatterns = [path("scratch/", scratch.urls)]


@pytest.mark.urls(__name__)
class TestRefusals:
    def test_permission_denied_is_403_with_its_message(self, client):
        response = client.post("/scratch/refused", {"name": "Only leads may."},
                               content_type="application/json")
        assert (response.status_code, response.json()) == (403, {"detail": "Only leads may."})

    @pytest.mark.parametrize("language, text", [("de", "Nicht erlaubt."), ("en", "Not allowed.")])
    def test_a_refusal_without_message_says_not_allowed_in_the_callers_language(
            self, client, language, text):
        response = client.post(f"/scratch/refused-silently?lang={language}")
        assert (response.status_code, response.json()) == (403, {"detail": text})

    @pytest.mark.parametrize("language, text", [("de", "Nicht gefunden. Second."),
                                                ("en", "Not found. Second.")])
    def test_a_conflict_is_409_with_its_messages_joined(self, client, language, text):
        response = client.post(f"/scratch/conflict?lang={language}")
        assert (response.status_code, response.json()) == (409, {"detail": text})

    def test_a_validation_error_naming_a_field_is_422_with_the_field_last_in_loc(self, client):
        response = client.post("/scratch/field-error")
        assert response.status_code == 422
        assert response.json() == {"detail": [{"loc": ["body", "payload", "name"],
                                               "msg": "Too short.", "type": "invalid"}]}

    def test_a_validation_error_naming_no_field_stays_422_it_is_no_conflict(self, client):
        """Only a Conflict is 409: the endpoints that answered such an error with 422 keep it."""
        response = client.post("/scratch/state-error")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "payload"]

    def test_a_conflict_is_still_a_validation_error_for_the_pages(self):
        """Forms show a service's ValidationError; a Conflict is one, so pages need no change."""
        assert isinstance(Conflict("Already decided."), ValidationError)


@pytest.mark.django_db
@pytest.mark.parametrize("query, type_, german, english", [
    ("/api/v1/search", "missing", "Pflichtfeld", "Field required"),
    (f"/api/v1/search?q={'x' * 300}", "string_too_long",
     "Der Text darf höchstens 200 Zeichen lang sein",
     "String should have at most 200 characters"),
    ("/api/v1/sdg-targets?goal=abc", "int_parsing",
     "Die Eingabe muss eine ganze Zahl sein; der Text ist keine",
     "Input should be a valid integer, unable to parse string as an integer"),
    ("/api/v1/sdg-targets?goal=18", "less_than_equal",
     "Die Eingabe muss kleiner oder gleich 17 sein", "Input should be less than or equal to 17"),
    ("/api/v1/sdg-targets?goal=0", "greater_than_equal",
     "Die Eingabe muss größer oder gleich 1 sein", "Input should be greater than or equal to 1"),
    ("/api/v1/projects?phase=dreaming", "enum",
     "Die Eingabe muss 'concept', 'preparation', 'pilot', 'evaluation', 'rollout', 'completed' "
     "oder 'stopped' sein",
     "Input should be 'concept', 'preparation', 'pilot', 'evaluation', 'rollout', 'completed' "
     "or 'stopped'"),
    ("/api/v1/search?q=%00", "value_error",
     "Ungültiger Wert: Text darf keine NUL-Zeichen enthalten.",
     "Value error, Text must not contain NUL characters."),
])
def test_the_schemas_422_messages_follow_lang(client, query, type_, german, english):
    """Pydantic writes English; the API answers in the caller's language, and in English exactly
    as Pydantic does. German is the default."""
    separator = "&" if "?" in query else "?"
    for language, expected in [("de", german), ("en", english), (None, german)]:
        url = query if language is None else f"{query}{separator}lang={language}"
        response = client.get(url)
        assert response.status_code == 422, url
        items = [item for item in response.json()["detail"] if item["type"] == type_]
        assert [item["msg"] for item in items] == [expected], url


def test_a_message_whose_context_does_not_fit_the_translation_stays_pydantics():
    from django.utils import translation

    with translation.override("de"):
        item = {"type": "greater_than_equal", "msg": "Input should be ...", "ctx": {}}
        assert translated_schema_message(item) == "Input should be ..."
        unknown = {"type": "complex_type", "msg": "Input should be a valid python complex"}
        assert translated_schema_message(unknown) == unknown["msg"]
