"""The HTTP entry of the SensorThings API at /sta/v1.1: finds the caller, parses the resource
path and hands the request to the read side (query/) or the write side (write/). Every
SensorThings error leaves here as the standard's error JSON."""

from functools import wraps

from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from . import paths
from .auth import caller_of, unauthorized
from .errors import StaError

WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


def cors(view):
    """Lets browser clients on other sites (Masterportal, web maps) use the API: every answer
    allows any origin, and a preflight (OPTIONS) is answered with the methods and headers a
    client may send. Never with credentials: a foreign page's request carries no session
    cookie, so it reads what a visitor reads, and writing needs the lab token in the
    Authorization header."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ", ".join(
                ("GET", "HEAD", *WRITE_METHODS, "OPTIONS"))
            response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "Location"
        return response

    return wrapped


def _error_response(error: StaError):
    response = error.response()
    if getattr(error, "www_authenticate", None):
        response["WWW-Authenticate"] = error.www_authenticate
    if getattr(error, "retry_after", None):  # 503 while the server is busy with a large read
        response["Retry-After"] = str(error.retry_after)
    return response


# No CSRF check: writes are accepted only with a lab token in the Authorization header, never
# with the session cookie, so a foreign page cannot make a browser write here.
@csrf_exempt
@cors
def service_root(request):
    from .query import root

    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return root.service_root(request)


@csrf_exempt
@cors
def resource(request, path: str):
    from .query import read
    from .write import write

    try:
        caller = caller_of(request)
        if request.method in WRITE_METHODS:
            if caller.token is None:
                raise unauthorized("Writing needs a lab token, sent as Bearer or Basic "
                                   "credentials.")
            if path.strip("/") == "CreateObservations":
                if request.method != "POST":
                    return HttpResponseNotAllowed(["POST"])
                return write.create_observations(request, caller)
            return write.handle(request, caller, paths.parse(path))
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", *WRITE_METHODS])
        return read.handle(request, caller, paths.parse(path))
    except StaError as error:
        return _error_response(error)


@csrf_exempt
@cors
def batch(request):
    """POST $batch: the inner requests go through `resource` (batch.py)."""
    from . import batch as batches

    try:
        return batches.handle(request)
    except StaError as error:
        return _error_response(error)
