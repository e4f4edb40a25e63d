"""The entities of OGC SensorThings API 1.1, Part 1 Sensing, stored in plain PostgreSQL or SQLite.

Every entity belongs to one living lab (`lab`, the model the setting SENSORTHINGS_LAB_MODEL
names), the unit of write access: a lab token creates and changes only its own lab's entities
(labs.py). Geometries are GeoJSON in JSON columns; the geospatial
`$filter` functions are evaluated with Shapely (see query/geo.py), so no PostGIS is needed.

Observations are the one big table (10 million rows at national scale). It is kept lean: a
numeric result has its own column (`result_number`), anything else goes to `result_json`; the one
index that matters is (datastream, phenomenon_time_start). Privacy (docs/privacy.md):

- public and restricted datastreams store raw observations, and for numeric results an hourly
  aggregate row (`HourlyAggregate`) that survives the retention job and feeds the charts;
- aggregated datastreams never store a raw value: each incoming value is folded into the
  observation of its window (`bucket_count`, `bucket_sum`), and only closed windows are served.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

GEOJSON = "application/geo+json"
# Older clients (and the standard's own examples) use the vnd.geo+json media type.
# The model of the living labs every entity belongs to (labs.py: SensorThings imports nothing
# of the app that owns it).
LAB_MODEL = settings.SENSORTHINGS_LAB_MODEL


class PrivacyLevel(models.TextChoices):
    """How much of a datastream's data leaves the platform (docs/privacy.md)."""

    PUBLIC = "public", _("Public")
    AGGREGATED = "aggregated", _("Aggregated only")
    RESTRICTED = "restricted", _("Restricted to the lab's projects")


class Thing(models.Model):
    lab = models.ForeignKey(LAB_MODEL, on_delete=models.CASCADE, related_name="things")
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=10000)
    properties = models.JSONField(null=True, blank=True)
    locations = models.ManyToManyField("Location", related_name="things", blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class Location(models.Model):
    lab = models.ForeignKey(LAB_MODEL, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=10000)
    encoding_type = models.CharField(max_length=100, default=GEOJSON)
    location = models.JSONField()
    properties = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class HistoricalLocation(models.Model):
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE,
                              related_name="historical_locations")
    time = models.DateTimeField()
    locations = models.ManyToManyField(Location, related_name="historical_locations")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.thing_id} @ {self.time.isoformat()}"


class Sensor(models.Model):
    lab = models.ForeignKey(LAB_MODEL, on_delete=models.CASCADE, related_name="sensors")
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=10000)
    encoding_type = models.CharField(max_length=100)
    metadata = models.TextField(max_length=10000)
    properties = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class ObservedProperty(models.Model):
    lab = models.ForeignKey(LAB_MODEL, on_delete=models.CASCADE,
                            related_name="observed_properties")
    name = models.CharField(max_length=200)
    definition = models.CharField(max_length=500)
    description = models.TextField(max_length=10000)
    properties = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "observed properties"

    def __str__(self):
        return self.name


