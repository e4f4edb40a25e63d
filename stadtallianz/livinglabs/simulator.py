"""Simulated sensors of the demo labs. They write only through the public SensorThings API
(HTTP with a lab token, or MQTT with the same credentials), never into the database: the demo
exercises the same path as a real device.

`Simulator(transport).set_up(spec)` creates a lab's sensors, observed properties, things (with
their locations, deep insert) and datastreams and returns the datastream ids by key;
`history(...)` sends 30 days of values in CreateObservations batches; `live_values(...)` the
values of one moment (the `simulate-sensors` command sends them every minute).

Transports: `InProcess` (django.test.Client against /sta/v1.1, for `stadtallianz demo`, which
needs no running server), `Http` (real HTTP to a running server) and `Mqtt` (publishing to the
broker; observations only).
"""

import base64
import itertools
import json
import math
import random
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

STA = "/sta/v1.1"
BATCH = 2000  # observations per CreateObservations request
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
COUNT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation"


class SimulatorError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# What the demo labs measure


@dataclass
class StreamSpec:
    key: str
    name: str
    description: str
    property_name: str
    property_definition: str
    unit: dict
    every: timedelta  # how often the device sends a value
    model: str  # the name of a value function below
    observation_type: str = MEASUREMENT
    # Privacy set by the operator (change_privacy) before any value is sent.
    privacy: dict | None = None


@dataclass
class ThingSpec:
    name: str
    description: str
    location_name: str
    position: tuple[float, float]  # longitude, latitude
    sensor_name: str
    sensor_description: str
    sensor_metadata: str
    streams: list[StreamSpec] = field(default_factory=list)


MICROGRAM = {"name": "Mikrogramm pro Kubikmeter", "symbol": "µg/m³",
             "definition": "http://unitsofmeasure.org/ucum.html#para-30"}
CELSIUS = {"name": "Grad Celsius", "symbol": "°C",
           "definition": "http://unitsofmeasure.org/ucum.html#para-30"}
BICYCLES = {"name": "Fahrräder", "symbol": "Fahrräder",
            "definition": "http://unitsofmeasure.org/ucum.html#para-29"}

LABS: dict[str, list[ThingSpec]] = {
    "reallabor-aasee": [
        ThingSpec("Luftmessstation Aasee-Ufer", "Messstation für Feinstaub und Stickstoffdioxid "
                  "am Nordufer des Aasees.", "Nordufer Aasee", (7.6105, 51.9568),
                  "Luftsensor LQ-200", "Optischer Feinstaub- und elektrochemischer NO₂-Sensor",
                  "https://example.org/sensoren/lq-200", [
                      StreamSpec("pm25", "Feinstaub PM2,5 Aasee-Ufer",
                                 "Feinstaub (PM2,5) am Nordufer, alle 30 Minuten",
                                 "PM2,5", "http://vocab.nerc.ac.uk/collection/P01/current/PM2P5/",
                                 MICROGRAM, timedelta(minutes=30), "pm25"),
                      StreamSpec("no2", "Stickstoffdioxid Aasee-Ufer",
                                 "NO₂-Konzentration am Nordufer, alle 30 Minuten",
                                 "NO₂", "http://vocab.nerc.ac.uk/collection/P01/current/CONCNO2/",
                                 MICROGRAM, timedelta(minutes=30), "no2"),
                  ]),
        ThingSpec("Messboje Aasee", "Schwimmende Boje in der Seemitte mit Temperaturfühler "
                  "in 50 cm Tiefe.", "Boje Seemitte", (7.6062, 51.9541),
                  "Wassertemperaturfühler PT100", "Platin-Messwiderstand in 50 cm Tiefe",
                  "https://example.org/sensoren/pt100", [
                      StreamSpec("water", "Wassertemperatur Aasee",
                                 "Wassertemperatur in 50 cm Tiefe, stündlich",
                                 "Wassertemperatur",
                                 "http://vocab.nerc.ac.uk/collection/P01/current/TEMPPR01/",
                                 CELSIUS, timedelta(hours=1), "water"),
                  ]),
    ],
    "reallabor-promenade": [
        ThingSpec("Zählstelle Promenade/Hörster Platz", "Radzählstelle mit Induktionsschleife "
                  "auf der Promenade; erkennt Fahrräder, keine Personen oder Kennzeichen.",
                  "Promenade am Hörster Platz", (7.6320, 51.9656),
                  "Induktionsschleife IS-2", "Zählt überfahrende Fahrräder (Metallmasse)",
                  "https://example.org/sensoren/is-2", [
                      StreamSpec("bicycles", "Radverkehr Promenade",
                                 "Gezählte Fahrräder; nur Summen je Stunde ab k = 5",
                                 "Anzahl Fahrräder",
                                 "https://example.org/definitionen/fahrradzahl",
                                 BICYCLES, timedelta(minutes=15), "bicycles",
                                 observation_type=COUNT,
                                 privacy={"level": "aggregated", "aggregation_window": 3600,
                                          "counts_people": True, "k_threshold": 5}),
                  ]),
        ThingSpec("Klimastation Promenade", "Kleine Wetterstation am Rand der Promenade.",
                  "Promenade am Kreuztor", (7.6246, 51.9680),
                  "Lufttemperaturfühler T-10", "Thermistor mit Strahlungsschutz",
                  "https://example.org/sensoren/t-10", [
                      StreamSpec("air", "Lufttemperatur Promenade",
                                 "Lufttemperatur in 2 m Höhe, alle 30 Minuten",
                                 "Lufttemperatur",
                                 "http://vocab.nerc.ac.uk/collection/P01/current/CDTA/",
                                 CELSIUS, timedelta(minutes=30), "air"),
                  ]),
    ],
}


