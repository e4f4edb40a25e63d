"""Who is calling the SensorThings API. Reads need no account; a logged-in person sees the
restricted datastreams of the labs they are an insider of. Writes need a lab token, sent as
`Authorization: Bearer lab_xxxxxxxx_<secret>` or as HTTP Basic credentials (user name
`lab_xxxxxxxx`, password `<secret>`), which is what existing SensorThings clients send.
"""

import base64
import binascii
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from stadtallianz.core.last_used import worth_recording

from . import labs
from .errors import StaError
from .labs import DeviceToken


@dataclass(frozen=True)
class Caller:
    user: object  # the session's user (AnonymousUser for a device or a visitor)
    token: DeviceToken | None = None

    @property
    def lab_id(self) -> int | None:
        return self.token.lab_id if self.token else None

    @property
    def insider_labs(self):
        """The ids of the labs whose restricted data the person may read (a queryset, so a
        privacy filter stays one query); the lab directory knows (labs.py)."""
        return labs.directory().insider_labs(self.user)


def unauthorized(message: str) -> StaError:
    error = StaError(message, 401)
    error.www_authenticate = 'Basic realm="SensorThings", charset="UTF-8"'
    return error


def caller_of(request) -> Caller:
    """The caller of a request. A credential that is sent but wrong is refused (401) rather
    than ignored, so a device learns at once that its token is revoked."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return Caller(getattr(request, "user", AnonymousUser()))
    scheme, _sep, credentials = header.partition(" ")
    directory = labs.directory()
    token = None
    if scheme.lower() == "bearer":
        token = directory.token_of_key(credentials)
    elif scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode()
        except (binascii.Error, ValueError):  # ValueError: not ASCII (UnicodeDecodeError is one)
            raise unauthorized("The Basic credentials cannot be decoded.") from None
        username, _sep, secret = decoded.partition(":")
        token = directory.authenticate(username, secret)
    else:
        raise unauthorized(f"The authorization scheme {scheme} is not supported; "
                           "send a lab token as Bearer or Basic credentials.")
    if token is None:
        raise unauthorized("The lab token is unknown or has been revoked.")
    now = timezone.now()
    if worth_recording(token.last_used_at, now):
        directory.mark_used(token, now)
    return Caller(AnonymousUser(), token)
