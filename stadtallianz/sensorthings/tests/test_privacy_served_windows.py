"""Aggregated windows never change once they may have been served, and the public datastream
does not tell through its phenomenonTime that a window is open (someone was counted just now).

- A window is served once it closed AGGREGATION_GRACE_SECONDS ago (default 15 minutes); values
  for an existing window are refused from then on (a value added between two reads would show
  as their difference). A closed window that does not exist yet can be sent whole in one batch
  (a backfill of history).
- The datastream's phenomenonTime spans only the served windows; its resultTime is empty.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.errors import StaError
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.tests.conftest import bearer

pytestmark = pytest.mark.django_db
ROOT = "/sta/v1.1"
CLOSED = datetime(2026, 5, 1, 10, tzinfo=UTC)  # long closed


@pytest.fixture
def people(lab, make_datastream):
    return make_datastream(lab, name="Passanten", privacy_level=PrivacyLevel.AGGREGATED,
                           counts_people=True, k_threshold=5)


def served(client, stream) -> list:
    response = client.get(f"{ROOT}/Datastreams({stream.pk})/Observations")
    assert response.status_code == 200
    return [(o["phenomenonTime"], o["result"]) for o in response.json()["value"]]


def post(client, key, stream, moment, result=1):
    body = {"result": result, "phenomenonTime": moment.isoformat(),
            "Datastream": {"@iot.id": stream.pk}}
    return client.post(f"{ROOT}/Observations", json.dumps(body),
                       content_type="application/json", **bearer(key))


def test_a_late_value_cannot_change_a_served_window(client, lab, lab_key, people):
    ingest.store([ingest.NewObservation(people.pk, CLOSED + timedelta(minutes=m), 1)
                  for m in range(7)], lab_id=lab.pk)  # a backfill: the window arrives whole
    window = "2026-05-01T10:00:00Z/2026-05-01T11:00:00Z"
    assert served(client, people) == [(window, 7)]
    response = post(client, lab_key, people, CLOSED + timedelta(minutes=30))
    assert response.status_code == 400
    message = response.json()["message"]
    assert window in message and "never changes" in message
    with pytest.raises(StaError):  # also as CreateObservations / MQTT go: through store
        ingest.store([ingest.NewObservation(people.pk, CLOSED + timedelta(minutes=31), 1)],
                     lab_id=lab.pk)
    assert served(client, people) == [(window, 7)]  # the difference reveals nothing
    assert sta.Observation.objects.get(datastream=people).bucket_sum == 7


def test_a_closed_window_that_does_not_exist_yet_can_be_sent_whole(client, lab, lab_key,
                                                                   people):
    body = [{"Datastream": {"@iot.id": people.pk}, "components": ["phenomenonTime", "result"],
             "dataArray": [[(CLOSED + timedelta(minutes=m)).isoformat(), 1]
                           for m in range(6)]}]
    response = client.post(f"{ROOT}/CreateObservations", json.dumps(body),
                           content_type="application/json", **bearer(lab_key))
    assert response.status_code == 201
    assert served(client, people) == [("2026-05-01T10:00:00Z/2026-05-01T11:00:00Z", 6)]


def test_a_window_is_served_only_after_the_grace_period_and_takes_values_until_then(
        client, lab, lab_key, people, settings):
    just_closed = ingest.window_of(timezone.now() - timedelta(hours=1), 3600)
    settings.AGGREGATION_GRACE_SECONDS = 3 * 3600
    ingest.store([ingest.NewObservation(people.pk, just_closed + timedelta(minutes=m), 1)
                  for m in range(6)], lab_id=lab.pk)
    assert served(client, people) == []  # closed, but late values may still come
    assert post(client, lab_key, people, just_closed + timedelta(minutes=40)).status_code == 201
    assert sta.Observation.objects.get(datastream=people).bucket_sum == 7
    settings.AGGREGATION_GRACE_SECONDS = 0
    assert [result for _time, result in served(client, people)] == [7]
    assert post(client, lab_key, people, just_closed + timedelta(minutes=41)).status_code == 400


def test_the_datastreams_phenomenon_time_never_shows_an_open_window(client, lab, people):
    now = timezone.now()
    ingest.store([ingest.NewObservation(people.pk, now, 1)], lab_id=lab.pk)  # one person now
    response = client.get(f"{ROOT}/Datastreams({people.pk})")
    assert response.status_code == 200
    assert response.json().get("phenomenonTime") is None
    recent = client.get(f"{ROOT}/Datastreams", {
        "$filter": f"id eq {people.pk} and phenomenonTime ge now() sub duration'PT1H'"})
    assert recent.status_code == 200 and recent.json()["value"] == []
    # A served window (7 ≥ k) is in the span; one below k (3) is not, nor the open one.
    ingest.store([ingest.NewObservation(people.pk, CLOSED + timedelta(minutes=m), 1)
                  for m in range(7)]
                 + [ingest.NewObservation(people.pk, CLOSED + timedelta(hours=1, minutes=m), 1)
                    for m in range(3)], lab_id=lab.pk)
    body = client.get(f"{ROOT}/Datastreams({people.pk})").json()
    assert body["phenomenonTime"] == "2026-05-01T10:00:00Z/2026-05-01T11:00:00Z"
    assert body.get("resultTime") is None
    # Once the open window has closed (and the grace passed), the retention job adds it.
    later = ingest.window_of(now, 3600) + timedelta(hours=2)
    sta.Observation.objects.filter(datastream=people, bucket_count=1).update(bucket_sum=5)
    ingest.apply_retention(now=later)
    people.refresh_from_db()
    assert people.phenomenon_time_end == ingest.window_of(now, 3600) + timedelta(hours=1)
    assert people.phenomenon_time_start == CLOSED


def test_folding_into_aggregated_keeps_no_result_time_and_only_served_windows(lab,
                                                                              make_datastream):
    stream = make_datastream(lab)
    now = timezone.now()
    ingest.store([ingest.NewObservation(stream.pk, CLOSED + timedelta(minutes=m), 1,
                                        result_time=CLOSED + timedelta(minutes=m, seconds=5))
                  for m in range(6)]
                 + [ingest.NewObservation(stream.pk, now, 1, result_time=now)], lab_id=lab.pk)
    stream.refresh_from_db()
    assert stream.result_time_end == now  # raw: the span of the observations
    ingest.change_privacy(stream, level=PrivacyLevel.AGGREGATED, aggregation_window=3600,
                          counts_people=True, k_threshold=5)
    stream.refresh_from_db()
    assert (stream.result_time_start, stream.result_time_end) == (None, None)
    assert (stream.phenomenon_time_start, stream.phenomenon_time_end) == (
        CLOSED, CLOSED + timedelta(hours=1))  # not the open window of `now`


def test_the_demo_sends_30_days_of_history_into_aggregated_windows_whole(make_organisation):
    # The simulator sends history in batches that end at whole days: a closed window that
    # exists takes no more values, so a window split over two batches would be refused.
    from stadtallianz.demo import livinglabs as demo

    for slug in ("aasee-quartiersentwicklung", "radwerk-mobility",
                 "stadtwerke-muensterland-nord"):
        make_organisation(slug.replace("-", " ").title(), slug=slug)
    now = datetime(2026, 6, 1, 10, 17, 43, tzinfo=UTC)  # 2,000 values end within an hour
    assert demo.load(now=now, days=30) == 2
    counts = sta.Datastream.objects.get(name="Radverkehr Promenade")
    windows = sta.Observation.objects.filter(datastream=counts)
    assert windows.count() == 30 * 24 + 1  # the first and the last (open) one are partial
    assert windows.filter(bucket_count=4).count() == 30 * 24 - 1  # every quarter hour
