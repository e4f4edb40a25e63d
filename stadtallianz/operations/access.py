"""Who may read the operator's endpoints: a request with `Authorization: Bearer <OPS_TOKEN>`
(Prometheus, a monitoring system), or a superuser's session (a person looking in a browser).

A request without credentials is answered 401 with `WWW-Authenticate: Bearer`, a wrong token or
another person's session 403. Their existence is no secret (the code is public); what they
report is."""

import functools
import hmac

from django.conf import settings
from django.http import JsonResponse


def _denied(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="operations"'
    return response


def refusal(request) -> JsonResponse | None:
    """None when the request may read; otherwise the answer that refuses it."""
    scheme, _sep, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        token = settings.OPS_TOKEN
        # Constant time: the comparison does not tell how much of a guess was right.
        if token and hmac.compare_digest(credentials.strip().encode(), token.encode()):
            return None
        return _denied(403, "The token is not valid here.")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if user.is_active and user.is_superuser:
            return None
        return _denied(403, "Only superusers may read this.")
    return _denied(401, "Send Authorization: Bearer <OPS_TOKEN>.")


def operator_only(view):
    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        return refusal(request) or view(request, *args, **kwargs)

    return checked
