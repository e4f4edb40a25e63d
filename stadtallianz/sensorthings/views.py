"""The HTTP entry of the SensorThings API at /sta/v1.1: finds the caller, parses the resource
path and hands the request to the read side (query/) or the write side (write/). Every
SensorThings error leaves here as the standard's error JSON."""

from django.http import HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from . import paths
from .auth import caller_of, unauthorized
from .errors import StaError

WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


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
def service_root(request):
    from .query import root

    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return root.service_root(request)


@csrf_exempt
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
def batch(request):
    """POST $batch: the inner requests go through `resource` (batch.py)."""
    from . import batch as batches

    try:
        return batches.handle(request)
    except StaError as error:
        return _error_response(error)
