"""Who is calling the REST API: a personal bearer token, or the browser's session with CSRF.

Writes require one of the two (`write_auth`). Reads are open to everyone; `api_user` tells a read
endpoint who is asking, so that people also see their own organisations.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

# Core knows no app: accounts, which keeps the tokens, registers how a key is looked up when it
# is ready (accounts.apps). Until then (and in a project without accounts) no key is valid.
_token_owner: Callable[[str], object | None] | None = None


def register_token_owner(lookup: Callable[[str], object | None]) -> None:
    """Sets the function that returns the active person a token key belongs to, or None."""
    global _token_owner
    _token_owner = lookup


def user_for_token(key: str):
    """The active person a token key belongs to, or None for an unknown or revoked key."""
    return _token_owner(key) if _token_owner is not None else None


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer sta_…` with a token created on the account's token page."""

    openapi_bearerFormat = "sta_…"

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token.strip())
        if user is None:
            # A token that was sent but is unknown or revoked is refused outright, rather than
            # silently falling back to the session: the caller should learn the token is dead.
            raise AuthenticationError()
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session. Changes need the CSRF token (header `X-CSRFToken`)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest):
        # The CSRF check runs only for a logged-in session, so that an anonymous call answers
        # 401 (not authenticated), and a session call without the CSRF token 403.
        if request.user.is_authenticated and check_csrf(request):
            raise HttpError(403, gettext("CSRF check failed."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        return request.user if request.user.is_authenticated else None


write_auth = [ApiTokenAuth(), SessionAuth()]


def api_user(request: HttpRequest):
    """The person behind a read request: token holder, session user, or anonymous.

    A read sends no CSRF token and changes nothing, so the session is taken as it is. A bearer
    token that was sent but is not valid is refused with 401.
    """
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _space, key = header.partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError()
        user = user_for_token(key.strip())
        if user is None:
            raise AuthenticationError()
        request.user = user
        return user
    user = getattr(request, "user", None)
    return user if user is not None else AnonymousUser()
