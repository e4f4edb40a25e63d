"""CKAN's action API over HTTP (opendata.ckan has the actions): /api/3/action/<name>.

As CKAN does: GET with the parameters in the query string (a parameter given twice is a list),
POST with a JSON object as the body (or form fields); the answer is CKAN's envelope
`{"help": …, "success": true, "result": …}`, an error `{"success": false, "error": {"__type":
…, "message": …, <field>: [...]}}` with CKAN's status (404 Not Found Error, 409 Validation
Error, 400 Bad Request). Read-only: there is nothing to forge, so no CSRF token is asked, and
every answer is what an anonymous visitor may read, so any site may read it (CORS `*`, never
with credentials).
"""

import json
import logging

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

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
    """The parameters: GET's query string, else POST's JSON object or form fields."""
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
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ckan.BadRequest(f"JSON Error: {error}") from None
    if not isinstance(data, dict):
        raise ckan.BadRequest("Request data JSON decoded to a "
                              f"{type(data).__name__} but it needs to be a dictionary.")
    return data


def _refuse_nul(data: dict) -> None:
    """PostgreSQL stores no NUL character: a parameter with one is refused, naming it."""
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        if "\x00" in str(key) or any(isinstance(item, str) and "\x00" in item
                                     for item in values):
            raise ckan.ValidationFailed(str(key).replace("\x00", ""), "NUL character")


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
        _refuse_nul(data)
        result = function(data)
    except ckan.ActionError as error:
        return _answer({**body, "success": False, "error": error.error()}, error.status)
    return _answer({**body, "success": True, "result": result})


def error_response(message: str, status: int) -> HttpResponse:
    """An error in CKAN's form outside an action (core.ratelimit's 429 for /api/3/ and
    /api/action/, when registered with `register_read_api`)."""
    return _answer({"success": False, "error": {"__type": "Too Many Requests" if status == 429
                                                else "Error", "message": message}}, status)
