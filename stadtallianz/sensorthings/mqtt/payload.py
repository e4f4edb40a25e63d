"""An observation published over MQTT: the JSON body of a `POST Observations`, read into the
ingest's NewObservation.

Exactly once: the broker may deliver a message twice (QoS 1 after a reconnect, a publisher that
resends). A message that carries its phenomenonTime gets a dedupe key, a 63-bit keyed hash of the
datastream and the canonical payload, and ingest skips a key it has already stored. Without a
phenomenonTime the server's time is used, which differs on the second delivery: such messages
are stored at least once, not exactly once (docs/deployment.md).
"""

import functools
import hashlib
import json
from datetime import UTC, datetime

from stadtallianz.core.jsonlimits import InvalidJson, JsonLimits, parse_json

from ..timefmt import written_interval, written_time

KNOWN = {"phenomenonTime", "result", "resultTime", "resultQuality", "validTime", "parameters",
         "FeatureOfInterest", "Datastream"}
MAX_PAYLOAD = 256 * 1024
# The bounds of docs/api.md "Input limits", with the message size of MQTT.
LIMITS = JsonLimits(max_bytes=MAX_PAYLOAD)


class BadMessage(ValueError):
    """A message that can never be stored: logged, acknowledged and counted."""


@functools.cache
def _hash_key(secret: str) -> bytes:
    return hashlib.sha256(f"stadtallianz-mqtt-dedupe\n{secret}".encode()).digest()


def dedupe_key(datastream_id: int, body: dict) -> int:
    """A 63-bit keyed hash (BLAKE2b with a key derived from SECRET_KEY) of the datastream and
    the canonical payload. Keyed, so that the key stored for a value folded into an aggregated
    window (DeliveryReceipt) cannot be matched against guessed values by anyone without the
    server's secret."""
    from django.conf import settings

    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.blake2b(f"{datastream_id}\n{canonical}".encode(), digest_size=8,
                             key=_hash_key(settings.SECRET_KEY)).digest()
    return int.from_bytes(digest, "big") & ((1 << 63) - 1)


def _reference(value, name: str) -> int:
    if (not isinstance(value, dict) or set(value) != {"@iot.id"}
            or not isinstance(value["@iot.id"], int) or isinstance(value["@iot.id"], bool)):
        raise BadMessage(f'{name} must be a reference {{"@iot.id": <integer>}} over MQTT.')
    return value["@iot.id"]


def parse(payload: bytes, datastream_id: int | None, now: datetime | None = None, *,
          feature_of_interest_id: int | None = None):
    """The NewObservation of a message on `…/Datastreams(<datastream_id>)/Observations` (or, with
    datastream_id None, on `…/Observations` or `…/FeaturesOfInterest(<feature_of_interest_id>)
    /Observations`, the payload naming the datastream). A FeatureOfInterest in the payload is a
    reference or a new one (deep insert, created by ingest.store)."""
    from ..errors import StaError
    from ..ingest import NewObservation

    try:
        body = parse_json(payload, LIMITS)
    except InvalidJson as error:
        raise BadMessage(f"The message is refused: {error.message}") from None
    if not isinstance(body, dict):
        raise BadMessage("The message must be a JSON object (an Observation).")
    unknown = sorted(set(body) - KNOWN)
    if unknown:
        raise BadMessage(f"Unknown property of an Observation: {', '.join(unknown)}.")
    if "result" not in body:
        raise BadMessage("The Observation has no result.")
    if "Datastream" in body:
        named = _reference(body["Datastream"], "Datastream")
        if datastream_id is not None and named != datastream_id:
            raise BadMessage(f"The payload names Datastream {named}, the topic {datastream_id}.")
        datastream_id = named
        body = {key: value for key, value in body.items() if key != "Datastream"}
    if datastream_id is None:
        raise BadMessage('A message on v1.1/Observations or v1.1/FeaturesOfInterest(id)/'
                         'Observations must name its "Datastream".')
    if feature_of_interest_id is not None:
        if body.get("FeatureOfInterest") is not None:
            raise BadMessage("The topic names the FeatureOfInterest already; the payload must "
                             "not name one.")
        # Part of the dedupe key: the same values for another feature are another observation.
        body = {**body, "FeatureOfInterest": {"@iot.id": feature_of_interest_id}}
    try:
        if body.get("phenomenonTime") is not None:
            start, end = written_interval(body["phenomenonTime"], "phenomenonTime")
            key = dedupe_key(datastream_id, body)
        else:
            start, end, key = now or datetime.now(UTC), None, None
        result_time = (written_time(body["resultTime"], "resultTime")
                       if body.get("resultTime") is not None else None)
        valid_start = valid_end = None
        if body.get("validTime") is not None:
            valid_start, valid_end = written_interval(body["validTime"], "validTime")
    except StaError as error:
        raise BadMessage(error.message) from None
    parameters = body.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise BadMessage("parameters must be a JSON object.")
    feature = new_feature = None
    sent = body.get("FeatureOfInterest")
    if isinstance(sent, dict) and "@iot.id" not in sent:
        new_feature = sent
    elif sent is not None:
        feature = _reference(sent, "FeatureOfInterest")
    return NewObservation(
        datastream_id=datastream_id, phenomenon_time_start=start, result=body["result"],
        phenomenon_time_end=end, result_time=result_time,
        result_quality=body.get("resultQuality"), valid_time_start=valid_start,
        valid_time_end=valid_end, parameters=parameters, feature_of_interest_id=feature,
        dedupe_key=key, new_feature=new_feature)