def _hour(moment: datetime) -> float:
    return moment.hour + moment.minute / 60  # UTC, close enough for a daily rhythm


def value_of(model: str, moment: datetime, rng: random.Random) -> float:
    """A believable value of one kind at one moment: a daily rhythm plus noise."""
    hour = _hour(moment)
    if model == "pm25":
        return round(max(1.0, 9 + 5 * math.sin((hour - 4) / 24 * 2 * math.pi)
                         + rng.gauss(0, 1.5)), 1)
    if model == "no2":
        rush = math.exp(-((hour - 7) ** 2) / 3) + math.exp(-((hour - 16) ** 2) / 4)
        return round(max(2.0, 14 + 22 * rush + rng.gauss(0, 3)), 1)
    if model == "water":
        return round(7.5 + 0.6 * math.sin((hour - 10) / 24 * 2 * math.pi)
                     + rng.gauss(0, 0.1), 2)
    if model == "air":
        return round(6 + 4 * math.sin((hour - 9) / 24 * 2 * math.pi) + rng.gauss(0, 0.7), 1)
    if model == "bicycles":  # per 15 minutes: peaks at 7:30 and 16:30, almost none at night
        rush = math.exp(-((hour - 6.5) ** 2) / 1.5) + 0.8 * math.exp(-((hour - 15.5) ** 2) / 2)
        day = max(0.0, math.sin((hour - 4) / 18 * math.pi)) if 4 <= hour <= 22 else 0.0
        return float(max(0, round(70 * rush + 12 * day + rng.gauss(0, 3))))
    raise ValueError(model)


# ---------------------------------------------------------------------------------------------
# Transports


class InProcess:
    """The SensorThings API through django.test.Client: the full request path (authentication,
    validation, privacy) without a running server."""

    def __init__(self, key: str):
        from django.conf import settings
        from django.test import Client

        # As a request through the site's own proxy would arrive (`stadtallianz demo` in
        # production mode): one of ALLOWED_HOSTS, over HTTPS, or SECURE_SSL_REDIRECT answers 301
        # and an unknown host is refused.
        host = next((name.lstrip(".") for name in settings.ALLOWED_HOSTS
                     if name.lstrip(".") and "*" not in name), "localhost")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST=host)

    def post(self, path: str, payload) -> tuple[int, str, str]:
        response = self.client.post(STA + path, json.dumps(payload),
                                    content_type="application/json", secure=True)
        return response.status_code, response.get("Location", ""), response.content.decode()


class Http:
    """Real HTTP to a running server, with the token as Basic credentials (as many existing
    SensorThings clients send it)."""

    def __init__(self, base_url: str, key: str):
        if not base_url.startswith(("http://", "https://")):
            raise SimulatorError(f"{base_url} is not an http(s) address.")
        self.base = base_url.rstrip("/") + STA
        username, _sep, secret = key.partition("_")[2].partition("_")
        credentials = base64.b64encode(f"lab_{username}:{secret}".encode()).decode()
        self.headers = {"Authorization": f"Basic {credentials}",
                        "Content-Type": "application/json"}

    def post(self, path: str, payload) -> tuple[int, str, str]:
        body = json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 - the base URL is checked to be http(s)
            self.base + path, data=body, headers=self.headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return (response.status, response.headers.get("Location", ""),
                        response.read().decode())
        except urllib.error.HTTPError as error:
            return error.code, "", error.read().decode()


