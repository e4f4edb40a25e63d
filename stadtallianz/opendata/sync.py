"""The living labs' datasets, kept in step with their datastreams (docs/standards.md, "Open
data").

One dataset (kind LAB) per living lab and observed property that has at least one datastream
anybody may read: public (every raw value) or aggregated (closed windows only, counts of people
only from k on; sensorthings/privacy.py). A restricted datastream never belongs to a dataset.
Every living lab is public whatever its state (livinglabs/permissions.py: "Every lab page is
public"), so a planned lab's public datastreams are published too.

While a dataset has datastreams it is PUBLISHED; when its last one turns restricted or is
deleted, it is WITHDRAWN: the row stays, so its stable address answers "withdrawn" rather than
"not found", but it has no datastreams and no distributions any more.

Its distributions are rebuilt on every sync: the SensorThings API filtered to the dataset's
datastreams, one CSV per calendar year with data (and the current year) and the GeoJSON of the
locations, the last two served by opendata.downloads through the same privacy rules as the lab
pages. `modified` moves only when something a harvester sees changed.

Called by opendata.signals when a datastream is saved or deleted (after the commit) and daily
by `refresh_open_data`.
"""

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone, translation

from stadtallianz.core.slugs import unique_slug
from stadtallianz.livinglabs.models import LivingLab
from stadtallianz.sensorthings import privacy
from stadtallianz.sensorthings.auth import Caller
from stadtallianz.sensorthings.models import Datastream, Observation, PrivacyLevel

from .alliance_data import PLATFORM_SLUGS
from .models import Dataset, Distribution
from .vocabularies import FALLBACK_THEME, FOCUS_AREA_THEMES

STA_ROOT = "/sta/v1.1"
# Address names no lab or partner dataset gets: the platform datasets' fixed ones, and the
# catalogue's own routes under data/ (no collision, but a dataset so named would read oddly).
RESERVED_SLUGS = frozenset({"new", "mine", "review", *PLATFORM_SLUGS})


def public_caller() -> Caller:
    """Whoever reads the catalogue: a dataset is the same for everybody."""
    return Caller(AnonymousUser())


@dataclass
class SyncResult:
    published: int = 0
    withdrawn: int = 0
    changed: int = 0


def sync_lab_datasets(lab: LivingLab | None = None, *, now: datetime | None = None) -> SyncResult:
    """Brings the datasets of `lab` (None: of every lab) in line with its datastreams."""
    now = now or timezone.now()
    result = SyncResult()
    labs = LivingLab.objects.select_related("operator").prefetch_related("projects__focus_areas")
    if lab is not None:
        labs = labs.filter(pk=lab.pk)
    for each in labs.order_by("pk"):
        _sync_lab(each, now, result)
    return result


def sync_lab_by_id(lab_id: int) -> None:
    """For the signals (on commit): the lab may have been deleted since."""
    lab = LivingLab.objects.filter(pk=lab_id).first()
    if lab is not None:
        sync_lab_datasets(lab)


@transaction.atomic
def _sync_lab(lab: LivingLab, now: datetime, result: SyncResult) -> None:
    # One sync of a lab at a time (two commits touching its datastreams at once would both
    # create its new datasets).
    LivingLab.objects.select_for_update().filter(pk=lab.pk).values_list("pk").first()
    streams = list(Datastream.objects.filter(privacy.datastreams(public_caller()), lab=lab)
                   .exclude(privacy_level=PrivacyLevel.RESTRICTED)
                   .select_related("observed_property").order_by("pk"))
    groups: dict[int, list[Datastream]] = {}
    for stream in streams:
        groups.setdefault(stream.observed_property_id, []).append(stream)
    existing = {dataset.observed_property_id: dataset for dataset in
                Dataset.objects.select_for_update().filter(kind=Dataset.Kind.LAB, lab=lab)}
    focus_areas = sorted({area for project in lab.projects.all()
                          for area in project.focus_areas.all()}, key=lambda a: a.pk)
    for property_id, members in groups.items():
        dataset = existing.pop(property_id, None)
        if _publish(lab, members, dataset, focus_areas, now):
            result.changed += 1
        result.published += 1
    for dataset in existing.values():
        if _withdraw(dataset, now):
            result.changed += 1
        result.withdrawn += 1


