"""Mosquitto with the configuration `stadtallianz mosquitto-config` writes and the documentation
recommends (mqtt/brokerconfig.py), started on free ports: a device publishes only to its own
lab's datastreams, subscribers never see raw device payloads, and a re-run plus SIGHUP takes
token and datastream changes into effect."""

import json
import os

import paho.mqtt.client as mqtt
import pytest
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.livinglabs.models import LabToken
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.mqtt import brokerconfig

from .mqtt_support import (
    Broker,
    Subscriber,
    free_port,
    login,
    port_open,
    running_bridge,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

BRIDGE_USER, BRIDGE_PASSWORD = "stadtallianz-bridge", "bridge-secret-for-tests"


def credentials(key: str) -> tuple[str, str]:
    """A lab token key `lab_xxxxxxxx_<secret>` as broker user name and password."""
    return key[:12], key[13:]


@pytest.fixture
def configured(tmp_path, monkeypatch):
    """write(): runs mosquitto-config into tmp_path; broker: started with the recommended
    configuration once written."""
    monkeypatch.setenv("MQTT_BRIDGE_PASSWORD", BRIDGE_PASSWORD)
    files = {"password_file": tmp_path / "passwd", "acl_file": tmp_path / "acl"}

    def write(**options):
        call_command("mosquitto-config", **files, bridge_user=BRIDGE_USER, prefix="ingest/",
                     stdout=open(os.devnull, "w"), **options)  # noqa: SIM115

    public_port, device_port = free_port(), free_port()
    write()
    conf = brokerconfig.mosquitto_conf(
        password_path=files["password_file"], acl_path=files["acl_file"],
        public_port=public_port, device_port=device_port, prefix="ingest/",
        persistence_dir=str(tmp_path), bind="127.0.0.1", log_dest="stderr")
    broker = Broker(tmp_path, conf, public_port).start()
    wait_until(lambda: port_open(device_port), 10)
    yield write, broker, public_port, device_port, files
    broker.stop()


def device(port: int, key: str | None, *, wrong_password: bool = False):
    """A connected device client, or the CONNACK reason when the broker refuses it."""
    if not key:
        return login(port)
    username, secret = credentials(key)
    return login(port, username, secret + ("x" if wrong_password else ""))


def send(client, datastream_id: int, body: dict):
    client.publish(f"v1.1/Datastreams({datastream_id})/Observations", json.dumps(body),
                   qos=1).wait_for_publish(10)


def observations(datastream) -> list[float]:
    return sorted(sta.Observation.objects.filter(datastream=datastream)
                  .values_list("result_number", flat=True))


def test_a_device_writes_only_to_its_own_labs_datastreams(
        configured, lab, other_lab, make_datastream):
    write, broker, public_port, device_port, files = configured
    own = make_datastream(lab, name="Eigene", privacy_level=PrivacyLevel.PUBLIC)
    foreign = make_datastream(other_lab, name="Fremde", privacy_level=PrivacyLevel.PUBLIC)
    token, key = LabToken.issue(lab=lab, name="Boje")
    _other_token, other_key = LabToken.issue(lab=other_lab, name="Zähler")
    write(pid_file=write_pid(broker, files))
    acl = files["acl_file"].read_text()
    assert f"user {token.username}\ntopic write ingest/v1.1/Datastreams({own.pk})/Observations\n" \
        in acl
    assert f"Datastreams({foreign.pk})" not in acl.split(f"user {token.username}")[1].split(
        "user ")[0]

    anonymous = Subscriber(["#", "ingest/#", "v1.1/#"], port=public_port)
    spy = Subscriber(["ingest/#"], port=public_port, username=BRIDGE_USER,
                     password=BRIDGE_PASSWORD)
    clients = []
    try:
        with running_bridge(f"mqtt://{BRIDGE_USER}:{BRIDGE_PASSWORD}@127.0.0.1:{public_port}",
                            "ingest/"):
            # A publish the ACL refuses: Mosquitto 2.0 drops it and closes the device's
            # connection (MQTT 3.1.1 has no way to refuse a single message).
            for publishing_key, target, value in ((key, foreign, 666), (other_key, own, 667)):
                intruder = device(device_port, publishing_key)
                clients.append(intruder)
                intruder.publish(f"v1.1/Datastreams({target.pk})/Observations",
                                 json.dumps({"phenomenonTime": "2026-11-26T10:00:00Z",
                                             "result": value}), qos=1)
                wait_until(lambda intruder=intruder: not intruder.is_connected(), 15)
            client, other_client = device(device_port, key), device(device_port, other_key)
            clients += [client, other_client]
            send(client, own.pk, {"phenomenonTime": "2026-11-26T10:00:00Z", "result": 1})
            send(other_client, foreign.pk,
                 {"phenomenonTime": "2026-11-26T10:00:00Z", "result": 2})
            # The allowed ones are stored; they were sent after the refused ones.
            wait_until(lambda: observations(own) == [1] and observations(foreign) == [2], 30)
            # And announced to anonymous subscribers, on the plain topics.
            wait_until(lambda: anonymous.containing('"result":1'), 15)
    finally:
        for c in clients:
            c.disconnect()
            c.loop_stop()
        anonymous.close()
        spy.close()
    assert observations(own) == [1] and observations(foreign) == [2]
    # The refused messages never reached the ingest prefix, not even the bridge's user.
    assert [topic for topic, _payload in spy.received()] == [
        f"ingest/v1.1/Datastreams({own.pk})/Observations",
        f"ingest/v1.1/Datastreams({foreign.pk})/Observations"]
    # Anonymous subscribers get notifications only, never a raw device payload.
    assert all(topic.startswith("v1.1/") for topic, _payload in anonymous.received())
    assert all(b"@iot.selfLink" in payload for topic, payload in anonymous.received()
               if "?$select=" not in topic)


def test_wrong_and_revoked_credentials_are_refused_and_new_ones_work_after_a_rerun(
        configured, lab, make_datastream):
    write, broker, public_port, device_port, files = configured
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    token, key = LabToken.issue(lab=lab, name="Boje")
    # Before the re-run the broker does not know the token.
    assert device(device_port, key) == "Not authorized"
    write(pid_file=write_pid(broker, files))
    wait_until(lambda: not isinstance(device(device_port, key), mqtt.ReasonCode), 10)
    assert device(device_port, key, wrong_password=True) == "Not authorized"

    token.revoked_at = timezone.now()
    token.save()
    write(pid_file=write_pid(broker, files))
    wait_until(lambda: device(device_port, key) == "Not authorized", 10)
    assert token.username not in files["password_file"].read_text()
    assert f"Datastreams({datastream.pk})" not in files["acl_file"].read_text()


def test_a_token_name_cannot_add_rules_to_the_acl(configured, lab):
    write, _broker, _public, _device, files = configured
    LabToken.issue(lab=lab, name="Boje\ntopic write v1.1/#\r\nuser x")
    write()
    acl = files["acl_file"].read_text()
    assert "\ntopic write v1.1/#" not in acl.replace(f"user {BRIDGE_USER}\ntopic read "
                                                    "ingest/#\ntopic write v1.1/#", "")
    assert "\nuser x" not in acl


def test_an_unchanged_configuration_leaves_the_files_alone(configured, lab, make_datastream):
    write, _broker, _public, _device, files = configured
    make_datastream(lab)
    LabToken.issue(lab=lab, name="Boje")
    write()
    before = {name: (path.read_text(), path.stat().st_mtime_ns) for name, path in files.items()}
    write()
    after = {name: (path.read_text(), path.stat().st_mtime_ns) for name, path in files.items()}
    assert before == after
    users = brokerconfig.existing_hashes(files["password_file"])
    assert brokerconfig.verify_hash(users[BRIDGE_USER], BRIDGE_PASSWORD)
    assert not brokerconfig.verify_hash(users[BRIDGE_USER], "something else")


def write_pid(broker: Broker, files) -> str:
    path = files["acl_file"].with_name("mosquitto.pid")
    path.write_text(str(broker.process.pid))
    return str(path)
