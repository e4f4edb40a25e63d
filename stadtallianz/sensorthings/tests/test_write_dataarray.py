"""POST /CreateObservations (DataArray): many observations in one request, all or nothing."""

import json

import pytest

from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .conftest import basic, bearer

pytestmark = pytest.mark.django_db

URL = "/sta/v1.1/CreateObservations"


def create(client, body, key, auth=bearer):
    return client.post(URL, json.dumps(body), content_type="application/json", **auth(key))


def test_rows_of_several_datastreams_are_created_and_their_links_returned(
        client, lab, lab_key, make_datastream):
    first, second = make_datastream(lab), make_datastream(lab, name="Luft")
    feature = sta.FeatureOfInterest.objects.create(
        lab=lab, name="See", description="d", feature={"type": "Point", "coordinates": [7, 51]})
    body = [
        {"Datastream": {"@iot.id": first.pk},
         "components": ["phenomenonTime", "result", "FeatureOfInterest/id", "resultTime",
                        "parameters", "validTime", "resultQuality"],
         "dataArray@iot.count": 2,
         "dataArray": [
             ["2026-05-01T10:00:00Z", 20.5, feature.pk, None, {"depth": 0.5},
              "2026-05-01T10:00:00Z/2026-05-01T11:00:00Z", {"flag": "ok"}],
             ["2026-05-01T10:01:00+01:00", 21, feature.pk, "2026-05-01T10:05:00Z", None, None,
              None]]},
        {"Datastream": {"@iot.id": second.pk}, "components": ["result", "phenomenonTime"],
         "dataArray": [["gut", "2026-05-01T10:00:00Z/2026-05-01T10:15:00Z"]]},
    ]
    response = create(client, body, lab_key, auth=basic)
    assert response.status_code == 201, response.content
    links = response.json()
    assert len(links) == 3
    ids = [int(link.rsplit("(", 1)[1].rstrip(")")) for link in links]
    assert links[0] == f"http://testserver/sta/v1.1/Observations({ids[0]})"
    rows = {o.pk: o for o in sta.Observation.objects.all()}
    assert rows[ids[0]].result == 20.5 and rows[ids[0]].parameters == {"depth": 0.5}
    assert rows[ids[0]].valid_time_end.hour == 11 and rows[ids[0]].result_quality == {
        "flag": "ok"}
    assert rows[ids[1]].phenomenon_time_start.hour == 9  # 10:01+01:00 in UTC
    assert rows[ids[1]].result_time.minute == 5
    assert rows[ids[2]].result == "gut" and rows[ids[2]].phenomenon_time_end.minute == 15
    assert rows[ids[2]].feature_of_interest.generated_from is not None
    hours = sta.HourlyAggregate.objects.filter(datastream=first).order_by("hour")
    assert [(h.count, h.total) for h in hours] == [(1, 21), (1, 20.5)]


@pytest.mark.parametrize("body, problem", [
    ({"not": "a list"}, "list"),
    ([{"Datastream": {"@iot.id": "x"}, "components": ["result"], "dataArray": [[1]]}],
     "Datastream"),
    ([{"Datastream": {"@iot.id": 0}, "components": ["result", "colour"], "dataArray": []}],
     "colour"),
    ([{"Datastream": {"@iot.id": 0}, "components": ["phenomenonTime"], "dataArray": []}],
     "result"),
    ([{"Datastream": {"@iot.id": 0}, "components": ["result"], "dataArray": {"a": 1}}],
     "dataArray"),
    ([{"Datastream": {"@iot.id": 0}, "components": ["phenomenonTime", "result"],
       "dataArray": [["2026-05-01T10:00:00Z"]]}], "row 1"),
    ([{"Datastream": {"@iot.id": 0}, "components": ["phenomenonTime", "result"],
       "dataArray": [["gestern", 2], ["heute", 3]]}], "1 more rows"),
    ([{"Datastream": {"@iot.id": 0}, "components": ["phenomenonTime", "result"],
       "dataArray": [["2026-05-01T10:00:00Z", 10**30]]}], "too large"),
])
def test_a_malformed_request_or_one_without_a_good_row_stores_nothing(
        client, lab, lab_key, make_datastream, body, problem):
    stream = make_datastream(lab)
    text = json.dumps(body).replace('"@iot.id": 0', f'"@iot.id": {stream.pk}')
    response = client.post(URL, text, content_type="application/json", **bearer(lab_key))
    assert response.status_code == 400
    assert problem in response.json()["message"]
    assert not sta.Observation.objects.exists() and not sta.HourlyAggregate.objects.exists()


