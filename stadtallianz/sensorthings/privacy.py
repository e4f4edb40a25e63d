"""What of the sensor data a caller may see: the one place the privacy levels are enforced for
reading. Every way data leaves the platform (SensorThings responses and $expand, MQTT
notifications, charts, CSV downloads, search) filters through these functions.

- public: every raw observation.
- aggregated: no raw value is ever stored (ingest.py folds each value into its window); a
  window is served only once it has closed, and for counts of people only when at least k were
  counted.
- restricted: the datastream and its observations exist only for the lab's insiders
  (livinglabs.permissions.insider_labs) and for the lab's own tokens.
"""

from django.db.models import F, Q
from django.utils import timezone

from stadtallianz.livinglabs.models import PrivacyLevel
from stadtallianz.livinglabs.permissions import insider_labs

from .auth import Caller


def _insider(caller: Caller, lab_field: str) -> Q:
    q = Q(**{f"{lab_field}__in": insider_labs(caller.user)})
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
    closed_window = Q(**{level: PrivacyLevel.AGGREGATED,
                         f"{prefix}phenomenon_time_end__lte": now}) & (
        Q(**{f"{prefix}datastream__counts_people": False})
        | Q(**{f"{prefix}bucket_sum__gte": F(f"{prefix}datastream__k_threshold")}))
    return raw | closed_window
