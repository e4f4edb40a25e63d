"""CKAN's action API over HTTP (opendata.ckan has the actions): /api/3/action/<name>.

As CKAN does: GET with the parameters in the query string (a parameter given twice is a list),
POST with a JSON object as the body (or form fields); the answer is CKAN's envelope
`{"help": …, "success": true, "result": …}`, an error `{"success": false, "error": {"__type":
…, "message": …, <field>: [...]}}` with CKAN's status (404 Not Found Error, 409 Validation
Error, 400 Bad Request). Read-only: there is nothing to forge, so no CSRF token is asked, and
every answer is what an anonymous visitor may read, so any site may read it (CORS `*`, never
with credentials).
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from stadtallianz.core import jsonlimits

from . import ckan

log = logging.getLogger(__name__)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization, X-CKAN-API-Key",
    "Access-Control-Max-Age": "86400",
}


def _answer(body: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(ckan.encode(body), status=status,
                            content_type="application/json;charset=utf-8")
    for header, value in CORS_HEADERS.items():
        response[header] = value
    return response


def _request_data(request) -> dict:
    """The parameters; a request Django cannot read (more fields than it takes, a body larger
    than it keeps, a multipart body without its boundary) is CKAN's Bad Request, not Django's
    HTML page."""
    try:
        data = _parameters(request)
    except (TooManyFieldsSent, RequestDataTooBig, MultiPartParserError) as error:
        raise ckan.BadRequest(str(error)) from None
    try:
        # The site's one rule for what a value may hold (no NUL, no lone surrogate, which
        # PostgreSQL cannot store; bounded strings and nesting), as for /api/v1/ and
        # SensorThings.
        jsonlimits.check_value(data)
    except jsonlimits.InvalidJson as error:
        raise _invalid(error) from None
    return data


def _parameters(request) -> dict:
    """GET's query string (a parameter given twice is a list), else POST's JSON object (read
    within core.jsonlimits' bounds) or form fields."""
    if request.method == "GET":
        return {key: values[0] if len(values) == 1 else values
                for key, values in request.GET.lists()}
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {key: values[0] if len(values) == 1 else values
                for key, values in request.POST.lists()}
    body = request.body
    if not body.strip():
        return {}
    try:
        data = jsonlimits.parse_json(body)
    except jsonlimits.InvalidJson as error:
        raise _invalid(error) from None
    if not isinstance(data, dict):
        raise ckan.BadRequest("Request data JSON decoded to a "
                              f"{type(data).__name__} but it needs to be a dictionary.")
    return data


def _invalid(error: jsonlimits.InvalidJson) -> ckan.ActionError:
    """A value no action can take names its parameter (CKAN's Validation Error, 409); a body
    that is no JSON within the bounds is CKAN's "JSON Error" (400)."""
    if error.location and error.limit != "syntax":
        name = str(error.location[0]).replace("\x00", "").encode("utf-8", "replace").decode()
        return ckan.ValidationFailed(name, error.message)
    return ckan.BadRequest(f"JSON Error: {error.message}")


@csrf_exempt
def action(request, name: str):
    if request.method == "OPTIONS":
        return _answer({}, 200)
    prefix = request.path[:len(request.path) - len(name)]
    body = {"help": f"{settings.SITE_URL.rstrip('/')}{prefix}help_show?name={name}"}
    if request.method not in ("GET", "POST"):
        response = _answer({**body, "success": False, "error": {
            "__type": "Bad Request", "message": "Bad request - use GET or POST"}}, 405)
        response["Allow"] = "GET, POST, OPTIONS"
        return response
    function = ckan.ACTIONS.get(name)
    try:
        if function is None:
            raise ckan.BadRequest(f"Action name not known: {name[:100]}")
        data = _request_data(request)
        data.pop("callback", None)
        result = function(data)
    except ckan.ActionError as error:
        return _answer({**body, "success": False, "error": error.error()}, error.status)
    return _answer({**body, "success": True, "result": result})


def error_response(message: str, status: int) -> HttpResponse:
    """An error in CKAN's form outside an action (core.ratelimit's 429 for /api/3/ and
    /api/action/, when registered with `register_read_api`)."""
    return _answer({"success": False, "error": {"__type": "Too Many Requests" if status == 429
                                                else "Error", "message": message}}, status)