class Mqtt:
    """Publishes observations to `v1.1/Datastreams(<id>)/Observations` (QoS 1) with the
    token's user name and secret as broker credentials, as a device does on the broker's device
    listener (docs/deployment.md, "MQTT")."""

    def __init__(self, url: str, key: str, *, topic_prefix: str = ""):
        from urllib.parse import urlparse

        import paho.mqtt.client as mqtt

        parsed = urlparse(url)
        username = "lab_" + key.partition("_")[2].partition("_")[0]
        secret = key[len(username) + 1:]
        # Empty on the broker's device listener, whose mount_point files messages under the
        # ingest prefix; the prefix itself (e.g. "ingest/") on a broker without that listener.
        self.topic_prefix = topic_prefix
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.username_pw_set(username, secret)
        self.client.connect(parsed.hostname or "127.0.0.1", parsed.port or 1883)
        self.client.loop_start()

    def publish(self, datastream_id: int, moment: datetime, value: float) -> None:
        payload = json.dumps({"phenomenonTime": _iso(moment), "result": value})
        topic = f"{self.topic_prefix}v1.1/Datastreams({datastream_id})/Observations"
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_ID = re.compile(r"\((\d+)\)\s*$")


# ---------------------------------------------------------------------------------------------
# The simulator


class Simulator:
    def __init__(self, transport, *, seed: int = 2030):
        self.transport = transport
        self.rng = random.Random(seed)

    def _create(self, collection: str, payload: dict) -> int:
        status, location, body = self.transport.post(f"/{collection}", payload)
        match = _ID.search(location or "")
        if status != 201 or not match:
            raise SimulatorError(f"POST {collection} answered {status}: {body[:300]}")
        return int(match.group(1))

    def set_up(self, things: list[ThingSpec]) -> dict[str, int]:
        """Creates the things with their location, sensor, observed properties and datastreams;
        returns {stream key: datastream id}."""
        ids = {}
        for spec in things:
            sensor = self._create("Sensors", {
                "name": spec.sensor_name, "description": spec.sensor_description,
                "encodingType": "text/html", "metadata": spec.sensor_metadata})
            thing = self._create("Things", {
                "name": spec.name, "description": spec.description,
                "Locations": [{"name": spec.location_name, "description": spec.location_name,
                               "encodingType": "application/geo+json",
                               "location": {"type": "Point",
                                            "coordinates": list(spec.position)}}]})
            for stream in spec.streams:
                ids[stream.key] = self._create("Datastreams", {
                    "name": stream.name, "description": stream.description,
                    "observationType": stream.observation_type,
                    "unitOfMeasurement": stream.unit,
                    "Thing": {"@iot.id": thing}, "Sensor": {"@iot.id": sensor},
                    "ObservedProperty": {"name": stream.property_name,
                                         "definition": stream.property_definition,
                                         "description": stream.property_name}})
        return ids

    def history(self, streams: list[StreamSpec], ids: dict[str, int], *, until: datetime,
                days: int = 30) -> int:
        """Sends `days` days of values before `until`, in CreateObservations batches; returns
        how many observations were sent."""
        sent = 0
        for stream in streams:
            # On the device's clock grid (every 15 minutes on the quarter hour, …).
            step = stream.every.total_seconds()
            start = (until - timedelta(days=days)).timestamp()
            moment = datetime.fromtimestamp(math.ceil(start / step) * step, tz=UTC)
            rows = []
            while moment < until:
                rows.append([_iso(moment), value_of(stream.model, moment, self.rng)])
                moment += stream.every
            for batch in _whole_days(rows):
                self.create_observations(ids[stream.key], batch)
                sent += len(batch)
        return sent

    def create_observations(self, datastream_id: int, rows: list[list]) -> None:
        status, _location, body = self.transport.post("/CreateObservations", [{
            "Datastream": {"@iot.id": datastream_id},
            "components": ["phenomenonTime", "result"],
            "dataArray@iot.count": len(rows), "dataArray": rows}])
        if status != 201 or "error" in body.lower():
            raise SimulatorError(f"CreateObservations answered {status}: {body[:300]}")

    def live_values(self, streams: list[StreamSpec], ids: dict[str, int], moment: datetime):
        """[(datastream id, value)] of one moment."""
        return [(ids[s.key], value_of(s.model, moment, self.rng)) for s in streams if s.key in ids]


def _whole_days(rows: list[list]) -> list[list[list]]:
    """The rows in batches of at most BATCH rows (unless one day has more) that end at whole
    UTC days: a closed window of an aggregated datastream takes no more values once it exists,
    so each must arrive in one batch."""
    batches: list[list[list]] = []
    for _day, day_rows in itertools.groupby(rows, key=lambda row: row[0][:10]):
        day_rows = list(day_rows)
        if batches and len(batches[-1]) + len(day_rows) <= BATCH:
            batches[-1].extend(day_rows)
        else:
            batches.append(day_rows)
    return batches


def streams_of(lab_slug: str) -> list[StreamSpec]:
    return [stream for thing in LABS[lab_slug] for stream in thing.streams]