def test_each_bad_row_is_error_in_its_place_and_the_others_are_stored(
        client, lab, lab_key, make_datastream):
    """Members of the class "a row the server cannot store": wrong width, a bad or implausible
    time or interval, a missing FeatureOfInterest, a datastream that does not
    exist, text for an aggregated datastream; each between good rows."""
    stream = make_datastream(lab)
    aggregated = make_datastream(lab, name="Zählung", privacy_level=PrivacyLevel.AGGREGATED,
                                 counts_people=True)
    components = ["phenomenonTime", "result", "FeatureOfInterest/id"]
    feature = sta.FeatureOfInterest.objects.create(
        lab=lab, name="See", description="d", feature={"type": "Point", "coordinates": [7, 51]})
    good = [["2026-05-01T10:00:00Z", 1, feature.pk], ["2026-05-01T10:01:00Z", 2.5, None]]
    bad = [["2026-05-01T10:02:00Z", 3], ["gestern", 4, None],
           ["0001-01-01T00:00:00+01:00", 5, None], ["2026-05-01T10:03:00Z/gestern", 5, None],
           ["2026-05-01T10:04:00Z", 6, 999999], ["2026-05-01T10:05:00Z", 7, feature.pk + 1000]]
    data = [row for pair in zip(bad, [good[0], good[1]] * 3, strict=True) for row in pair]
    body = [{"Datastream": {"@iot.id": stream.pk}, "components": components,
             "dataArray": [good[0], *data, good[1]]},
            {"Datastream": {"@iot.id": 987654}, "components": ["result"],
             "dataArray": [[1], [2]]},
            {"Datastream": {"@iot.id": aggregated.pk}, "components": ["result"],
             "dataArray": [[1], ["viele"], [2]]}]
    response = create(client, body, lab_key)
    assert response.status_code == 201, response.content
    answer = response.json()
    expected_errors = [False] + [True, False] * 6 + [False] + [True, True] + [False, True, False]
    assert [entry == "error" for entry in answer] == expected_errors
    stored = [int(entry.rsplit("(", 1)[1].rstrip(")")) for entry in answer if entry != "error"]
    raw = sta.Observation.objects.filter(datastream=stream).order_by("pk")
    assert [o.pk for o in raw] == stored[:8]
    assert [o.result for o in raw] == [1, 1, 2.5, 1, 2.5, 1, 2.5, 2.5]
    assert sum(h.count for h in sta.HourlyAggregate.objects.filter(datastream=stream)) == 8
    window = sta.Observation.objects.get(datastream=aggregated)
    assert window.bucket_count == 2 and stored[8] == stored[9] == window.pk


def test_another_labs_datastream_is_403_and_nothing_is_stored(client, lab, other_lab, lab_key,
                                                              other_lab_key, make_datastream):
    mine, theirs = make_datastream(lab), make_datastream(other_lab, name="Zählung")
    body = [{"Datastream": {"@iot.id": stream.pk}, "components": ["phenomenonTime", "result"],
             "dataArray": [["2026-05-01T10:00:00Z", 1]]} for stream in (mine, theirs)]
    assert create(client, body, other_lab_key).status_code == 403
    assert create(client, body, lab_key).status_code == 403
    assert not sta.Observation.objects.exists()
    assert client.post(URL, "[]", content_type="application/json").status_code == 401


def test_aggregated_datastream_folds_the_rows(client, lab, lab_key, make_datastream):
    stream = make_datastream(lab, privacy_level=PrivacyLevel.AGGREGATED, counts_people=True)
    body = [{"Datastream": {"@iot.id": stream.pk}, "components": ["phenomenonTime", "result"],
             "dataArray": [[f"2026-05-01T10:{m:02d}:00Z", 1] for m in range(0, 60, 10)]}]
    response = create(client, body, lab_key)
    assert response.status_code == 201
    assert len(set(response.json())) == 1  # all six went into one window
    window = sta.Observation.objects.get()
    assert (window.bucket_count, window.result_number) == (6, 6)
    body[0]["dataArray"] = [["2026-05-01T10:00:00Z", "viele"]]
    assert create(client, body, lab_key).status_code == 400


def test_a_body_over_the_size_limit_is_413(client, lab, lab_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps([{"Datastream": {"@iot.id": 1}, "components": ["result"],
                        "dataArray": [[1.5]] * 300_000}])
    response = client.post(URL, body, content_type="application/json", **bearer(lab_key))
    assert response.status_code == 413 and "1 MB" in response.json()["message"]


@pytest.mark.parametrize("time", ["0001-01-01T00:00:00+01:00", "2026-01-01T00:00:00Z/P999999999D",
                                  "P999999999D/2026-01-01T00:00:00Z"])
def test_a_time_beyond_the_representable_years_is_a_400_naming_it(client, lab, lab_key,
                                                                   make_datastream, time):
    stream = make_datastream(lab)
    response = create(client, [{"Datastream": {"@iot.id": stream.pk},
                                "components": ["phenomenonTime", "result"],
                                "dataArray": [[time, 1]]}], lab_key)
    assert response.status_code == 400 and "phenomenonTime" in response.json()["message"]
    single = client.post(f"/sta/v1.1/Datastreams({stream.pk})/Observations",
                         json.dumps({"phenomenonTime": time, "result": 1}),
                         content_type="application/json", **bearer(lab_key))
    assert single.status_code == 400
    assert not sta.Observation.objects.exists()
