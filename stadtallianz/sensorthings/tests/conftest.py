"""Fixtures of the SensorThings tests: two labs of different operators, a token for each, and a
small sensor setup built with the ORM (tests of the write side build theirs through the API)."""

import base64
from datetime import date

import pytest

from stadtallianz.livinglabs.models import LabToken, LivingLab
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

AASEE = {"type": "Point", "coordinates": [7.6086, 51.9553]}


@pytest.fixture
def lab(organisation):
    return LivingLab.objects.create(
        name_de="Reallabor Aasee", slug="aasee", description_de="Wasser und Luft am Aasee.",
        area=AASEE, starts_on=date(2026, 1, 1), state=LivingLab.State.RUNNING,
        operator=organisation, contact_name="Reallabor-Team",
        contact_email="reallabor@example.org", default_privacy_level=PrivacyLevel.PUBLIC)


@pytest.fixture
def other_lab(make_organisation):
    return LivingLab.objects.create(
        name_de="Reallabor Promenade", slug="promenade", description_de="Radverkehr.",
        area={"type": "Point", "coordinates": [7.63, 51.96]}, starts_on=date(2026, 1, 1),
        operator=make_organisation("Verkehrsbetrieb"), contact_name="Team",
        contact_email="team@example.org")


@pytest.fixture
def lab_key(lab):
    """The full key of a token of `lab` (`lab_xxxxxxxx_<secret>`)."""
    return LabToken.issue(lab=lab, name="Messboje")[1]


@pytest.fixture
def other_lab_key(other_lab):
    return LabToken.issue(lab=other_lab, name="Zählstelle")[1]


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def basic(key: str) -> dict:
    username, secret = key[:12], key[13:]
    encoded = base64.b64encode(f"{username}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


@pytest.fixture
def make_datastream():
    """make_datastream(lab, privacy_level=…, **fields): a thing with a location, a sensor, an
    observed property and one datastream of `lab`."""

    def make(lab, *, name="Wassertemperatur", **fields):
        location = sta.Location.objects.create(lab=lab, name="Boje", description="Boje im See",
                                               location=AASEE)
        thing = sta.Thing.objects.create(lab=lab, name=f"Messstation {name}",
                                         description="Station")
        thing.locations.add(location)
        sensor = sta.Sensor.objects.create(lab=lab, name="PT100", description="Thermometer",
                                           encoding_type="text/html", metadata="https://example.org")
        observed = sta.ObservedProperty.objects.create(
            lab=lab, name="Temperatur", definition="http://vocab.nerc.ac.uk/collection/P01/",
            description="Wassertemperatur")
        fields.setdefault("unit_of_measurement",
                          {"name": "Grad Celsius", "symbol": "°C",
                           "definition": "http://unitsofmeasure.org/ucum.html#para-30"})
        fields.setdefault("observation_type",
                          "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement")
        return sta.Datastream.objects.create(
            lab=lab, thing=thing, sensor=sensor, observed_property=observed, name=name,
            description=f"{name} des Sees", **fields)

    return make


@pytest.fixture
def observe():
    """observe(datastream, values, start=…, step=…): raw observations of `datastream`, built with
    the ORM (one feature of interest per datastream); returns them. For an aggregated datastream
    pass window rows instead: observe(ds, [(count, total), …], step=window) stores closed
    windows (bucket_count/bucket_sum) as ingest/windows.py would."""
    from datetime import UTC, datetime, timedelta

    def make(datastream, values, *, start=datetime(2026, 3, 1, tzinfo=UTC),
             step=timedelta(minutes=10), feature=None):
        feature = feature or sta.FeatureOfInterest.objects.create(
            lab=datastream.lab, name=f"Ort {datastream.name}", description="Messort",
            feature=AASEE)
        rows = []
        for index, value in enumerate(values):
            time = start + index * step
            if isinstance(value, tuple):  # an aggregated window
                count, total = value
                result = total if datastream.counts_people else total / count
                rows.append(sta.Observation(
                    datastream=datastream, feature_of_interest=feature,
                    phenomenon_time_start=time, phenomenon_time_end=time + step,
                    result_number=result, bucket_count=count, bucket_sum=total))
            else:
                numeric = isinstance(value, int | float) and not isinstance(value, bool)
                rows.append(sta.Observation(
                    datastream=datastream, feature_of_interest=feature,
                    phenomenon_time_start=time, result_time=time,
                    result_number=value if numeric else None,
                    result_json=None if numeric else value))
        return sta.Observation.objects.bulk_create(rows)

    return make


@pytest.fixture
def broker_with_plugin(tmp_path, monkeypatch, settings):
    """A Mosquitto of the test's own with the recommended configuration and the platform's
    plugin (contrib/mosquitto/, built by `make mosquitto-plugin`): (write, broker, public port,
    device port, the bridge's URL); write() runs mosquitto-config, which signals a reload."""
    import os
    from pathlib import Path

    from django.core.management import call_command

    from stadtallianz.sensorthings.mqtt import brokerconfig

    from .mqtt_support import Broker, free_port, port_open, wait_until
    from .test_mqtt_broker import BRIDGE_PASSWORD, BRIDGE_USER

    plugin = Path(settings.BASE_DIR) / "var" / "mosquitto" / "stadtallianz_publisher.so"
    if not plugin.exists():
        pytest.fail(f"{plugin} is missing: `make mosquitto-plugin` builds it (make test does)")
    settings.MQTT_PUBLISHER_PLUGIN = str(plugin)
    monkeypatch.setenv("MQTT_BRIDGE_PASSWORD", BRIDGE_PASSWORD)
    password_file = tmp_path / "passwd"
    pid_file = tmp_path / "mosquitto.pid"

    def write():
        call_command("mosquitto-config", password_file=password_file, bridge_user=BRIDGE_USER,
                     prefix="ingest/", pid_file=pid_file,
                     stdout=open(os.devnull, "w"))  # noqa: SIM115

    public_port, device_port = free_port(), free_port()
    conf = brokerconfig.mosquitto_conf(
        password_path=password_file, public_port=public_port, device_port=device_port,
        prefix="ingest/", persistence_dir=str(tmp_path), bind="127.0.0.1", log_dest="stderr",
        publisher_plugin=str(plugin), bridge_user=BRIDGE_USER)
    assert (f"plugin {plugin}\nplugin_opt_ingest_prefix ingest/\n"
            f"plugin_opt_password_file {password_file}\nplugin_opt_bridge_user {BRIDGE_USER}\n"
            in conf)
    # The plugin decides logins and permissions: Mosquitto's own files are not used.
    assert "\npassword_file " not in conf and "acl_file" not in conf
    password_file.write_text("")
    broker = Broker(tmp_path, conf, public_port).start()
    pid_file.write_text(str(broker.process.pid))
    wait_until(lambda: port_open(device_port), 10)
    url = f"mqtt://{BRIDGE_USER}:{BRIDGE_PASSWORD}@127.0.0.1:{public_port}"
    yield write, broker, public_port, device_port, url
    broker.stop()
