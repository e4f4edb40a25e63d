"""Rate limits: a counter per key and fixed time window in the Django cache (Redis in
production, so every worker process shares it; the local-memory cache of a single process
otherwise).

`hit(key, limit, window)` is the one rule: it counts one event for `key` and says how long the
caller must wait once more than `limit` events fell into the current window of `window` seconds.
`AnonymousReadRateLimit` applies it to anonymous reads of the REST API and of each API an app
registers (`register_read_api`: SensorThings), per client address (settings.ANON_READ_RATE,
docs/api.md "Rate limits"). Other limits (e.g.
registrations) call `hit` with their own key.

A fixed window lets a client send up to twice the limit around a window's edge; that is fine for
keeping one client from occupying the workers, and costs one cache round trip per request.

Why not django-ninja's throttling (issue 13, measured): its SimpleRateThrottle keeps a list of
timestamps per client in the cache and reads, changes and writes it back, so requests that
arrive together overwrite each other's counts. Measured on Redis with 8 threads sending 800
anonymous reads from one address against a limit of 300: `hit` let 300 through, ninja's
AnonRateThrottle all 800 (the limit held only single-threaded; gunicorn runs 4 workers of 2
threads). Its check was somewhat cheaper on Redis (0.6-1.0 ms against 1.0-2.2 ms on a loaded
shared machine) and dearer in local memory (70 µs against 40 µs); a limit that does not hold is
not worth that. It also sees only the REST API's operations, not /sta/ nor the reads inside a
SensorThings $batch, which this limit counts with the same rule.
"""

import ipaddress
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse


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


@dataclass(frozen=True)
class ReadApi:
    """An API whose anonymous reads are limited: how it tells valid credentials in the
    Authorization header (credentials that are sent but wrong count as anonymous: the API's
    view refuses them), and how it answers an error (`message`, `status`) in its own shape."""

    has_valid_credentials: Callable[[HttpRequest], bool]
    error_response: Callable[[str, int], HttpResponse]
    # The methods that read. CKAN's action API reads by POST too (ckanapi's default).
    read_methods: tuple[str, ...] = READ_METHODS


# Path prefix -> ReadApi. Core knows no app: an app with an API registers it when it is ready
# (SensorThings in sensorthings.apps); the REST API of core.api_auth is registered below.
_read_apis: dict[str, ReadApi] = {}


def register_read_api(prefix: str, *, has_valid_credentials: Callable[[HttpRequest], bool],
                      error_response: Callable[[str, int], HttpResponse],
                      read_methods: tuple[str, ...] = READ_METHODS) -> None:
    """Limits the anonymous reads under `prefix` (requests with one of `read_methods`) by
    ANON_READ_RATE."""
    _read_apis[prefix] = ReadApi(has_valid_credentials, error_response, read_methods)


def _has_api_token(request: HttpRequest) -> bool:
    from stadtallianz.core.api_auth import user_for_token

    scheme, _sep, key = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return scheme.lower() == "bearer" and user_for_token(key.strip()) is not None


API_PREFIX = "/api/v1/"
register_read_api(API_PREFIX, has_valid_credentials=_has_api_token,
                  error_response=lambda message, status: JsonResponse({"detail": message},
                                                                       status=status))


def _read_api_of(request: HttpRequest) -> ReadApi | None:
    for prefix, read_api in _read_apis.items():
        if request.path.startswith(prefix):
            return read_api
    return None


def _is_authenticated(request: HttpRequest, read_api: ReadApi) -> bool:
    """A logged-in session, or valid credentials in the Authorization header."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    return bool(request.META.get("HTTP_AUTHORIZATION")) and read_api.has_valid_credentials(request)


def too_many_requests(read_api: ReadApi, retry_after: int) -> HttpResponse:
    """429 with Retry-After in the error shape of the API asked."""
    message = (f"Too many requests from your address; try again in {retry_after} seconds, or "
               "authenticate.")
    response = read_api.error_response(message, 429)
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


def anonymous_read_refused(request) -> HttpResponse | None:
    """Counts an anonymous read of a registered API against ANON_READ_RATE; the 429 answer
    when it is over. Also used for each read inside a SensorThings $batch, which the
    middleware sees as one POST."""
    read_api = _read_api_of(request)
    if read_api is None or request.method not in read_api.read_methods:
        return None
    rate = parse_rate(getattr(settings, "ANON_READ_RATE", ""))
    if rate is not None and not _is_authenticated(request, read_api):
        address = client_address(request) or "unknown"
        retry_after = hit(f"anon-read:{address}", *rate)
        if retry_after is not None:
            return too_many_requests(read_api, retry_after)
    return None
