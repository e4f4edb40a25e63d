"""What of the sensor data a caller may see: the one place the privacy levels are enforced for
reading. Every way data leaves the platform (SensorThings responses and $expand, MQTT
notifications, charts, CSV downloads, search) filters through these functions.

- public: every raw observation.
- aggregated: no raw value is ever stored (ingest/windows.py folds each value into its
  window); a window is served only once it has closed and its grace period for late values has
  passed (ingest/windows.py refuses values for it from then on, so a served window never
  changes), and for counts of people only when at least k were counted.
- restricted: the datastream and its observations exist only for the lab's insiders
  (Caller.insider_labs, which asks the lab directory, labs.py) and for the lab's own tokens.
- features of interest a device sent (not generated from a location) show only with a
  readable observation, or to insiders: they may be where one person was counted.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from .auth import Caller
from .models import PrivacyLevel


def aggregation_grace() -> timedelta:
    """How long after its end a window of an aggregated datastream still takes late values and
    is not served (setting AGGREGATION_GRACE_SECONDS, default 15 minutes). A window served
    before and after a late value would give that value away as the difference."""
    return timedelta(seconds=settings.AGGREGATION_GRACE_SECONDS)


def served_windows(prefix: str = "", now=None) -> Q:
    """The windows of aggregated datastreams that are served to anyone (prefix: ORM path to an
    observation): closed for longer than the grace period, and for counts of people at least
    k."""
    now = now or timezone.now()
    return Q(**{f"{prefix}datastream__privacy_level": PrivacyLevel.AGGREGATED,
                f"{prefix}phenomenon_time_end__lte": now - aggregation_grace()}) & (
        Q(**{f"{prefix}datastream__counts_people": False})
        | Q(**{f"{prefix}bucket_sum__gte": F(f"{prefix}datastream__k_threshold")}))


def _insider(caller: Caller, lab_field: str) -> Q:
    q = Q(**{f"{lab_field}__in": caller.insider_labs})
    if caller.lab_id is not None:
        q |= Q(**{lab_field: caller.lab_id})
    return q


def datastreams(caller: Caller, prefix: str = "") -> Q:
    """Datastreams the caller may know of (prefix: ORM path to a datastream, e.g.
    "datastream__")."""
    restricted = Q(**{f"{prefix}privacy_level": PrivacyLevel.RESTRICTED})
    return ~restricted | (restricted & _insider(caller, f"{prefix}lab"))


def observations(caller: Caller, prefix: str = "", now=None) -> Q:
    """Observations the caller may read (prefix: ORM path to an observation)."""
    now = now or timezone.now()
    level = f"{prefix}datastream__privacy_level"
    raw = Q(**{level: PrivacyLevel.PUBLIC}) | (
        Q(**{level: PrivacyLevel.RESTRICTED}) & _insider(caller, f"{prefix}datastream__lab"))
    return raw | served_windows(prefix, now)


def features(caller: Caller) -> Q:
    """Features of interest the caller may know of. One that a device sends may be the
    position of one sensed event (where a person was counted), so it is shown only when it was
    generated from a thing's location (public metadata), when it is of the caller's own or
    insider lab, or when the caller may read at least one of its observations."""
    from .models import Observation

    readable = Observation.objects.filter(observations(caller),
                                          feature_of_interest=OuterRef("pk"))
    return Q(generated_from__isnull=False) | _insider(caller, "lab") | Q(Exists(readable))


def features_of_lab(lab_id: int) -> Q:
    """Features of interest a device of lab `lab_id` may know of, and so the only ones it may
    link an observation to: linking a public observation to a feature it cannot see would
    otherwise make that feature (perhaps where one person was counted) readable by everyone."""
    return features(Caller(AnonymousUser(), _TokenOfLab(lab_id)))


@dataclass(frozen=True)
class _TokenOfLab:
    """Any token of the lab: what the privacy rules know of a device is its lab."""

    lab_id: int
