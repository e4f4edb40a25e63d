"""The demo labs: created with their operators' organisations, sensors and 30 days of values
sent by the simulator through the SensorThings API, the bicycle count aggregated before any
value arrived (no raw value stored), and a second run changes nothing."""

import io
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.demo import livinglabs as demo
from stadtallianz.livinglabs import simulator
from stadtallianz.livinglabs.models import LabToken, LivingLab
from stadtallianz.sensorthings.models import Datastream, Observation, Thing

pytestmark = pytest.mark.django_db


@pytest.fixture
def operators(make_organisation):
    for slug in ("aasee-quartiersentwicklung", "radwerk-mobility",
                 "stadtwerke-muensterland-nord"):
        make_organisation(slug.replace("-", " ").title(), slug=slug)


def test_the_demo_labs_are_fed_through_the_api_and_idempotent(operators, client):
    started = time.monotonic()
    assert demo.load(now=timezone.now(), days=3) == 2
    assert time.monotonic() - started < 30
    aasee = LivingLab.objects.get(slug="reallabor-aasee")
    promenade = LivingLab.objects.get(slug="reallabor-promenade")
    assert aasee.things.count() == 2 and promenade.things.count() == 2
    counts = Datastream.objects.get(name="Radverkehr Promenade")
    assert counts.privacy_level == "aggregated" and counts.counts_people
    assert counts.k_threshold == 5 and counts.aggregation_window == 3600
    # Only windows: every value was folded on arrival.
    assert not Observation.objects.filter(datastream=counts, bucket_count__isnull=True).exists()
    assert Observation.objects.filter(datastream=counts).count() in range(70, 74)
    water = Datastream.objects.get(name="Wassertemperatur Aasee")
    assert Observation.objects.filter(datastream=water).count() == 3 * 24
    assert water.hourly_aggregates.count() == 3 * 24
    # Everything came through the API with the set-up token, which is revoked afterwards.
    setup = LabToken.objects.get(lab=aasee)
    assert setup.last_used_at is not None and setup.revoked_at is not None
    assert not LabToken.objects.active().exists()
    page = client.get(promenade.get_absolute_url())
    assert "Radverkehr Promenade" in page.text and "<svg" in page.text
    things, observations = Thing.objects.count(), Observation.objects.count()
    assert demo.load(now=timezone.now(), days=3) == 0
    assert (Thing.objects.count(), Observation.objects.count()) == (things, observations)


def test_the_simulator_refuses_to_go_on_after_an_error(lab):
    sim = simulator.Simulator(simulator.InProcess("lab_00000000_wrong"))
    with pytest.raises(simulator.SimulatorError):
        sim.set_up(simulator.LABS["reallabor-aasee"][:1])
    assert not Thing.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simulate_sensors_sends_live_values_over_real_http(make_organisation, live_server):
    for slug in ("aasee-quartiersentwicklung", "radwerk-mobility"):
        make_organisation(slug, slug=slug)
    demo.load(now=timezone.now(), days=1)
    water = Datastream.objects.get(name="Wassertemperatur Aasee")
    before = Observation.objects.filter(datastream=water).count()
    call_command("simulate-sensors", url=live_server.url, rounds=1, interval=0,
                 stdout=io.StringIO())
    assert Observation.objects.filter(datastream=water).count() == before + 1
    live = LabToken.objects.active().get(lab=water.lab)
    assert live.name == "Simulator (live)" and live.last_used_at is not None
    # A second run revokes the first run's token.
    call_command("simulate-sensors", url=live_server.url, rounds=1, interval=0,
                 stdout=io.StringIO())
    live.refresh_from_db()
    assert live.revoked_at is not None
    assert LabToken.objects.active().filter(lab=water.lab).count() == 1


def test_simulate_sensors_publishes_over_mqtt_with_the_token_as_credentials(make_organisation):
    """Against the real broker: each value arrives on the device topic of its datastream, with
    the standard payload (the bridge's own tests store such messages)."""
    import json
    import secrets
    import threading

    import paho.mqtt.client as mqtt

    for slug in ("aasee-quartiersentwicklung", "radwerk-mobility"):
        make_organisation(slug, slug=slug)
    demo.load(now=timezone.now(), days=1)
    prefix = f"labs-test-{secrets.token_hex(4)}/"
    received, subscribed = [], threading.Event()
    listener = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    listener.on_subscribe = lambda *args: subscribed.set()
    listener.on_message = lambda client, data, message: received.append(message)
    listener.connect("127.0.0.1", 1883)
    listener.subscribe(f"{prefix}v1.1/#", qos=1)
    listener.loop_start()
    try:
        assert subscribed.wait(10)
        call_command("simulate-sensors", mqtt="mqtt://127.0.0.1:1883", topic_prefix=prefix,
                     rounds=1, interval=0, stdout=io.StringIO())
        deadline = time.monotonic() + 10
        while len(received) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        listener.loop_stop()
        listener.disconnect()
    water = Datastream.objects.get(name="Wassertemperatur Aasee")
    topics = {message.topic for message in received}
    assert len(received) == 5  # five simulated datastreams, one value each
    assert f"{prefix}v1.1/Datastreams({water.pk})/Observations" in topics
    payload = json.loads(next(m for m in received if f"({water.pk})" in m.topic).payload)
    assert set(payload) == {"phenomenonTime", "result"} and 5 < payload["result"] < 10
