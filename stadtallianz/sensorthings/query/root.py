"""The service root: the entity sets and the conformance classes this server implements.

CONFORMANCE lists only what is implemented and tested (docs/standards.md). Not implemented:
batch requests (req/batch-request) and MultiDatastreams (req/multi-datastream). The MQTT
classes are announced only when a broker is configured (settings.MQTT_URL), because without one
neither creating observations nor receiving updates over MQTT is possible.
"""

import json

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
]
MQTT_CREATE = SPEC + "create-observations-via-mqtt/observations-creation"
MQTT_RECEIVE = SPEC + "receive-updates-via-mqtt/receive-updates"


def server_settings() -> dict:
    conformance = list(CONFORMANCE)
    out: dict = {}
    mqtt_url = getattr(settings, "MQTT_URL", "")
    if mqtt_url:
        conformance += [MQTT_CREATE, MQTT_RECEIVE]
        out[MQTT_CREATE] = {"endpoints": [mqtt_url]}
        out[MQTT_RECEIVE] = {"endpoints": [mqtt_url]}
    return {"conformance": conformance, **out}


def service_root(request):
    base = base_url_of(request)
    body = {
        "value": [{"name": entity.set_name, "url": f"{base}/{entity.set_name}"}
                  for entity in ENTITY_TYPES.values()],
        "serverSettings": server_settings(),
    }
    return HttpResponse(json.dumps(body), content_type="application/json")
