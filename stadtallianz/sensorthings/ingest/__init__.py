"""Storing observations and keeping what derives from them consistent. The modules, one job
each:

- storing.py: `store`, the one way new sensor data enters the platform (HTTP writes,
  `POST /CreateObservations` and the MQTT bridge all call it), one transaction per batch;
- records.py: an incoming observation (`NewObservation`), its result's columns, its hour and
  window;
- features.py: the features of interest of incoming observations (checked, generated, created);
- rows.py: raw rows in bulk (COPY on PostgreSQL, a redelivered MQTT message stored once);
- hourly.py: the hourly aggregates of numeric results, added to and recomputed;
- windows.py: aggregated datastreams, whose values are only ever added to their windows;
- spans.py: a datastream's time spans and observed area;
- privacy_change.py: a datastream's privacy level change (`change_privacy`);
- retention.py: the retention job (`apply_retention`).

The names other code uses are imported here, so callers write `ingest.store(…)`.
"""

from .features import aggregated_feature_message
from .hourly import recompute_hours
from .privacy_change import change_privacy
from .records import NewObservation, hour_of, json_result, number_of, window_of
from .retention import apply_retention
from .spans import refresh_aggregated_spans, widen_spans
from .storing import check_datastreams, store
from .windows import MIN_AGGREGATION_WINDOW

__all__ = [
    "MIN_AGGREGATION_WINDOW",
    "NewObservation",
    "aggregated_feature_message",
    "apply_retention",
    "change_privacy",
    "check_datastreams",
    "hour_of",
    "json_result",
    "number_of",
    "recompute_hours",
    "refresh_aggregated_spans",
    "store",
    "widen_spans",
    "window_of",
]
