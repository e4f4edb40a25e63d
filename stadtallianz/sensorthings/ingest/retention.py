"""The retention job (`stadtallianz apply_retention`): raw observations older than their
datastream's retention_days are deleted in batches; hourly aggregates and aggregated windows
stay, and so do delivery receipts younger than DeliveryReceipt.RECEIPT_DAYS."""

# The SQL below is assembled from constant table and column names only; every value is a
# query parameter.
# ruff: noqa: S608
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from ..models import Datastream, DeliveryReceipt, Observation
from .records import OBSERVATION_TABLE, db_time, hour_of
from .spans import refresh_aggregated_spans


def apply_retention(now=None, *, batch_size: int = 10000, progress=None) -> int:
    """Deletes raw observations older than each datastream's retention_days, in batches (each
    its own transaction, so a long run holds no long locks); hourly aggregates and aggregated
    windows stay. The cut-off is rounded down to a full hour, so an hour is never half
    deleted. Returns how many rows were deleted; `progress(datastream, deleted)` after each
    batch."""
    now = now or timezone.now()
    total = 0
    streams = Datastream.objects.filter(retention_days__isnull=False).order_by("pk")
    for datastream in streams.only("id", "name", "retention_days"):
        cutoff = hour_of(now - timedelta(days=datastream.retention_days))
        deleted_here = 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {OBSERVATION_TABLE} WHERE id IN (SELECT id FROM "
                    f"{OBSERVATION_TABLE} WHERE datastream_id = %s AND bucket_count IS NULL "
                    "AND phenomenon_time_start < %s LIMIT %s)",
                    [datastream.pk, db_time(cutoff), batch_size])
                deleted = cursor.rowcount
            deleted_here += deleted
            if deleted and progress:
                progress(datastream, deleted_here)
            if deleted < batch_size:
                break
        if deleted_here:
            first = Observation.objects.filter(datastream=datastream).aggregate(
                first=Min("phenomenon_time_start"))["first"]
            changes = {"phenomenon_time_start": first}
            if first is None:  # nothing left: no span
                changes["phenomenon_time_end"] = None
            Datastream.objects.filter(pk=datastream.pk).update(**changes)
            from .. import areas  # the expired rows' features may have left it

            areas.refresh([datastream.pk])
        total += deleted_here
    DeliveryReceipt.objects.filter(
        received_at__lt=now - timedelta(days=DeliveryReceipt.RECEIPT_DAYS)).delete()
    refresh_aggregated_spans(now=now)  # windows closed since their last value
    return total
