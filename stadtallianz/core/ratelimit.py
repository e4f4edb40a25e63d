"""Rate limits: a counter per key and fixed time window in the Django cache (Redis in
production, so every worker process shares it; the local-memory cache of a single process
otherwise).

`hit(key, limit, window)` is the one rule: it counts one event for `key` and says how long the
caller must wait once more than `limit` events fell into the current window of `window` seconds.
`AnonymousReadRateLimit` applies it to anonymous reads of the REST API and the SensorThings API,
per client address (settings.ANON_READ_RATE, docs/api.md "Rate limits"). Other limits (e.g.
registrations) call `hit` with their own key.

A fixed window lets a client send up to twice the limit around a window's edge; that is fine for
keeping one client from occupying the workers, and costs one cache round trip per request.
"""

import ipaddress
import math
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse


def parse_rate(text: str | None) -> tuple[int, int] | None:
    """`"300/60"` -> (300, 60): at most 300 events per 60 seconds. Empty or `"0"`: no limit."""
    text = (text or "").strip()
    if text in ("", "0"):
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(\d+)", text)
    if not match or int(match[2]) <= 0:
        raise ValueError(f"A rate is 'events/seconds', e.g. '300/60', not {text!r}.")
    limit, window = int(match[1]), int(match[2])
    return None if limit == 0 else (limit, window)


def hit(key: str, limit: int, window: int) -> int | None:
    """Counts one event for `key`. None while at most `limit` events fell into the current
    window of `window` seconds; else the seconds until that window ends (for Retry-After)."""
    now = time.time()
    number = int(now // window)
    cache_key = f"ratelimit:{key}:{window}:{number}"
    # The counter expires with its window (plus a second for clocks of other workers).
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: a new window
            cache.add(cache_key, 1, timeout=window + 1)
            count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((number + 1) * window - now))


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP address, or None when there is no valid one. Behind PROXY_COUNT reverse
    proxies (settings AXES_IPWARE_PROXY_COUNT), each of which appends the address it was called
    from to X-Forwarded-For, it is the PROXY_COUNT-th entry from the right: entries further
    left were sent by the client and may be made up. Without proxies, REMOTE_ADDR. Login
    throttling uses the same rule (settings AXES_CLIENT_IP_CALLABLE)."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < proxies:  # not through the expected proxies: the caller itself
        return remote
    return _address(forwarded[-proxies]) or remote


READ_METHODS = ("GET", "HEAD")
API_PREFIX = "/api/v1/"
STA_PREFIX = "/sta/"


def _is_authenticated(request) -> bool:
    """A logged-in session, or valid credentials in the Authorization header (a personal API
    token for /api/v1/, a lab token for /sta/). Credentials that are sent but wrong count as
    anonymous: the view refuses them."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return False
    if request.path.startswith(STA_PREFIX):
        from stadtallianz.sensorthings.auth import caller_of
        from stadtallianz.sensorthings.errors import StaError

        try:
            return caller_of(request).token is not None
        except StaError:
            return False
    from stadtallianz.core.api_auth import user_for_token

    scheme, _sep, key = header.partition(" ")
    return scheme.lower() == "bearer" and user_for_token(key.strip()) is not None


def too_many_requests(request, retry_after: int) -> JsonResponse:
    """429 in the error shape of the API asked: SensorThings error JSON for /sta/, the REST
    API's {"detail": …} otherwise."""
    message = (f"Too many requests from your address; try again in {retry_after} seconds, or "
               "authenticate.")
    if request.path.startswith(STA_PREFIX):
        response = JsonResponse({"code": 429, "type": "error", "message": message}, status=429)
        # Browser clients on other sites read the API (sensorthings.views.cors): they must be
        # able to read this answer too.
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "Retry-After"
    else:
        response = JsonResponse({"detail": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class AnonymousReadRateLimit:
    """At most settings.ANON_READ_RATE anonymous reads (GET, HEAD) of /api/v1/ and /sta/ per
    client address; then 429 with Retry-After until the window ends. Logged-in people and
    callers with a valid token are not limited by it. Placed after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return anonymous_read_refused(request) or self.get_response(request)


def anonymous_read_refused(request) -> JsonResponse | None:
    """Counts an anonymous read of /api/v1/ or /sta/ against ANON_READ_RATE; the 429 answer
    when it is over. Also used for each read inside a SensorThings $batch, which the
    middleware sees as one POST."""
    if request.method in READ_METHODS and request.path.startswith((API_PREFIX, STA_PREFIX)):
        rate = parse_rate(getattr(settings, "ANON_READ_RATE", ""))
        if rate is not None and not _is_authenticated(request):
            address = client_address(request) or "unknown"
            retry_after = hit(f"anon-read:{address}", *rate)
            if retry_after is not None:
                return too_many_requests(request, retry_after)
    return None
