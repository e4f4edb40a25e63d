"""The partners' own datasets: registering, editing, submitting for review, the coordination
office's review and withdrawing. Each checks the permission (permissions.py), validates the
whole dataset with its distributions (every problem named by its field), writes in one
transaction and records an entry in the audit log; the office is told of a submission and the
partner of the decision through the notifications outbox.

A partner's distributions are links to its own files or services: http(s) addresses only, each
with a format from the file-type vocabulary. The lab and platform datasets are not changed
here (opendata.sync, opendata.alliance_data).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stadtallianz.accounts.models import User
from stadtallianz.core.audit import audit_log
from stadtallianz.core.geo import validate_geometry
from stadtallianz.core.models import FocusArea
from stadtallianz.core.office import with_office
from stadtallianz.core.slugs import unique_slug
from stadtallianz.notifications.services import notify
from stadtallianz.partners.models import Membership, Organisation

from . import permissions
from .models import Dataset, Distribution
from .sync import RESERVED_SLUGS
from .vocabularies import FILE_TYPES

DATASET_FIELDS = ("title_de", "title_en", "description_de", "description_en", "contact_name",
                  "contact_email", "licence", "themes", "keywords", "spatial", "temporal_start",
                  "temporal_end", "accrual_periodicity")
DISTRIBUTION_FIELDS = ("title_de", "title_en", "description_de", "description_en", "access_url",
                       "file_type")
MAX_DISTRIBUTIONS = 50
MAX_KEYWORDS = 30
http_url = URLValidator(schemes=["http", "https"])


def _clean_distributions(rows) -> list[dict]:
    """The distributions as dicts of DISTRIBUTION_FIELDS; errors under "distributions"."""
    cleaned, errors = [], []
    for number, row in enumerate(rows or [], start=1):
        unknown = set(row) - set(DISTRIBUTION_FIELDS)
        if unknown:
            raise ValueError(f"not distribution fields: {sorted(unknown)}")
        values = {name: (row.get(name) or "").strip() for name in DISTRIBUTION_FIELDS}
        if not values["title_de"]:
            errors.append(_("Link %(number)s: enter a title.") % {"number": number})
        try:
            http_url(values["access_url"])
        except ValidationError:
            errors.append(_("Link %(number)s: enter a complete web address starting with "
                            "https:// or http://.") % {"number": number})
        if values["file_type"] not in FILE_TYPES:
            errors.append(_("Link %(number)s: choose a format.") % {"number": number})
        cleaned.append(values)
    if len(cleaned) > MAX_DISTRIBUTIONS:
        errors.append(_("At most %(count)s links.") % {"count": MAX_DISTRIBUTIONS})
    if errors:
        raise ValidationError({"distributions": errors})
    return cleaned


def _apply(dataset: Dataset, data: dict) -> list[str]:
    """Sets the dataset's fields from `data`, validates them; returns the fields changed.
    (`focus_areas` is set after the save, by _write_focus_areas.)"""
    data = {name: value for name, value in data.items() if name != "focus_areas"}
    unknown = set(data) - set(DATASET_FIELDS)
    if unknown:
        raise ValueError(f"not dataset fields: {sorted(unknown)}")
    if "keywords" in data:
        data["keywords"] = list(dict.fromkeys(k.strip() for k in data["keywords"] or []
                                              if k and k.strip()))[:MAX_KEYWORDS]
    errors: dict = {}
    if data.get("spatial"):
        try:
            data["spatial"] = validate_geometry(data["spatial"])
        except ValidationError as error:
            errors["spatial"] = error.messages
    elif "spatial" in data:
        data["spatial"] = None
    changed = [name for name, value in data.items() if getattr(dataset, name) != value]
    for name, value in data.items():
        setattr(dataset, name, value)
    if dataset.temporal_start and dataset.temporal_end \
            and dataset.temporal_end < dataset.temporal_start:
        errors.setdefault("temporal_end", []).append(
            _("The end cannot lie before the start."))
    try:
        dataset.full_clean(exclude=["slug", "modified", "publisher", "created_by", "reviewed_by",
                                    "lab", "observed_property", "platform_key", "spatial"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return changed


def _validated(dataset: Dataset, data: dict, distributions, *, changed=None):
    """Applies `data` and checks the links; every problem of both in one ValidationError.
    Returns the cleaned links (None when `distributions` is None: the links stay)."""
    errors: dict = {}
    rows = None
    if distributions is not None:
        try:
            rows = _clean_distributions(distributions)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        fields = _apply(dataset, data)
        if changed is not None:
            changed.extend(fields)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return rows


def _write_focus_areas(dataset: Dataset, data: dict) -> bool:
    """The focus areas the partner chose (active ones only); True when they changed."""
    if "focus_areas" not in data:
        return False
    wanted = set(FocusArea.objects.active().filter(
        pk__in=[getattr(area, "pk", area) for area in data["focus_areas"] or []])
        .values_list("pk", flat=True))
    if wanted == set(dataset.focus_areas.values_list("pk", flat=True)):
        return False
    dataset.focus_areas.set(wanted)
    return True


def _write_distributions(dataset: Dataset, rows: list[dict], now) -> bool:
    """Replaces the dataset's links when they differ; True when they did."""
    current = list(dataset.distributions.order_by("position", "pk")
                   .values(*DISTRIBUTION_FIELDS))
    if current == rows:
        return False
    dataset.distributions.all().delete()
    Distribution.objects.bulk_create([
        Distribution(dataset=dataset, kind=Distribution.Kind.DOWNLOAD
                     if row["file_type"] not in ("HTML",) else Distribution.Kind.LINK,
                     download_url=row["access_url"] if row["file_type"] != "HTML" else "",
                     position=position, modified=now, **row)
        for position, row in enumerate(rows)])
    return True


