"""The broker fails closed (issue 12, item 1): with the recommended configuration the platform's
plugin decides logins and permissions (contrib/mosquitto/stadtallianz_publisher.c). A password
file the broker cannot read refuses every login with a user name (Mosquitto's own password_file
let anyone in after such a reload), revoked and invented logins stay refused through many
rewrites and reloads, and what each kind of client may read and write does not depend on any
file. Against a real Mosquitto started on free ports."""

import json

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone

from stadtallianz.livinglabs.models import LabToken
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .mqtt_support import Subscriber, login, running_bridge, wait_until
from .test_mqtt_broker import BRIDGE_PASSWORD, BRIDGE_USER, credentials

pytestmark = pytest.mark.django_db(transaction=True)


def accepted(port: int, username: str | None, password: str | None = None) -> bool:
    client = login(port, username, password)
    if isinstance(client, mqtt.ReasonCode):
        assert client == "Not authorized", client
        return False
    client.disconnect()
    client.loop_stop()
    return True


def test_an_unreadable_password_file_refuses_every_named_login(broker_with_plugin, lab):
    write, broker, public_port, device_port, _url = broker_with_plugin
    _token, key = LabToken.issue(lab=lab, name="Boje")
    write()
    username, secret = credentials(key)
    wait_until(lambda: accepted(device_port, username, secret), 10)
    password_file = broker.directory / "passwd"
    away = password_file.with_name("passwd.away")
    password_file.rename(away)
    broker.reload()
    wait_until(lambda: not accepted(device_port, username, secret), 10)
    # Nobody with a name gets in: not the token, not an invented user, not the bridge with a
    # wrong password (which before could read every raw device payload), not even the bridge.
    for port, name, password in ((device_port, "lab_deadbeef", "anything"),
                                 (public_port, BRIDGE_USER, "wrong"),
                                 (public_port, BRIDGE_USER, BRIDGE_PASSWORD),
                                 (public_port, username, secret)):
        assert not accepted(port, name, password), name
    assert "cannot read the password file" in broker.log()
    # Anonymous subscribers keep their notifications' listener.
    assert accepted(public_port, None)
    away.rename(password_file)
    broker.reload()
    wait_until(lambda: accepted(device_port, username, secret), 10)
    assert accepted(public_port, BRIDGE_USER, BRIDGE_PASSWORD)
    assert not accepted(public_port, BRIDGE_USER, "wrong")


def test_revoked_and_invented_logins_stay_refused_through_rewrites_and_reloads(
        broker_with_plugin, lab, other_lab):
    write, _broker, _public_port, device_port, _url = broker_with_plugin
    tokens = {}
    for round_number in range(4):
        token, key = LabToken.issue(lab=lab if round_number % 2 else other_lab,
                                    name=f"Gerät {round_number}")
        tokens[token.pk] = key
        if round_number:  # revoke the one before
            previous = LabToken.objects.get(pk=list(tokens)[round_number - 1])
            previous.revoked_at = timezone.now()
            previous.save()
        write()  # rewrites the password file and signals a reload
        newest = credentials(key)
        wait_until(lambda newest=newest: accepted(device_port, *newest), 10,
                   message=f"round {round_number}: the new token logs in")
        for pk, old_key in list(tokens.items())[:-1]:
            assert not accepted(device_port, *credentials(old_key)), f"revoked {pk}"
        assert not accepted(device_port, f"lab_{round_number:08x}", "invented")
        assert not accepted(device_port, newest[0], newest[1] + "x")


def test_what_each_client_may_read_and_write_does_not_depend_on_a_file(
        broker_with_plugin, lab, make_datastream):
    write, _broker, public_port, device_port, url = broker_with_plugin
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    token, key = LabToken.issue(lab=lab, name="Boje")
    write()
    username, secret = credentials(key)
    anonymous = Subscriber(["#"], port=public_port)
    nosy_token = Subscriber(["#", "ingest/#"], port=public_port, username=username,
                            password=secret)
    fake = {"@iot.id": 1, "result": 666}
    try:
        with running_bridge(url, "ingest/"):
            # Anonymous and a token may not write notifications nor the ingest topics directly.
            for name, password in ((None, None), (username, secret)):
                client = login(public_port, name, password)
                client.publish("v1.1/Things", json.dumps(fake), qos=0)
                client.publish(f"ingest/v1.1/Datastreams({datastream.pk})/Observations"
                               if name is None else "v1.1/Observations", json.dumps(fake),
                               qos=0)
                client.disconnect()
                client.loop_stop()
            honest = login(device_port, username, secret)
            honest.publish(f"v1.1/Datastreams({datastream.pk})/Observations",
                           json.dumps({"phenomenonTime": "2026-11-26T10:00:00Z", "result": 7}),
                           qos=1).wait_for_publish(10)
            wait_until(lambda: anonymous.containing('"result":7'), 30)
            honest.disconnect()
            honest.loop_stop()
    finally:
        anonymous.close()
        nosy_token.close()
    assert list(sta.Observation.objects.filter(datastream=datastream)
                .values_list("result_number", flat=True)) == [7]
    for subscriber in (anonymous, nosy_token):
        topics = [topic for topic, _payload in subscriber.received()]
        # Only the platform's notifications: no raw device payload, nothing written by others.
        assert topics and all(topic.startswith("v1.1/") for topic in topics), topics
        assert not subscriber.containing("666")
    assert token.username
