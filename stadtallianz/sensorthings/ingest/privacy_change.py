"""Changing a datastream's privacy level (docs/privacy.md): public and restricted freely; to
aggregated folds the stored raw observations into windows and deletes them; never back from
aggregated."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Datastream, HourlyAggregate, Observation, PrivacyLevel
from .records import window_of
from .spans import refresh_aggregated_spans
from .windows import MIN_AGGREGATION_WINDOW


def change_privacy(datastream: Datastream, *, level: str, aggregation_window: int | None = None,
                   counts_people: bool | None = None,
                   k_threshold: int | None = None) -> Datastream:
    """Changes a datastream's privacy level and aggregation settings (docs/privacy.md):
    public ↔ restricted freely; to aggregated folds the stored raw observations into windows
    and deletes the raw rows and their hourly aggregates; from aggregated to anything else is
    refused, because there is no raw data left to show. ValidationError naming the field."""
    window = aggregation_window if aggregation_window is not None else (
        datastream.aggregation_window)
    counts = datastream.counts_people if counts_people is None else counts_people
    k = datastream.k_threshold if k_threshold is None else k_threshold
    if level not in PrivacyLevel.values:
        raise ValidationError({"privacy_level": _("Unknown privacy level.")})
    if level == PrivacyLevel.AGGREGATED and window < MIN_AGGREGATION_WINDOW:
        raise ValidationError({"aggregation_window": _(
            "An aggregation window is at least one hour (3600 seconds).")})
    if k < 1:
        raise ValidationError({"k_threshold": _("The smallest count shown is at least 1.")})
    with transaction.atomic():
        current = Datastream.objects.select_for_update().get(pk=datastream.pk)
        was = current.privacy_level
        if was == PrivacyLevel.AGGREGATED and level != PrivacyLevel.AGGREGATED:
            raise ValidationError({"privacy_level": _(
                "An aggregated datastream stays aggregated: its raw values were never stored, "
                "so there is nothing else to show.")})
        windows = Observation.objects.filter(datastream=current, bucket_count__isnull=False)
        if (was == PrivacyLevel.AGGREGATED and window != current.aggregation_window
                and windows.exists()):
            raise ValidationError({"aggregation_window": _(
                "The window of an aggregated datastream that holds data cannot change.")})
        if level == PrivacyLevel.AGGREGATED and was != PrivacyLevel.AGGREGATED:
            _fold_stored(current, window, counts)
        elif level == PrivacyLevel.AGGREGATED and counts != current.counts_people:
            # The window's value is the sum for counts of people, the mean otherwise.
            for row in windows.only("id", "bucket_count", "bucket_sum"):
                row.result_number = (row.bucket_sum if counts
                                     else row.bucket_sum / row.bucket_count)
                row.save(update_fields=["result_number"])
        current.privacy_level = level
        current.aggregation_window = window
        current.counts_people = counts
        current.k_threshold = k
        current.save(update_fields=["privacy_level", "aggregation_window", "counts_people",
                                    "k_threshold"])
        if level == PrivacyLevel.AGGREGATED:  # the span covers only the served windows
            refresh_aggregated_spans([current.pk])
    datastream.refresh_from_db()
    return datastream


def _fold_stored(datastream: Datastream, window: int, counts_people: bool) -> None:
    raw = Observation.objects.filter(datastream=datastream, bucket_count__isnull=True)
    if raw.filter(result_number__isnull=True).exists():
        raise ValidationError({"privacy_level": _(
            "The datastream holds observations whose result is not a number; they cannot be "
            "aggregated. Delete them first.")})
    windows: dict[datetime, list] = {}
    for start, number, feature in raw.values_list(
            "phenomenon_time_start", "result_number", "feature_of_interest_id").iterator(10000):
        key = window_of(start, window)
        entry = windows.get(key)
        if entry is None:
            windows[key] = [1, number, feature]
        else:
            entry[0] += 1
            entry[1] += number
    raw.delete()
    HourlyAggregate.objects.filter(datastream=datastream).delete()
    Observation.objects.bulk_create([
        Observation(datastream=datastream, phenomenon_time_start=start,
                    phenomenon_time_end=start + timedelta(seconds=window),
                    result_number=total if counts_people else total / count,
                    bucket_count=count, bucket_sum=total, feature_of_interest_id=feature)
        for start, (count, total, feature) in sorted(windows.items())], batch_size=1000)
