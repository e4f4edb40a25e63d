"""The living labs, as SensorThings sees them: a hook that the app owning the labs fills.

Every SensorThings entity belongs to one lab (the model named by the setting
SENSORTHINGS_LAB_MODEL, as AUTH_USER_MODEL names the user model). A lab is the unit of write
access (a device token writes only its own lab's entities) and of restricted reading (a lab's
insiders read its restricted datastreams). SensorThings is the lower layer: it imports nothing
of the app that owns labs and device tokens (livinglabs), which registers a `LabDirectory` in
its AppConfig.ready. What SensorThings asks of it is the protocol below, and nothing else.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class DeviceToken(Protocol):
    """A device credential: an HTTP client sends its key, an MQTT device logs in to the broker
    with its user name and secret (the broker checks `broker_hash`, mqtt/brokerconfig.py)."""

    pk: int
    lab_id: int
    name: str  # what the token is for, given by the lab's operator
    username: str  # starts with brokerconfig.DEVICE_USER_PREFIX
    broker_hash: str  # mosquitto_passwd's `$7$` form of the secret
    last_used_at: datetime | None


class LabDirectory(Protocol):
    def insider_labs(self, user):
        """The ids of the labs whose restricted datastreams this person may read, as a
        queryset of ids (so a privacy filter stays one query)."""

    def default_privacy_level(self, lab_id: int) -> str:
        """The privacy level a datastream gets when a device creates it without naming one."""

    def token_of_key(self, key: str) -> DeviceToken | None:
        """The active token of a full key (Bearer credentials), or None."""

    def authenticate(self, username: str, secret: str) -> DeviceToken | None:
        """The active token with this user name and secret (Basic credentials), or None."""

    def mark_used(self, token: DeviceToken, at: datetime) -> None:
        """Records when the token was last used."""

    def active_tokens(self, lab_ids: Iterable[int] | None = None) -> Iterable[DeviceToken]:
        """The active tokens (of these labs), ordered by user name: the broker's users."""

    def labs_of_tokens(self, usernames: Iterable[str], *,
                       active_only: bool) -> dict[str, int]:
        """User name -> lab of the tokens with these user names."""


_directory: LabDirectory | None = None


def register(directory: LabDirectory) -> None:
    """Called once, in the AppConfig.ready of the app that owns the labs."""
    global _directory
    _directory = directory


def directory() -> LabDirectory:
    if _directory is None:
        raise ImproperlyConfigured(
            "No lab directory is registered: the app of SENSORTHINGS_LAB_MODEL registers one "
            "with stadtallianz.sensorthings.labs.register in its AppConfig.ready.")
    return _directory
