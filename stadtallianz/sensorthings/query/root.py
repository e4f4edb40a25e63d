"""The service root: the entity sets and the conformance classes this server implements.

CONFORMANCE lists only what is implemented and tested (docs/standards.md). Not implemented:
MultiDatastreams (req/multi-datastream). The MQTT
classes are announced only when a broker is configured (settings.MQTT_URL), because without one
neither creating observations nor receiving updates over MQTT is possible. The endpoints shown
are settings.MQTT_PUBLIC_URL for devices and MQTT_SUBSCRIBE_URL for subscribers (never MQTT_URL,
which carries the bridge's password), without any user info.
"""

import json
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponse

from ..entities import ENTITY_TYPES
from .serialize import base_url_of

SPEC = "http://www.opengis.net/spec/iot_sensing/1.1/req/"
CONFORMANCE = [
    SPEC + "datamodel",
    SPEC + "resource-path/resource-path-to-entities",
    SPEC + "request-data",
    SPEC + "create-update-delete",
    SPEC + "data-array/data-array",
    SPEC + "batch-request/batch-request",
]
MQTT_CREATE = SPEC + "create-observations-via-mqtt/observations-creation"
MQTT_RECEIVE = SPEC + "receive-updates-via-mqtt/receive-updates"


def public_endpoint(url: str) -> str:
    """The URL without user and password (mqtt://user:secret@host:1884 -> mqtt://host:1884)."""
    parts = urlsplit(url.strip())
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def server_settings() -> dict:
    conformance = list(CONFORMANCE)
    out: dict = {}
    if getattr(settings, "MQTT_URL", ""):
        conformance += [MQTT_CREATE, MQTT_RECEIVE]
        public_url = getattr(settings, "MQTT_PUBLIC_URL", "")
        # Devices and subscribers usually have listeners of their own (docs/deployment.md).
        subscribe_url = getattr(settings, "MQTT_SUBSCRIBE_URL", "") or public_url
        if public_url.strip():
            out[MQTT_CREATE] = {"endpoints": [public_endpoint(public_url)]}
        if subscribe_url.strip():
            out[MQTT_RECEIVE] = {"endpoints": [public_endpoint(subscribe_url)]}
    return {"conformance": conformance, **out}


def service_root(request):
    base = base_url_of(request)
    body = {
        "value": [{"name": entity.set_name, "url": f"{base}/{entity.set_name}"}
                  for entity in ENTITY_TYPES.values()],
        "serverSettings": server_settings(),
    }
    return HttpResponse(json.dumps(body), content_type="application/json")
