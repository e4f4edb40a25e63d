"""The /api/v1/ API reads its JSON bodies through the bounded parser (core/jsonlimits), and a
body over an input limit is answered 422 naming the limit (docs/api.md "Input limits")."""

from ninja.errors import HttpError
from ninja.parser import Parser

from .jsonlimits import InvalidJson, parse_json


class LimitedParser(Parser):
    """ninja's JSON parser with the input limits: depth, sizes, number ranges, valid Unicode."""

    def parse_body(self, request):
        return parse_json(request.body)


def input_limit_detail(error: InvalidJson) -> list[dict]:
    """The 422 detail of a body over a limit, in the shape of ninja's validation errors. `loc`
    ends with the field (the last key on the way to the offending value: array indices after it
    are in the message's JSON path), so that, as everywhere in the API, the field's name is
    last."""
    keys = list(error.location)
    while keys and isinstance(keys[-1], int):
        keys.pop()
    return [{"loc": ["body", *keys], "msg": error.message, "type": "input_limit"}]


def http_error(request, exc: HttpError, api):
    """ninja turns every parser error into a 400 "Cannot parse request body"; a body that is
    JSON but over a limit is answered 422 naming the limit instead. Other HTTP errors as ninja
    answers them."""
    cause = exc.__cause__
    if isinstance(cause, InvalidJson) and cause.limit != "syntax":
        return api.create_response(request, {"detail": input_limit_detail(cause)}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def body_too_large(request, exc, api):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django refuses to read it): 422 naming the size
    limit, like every other input limit."""
    from django.conf import settings

    error = InvalidJson("size", "The body is larger than "
                        f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes (limit: size).")
    return api.create_response(request, {"detail": input_limit_detail(error)}, status=422)
