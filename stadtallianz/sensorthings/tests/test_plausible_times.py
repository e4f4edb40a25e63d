"""Issue 11, item 3: a time a device writes (phenomenonTime, resultTime, validTime; over HTTP,
DataArray and MQTT) lies in the plausible range of observations — from 1970 to now plus
OBSERVATION_FUTURE_MARGIN_SECONDS — or the write is a 400 naming the property and stores
nothing. Times in queries are not limited."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.mqtt.payload import BadMessage, parse

from .conftest import bearer

pytestmark = pytest.mark.django_db
ROOT = "/sta/v1.1"


def _in_days(days: float) -> str:
    return f"{datetime.now(UTC) + timedelta(days=days):%Y-%m-%dT%H:%M:%SZ}"


# The edges of the calendar, just outside the range, odd offsets, and intervals that end
# outside it.
IMPLAUSIBLE = ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+22:23", "9999-12-31T23:59:59Z",
               "9999-12-31T23:59:59-23:59", "1969-12-31T23:59:59Z", "far future",
               "2026-01-01T00:00:00Z/9999-12-31T23:59:59Z", "1960-01-01T00:00:00Z/P1D"]


def _value(text):
    return _in_days(2) if text == "far future" else text


def post(client, path, body, key):
    return client.post(f"{ROOT}/{path}", json.dumps(body), content_type="application/json",
                       **bearer(key))


@pytest.mark.parametrize("value", IMPLAUSIBLE)
@pytest.mark.parametrize("prop", ["phenomenonTime", "resultTime", "validTime"])
def test_an_observation_at_an_implausible_time_is_400_and_not_stored(client, lab, lab_key,
                                                                     make_datastream, prop,
                                                                     value):
    if prop == "resultTime" and "/" in value:
        return  # resultTime is an instant: an interval is refused for that already
    datastream = make_datastream(lab)
    body = {"result": 1, "phenomenonTime": "2026-03-01T10:00:00Z", prop: _value(value)}
    response = post(client, f"Datastreams({datastream.pk})/Observations", body, lab_key)
    assert response.status_code == 400, response.content
    assert prop in response.json()["message"]
    assert not sta.Observation.objects.exists()
    assert not sta.HourlyAggregate.objects.exists()


def test_changing_an_observation_to_an_implausible_time_is_400(client, lab, lab_key,
                                                               make_datastream, observe):
    datastream = make_datastream(lab)
    [observation] = observe(datastream, [5])
    before = observation.phenomenon_time_start
    response = client.patch(f"{ROOT}/Observations({observation.pk})",
                            json.dumps({"phenomenonTime": "9999-12-31T23:59:59Z"}),
                            content_type="application/json", **bearer(lab_key))
    assert response.status_code == 400
    observation.refresh_from_db()
    assert observation.phenomenon_time_start == before


@pytest.mark.parametrize("value", IMPLAUSIBLE)
def test_a_data_array_row_at_an_implausible_time_is_not_stored(client, lab, lab_key,
                                                               make_datastream, value):
    datastream = make_datastream(lab)
    body = [{"Datastream": {"@iot.id": datastream.pk}, "components": ["phenomenonTime", "result"],
             "dataArray": [["2026-03-01T10:00:00Z", 1], [_value(value), 2]]}]
    response = post(client, "CreateObservations", body, lab_key)
    # All or nothing (400), or, where rows are reported one by one, an error in the bad row's
    # place: either way the implausible time is never stored.
    if response.status_code == 201:
        assert "error" in json.dumps(response.json()[1]).lower()
    else:
        assert response.status_code == 400
        assert "phenomenonTime" in response.json()["message"]
    assert not sta.Observation.objects.filter(result_number=2).exists()


@pytest.mark.parametrize("value", IMPLAUSIBLE)
@pytest.mark.parametrize("prop", ["phenomenonTime", "resultTime", "validTime"])
def test_an_mqtt_message_at_an_implausible_time_is_refused(prop, value):
    if prop == "resultTime" and "/" in value:
        return
    body = {"result": 1, prop: _value(value)}
    with pytest.raises(BadMessage, match=prop):
        parse(json.dumps(body).encode(), datastream_id=1)


def test_the_range_edges_are_accepted_and_the_margin_is_a_setting(client, lab, lab_key,
                                                                  make_datastream):
    datastream = make_datastream(lab)
    path = f"Datastreams({datastream.pk})/Observations"
    assert post(client, path, {"result": 1, "phenomenonTime": "1970-01-01T00:00:00Z"},
                lab_key).status_code == 201
    assert post(client, path, {"result": 2, "phenomenonTime": _in_days(0.9)},
                lab_key).status_code == 201
    with override_settings(OBSERVATION_FUTURE_MARGIN_SECONDS=0):
        assert post(client, path, {"result": 3, "phenomenonTime": _in_days(0.01)},
                    lab_key).status_code == 400
    with override_settings(OBSERVATION_FUTURE_MARGIN_SECONDS=30 * 86400):
        assert post(client, path, {"result": 4, "phenomenonTime": _in_days(20)},
                    lab_key).status_code == 201
    assert sta.Observation.objects.count() == 3


def test_times_in_queries_are_not_limited(client, lab, make_datastream, observe):
    datastream = make_datastream(lab)
    observe(datastream, [5])
    response = client.get(f"{ROOT}/Observations?$filter=phenomenonTime gt "
                          "1900-01-01T00:00:00Z and phenomenonTime lt 9999-12-31T00:00:00Z")
    assert response.status_code == 200
    assert len(response.json()["value"]) == 1


@pytest.mark.django_db(transaction=True)
def test_over_the_broker_an_implausible_time_is_refused_and_its_neighbours_stored(
        lab, make_datastream):
    """Through the real broker into the real bridge: the messages at the edges of the calendar
    are acknowledged and not stored; the plausible one of the same batch is."""
    from stadtallianz.sensorthings.models import PrivacyLevel

    from .mqtt_support import publisher, running_bridge, unique_prefix, wait_until

    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    prefix = unique_prefix()
    topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
    device = publisher()
    try:
        with running_bridge("mqtt://127.0.0.1:1883", prefix):
            for number, value in enumerate(IMPLAUSIBLE):
                body = {"phenomenonTime": _value(value), "result": number}
                device.publish(topic, json.dumps(body).encode(), qos=1).wait_for_publish(10)
            device.publish(topic, json.dumps({"phenomenonTime": "2026-03-01T10:00:00Z",
                                              "result": 99}).encode(),
                           qos=1).wait_for_publish(10)
            wait_until(lambda: sta.Observation.objects.filter(datastream=datastream).exists(),
                       30)
    finally:
        device.disconnect()
    assert [o.result for o in sta.Observation.objects.filter(datastream=datastream)] == [99]