class Datastream(models.Model):
    # Always the thing's lab (kept by the write layer): privacy checks filter on it without a
    # second join.
    lab = models.ForeignKey(LAB_MODEL, on_delete=models.CASCADE, related_name="datastreams")
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="datastreams")
    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="datastreams")
    observed_property = models.ForeignKey(ObservedProperty, on_delete=models.CASCADE,
                                          related_name="datastreams")
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=10000)
    observation_type = models.CharField(max_length=200)
    unit_of_measurement = models.JSONField()
    observed_area = models.JSONField(null=True, blank=True)
    # Kept up to date by ingest/spans.py: the span of the stored observations.
    phenomenon_time_start = models.DateTimeField(null=True, blank=True)
    phenomenon_time_end = models.DateTimeField(null=True, blank=True)
    result_time_start = models.DateTimeField(null=True, blank=True)
    result_time_end = models.DateTimeField(null=True, blank=True)
    properties = models.JSONField(null=True, blank=True)

    # Privacy and retention: not part of the standard, set by the lab's operator in the UI (or
    # through `properties` when a device creates the datastream, see write/privacy rules).
    privacy_level = models.CharField(_("privacy level"), max_length=10,
                                     choices=PrivacyLevel.choices, default=PrivacyLevel.PUBLIC)
    # Aggregated datastreams: length of a window in seconds (at least an hour).
    aggregation_window = models.PositiveIntegerField(_("aggregation window (seconds)"),
                                                     default=3600)
    # Counts of people (passers-by, visitors): a window whose count is below k is withheld.
    counts_people = models.BooleanField(_("counts people"), default=False)
    k_threshold = models.PositiveSmallIntegerField(_("smallest count shown (k)"), default=5)
    # Raw observations older than this many days are deleted by `stadtallianz apply_retention`;
    # hourly aggregates stay. None keeps them.
    retention_days = models.PositiveIntegerField(_("keep raw observations (days)"), null=True,
                                                 blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class FeatureOfInterest(models.Model):
    lab = models.ForeignKey(LAB_MODEL, on_delete=models.CASCADE,
                            related_name="features_of_interest")
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=10000)
    encoding_type = models.CharField(max_length=100, default=GEOJSON)
    feature = models.JSONField()
    properties = models.JSONField(null=True, blank=True)
    # Set when the platform generated this feature from a thing's location for an observation
    # that named none; the next such observation reuses it.
    generated_from = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "features of interest"

    def __str__(self):
        return self.name


class Observation(models.Model):
    id = models.BigAutoField(primary_key=True)
    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, db_index=False,
                                   related_name="observations")
    phenomenon_time_start = models.DateTimeField()
    # Set when the phenomenon time is an interval (always for an aggregated window).
    phenomenon_time_end = models.DateTimeField(null=True, blank=True)
    result_time = models.DateTimeField(null=True, blank=True)
    result_number = models.FloatField(null=True, blank=True)
    result_json = models.JSONField(null=True, blank=True)
    # A whole-number result (1, not 1.0): read back as an integer. One beyond the float's
    # exact range (2**53) is kept exactly in result_json as well; result_number holds it as a
    # float for filters, aggregates and charts. The database default lets the bulk paths
    # leave the column out for floats.
    result_integer = models.BooleanField(default=False, db_default=False)
    result_quality = models.JSONField(null=True, blank=True)
    valid_time_start = models.DateTimeField(null=True, blank=True)
    valid_time_end = models.DateTimeField(null=True, blank=True)
    parameters = models.JSONField(null=True, blank=True)
    feature_of_interest = models.ForeignKey(FeatureOfInterest, on_delete=models.CASCADE,
                                            related_name="observations", db_index=False)
    # Aggregated datastreams: how many values and their sum went into this window.
    bucket_count = models.PositiveIntegerField(null=True, blank=True)
    bucket_sum = models.FloatField(null=True, blank=True)
    # MQTT ingest: a hash of the message, so a message the broker delivers twice is stored once.
    dedupe_key = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["datastream", "phenomenon_time_start"],
                         name="sta_obs_stream_time"),
            # The default order (by id, as FROST-Server's) within one datastream or feature:
            # a first page, $top=1 … 10 and QGIS's $count=true&$top=0 read a few index entries
            # instead of walking the primary key past millions of other datastreams' rows.
            models.Index(fields=["datastream", "id"], name="sta_obs_stream_id"),
            models.Index(fields=["feature_of_interest", "id"], name="sta_obs_feature_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["datastream", "dedupe_key"],
                                    condition=Q(dedupe_key__isnull=False),
                                    name="sta_obs_dedupe"),
            models.UniqueConstraint(fields=["datastream", "phenomenon_time_start"],
                                    condition=Q(bucket_count__isnull=False),
                                    name="sta_obs_one_bucket"),
        ]

    def __str__(self):
        return f"{self.datastream_id} @ {self.phenomenon_time_start.isoformat()}"

    @property
    def result(self):
        return result_of(self.result_number, self.result_json, self.result_integer)


# Integers up to this size are exact as floats; larger ones are kept in result_json too.
FLOAT_EXACT_INTEGER = 2**53


def result_of(number, json_value, integer):
    """An observation's result in its original JSON type from its columns (the one rule for
    the API, MQTT notifications, CSV and charts)."""
    if json_value is not None:
        return json_value
    if integer and number is not None:
        return int(number)
    return number


