"""SensorThings 1.1 conformance: a result keeps its JSON type and precision, whichever way it
came in (POST, PATCH, CreateObservations, MQTT) and whichever way it goes out (GET, $expand,
dataArray, $value, MQTT notifications, the lab's CSV and its page)."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .conftest import bearer
from .mqtt_support import Subscriber, wait_until

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1/"
# Members of the class "a JSON value is read back as it was sent": integers small and beyond
# the float's exact range, floats that look whole, text that looks like a number, and others.
RESULTS = [1, 0, -7, 20, 2**53, 2**53 + 1, 9007199254740993, -(2**62) - 1, 2**63 - 1,
           1.0, 2.5, 1e300, -1e-300, 9007199254740993.0, "1", "1.0", True, False, None,
           {"count": 3, "mean": 2.0}, [1, 2.0, "3"]]


def same(read, sent) -> bool:
    """Equal and of the same JSON type (1 and 1.0 are different here)."""
    return type(read) is type(sent) and (json.dumps(read, sort_keys=True)
                                         == json.dumps(sent, sort_keys=True))


def ids_of(response) -> list[int]:
    return [int(link.rsplit("(", 1)[1].rstrip(")")) for link in response.json()]


def observe(client, key, datastream, values, start=datetime(2026, 5, 1, 10, tzinfo=UTC)):
    rows = [[(start + timedelta(minutes=i)).isoformat(), value] for i, value in enumerate(values)]
    response = client.post(ROOT + "CreateObservations", json.dumps([
        {"Datastream": {"@iot.id": datastream.pk}, "components": ["phenomenonTime", "result"],
         "dataArray": rows}]), content_type="application/json", **bearer(key))
    assert response.status_code == 201, response.content
    return ids_of(response)


def test_each_result_posted_alone_reads_back_in_its_type(client, lab, lab_key, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    for value in RESULTS:
        if value is None:
            continue  # required on create (null is valid in a dataArray row)
        response = client.post(ROOT + f"Datastreams({datastream.pk})/Observations",
                               json.dumps({"result": value}), content_type="application/json",
                               **bearer(lab_key))
        assert response.status_code == 201, response.content
        assert same(response.json()["result"], value), (value, response.content)
        read = client.get(response["Location"]).json()
        assert same(read["result"], value), (value, read)
        text = client.get(response["Location"] + "/result/$value")
        if isinstance(value, str):
            assert text.content.decode() == value
        else:
            assert same(json.loads(text.content), value), value


def test_dataarray_in_and_out_and_expand_keep_the_types(client, lab, lab_key, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    ids = observe(client, lab_key, datastream, RESULTS)
    listed = client.get(ROOT + f"Datastreams({datastream.pk})/Observations",
                        {"$orderby": "id", "$top": 100}).json()["value"]
    assert [o["@iot.id"] for o in listed] == ids
    for read, sent in zip(listed, RESULTS, strict=True):
        assert same(read["result"], sent), (read, sent)
    expanded = client.get(ROOT + f"Datastreams({datastream.pk})",
                          {"$expand": "Observations($orderby=id;$top=100)"}).json()
    for read, sent in zip(expanded["Observations"], RESULTS, strict=True):
        assert same(read["result"], sent), (read, sent)
    array = client.get(ROOT + f"Datastreams({datastream.pk})/Observations", {
        "$resultFormat": "dataArray", "$select": "id,result", "$orderby": "id",
        "$top": 100}).json()["value"][0]["dataArray"]
    for (_id, read), sent in zip(array, RESULTS, strict=True):
        assert same(read, sent), (read, sent)


def test_a_batch_of_plain_integers_takes_the_bulk_path_and_stays_integer(
        client, lab, lab_key, make_datastream):
    """The usual device batch (whole numbers, e.g. counts) and a mixed one."""
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    integers = list(range(-5, 200))
    observe(client, lab_key, datastream, integers)
    mixed = [3, 3.0, 2**60, 4]
    observe(client, lab_key, datastream, mixed, start=datetime(2026, 5, 2, tzinfo=UTC))
    read = [o.result for o in sta.Observation.objects.filter(datastream=datastream)
            .order_by("phenomenon_time_start")]
    assert all(same(r, s) for r, s in zip(read, integers + mixed, strict=True))
    hours = sta.HourlyAggregate.objects.filter(datastream=datastream).order_by("hour")
    assert sum(h.count for h in hours) == len(integers) + len(mixed)
    assert sum(h.total for h in hours) == float(sum(integers) + 3 + 3.0 + 2**60 + 4)


def test_patch_changes_the_type_with_the_value(client, lab, lab_key, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    [observation_id] = observe(client, lab_key, datastream, [1.5])
    for value in (7, 7.0, 2**53 + 1, "x", 2.25, 0):
        response = client.patch(ROOT + f"Observations({observation_id})",
                                json.dumps({"result": value}),
                                content_type="application/json", **bearer(lab_key))
        assert response.status_code == 200, response.content
        assert same(response.json()["result"], value), value
        assert same(client.get(ROOT + f"Observations({observation_id})").json()["result"],
                    value), value


def test_filters_on_result_still_compare_numbers(client, lab, lab_key, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    observe(client, lab_key, datastream, [1, 5, 6, 5.5, 9007199254740993, "7", 8.0])
    path = ROOT + f"Datastreams({datastream.pk})/Observations"

    def results(expression):
        response = client.get(path, {"$filter": expression, "$orderby": "id"})
        assert response.status_code == 200, response.content
        return [o["result"] for o in response.json()["value"]]

    assert results("result gt 5") == [6, 5.5, 9007199254740993, 8.0]
    assert results("result eq 5") == [5]
    assert results("result le 5.5 and result ge 5") == [5, 5.5]
    assert results("result eq '7'") == ["7"]


def test_notifications_carry_the_integer(lab, make_datastream, django_capture_on_commit_callbacks):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    # Values no other test run publishes on the shared broker; the first beyond 2**53.
    markers = {random.randrange(10**15, 10**16) * 1000 + 1, random.randrange(10**6, 10**7)}
    listener = Subscriber([f"v1.1/Datastreams({datastream.pk})/Observations"])

    def announced():
        payloads = [json.loads(payload) for _topic, payload in listener.received()]
        return [p["result"] for p in payloads if p.get("result") in markers]

    try:
        with django_capture_on_commit_callbacks(execute=True):
            ingest.store([ingest.NewObservation(datastream.pk, datetime.now(UTC), value)
                          for value in markers], lab_id=lab.pk)
        results = wait_until(lambda: len(announced()) == 2 and announced(), 15)
    finally:
        listener.close()
    assert all(type(r) is int for r in results) and set(results) == markers


def test_the_csv_and_the_lab_page_show_integers_as_sent(client, lab, make_datastream):
    stream = make_datastream(lab, name="Zählung", privacy_level=PrivacyLevel.PUBLIC)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    values = [12, 12.5, 2.0, 9007199254740993]  # the newest is shown on the page
    ingest.store([ingest.NewObservation(stream.pk, start + timedelta(minutes=i), value)
                  for i, value in enumerate(values)], lab_id=lab.pk)
    csv = client.get(reverse("livinglabs:datastream_csv", args=[lab.slug, stream.pk]))
    lines = b"".join(csv.streaming_content).decode().splitlines()[1:]
    assert [line.rsplit(",", 1)[1] for line in lines] == ["12", "12.5", "2.0",
                                                         "9007199254740993"]
    page = client.get(lab.get_absolute_url()).content.decode()
    assert "9.007.199.254.740.993" in page or "9,007,199,254,740,993" in page \
        or "9007199254740993" in page


@pytest.mark.django_db(transaction=True)
def test_results_published_by_a_device_keep_their_type(lab, make_datastream):
    """Through the real broker into the real bridge: 12 stays 12, 12.0 stays 12.0."""
    from .mqtt_support import publisher, running_bridge, unique_prefix

    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    prefix = unique_prefix()
    topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
    sent = [12, 12.0, 9007199254740993, "12"]
    device = publisher()
    try:
        with running_bridge("mqtt://127.0.0.1:1883", prefix):
            for minute, value in enumerate(sent):
                body = {"phenomenonTime": f"2026-05-01T10:{minute:02d}:00Z", "result": value}
                device.publish(topic, json.dumps(body).encode(), qos=1).wait_for_publish(10)
            wait_until(lambda: sta.Observation.objects.filter(
                datastream=datastream).count() == len(sent), 30)
    finally:
        device.disconnect()
    read = [o.result for o in sta.Observation.objects.filter(datastream=datastream)
            .order_by("phenomenon_time_start")]
    assert all(same(r, s) for r, s in zip(read, sent, strict=True)), read
