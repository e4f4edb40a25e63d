"""ingest.store: raw rows, dedupe, hourly aggregates, spans, generated features of interest,
aggregated windows and the lab check."""

from datetime import UTC, datetime, timedelta

import pytest

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.errors import StaError
from stadtallianz.sensorthings.models import PrivacyLevel

pytestmark = pytest.mark.django_db(transaction=False)

T0 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def new(datastream, minutes, result, *, start=T0, **fields):
    return ingest.NewObservation(datastream.pk, start + timedelta(minutes=minutes), result,
                                 **fields)


def open_window() -> datetime:
    """The start of a window of up to two hours that is still open tomorrow (values may be
    added to it in a second batch; a closed window takes no more once it exists)."""
    return ingest.window_of(datetime.now(UTC) + timedelta(days=1), 7200)


def test_raw_observations_are_stored_in_order_with_hourly_aggregates_and_span(
        lab, make_datastream):
    stream = make_datastream(lab)
    ids = ingest.store([new(stream, 0, 10), new(stream, 30, 20.5), new(stream, 70, "broken"),
                        new(stream, 75, 4, result_time=T0 + timedelta(hours=2))],
                       lab_id=lab.pk)
    assert len(ids) == 4 and all(ids)
    rows = {o.pk: o for o in sta.Observation.objects.all()}
    assert [rows[i].result for i in ids] == [10, 20.5, "broken", 4]
    assert rows[ids[1]].phenomenon_time_start == T0 + timedelta(minutes=30)
    hours = {h.hour: h for h in sta.HourlyAggregate.objects.filter(datastream=stream)}
    assert (hours[T0].count, hours[T0].total, hours[T0].minimum, hours[T0].maximum) == (
        2, 30.5, 10, 20.5)
    later = hours[T0 + timedelta(hours=1)]
    assert (later.count, later.total) == (1, 4)  # the text result is not aggregated
    stream.refresh_from_db()
    assert stream.phenomenon_time_start == T0
    assert stream.phenomenon_time_end == T0 + timedelta(minutes=75)
    assert stream.result_time_start == stream.result_time_end == T0 + timedelta(hours=2)
    # a second batch adds to the same hour and widens the span backwards
    ingest.store([new(stream, -5, 1), new(stream, 10, 100)], lab_id=lab.pk)
    hour = sta.HourlyAggregate.objects.get(datastream=stream, hour=T0)
    assert (hour.count, hour.total, hour.minimum, hour.maximum) == (3, 130.5, 10, 100)
    stream.refresh_from_db()
    assert stream.phenomenon_time_start == T0 - timedelta(minutes=5)


def test_feature_of_interest_is_generated_once_from_the_things_location(lab, make_datastream):
    stream = make_datastream(lab)
    first = ingest.store([new(stream, 0, 1)], lab_id=lab.pk)
    second = ingest.store([new(stream, 1, 2)], lab_id=lab.pk)
    features = sta.FeatureOfInterest.objects.all()
    assert features.count() == 1
    feature = features.get()
    location = stream.thing.locations.get()
    assert feature.generated_from == location and feature.feature == location.location
    assert {o.feature_of_interest_id
            for o in sta.Observation.objects.filter(pk__in=first + second)} == {feature.pk}


def test_a_thing_without_location_needs_a_feature_of_interest(lab, make_datastream):
    stream = make_datastream(lab)
    stream.thing.locations.clear()
    with pytest.raises(StaError) as error:
        ingest.store([new(stream, 0, 1)], lab_id=lab.pk)
    assert error.value.status == 400 and "no Location" in error.value.message
    assert not sta.Observation.objects.exists()
    feature = sta.FeatureOfInterest.objects.create(
        lab=lab, name="See", description="d", feature={"type": "Point", "coordinates": [7, 51]})
    [new_id] = ingest.store([new(stream, 0, 1, feature_of_interest_id=feature.pk)],
                            lab_id=lab.pk)
    assert sta.Observation.objects.get(pk=new_id).feature_of_interest == feature


def test_a_redelivered_message_is_stored_once(lab, make_datastream):
    stream = make_datastream(lab)
    first = ingest.store([new(stream, 0, 5, dedupe_key=42), new(stream, 1, 6, dedupe_key=43)],
                         lab_id=lab.pk)
    again = ingest.store([new(stream, 0, 5, dedupe_key=42), new(stream, 2, 7, dedupe_key=44),
                          new(stream, 2, 7, dedupe_key=44)], lab_id=lab.pk)
    assert all(first) and again[0] is None and again[1] and again[2] is None
    assert sta.Observation.objects.count() == 3
    hour = sta.HourlyAggregate.objects.get(datastream=stream)
    assert (hour.count, hour.total) == (3, 18)  # the duplicates did not count


def test_a_redelivered_message_to_an_aggregated_datastream_is_counted_once(lab,
                                                                          make_datastream):
    stream = make_datastream(lab, privacy_level=PrivacyLevel.AGGREGATED, counts_people=True)
    start = open_window()
    ingest.store([new(stream, 0, 3, dedupe_key=7, start=start),
                  new(stream, 1, 4, dedupe_key=8, start=start)], lab_id=lab.pk)
    again = ingest.store([new(stream, 0, 3, dedupe_key=7, start=start),
                          new(stream, 2, 5, dedupe_key=9, start=start),
                          new(stream, 2, 5, dedupe_key=9, start=start),
                          new(stream, 3, 1, start=start)], lab_id=lab.pk)
    assert again[0] is None and again[1] and again[2] is None and again[3]
    window = sta.Observation.objects.get(datastream=stream)
    assert (window.bucket_count, window.bucket_sum) == (4, 13)
    # The receipts keep only keys, and the retention job forgets them after a week.
    assert sta.DeliveryReceipt.objects.filter(datastream=stream).count() == 3
    ingest.apply_retention(now=T0.replace(year=2099))
    assert not sta.DeliveryReceipt.objects.exists()


