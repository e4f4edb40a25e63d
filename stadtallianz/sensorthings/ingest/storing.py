"""`store`: the one way new observations enter the platform (HTTP writes,
`POST /CreateObservations` and the MQTT bridge all call it), in one transaction. It locks and
checks the datastreams, fills in the features of interest (features.py), writes the raw rows
(rows.py) with their hourly aggregates (hourly.py) and time spans (spans.py), or folds the
values of aggregated datastreams into their windows (windows.py), counting a redelivered MQTT
message once."""

from django.db import transaction

from ..errors import StaError, bad_request
from ..models import Datastream, PrivacyLevel
from .features import fill_features
from .hourly import add_to_hourly
from .records import NewObservation, number_of
from .rows import insert_raw
from .spans import widen_areas, widen_spans
from .windows import first_deliveries, fold


def store(observations: list[NewObservation], *, lab_id: int | None) -> list[int | None]:
    """Stores the observations in one transaction and returns their ids in order (the window's
    id for an aggregated datastream, None for a duplicate that was skipped). StaError 400/403
    and nothing stored when a datastream does not exist or belongs to another lab, when a
    FeatureOfInterest is missing and cannot be generated, or an aggregated datastream gets a
    result that is not a number."""
    if not observations:
        return []
    from ..mqtt.notify import announce

    with transaction.atomic():
        streams = _lock_datastreams({o.datastream_id for o in observations}, lab_id)
        fill_features(observations, streams)
        ids: list[int | None] = [None] * len(observations)
        raw = [i for i, o in enumerate(observations)
               if streams[o.datastream_id]["privacy_level"] != PrivacyLevel.AGGREGATED]
        folded = [i for i, o in enumerate(observations)
                  if streams[o.datastream_id]["privacy_level"] == PrivacyLevel.AGGREGATED]
        if raw:
            rows = [observations[i] for i in raw]
            numbers = [number_of(o.result) for o in rows]
            stored = insert_raw(rows, numbers)
            for position, new_id in zip(raw, stored, strict=True):
                ids[position] = new_id
            add_to_hourly([(o, number) for o, number, new_id in zip(
                rows, numbers, stored, strict=True) if new_id is not None and number is not None])
            widen_spans([o for o, new_id in zip(rows, stored, strict=True) if new_id is not None])
            widen_areas([o for o, new_id in zip(rows, stored, strict=True)
                          if new_id is not None])
            announce("Observation", [new_id for new_id in stored if new_id is not None])
        if folded:
            fresh = first_deliveries([observations[i] for i in folded])
            folded = [i for i, new in zip(folded, fresh, strict=True) if new]
        if folded:
            window_ids = fold([observations[i] for i in folded], streams)
            for position, new_id in zip(folded, window_ids, strict=True):
                ids[position] = new_id
        return ids


def _lock_datastreams(ids: set[int], lab_id: int | None) -> dict[int, dict]:
    # The rows are locked (in id order, so two ingests cannot deadlock) for the transaction: a
    # privacy change waits for the ingest and the span update cannot lose a concurrent one.
    rows = {row["id"]: row for row in Datastream.objects.filter(pk__in=ids).order_by("pk")
            .select_for_update(no_key=True, of=("self",))
            .values("id", "lab_id", "thing_id", "privacy_level", "aggregation_window",
                    "counts_people")}
    for datastream_id in sorted(ids):
        row = rows.get(datastream_id)
        hidden = (row is not None and lab_id is not None and row["lab_id"] != lab_id
                  and row["privacy_level"] == PrivacyLevel.RESTRICTED)
        if row is None or hidden:  # another lab's restricted datastream does not exist for us
            raise bad_request(f"There is no Datastream with id {datastream_id}.")
        if lab_id is not None and row["lab_id"] != lab_id:
            raise StaError(f"Datastream {datastream_id} belongs to another living lab; the "
                           "token may write only to its own lab's datastreams.", 403)
    return rows


def check_datastreams(ids: set[int], lab_id: int | None) -> None:
    """The datastream checks of `store` alone (and their locks): StaError 400 for one that does
    not exist for the token, 403 for another lab's. CreateObservations uses it to fail the rows
    of such a datastream without trying to store them."""
    _lock_datastreams(ids, lab_id)
