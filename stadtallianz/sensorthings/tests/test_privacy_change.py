"""change_privacy: public ↔ restricted freely; to aggregated folds the stored raw rows into
windows and deletes them (and their hourly aggregates); away from aggregated is refused."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.errors import StaError
from stadtallianz.sensorthings.models import PrivacyLevel

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 1, 10, tzinfo=UTC)


def store(stream, lab, values, step=timedelta(minutes=20)):
    return ingest.store([ingest.NewObservation(stream.pk, T0 + i * step, value)
                         for i, value in enumerate(values)], lab_id=lab.pk)


def test_public_and_restricted_change_freely(lab, make_datastream):
    stream = make_datastream(lab)
    store(stream, lab, [1, 2])
    ingest.change_privacy(stream, level=PrivacyLevel.RESTRICTED)
    assert stream.privacy_level == PrivacyLevel.RESTRICTED
    ingest.change_privacy(stream, level=PrivacyLevel.PUBLIC)
    assert stream.privacy_level == PrivacyLevel.PUBLIC
    assert stream.observations.count() == 2  # nothing folded


def test_to_aggregated_folds_raw_rows_into_windows_and_deletes_them(lab, make_datastream):
    stream = make_datastream(lab)
    store(stream, lab, [1, 2, 3, 4, 5, 6])  # 10:00 … 11:40, every 20 minutes
    ingest.change_privacy(stream, level=PrivacyLevel.AGGREGATED, aggregation_window=3600,
                          counts_people=True, k_threshold=7)
    stream.refresh_from_db()
    assert (stream.privacy_level, stream.counts_people, stream.k_threshold) == (
        "aggregated", True, 7)
    windows = list(stream.observations.order_by("phenomenon_time_start").values_list(
        "phenomenon_time_start", "phenomenon_time_end", "bucket_count", "bucket_sum",
        "result_number"))
    assert windows == [(T0, T0 + timedelta(hours=1), 3, 6, 6),
                       (T0 + timedelta(hours=1), T0 + timedelta(hours=2), 3, 15, 15)]
    assert not sta.Observation.objects.filter(bucket_count__isnull=True).exists()
    assert not sta.HourlyAggregate.objects.filter(datastream=stream).exists()
    # the windows are long closed (and may have been served): later values are refused
    with pytest.raises(StaError) as error:
        store(stream, lab, [10])
    assert "2026-05-01T10:00:00Z/2026-05-01T11:00:00Z" in error.value.message
    assert stream.observations.get(phenomenon_time_start=T0).bucket_sum == 6
    # counts of people → measurements: the windows' value becomes the mean
    ingest.change_privacy(stream, level=PrivacyLevel.AGGREGATED, counts_people=False)
    assert stream.observations.get(phenomenon_time_start=T0).result_number == 2


def test_refusals_name_the_field(lab, make_datastream):
    stream = make_datastream(lab)
    with pytest.raises(ValidationError) as error:
        ingest.change_privacy(stream, level=PrivacyLevel.AGGREGATED, aggregation_window=600)
    assert "aggregation_window" in error.value.message_dict
    store(stream, lab, ["hell"])
    with pytest.raises(ValidationError) as error:
        ingest.change_privacy(stream, level=PrivacyLevel.AGGREGATED)
    assert "privacy_level" in error.value.message_dict
    stream.refresh_from_db()
    assert stream.privacy_level == PrivacyLevel.PUBLIC and stream.observations.count() == 1
    aggregated = make_datastream(lab, name="Zählung", privacy_level=PrivacyLevel.AGGREGATED)
    store(aggregated, lab, [3])
    for level in (PrivacyLevel.PUBLIC, PrivacyLevel.RESTRICTED):
        with pytest.raises(ValidationError) as error:
            ingest.change_privacy(aggregated, level=level)
        assert "privacy_level" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ingest.change_privacy(aggregated, level=PrivacyLevel.AGGREGATED,
                              aggregation_window=7200)
    assert "aggregation_window" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        ingest.change_privacy(aggregated, level=PrivacyLevel.AGGREGATED, k_threshold=0)
    assert "k_threshold" in error.value.message_dict
    aggregated.refresh_from_db()
    assert aggregated.privacy_level == PrivacyLevel.AGGREGATED


def test_refusal_messages_are_translated(lab, make_datastream):
    from django.utils import translation

    stream = make_datastream(lab, privacy_level=PrivacyLevel.AGGREGATED)
    with translation.override("de"), pytest.raises(ValidationError) as error:
        ingest.change_privacy(stream, level=PrivacyLevel.PUBLIC)
    assert "aggregiert" in error.value.message_dict["privacy_level"][0]