class HourlyAggregate(models.Model):
    """Count, sum, minimum and maximum of a datastream's numeric results per hour. Written with
    every ingest, recomputed when an observation changes, kept when the raw rows expire."""

    id = models.BigAutoField(primary_key=True)
    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, db_index=False,
                                   related_name="hourly_aggregates")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField()
    total = models.FloatField()
    minimum = models.FloatField()
    maximum = models.FloatField()

    class Meta:
        ordering = ["datastream", "hour"]
        constraints = [models.UniqueConstraint(fields=["datastream", "hour"],
                                               name="sta_hourly_unique")]

    def __str__(self):
        return f"{self.datastream_id} @ {self.hour.isoformat()}"

    @property
    def mean(self) -> float:
        return self.total / self.count


class DeliveryReceipt(models.Model):
    """An MQTT message to an aggregated datastream that was added to its window. A window keeps
    no raw value, so it cannot carry the message's dedupe key as a raw row does; the receipt
    does, so that a message the broker delivers twice is counted once.

    The key is a hash keyed with the server's secret (mqtt/payload.py), so trying candidate
    values cannot recover a counted value from it, and `apply_retention` deletes receipts after
    RECEIPT_DAYS: redeliveries come within minutes of a reconnect.
    """

    RECEIPT_DAYS = 7

    id = models.BigAutoField(primary_key=True)
    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, db_index=False,
                                   related_name="+")
    message_key = models.BigIntegerField()
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["datastream", "message_key"],
                                               name="sta_receipt_unique")]

    def __str__(self):
        return f"{self.datastream_id}: {self.message_key}"


class PendingAnnouncement(models.Model):
    """Notifications of new entities the MQTT bridge owes its subscribers (an outbox): written
    in the transaction that stores the entities, deleted once the broker has taken every
    message of them (QoS 2 complete). A bridge killed between the two announces what it left
    when it starts again with the same client id (mqtt/notify.py), so a crash loses no
    notification; one killed after the broker took them but before the row was deleted
    announces them once more (at least once, in that narrow window)."""

    id = models.BigAutoField(primary_key=True)
    # The MQTT client id of the bridge that owes them: only that bridge sends them on restart
    # (another bridge of a shared subscription is still announcing its own).
    bridge = models.CharField(max_length=200)
    entity = models.CharField(max_length=40)
    ids = models.JSONField()
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["bridge", "id"], name="sta_pendingann_bridge")]

    def __str__(self):
        return f"{self.entity} {self.ids[:3]}… ({self.bridge})"


class RejectedMessage(models.Model):
    """A device message the MQTT bridge could not store (a dead letter): not JSON, over an input
    limit, an unknown datastream, a value the datastream refuses. The bridge acknowledges it
    (so the broker does not send it again and again) and records it here, so that the lab's
    operators see on its token page what their devices send wrong (docs/privacy.md).

    Bounded: the excerpt is the first EXCERPT_LENGTH characters, made storable and printable
    (core/jsonlimits.safe_excerpt); the retention job keeps KEEP_DAYS days and at most
    KEEP_PER_LAB records per lab. `username` is the token that published it where the broker's
    publisher plugin names it (MQTT_PUBLISHER_PLUGIN); without the plugin MQTT does not tell the
    bridge who published, and it is the user name of the lab token(s) allowed to publish on the
    topic.
    """

    KEEP_DAYS = 30
    KEEP_PER_LAB = 1000
    EXCERPT_LENGTH = 500
    REASON_LENGTH = 1000

    id = models.BigAutoField(primary_key=True)
    received_at = models.DateTimeField()
    # Null when the message names no datastream of a lab (an unknown topic or datastream).
    lab = models.ForeignKey(LAB_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                            related_name="+")
    topic = models.CharField(max_length=300)
    username = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    excerpt = models.TextField(blank=True)
    size = models.PositiveIntegerField()  # of the message, in bytes

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["lab", "-received_at"], name="sta_rejected_lab_time"),
                   models.Index(fields=["received_at"], name="sta_rejected_time")]

    def __str__(self):
        return f"{self.topic}: {self.reason[:80]}"
