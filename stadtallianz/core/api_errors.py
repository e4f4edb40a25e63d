"""The API's one error shape: every refusal is `{"detail": "…"}`, invalid input (422)
`{"detail": [{"loc": […], "msg": "…", "type": "…"}]}`, each text in the caller's language.

`add_error_handlers` installs the handlers on the NinjaAPI (config/api.py), so an endpoint only
calls its service and lets the service's refusal through (core/exceptions.py says which is which):

* PermissionDenied → 403, its message (or "Not allowed.").
* Conflict → 409, its messages joined.
* any other Django ValidationError → 422, one item per message (a model's, a service's).
* the schema's own validation → 422, Pydantic's items with their messages translated.

The handlers run inside `with_request_language` (core/api.py), so gettext answers in the
language of `?lang=` (else the Accept-Language header, else German).
"""

from functools import partial

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from .api import AUTHENTICATION_REQUIRED, NOT_FOUND, validation_error_detail
from .api_parser import body_too_large, http_error
from .exceptions import Conflict

NOT_ALLOWED = gettext_lazy("Not allowed.")
# ninja's text for a body it cannot read (its 400), answered in the caller's language.
NINJA_CANNOT_PARSE_BODY = "Cannot parse request body"
CANNOT_PARSE_BODY = gettext_lazy("Cannot parse request body")

# Pydantic's messages by error type. Each msgid is Pydantic's own message template (the error's
# context names in braces), so an English answer stays exactly Pydantic's message; the German
# catalogue (core/locale) holds the translations, filled in from the error's context.
SCHEMA_MESSAGES = {type_: gettext_noop(template) for type_, template in [
    ("missing", "Field required"),
    ("extra_forbidden", "Extra inputs are not permitted"),
    ("string_type", "Input should be a valid string"),
    ("string_too_short", "String should have at least {min_length} character{expected_plural}"),
    ("string_too_long", "String should have at most {max_length} character{expected_plural}"),
    ("string_pattern_mismatch", "String should match pattern '{pattern}'"),
    ("int_type", "Input should be a valid integer"),
    ("int_parsing", "Input should be a valid integer, unable to parse string as an integer"),
    ("int_from_float", "Input should be a valid integer, got a number with a fractional part"),
    ("float_type", "Input should be a valid number"),
    ("float_parsing", "Input should be a valid number, unable to parse string as a number"),
    ("finite_number", "Input should be a finite number"),
    ("bool_type", "Input should be a valid boolean"),
    ("bool_parsing", "Input should be a valid boolean, unable to interpret input"),
    ("greater_than", "Input should be greater than {gt}"),
    ("greater_than_equal", "Input should be greater than or equal to {ge}"),
    ("less_than", "Input should be less than {lt}"),
    ("less_than_equal", "Input should be less than or equal to {le}"),
    ("enum", "Input should be {expected}"),
    ("literal_error", "Input should be {expected}"),
    ("list_type", "Input should be a valid list"),
    ("dict_type", "Input should be a valid dictionary"),
    ("model_attributes_type",
     "Input should be a valid dictionary or object to extract fields from"),
    ("too_short", "{field_type} should have at least {min_length} item{expected_plural} after "
                  "validation, not {actual_length}"),
    ("too_long", "{field_type} should have at most {max_length} item{expected_plural} after "
                 "validation, not {actual_length}"),
    ("date_type", "Input should be a valid date"),
    ("date_parsing", "Input should be a valid date in the format YYYY-MM-DD, {error}"),
    ("date_from_datetime_parsing", "Input should be a valid date or datetime, {error}"),
    ("datetime_type", "Input should be a valid datetime"),
    ("datetime_parsing", "Input should be a valid datetime, {error}"),
    ("datetime_from_date_parsing", "Input should be a valid datetime or date, {error}"),
    ("time_type", "Input should be a valid time"),
    ("time_parsing", "Input should be in a valid time format, {error}"),
    ("uuid_parsing", "Input should be a valid UUID, {error}"),
    ("url_parsing", "Input should be a valid URL, {error}"),
    ("decimal_parsing", "Input should be a valid decimal"),
    ("value_error", "Value error, {error}"),
]}


def translated_schema_message(item: dict) -> str:
    """The message of one of Pydantic's error items in the active language.

    Where the catalogue translates the item's type, the translation filled in from the item's
    context; otherwise (English, or a type not listed) Pydantic's own message, unchanged."""
    message = item.get("msg", "")
    template = SCHEMA_MESSAGES.get(item.get("type"))
    if template is None:
        return message
    translated = gettext(template)
    if translated == template:
        return message
    context = dict(item.get("ctx") or {})
    if "expected" in context:  # Pydantic's list of choices ends "'a', 'b' or 'c'"
        head, separator, tail = str(context["expected"]).rpartition(" or ")
        if separator:
            context["expected"] = f"{head} {gettext('or')} {tail}"
    try:
        return translated.format(**context)
    except (KeyError, IndexError, ValueError):
        return message


def _permission_denied(request, exc: PermissionDenied, api: NinjaAPI):
    return api.create_response(request, {"detail": str(exc) or str(NOT_ALLOWED)}, status=403)


def _conflict(request, exc: Conflict, api: NinjaAPI):
    return api.create_response(request, {"detail": " ".join(str(m) for m in exc.messages)},
                               status=409)


def _invalid_input(request, exc: DjangoValidationError, api: NinjaAPI):
    return api.create_response(request, {"detail": validation_error_detail(exc)}, status=422)


def _invalid_schema_input(request, exc: SchemaValidationError, api: NinjaAPI):
    detail = [{**item, "msg": translated_schema_message(item)} for item in exc.errors]
    return api.create_response(request, {"detail": detail}, status=422)


def _not_authenticated(request, exc: AuthenticationError, api: NinjaAPI):
    response = api.create_response(request, {"detail": str(AUTHENTICATION_REQUIRED)}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _not_found(request, exc: Http404, api: NinjaAPI):
    return api.create_response(request, {"detail": str(NOT_FOUND)}, status=404)


def _unparseable_form(request, exc: MultiPartParserError, api: NinjaAPI):
    # A multipart body Django cannot read (no boundary, cut off): the API's 400 like a JSON body
    # that cannot be parsed, not Django's HTML page for it.
    return api.create_response(request, {"detail": str(CANNOT_PARSE_BODY)}, status=400)


def _http_error(request, exc: HttpError, api: NinjaAPI):
    if exc.status_code == 400 and str(exc) == NINJA_CANNOT_PARSE_BODY:
        translated = HttpError(400, str(CANNOT_PARSE_BODY))
        translated.__cause__ = exc.__cause__  # a body over an input limit is a 422 (api_parser)
        exc = translated
    return http_error(request, exc, api)


def add_error_handlers(api: NinjaAPI) -> None:
    """Installs the handlers that give every error of `api` the shape above."""
    handlers = {
        PermissionDenied: _permission_denied,
        Conflict: _conflict,  # ninja picks the handler along the MRO: Conflict's, not its base's
        DjangoValidationError: _invalid_input,
        SchemaValidationError: _invalid_schema_input,
        Http404: _not_found,
        AuthenticationError: _not_authenticated,
        HttpError: _http_error,
        RequestDataTooBig: body_too_large,
        MultiPartParserError: _unparseable_form,
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, partial(handler, api=api))
