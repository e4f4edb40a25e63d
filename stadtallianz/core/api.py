"""REST API: reference data, plus what every app's API shares (language, errors, docs page).

Translated texts appear three times in every answer: `<name>` in the active language (chosen by
`?lang=de|en`, else the `Accept-Language` header, else German) and `<name>_de` / `<name>_en` as
stored, so a client can show either without a second request.
"""

import json
from functools import wraps

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext, gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.openapi.docs import Swagger
from ninja.pagination import LimitOffsetPagination
from pydantic import field_validator

from .i18n import LANGUAGE_CODES, active_language
from .models import FocusArea, Principle, SDGTarget, SustainableDevelopmentGoal

# ---------------------------------------------------------------------------------------------
# Shared by every app's API

# The answers of the API's error handlers (core/api_errors.py; config/api.py's 404 for a path).
AUTHENTICATION_REQUIRED = gettext_lazy("Authentication required.")
NOT_FOUND = gettext_lazy("Not found.")


def with_request_language(run):
    """Runs an API operation in the language the caller asked for (`?lang=` over the header)."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs):
        language = request.GET.get("lang", "").lower()
        if language not in LANGUAGE_CODES:
            language = active_language()
        with translation.override(language):
            response = run(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapper


class InputSchema(Schema):
    """The base of every API input (query filters and bodies): text with a NUL character is
    refused with 422. PostgreSQL can neither store nor compare such text and would fail the
    request with a server error."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value):
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError(gettext("Text must not contain NUL characters."))
        return value


# Larger offsets overflow the databases' integers (a server error); no list is near this long.
MAX_OFFSET = 2**31 - 1


class Pagination(LimitOffsetPagination):
    """`limit` and `offset` as ninja has them, with an upper bound for `offset`."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def answer_content(media_type: str, schema: dict) -> dict:
    """`openapi_extra` of an operation that answers with its own HttpResponse (exports, maps):
    the document names the media type and shape of that answer, as it does for schema answers."""
    return {"responses": {200: {"description": "OK",
                                "content": {media_type: {"schema": schema}}}}}


CSV_CONTENT = answer_content("text/csv", {"type": "string"})
JSON_ROWS_CONTENT = answer_content("application/json", {"type": "array", "items": {
    "type": "object", "additionalProperties": True}})


class ErrorOut(Schema):
    detail: str


class ValidationErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[ValidationErrorItem]


# The error answers an endpoint declares (so the OpenAPI document lists them); the global handlers
# (core/api_errors.py) produce them from the service's refusal. A write answers 403 for a refusal,
# 404 for nothing at the path, 422 for wrong input; a change the thing's state can forbid, 409 too.
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
CHANGE_ERRORS = {**WRITE_ERRORS, 409: ErrorOut}


def refuse_nulls(data: dict) -> None:
    """A PATCH may leave a field out but not send null for it: 422 naming the field, with
    Django's message (translated in its catalogue)."""
    for name, value in data.items():
        if value is None:
            raise DjangoValidationError(
                {name: str(models.Field.default_error_messages["null"])}, code="null")


def validation_error_detail(error: DjangoValidationError, *, body: str = "payload") -> list[dict]:
    """A model's ValidationError in the shape of ninja's own 422 answer, one item per message."""
    detail = []
    if hasattr(error, "error_dict"):
        errors = error.error_dict
    else:
        errors = {NON_FIELD_ERRORS: error.error_list}
    for field, field_errors in errors.items():
        loc = ["body", body] if field == NON_FIELD_ERRORS else ["body", body, field]
        for field_error in field_errors:
            for message in field_error.messages:
                code = field_error.code or "invalid"
                detail.append({"loc": loc, "msg": str(message), "type": code})
    return detail


class StrictCspSwagger(Swagger):
    """ninja's Swagger UI from its bundled files, started by a script of ours.

    ninja's own template embeds the settings in an inline script block, which the strict Content
    Security Policy forbids; this one passes them in a data attribute instead.
    """

    template = "core/api/docs.html"

    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"api": api, "swagger_settings": json.dumps(settings),
                   "openapi_url": settings["url"]}
        return render(request, self.template, context)


docs = StrictCspSwagger(settings={"validatorUrl": None})

# ---------------------------------------------------------------------------------------------
# Reference data

router = Router(tags=["reference data"])


class FocusAreaOut(Schema):
    slug: str
    name: str
    name_de: str
    name_en: str
    description: str
    description_de: str
    description_en: str


class FocusAreaRef(Schema):
    slug: str
    name: str
    name_de: str
    name_en: str


class PrincipleRef(Schema):
    number: int
    slug: str
    name: str


class SdgRef(Schema):
    number: int
    name: str


class OrganisationRef(Schema):
    slug: str
    name: str


def absolute_url(path: str) -> str:
    """`path` on this site, for the `web_url` fields of answers."""
    return settings.SITE_URL.rstrip("/") + path


class PrincipleOut(Schema):
    number: int
    slug: str
    name: str
    name_de: str
    name_en: str
    sentence: str
    sentence_de: str
    sentence_en: str


class SdgOut(Schema):
    number: int
    name: str
    name_de: str
    name_en: str


class SdgTargetOut(Schema):
    code: str
    goal: int
    name: str
    name_de: str
    name_en: str

    @staticmethod
    def resolve_goal(obj):
        return obj.goal.number


@router.get("/sdg-targets", response=list[SdgTargetOut], summary="SDG targets")
def sdg_target_list(request, goal: int | None = Query(None, ge=1, le=17)):
    """The 169 targets of the SDGs (short titles), in order; `goal` keeps one goal's."""
    targets = SDGTarget.objects.select_related("goal")
    if goal is not None:
        targets = targets.filter(goal__number=goal)
    return targets


@router.get("/focus-areas", response=list[FocusAreaOut], summary="Focus areas (Handlungsfelder)")
def focus_area_list(request):
    """The active focus areas of the alliance, in their configured order."""
    return FocusArea.objects.active()


@router.get("/principles", response=list[PrincipleOut], summary="Guiding principles")
def principle_list(request):
    """The eight guiding principles of the Smart City Charta."""
    return Principle.objects.all()


@router.get("/sdgs", response=list[SdgOut], summary="Sustainable development goals")
def sdg_list(request):
    """The 17 Sustainable Development Goals of the United Nations."""
    return SustainableDevelopmentGoal.objects.all()
