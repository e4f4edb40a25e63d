"""Aggregated datastreams through the API: only closed windows are served, and for counts of
people only windows of at least k; the number of queries of an ingest does not grow with the
rows."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from stadtallianz.core.testing import query_count
from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

pytestmark = pytest.mark.django_db


def test_open_windows_and_windows_below_k_are_not_served(client, lab, make_datastream):
    stream = make_datastream(lab, privacy_level=PrivacyLevel.AGGREGATED, counts_people=True,
                             k_threshold=5)
    closed = datetime(2026, 5, 1, 10, tzinfo=UTC)
    now = timezone.now()
    ingest.store([ingest.NewObservation(stream.pk, closed + timedelta(minutes=m), 1)
                  for m in range(7)]  # 7 people: shown
                 + [ingest.NewObservation(stream.pk, closed + timedelta(hours=1), 3)]  # < k
                 + [ingest.NewObservation(stream.pk, now, 50)],  # the window is still open
                 lab_id=lab.pk)
    assert sta.Observation.objects.filter(datastream=stream).count() == 3
    response = client.get(f"/sta/v1.1/Datastreams({stream.pk})/Observations")
    assert response.status_code == 200
    values = [(o["result"], o["phenomenonTime"]) for o in response.json()["value"]]
    assert values == [(7, "2026-05-01T10:00:00Z/2026-05-01T11:00:00Z")]


@pytest.mark.parametrize("level", [PrivacyLevel.PUBLIC, PrivacyLevel.AGGREGATED])
def test_queries_of_an_ingest_do_not_grow_with_the_rows(lab, make_datastream, level):
    stream = make_datastream(lab, privacy_level=level)
    start = datetime(2026, 5, 1, tzinfo=UTC)

    def batch(count, offset):
        return [ingest.NewObservation(stream.pk, start + timedelta(days=offset, minutes=m),
                                      float(m)) for m in range(count)]

    ingest.store(batch(1, 0), lab_id=lab.pk)  # the feature of interest exists from here on
    few = query_count(ingest.store, batch(3, 1), lab_id=lab.pk)
    many = query_count(ingest.store, batch(300, 2), lab_id=lab.pk)
    assert many == few