@transaction.atomic
def create_dataset(*, actor, organisation: Organisation, data: dict,
                   distributions=()) -> Dataset:
    if not permissions.can_register(actor, organisation):
        raise PermissionDenied(_("Only the people of a confirmed partner organisation register "
                                 "datasets for it."))
    now = timezone.now()
    dataset = Dataset(kind=Dataset.Kind.PARTNER, state=Dataset.State.DRAFT,
                      publisher=organisation, created_by=actor, modified=now)
    rows = _validated(dataset, data, distributions)
    dataset.slug = unique_slug(Dataset.objects.all(), dataset.title_de, fallback="datensatz",
                               reserved=RESERVED_SLUGS, max_length=100)
    dataset.save()
    _write_distributions(dataset, rows, now)
    _write_focus_areas(dataset, data)
    audit_log(actor=actor, action="opendata.dataset.created", target=dataset,
              after={"title": dataset.title_de, "publisher": organisation.pk})
    return dataset


@transaction.atomic
def update_dataset(*, dataset: Dataset, actor, data: dict, distributions=None) -> Dataset:
    """Changes a partner's dataset. A published one stays published; the fields changed are
    in the audit log (permissions.py)."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if not permissions.can_edit(actor, dataset):
        raise PermissionDenied(_("Only the organisation's admins and the person who registered "
                                 "the dataset change it."))
    now = timezone.now()
    changed: list[str] = []
    rows = _validated(dataset, data, distributions, changed=changed)
    if rows is not None and _write_distributions(dataset, rows, now):
        changed.append("distributions")
    if _write_focus_areas(dataset, data):
        changed.append("focus_areas")
    if changed:
        dataset.modified = now
        dataset.save()
        audit_log(actor=actor, action="opendata.dataset.changed", target=dataset,
                  after={"fields": sorted(changed), "state": dataset.state})
    return dataset


def waiting_for_review():
    """The partners' datasets waiting for the office's review, oldest submission first (the
    review queue, and the back office's work queue)."""
    return (Dataset.objects.filter(kind=Dataset.Kind.PARTNER, state=Dataset.State.SUBMITTED)
            .select_related("publisher").order_by("modified", "pk"))


def office_people():
    return User.objects.filter(Q(is_coordinator=True) | Q(is_superuser=True),
                               is_active=True).order_by("pk")


def partner_people(dataset: Dataset):
    """Who hears of the review's decision: the organisation's admins and the person who
    registered the dataset (if still one of its people)."""
    people = Membership.objects.filter(organisation_id=dataset.publisher_id).filter(
        Q(role=Membership.Role.ADMIN) | Q(user_id=dataset.created_by_id)).values("user")
    return User.objects.filter(pk__in=people, is_active=True).order_by("pk")


@transaction.atomic
def submit_dataset(*, dataset: Dataset, actor) -> Dataset:
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if not permissions.can_submit(actor, dataset):
        raise PermissionDenied(_("Only the organisation's admins and the person who registered "
                                 "the dataset submit it, and only a draft or a dataset returned "
                                 "for changes."))
    if not dataset.distributions.exists():
        raise ValidationError({"distributions": [_("Add at least one link to the data before "
                                                   "submitting the dataset.")]})
    dataset.state = Dataset.State.SUBMITTED
    dataset.modified = timezone.now()
    dataset.save(update_fields=["state", "modified"])
    audit_log(actor=actor, action="opendata.dataset.submitted", target=dataset)
    submission = dataset.modified.isoformat()
    for person in office_people():
        notify(person, kind="dataset-submitted",
               key=f"dataset-submitted:{dataset.pk}:{submission}",
               template="opendata/notifications/submitted",
               context={"dataset": dataset, "organisation": dataset.publisher},
               url=lambda dataset=dataset: dataset_review_url(dataset))
    return dataset


def dataset_review_url(dataset: Dataset) -> str:
    from django.urls import reverse

    return reverse("opendata:review", kwargs={"slug": dataset.slug})


def dataset_edit_url(dataset: Dataset) -> str:
    from django.urls import reverse

    return reverse("opendata:edit", kwargs={"slug": dataset.slug})


@transaction.atomic
def review_dataset(*, dataset: Dataset, actor, approve: bool, note: str = "") -> Dataset:
    """Publishes the dataset or returns it with a note (a note is needed then)."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if not permissions.can_review(actor, dataset):
        raise PermissionDenied(with_office(_("Only the %(office)s reviews datasets, and only "
                                             "those submitted for review.")))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": [_("Say what the partner should change.")]})
    now = timezone.now()
    dataset.state = Dataset.State.PUBLISHED if approve else Dataset.State.REJECTED
    dataset.reviewed_by, dataset.reviewed_at, dataset.review_note = actor, now, note[:5000]
    if approve and dataset.issued is None:
        dataset.issued = now
    dataset.modified = now
    dataset.save()
    action = "opendata.dataset.published" if approve else "opendata.dataset.returned"
    audit_log(actor=actor, action=action, target=dataset, after={"note": bool(note)})
    for person in partner_people(dataset):
        notify(person, kind="dataset-reviewed",
               key=f"dataset-reviewed:{dataset.pk}:{now.isoformat()}",
               template="opendata/notifications/reviewed",
               context={"dataset": dataset, "approved": approve, "note": note},
               url=(dataset.get_absolute_url if approve
                    else (lambda dataset=dataset: dataset_edit_url(dataset))))
    return dataset


@transaction.atomic
def withdraw_dataset(*, dataset: Dataset, actor) -> Dataset:
    """Takes a submitted or published dataset back (the partner, or the office). Its address
    then answers "withdrawn"; the partner may submit it again."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if not permissions.can_withdraw(actor, dataset):
        raise PermissionDenied(with_office(_("Only the organisation's admins, the person who "
                                             "registered the dataset and the %(office)s "
                                             "withdraw it.")))
    before = dataset.state
    dataset.state = Dataset.State.WITHDRAWN
    dataset.modified = timezone.now()
    dataset.save(update_fields=["state", "modified"])
    audit_log(actor=actor, action="opendata.dataset.withdrawn", target=dataset,
              before={"state": before})
    return dataset