def _withdraw(dataset: Dataset, now: datetime) -> bool:
    if dataset.state == Dataset.State.WITHDRAWN and not dataset.distributions.exists():
        return False
    dataset.datastreams.clear()
    dataset.distributions.all().delete()
    dataset.state = Dataset.State.WITHDRAWN
    dataset.modified = now
    dataset.save(update_fields=["state", "modified"])
    return True


def _minutes(seconds: int) -> str:
    return str(seconds // 60)


def _descriptions(lab: LivingLab, observed, streams) -> tuple[str, str]:
    """The dataset's description in German and English (Markdown): what is measured where, and
    for each aggregated datastream how it is aggregated."""
    lab_en = lab.name_en or lab.name_de
    de = [f"Messwerte „{observed.name}“ aus dem Reallabor {lab.name_de}."]
    en = [f"Measurements of “{observed.name}” from the living lab {lab_en}."]
    if observed.description:
        de.append(observed.description)
        en.append(observed.description)
    de.append("")
    en.append("")
    for stream in streams:
        unit = stream.unit_of_measurement if isinstance(stream.unit_of_measurement, dict) else {}
        symbol = f" ({unit['symbol']})" if unit.get("symbol") else ""
        if stream.privacy_level == PrivacyLevel.AGGREGATED:
            window = _minutes(stream.aggregation_window)
            if stream.counts_people:
                de.append(f"- {stream.name}{symbol}: zusammengefasst als Summe je Zeitfenster "
                          f"von {window} Minuten; ein Fenster erscheint erst nach seinem Ende "
                          f"und nur, wenn mindestens {stream.k_threshold} Personen gezählt "
                          f"wurden.")
                en.append(f"- {stream.name}{symbol}: aggregated as the total of each window of "
                          f"{window} minutes; a window appears only after it has closed and "
                          f"only when at least {stream.k_threshold} people were counted.")
            else:
                de.append(f"- {stream.name}{symbol}: zusammengefasst als Mittelwert je "
                          f"Zeitfenster von {window} Minuten; ein Fenster erscheint erst nach "
                          f"seinem Ende.")
                en.append(f"- {stream.name}{symbol}: aggregated as the mean of each window of "
                          f"{window} minutes; a window appears only after it has closed.")
        else:
            de.append(f"- {stream.name}{symbol}: Einzelmesswerte.")
            en.append(f"- {stream.name}{symbol}: individual measurements.")
    return "\n".join(de), "\n".join(en)


def _themes(focus_areas) -> list[str]:
    themes: list[str] = []
    for area in focus_areas:
        for theme in FOCUS_AREA_THEMES.get(area.slug, []):
            if theme not in themes:
                themes.append(theme)
    return themes or [FALLBACK_THEME]


def _path(name: str, **kwargs) -> str:
    """A catalogue address on this site, in the site's language (stable: it never follows the
    reader's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(f"opendata:{name}", kwargs=kwargs)


def sta_url(stream_ids) -> str:
    """The SensorThings API's Datastreams filtered to exactly these datastreams."""
    condition = " or ".join(f"id eq {pk}" for pk in sorted(stream_ids))
    return f"{STA_ROOT}/Datastreams?$filter={quote(condition, safe='')}"


def _local_year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def readable_observations(stream_ids, now: datetime | None = None):
    """The observations of these datastreams anybody may read (sensorthings/privacy.py)."""
    return Observation.objects.filter(privacy.observations(public_caller(), now=now),
                                      datastream_id__in=list(stream_ids))


def years_with_data(stream_ids, now: datetime) -> tuple[date | None, list[int]]:
    """The first readable observation's day and the calendar years with readable data (the
    current year always: it fills while the lab runs)."""
    observations = readable_observations(stream_ids, now)
    bounds = observations.aggregate(first=Min("phenomenon_time_start"),
                                    last=Max("phenomenon_time_start"))
    current = timezone.localtime(now).year
    if bounds["first"] is None:
        return None, [current]
    first = timezone.localtime(bounds["first"])
    years = []
    for year in range(first.year, current + 1):
        start, end = _local_year_bounds(year)
        if year == current or observations.filter(phenomenon_time_start__gte=start,
                                                  phenomenon_time_start__lt=end).exists():
            years.append(year)
    return first.date(), years


def _distributions(dataset_slug: str, streams, years: list[int], lab: LivingLab) -> list[dict]:
    ids = [stream.pk for stream in streams]
    rows = [{
        "kind": Distribution.Kind.API, "file_type": "JSON",
        "title_de": "SensorThings-API", "title_en": "SensorThings API",
        "description_de": "Die Datenströme dieses Datensatzes in der OGC SensorThings API 1.1 "
                          "(Beobachtungen über die Navigation „Observations“).",
        "description_en": "This dataset's datastreams in the OGC SensorThings API 1.1 "
                          "(observations through the navigation “Observations”).",
        "access_url": sta_url(ids), "download_url": "",
        "period_start": None, "period_end": None,
    }]
    for year in years:
        url = _path("observations_csv", slug=dataset_slug, year=year)
        rows.append({
            "kind": Distribution.Kind.DOWNLOAD, "file_type": "CSV",
            "title_de": f"Beobachtungen {year} (CSV)", "title_en": f"Observations {year} (CSV)",
            "description_de": "Alle frei lesbaren Beobachtungen des Jahres, Zeiten in UTC.",
            "description_en": "Every freely readable observation of the year, times in UTC.",
            "access_url": url, "download_url": url,
            "period_start": date(year, 1, 1), "period_end": date(year, 12, 31),
        })
    url = _path("locations_geojson", slug=dataset_slug)
    rows.append({
        "kind": Distribution.Kind.DOWNLOAD, "file_type": "GEOJSON",
        "title_de": "Standorte (GeoJSON)", "title_en": "Locations (GeoJSON)",
        "description_de": f"Das Gebiet des Reallabors {lab.name_de} und die Standorte der "
                          f"Messstationen.",
        "description_en": f"The area of the living lab {lab.name_en or lab.name_de} and the "
                          f"locations of the measuring stations.",
        "access_url": url, "download_url": url, "period_start": None, "period_end": None,
    })
    for position, row in enumerate(rows):
        row["position"] = position
    return rows


DISTRIBUTION_FIELDS = ("kind", "file_type", "title_de", "title_en", "description_de",
                       "description_en", "access_url", "download_url", "period_start",
                       "period_end", "position")


def _publish(lab: LivingLab, streams, dataset: Dataset | None, focus_areas, now) -> bool:
    """Creates or updates the dataset of these datastreams; True when anything changed."""
    observed = streams[0].observed_property
    description_de, description_en = _descriptions(lab, observed, streams)
    first_day, years = years_with_data([s.pk for s in streams], now)
    values = {
        "state": Dataset.State.PUBLISHED,
        "title_de": f"{lab.name_de}: {observed.name}"[:200],
        "title_en": f"{lab.name_en or lab.name_de}: {observed.name}"[:200],
        "description_de": description_de, "description_en": description_en,
        "publisher_id": lab.operator_id,
        "contact_name": lab.contact_name, "contact_email": lab.contact_email,
        "themes": _themes(focus_areas),
        "keywords": list(dict.fromkeys([observed.name, "Reallabor", "Sensordaten",
                                        lab.name_de])),
        "spatial": lab.area, "temporal_start": first_day, "temporal_end": None,
        "accrual_periodicity": "CONT",
    }
    created = dataset is None
    if created:
        dataset = Dataset(kind=Dataset.Kind.LAB, lab=lab, observed_property=observed,
                          slug=unique_slug(Dataset.objects.all(),
                                           f"{lab.slug}-{observed.name}", fallback="reallabor",
                                           reserved=RESERVED_SLUGS, max_length=100),
                          modified=now)
    changed = created or any(getattr(dataset, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(dataset, name, value)
    if dataset.issued is None:
        dataset.issued = now
    wanted_streams = {stream.pk for stream in streams}
    current_streams = set() if created else set(
        dataset.datastreams.values_list("pk", flat=True))
    wanted = _distributions(dataset.slug, streams, years, lab)
    current = [] if created else list(dataset.distributions.order_by("position", "pk")
                                      .values(*DISTRIBUTION_FIELDS))
    same_distributions = current == wanted
    changed = changed or wanted_streams != current_streams or not same_distributions
    if not changed:
        return False
    dataset.modified = now
    dataset.save()
    dataset.focus_areas.set(focus_areas)
    dataset.datastreams.set(wanted_streams)
    if not same_distributions:
        dataset.distributions.all().delete()
        Distribution.objects.bulk_create(
            [Distribution(dataset=dataset, modified=now, **row) for row in wanted])
    return True
