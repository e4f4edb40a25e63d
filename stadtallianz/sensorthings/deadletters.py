"""The dead-letter record of device messages the MQTT bridge could not store (RejectedMessage):
written by the bridge, shown to the lab's operators on its token page, pruned by the retention
job (docs/privacy.md "Rejected device messages").

What is kept is bounded and safe to store and show whatever a device sent: the topic, the
reason and the first characters of the message, made printable (core/jsonlimits.safe_excerpt).
For an aggregated datastream no excerpt is kept: its raw values are never stored (the excerpt
would be one), only the reason and the size.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from stadtallianz.core.jsonlimits import safe_excerpt

from . import labs
from .models import Datastream, PrivacyLevel, RejectedMessage

TOPIC_LENGTH = RejectedMessage._meta.get_field("topic").max_length
USERNAME_LENGTH = RejectedMessage._meta.get_field("username").max_length
SHOWN_ON_TOKEN_PAGE = 50


@dataclass(slots=True)
class Rejection:
    topic: str
    payload: bytes
    reason: str
    datastream_id: int | None  # the datastream the topic or the payload names, if any
    received_at: datetime
    publisher: str | None = None  # the token's user name, where the publisher plugin names it


def record(rejections: list[Rejection]) -> list[RejectedMessage]:
    """Stores the rejections. One whose publisher is named (the publisher plugin) belongs to
    that token's lab, whatever datastream it names. Otherwise it belongs to the lab of its
    datastream, with the user names of that lab's active tokens: without the plugin MQTT does
    not tell who published, and the broker lets only those tokens publish on a lab's topics."""
    if not rejections:
        return []
    named = {r.datastream_id for r in rejections if r.datastream_id is not None}
    streams = {row[0]: row[1:] for row in Datastream.objects.filter(pk__in=named)
               .values_list("pk", "lab_id", "privacy_level")}
    directory = labs.directory()
    publishers = directory.labs_of_tokens({r.publisher for r in rejections if r.publisher},
                                          active_only=False)
    users: dict[int, list[str]] = {}
    for token in directory.active_tokens({lab for lab, _level in streams.values()}):
        users.setdefault(token.lab_id, []).append(token.username)
    rows = []
    for rejection in rejections:
        stream_lab_id, level = streams.get(rejection.datastream_id, (None, None))
        withheld = level == PrivacyLevel.AGGREGATED
        if rejection.publisher:
            lab_id, username = publishers.get(rejection.publisher), rejection.publisher
        else:
            lab_id, username = stream_lab_id, ", ".join(users.get(stream_lab_id, []))
        rows.append(RejectedMessage(
            received_at=rejection.received_at, lab_id=lab_id,
            topic=safe_excerpt(rejection.topic, TOPIC_LENGTH)[:TOPIC_LENGTH],
            username=safe_excerpt(username, USERNAME_LENGTH)[:USERNAME_LENGTH],
            reason=safe_excerpt(rejection.reason, RejectedMessage.REASON_LENGTH),
            excerpt="" if withheld else safe_excerpt(rejection.payload,
                                                     RejectedMessage.EXCERPT_LENGTH),
            size=len(rejection.payload)))
    stored = RejectedMessage.objects.bulk_create(rows)
    # A device that sends nothing but bad messages must not grow the table until the daily
    # retention run: each batch leaves at most KEEP_PER_LAB records per lab.
    for lab_id in {row.lab_id for row in rows}:
        _trim(lab_id)
    return stored


def recent_for_lab(lab, limit: int = SHOWN_ON_TOKEN_PAGE):
    """The lab's latest rejected messages, newest first."""
    return RejectedMessage.objects.filter(lab=lab).order_by("-received_at", "-id")[:limit]


def prune(now: datetime | None = None) -> int:
    """Deletes the records older than KEEP_DAYS and, per lab, those beyond the newest
    KEEP_PER_LAB (so one noisy device cannot fill the table); returns how many."""
    now = now or timezone.now()
    deleted, _kinds = RejectedMessage.objects.filter(
        received_at__lt=now - timedelta(days=RejectedMessage.KEEP_DAYS)).delete()
    crowded = (RejectedMessage.objects.order_by().values("lab_id")
               .annotate(count=Count("id")).filter(count__gt=RejectedMessage.KEEP_PER_LAB)
               .values_list("lab_id", flat=True))
    return deleted + sum(_trim(lab_id) for lab_id in crowded)


def _trim(lab_id: int | None) -> int:
    """Deletes the lab's records beyond its newest KEEP_PER_LAB (lab None: those of no known
    lab); returns how many."""
    keep = RejectedMessage.KEEP_PER_LAB
    mine = RejectedMessage.objects.filter(lab_id=lab_id) if lab_id is not None else (
        RejectedMessage.objects.filter(lab__isnull=True))
    boundary = mine.order_by("-received_at", "-id").values_list("received_at", "id")[
        keep:keep + 1]
    if not boundary:
        return 0
    (at, pk), = boundary
    deleted, _kinds = mine.filter(received_at__lte=at).exclude(
        received_at=at, id__gt=pk).delete()
    return deleted