def test_another_labs_datastream_is_refused_and_nothing_is_stored(lab, other_lab,
                                                                  make_datastream):
    mine, theirs = make_datastream(lab), make_datastream(other_lab, name="Zählung")
    with pytest.raises(StaError) as error:
        ingest.store([new(mine, 0, 1), new(theirs, 0, 1)], lab_id=lab.pk)
    assert error.value.status == 403
    theirs.privacy_level = PrivacyLevel.RESTRICTED
    theirs.save()
    with pytest.raises(StaError) as error:
        ingest.store([new(theirs, 0, 1)], lab_id=lab.pk)
    assert error.value.status == 400  # a restricted datastream of another lab does not exist
    with pytest.raises(StaError) as error:
        ingest.store([ingest.NewObservation(999999, T0, 1)], lab_id=lab.pk)
    assert error.value.status == 400
    assert not sta.Observation.objects.exists() and not sta.HourlyAggregate.objects.exists()


def test_aggregated_values_are_folded_into_windows_never_stored_raw(lab, make_datastream):
    stream = make_datastream(lab, privacy_level=PrivacyLevel.AGGREGATED,
                             aggregation_window=3600, counts_people=True)
    start = open_window()
    ids = ingest.store([new(stream, 5, 3, start=start), new(stream, 50, 4, start=start),
                        new(stream, 61, 10, start=start)], lab_id=lab.pk)
    assert ids[0] == ids[1] != ids[2]
    ingest.store([new(stream, 59, 1, start=start)], lab_id=lab.pk)
    windows = list(sta.Observation.objects.order_by("phenomenon_time_start"))
    assert len(windows) == 2
    assert (windows[0].phenomenon_time_start, windows[0].phenomenon_time_end) == (
        start, start + timedelta(hours=1))
    assert (windows[0].bucket_count, windows[0].bucket_sum, windows[0].result_number) == (
        3, 8, 8)  # counts of people: the sum
    assert not sta.HourlyAggregate.objects.exists()
    mean = make_datastream(lab, name="Lärm", privacy_level=PrivacyLevel.AGGREGATED,
                           aggregation_window=7200)
    ingest.store([new(mean, 0, 50), new(mean, 70, 60)], lab_id=lab.pk)
    window = sta.Observation.objects.get(datastream=mean)
    assert window.result_number == 55 and window.bucket_count == 2
    # windows are aligned to multiples of their length since the epoch
    assert window.phenomenon_time_start.timestamp() % 7200 == 0
    with pytest.raises(StaError) as error:
        ingest.store([new(mean, 0, "loud")], lab_id=lab.pk)
    assert error.value.status == 400 and "numeric" in error.value.message
    assert sta.Observation.objects.get(datastream=mean).bucket_count == 2


def test_recompute_hours_follows_changed_and_deleted_rows(lab, make_datastream):
    stream = make_datastream(lab)
    ids = ingest.store([new(stream, 0, 10), new(stream, 10, 20)], lab_id=lab.pk)
    sta.Observation.objects.filter(pk=ids[0]).update(result_number=30)
    ingest.recompute_hours([(stream.pk, T0)])
    hour = sta.HourlyAggregate.objects.get()
    assert (hour.count, hour.total, hour.minimum, hour.maximum) == (2, 50, 20, 30)
    sta.Observation.objects.all().delete()
    ingest.recompute_hours([(stream.pk, T0 + timedelta(minutes=5))])
    assert not sta.HourlyAggregate.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_ingests_store_a_redelivered_message_once_and_count_every_value(
        lab, make_datastream):
    """Two connections ingest into the same datastream at once (PostgreSQL: the second waits
    for the first's row lock): the message both carry is stored once, the hour counts each
    stored value once."""
    from django.db import connection

    from stadtallianz.core.testing import in_open_transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    stream = make_datastream(lab)
    thread, errors = in_open_transaction(lambda: ingest.store(
        [new(stream, 0, 1, dedupe_key=7), new(stream, 1, 2)], lab_id=lab.pk))
    ids = ingest.store([new(stream, 0, 1, dedupe_key=7), new(stream, 2, 4)], lab_id=lab.pk)
    thread.join()
    assert not errors
    assert ids[0] is None and ids[1]
    assert sta.Observation.objects.filter(datastream=stream).count() == 3
    hour = sta.HourlyAggregate.objects.get(datastream=stream)
    assert (hour.count, hour.total) == (3, 7)


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_ingests_at_one_location_generate_one_feature(lab, make_datastream):
    from django.db import connection

    from stadtallianz.core.testing import in_open_transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    first = make_datastream(lab)
    second = sta.Datastream.objects.create(
        lab=lab, thing=first.thing, sensor=first.sensor,
        observed_property=first.observed_property, name="Zweiter", description="d",
        observation_type=first.observation_type, unit_of_measurement={})
    thread, errors = in_open_transaction(lambda: ingest.store([new(first, 0, 1)],
                                                              lab_id=lab.pk))
    ingest.store([new(second, 0, 2)], lab_id=lab.pk)
    thread.join()
    assert not errors
    assert sta.FeatureOfInterest.objects.count() == 1
    assert sta.Observation.objects.values("feature_of_interest").distinct().count() == 1
