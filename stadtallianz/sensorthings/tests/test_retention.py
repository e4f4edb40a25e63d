"""The retention job: raw observations older than a datastream's retention period go, hourly
aggregates and aggregated windows stay."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 30, tzinfo=UTC)


def minutes(stream, start, count):
    return [ingest.NewObservation(stream.pk, start + timedelta(minutes=i), float(i))
            for i in range(count)]


def test_old_raw_rows_are_deleted_in_batches_and_aggregates_kept(lab, make_datastream):
    kept_forever = make_datastream(lab, name="Ohne Frist")
    stream = make_datastream(lab, name="Sieben Tage", retention_days=7)
    old_start = NOW - timedelta(days=9)
    ingest.store(minutes(stream, old_start, 120) + minutes(stream, NOW - timedelta(days=1), 30)
                 + minutes(kept_forever, old_start, 10), lab_id=lab.pk)
    aggregates = sta.HourlyAggregate.objects.filter(datastream=stream).count()
    seen = []
    deleted = ingest.apply_retention(NOW, batch_size=50,
                                     progress=lambda d, n: seen.append((d.pk, n)))
    assert deleted == 120
    assert seen == [(stream.pk, 50), (stream.pk, 100), (stream.pk, 120)]
    assert stream.observations.count() == 30 and kept_forever.observations.count() == 10
    assert sta.HourlyAggregate.objects.filter(datastream=stream).count() == aggregates
    stream.refresh_from_db()
    assert stream.phenomenon_time_start == NOW - timedelta(days=1)
    assert ingest.apply_retention(NOW) == 0  # nothing more until more data has aged


def test_the_cutoff_is_a_full_hour(lab, make_datastream):
    stream = make_datastream(lab, retention_days=1)
    cutoff_hour = datetime(2026, 5, 31, 12, tzinfo=UTC)  # NOW - 1 day, rounded down
    ingest.store(minutes(stream, cutoff_hour - timedelta(minutes=5), 10), lab_id=lab.pk)
    assert ingest.apply_retention(NOW) == 5
    assert stream.observations.order_by("phenomenon_time_start").first(
    ).phenomenon_time_start == cutoff_hour


def test_aggregated_windows_are_kept(lab, make_datastream):
    stream = make_datastream(lab, privacy_level=PrivacyLevel.AGGREGATED, retention_days=1)
    ingest.store(minutes(stream, NOW - timedelta(days=30), 5), lab_id=lab.pk)
    assert ingest.apply_retention(NOW) == 0
    assert stream.observations.count() == 1


def test_the_command_prints_what_it_deleted(lab, make_datastream):
    stream = make_datastream(lab, retention_days=1)
    ingest.store(minutes(stream, datetime(2020, 1, 1, tzinfo=UTC), 3), lab_id=lab.pk)
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert f"Datastream {stream.pk} (Wassertemperatur): 3 raw observation(s) deleted." in (
        out.getvalue())
    assert "3 raw observation(s) deleted in 1 datastream(s)" in out.getvalue()
    assert not stream.observations.exists()


def test_the_command_shows_progress_per_batch(lab, make_datastream):
    stream = make_datastream(lab, retention_days=1)
    ingest.store(minutes(stream, datetime(2020, 1, 1, tzinfo=UTC), 5), lab_id=lab.pk)
    out = StringIO()
    call_command("apply_retention", "--batch-size", "2", verbosity=2, stdout=out)
    progress = [line for line in out.getvalue().splitlines() if "so far" in line]
    assert progress == [f"Datastream {stream.pk} (Wassertemperatur): {n} deleted so far …"
                        for n in (2, 4, 5)]
