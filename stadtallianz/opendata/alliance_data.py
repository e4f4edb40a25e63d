"""The platform's own open data as datasets (kind PLATFORM): the partner directory, the projects
with their principles and SDGs, the ideas, the public events and the funding acquired.

Each dataset has a spec here: its columns (name, type, what a value means, in German and
English) and the function that produces its rows, from public data only, the same rules as
the public pages:
- partners: Organisation.objects.public() (confirmed partners), without any person's contact;
- projects: every project, as the public project pages show them (lead only a public partner);
- ideas: what the public idea list shows (hidden ideas never), without the authors;
- events: Event.objects.public() (members-only events never), without online links and room
  notes (the page gives those to registered people);
- funding: Grant.objects.acquired() per project, as the public totals page shows it (never an
  application that was not granted, never the grant references).

The files (CSV and JSON) are made into PlatformFile rows: rebuilt when stale (signals.py marks
them stale when the data changes), at least daily (`refresh_open_data`), and on request when
stale. Each produces its rows in a fixed number of queries, however many rows there are.
"""

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language

from stadtallianz.core.exports import safe_cell

from .models import Dataset, Distribution, PlatformFile

FILE_TYPES = ("CSV", "JSON")
# A file older than this is rebuilt even when nothing marked it stale (a missed signal, a
# change made with .update()).
MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, integer, number, date, datetime, url, list
    description_de: str
    description_en: str

    @property
    def description(self) -> str:
        return self.description_de if (get_language() or "de").startswith("de") \
            else self.description_en


@dataclass(frozen=True)
class Spec:
    key: str
    slug: str
    title_de: str
    title_en: str
    description_de: str
    description_en: str
    keywords: tuple
    themes: tuple
    columns: tuple
    rows: Callable  # rows(limit=None) -> iterable of dicts by column name


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _url(obj) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _site(obj.get_absolute_url())


def _limited(queryset, limit):
    return queryset if limit is None else queryset[:limit]


# ---------------------------------------------------------------------------------------------
# The rows


def partner_rows(limit=None):
    from stadtallianz.partners.models import Organisation

    partners = (Organisation.objects.public().prefetch_related("focus_areas")
                .only("name", "slug", "type", "summary_de", "summary_en", "website",
                      "postal_code", "city", "latitude", "longitude", "partner_since")
                .order_by("name", "pk"))
    for partner in _limited(partners, limit):
        yield {"name": partner.name, "slug": partner.slug, "type": partner.type,
               "summary_de": partner.summary_de, "summary_en": partner.summary_en,
               "website": partner.website, "postal_code": partner.postal_code,
               "city": partner.city, "latitude": partner.latitude,
               "longitude": partner.longitude,
               "partner_since": partner.partner_since.date() if partner.partner_since else None,
               "focus_areas": [area.slug for area in partner.focus_areas.all()],
               "url": _url(partner)}


def project_rows(limit=None):
    from stadtallianz.projects import queries
    from stadtallianz.projects.models import Project

    projects = (Project.objects.defer("description_de", "description_en")
                .select_related("working_group")
                .prefetch_related("focus_areas", "principles", "sdg_relations__goal",
                                  "sdg_relations__target", queries.leads_prefetch())
                .order_by("title_de", "pk"))
    for project in _limited(projects, limit):
        yield {"slug": project.slug, "title_de": project.title_de, "title_en": project.title_en,
               "summary_de": project.summary_de, "summary_en": project.summary_en,
               "phase": project.phase, "progress": project.progress,
               "working_group": project.working_group.slug if project.working_group else "",
               "lead": project.leads[0].organisation.name if project.leads else "",
               "focus_areas": [area.slug for area in project.focus_areas.all()],
               "principles": [principle.slug for principle in project.principles.all()],
               "sdgs": sorted({relation.goal.number for relation in project.sdg_relations.all()}),
               "sdg_targets": [str(relation.target) for relation in project.sdg_relations.all()
                               if relation.target_id],
               "created": project.created_at.date(),
               "url": _url(project)}


def idea_rows(limit=None):
    from django.contrib.auth.models import AnonymousUser

    from stadtallianz.ideas.models import Idea

    ideas = (Idea.objects.listed_for(AnonymousUser()).select_related("project")
             .prefetch_related("focus_areas", "principles", "sdgs")
             .only("title", "state", "created_at", "latitude", "longitude", "place_name",
                   "hidden_at", "project__slug")
             .order_by("created_at", "pk"))
    for idea in _limited(ideas, limit):
        project = getattr(idea, "project", None)
        yield {"id": idea.pk, "title": idea.title, "state": idea.state,
               "submitted": idea.created_at.date(),
               "focus_areas": [area.slug for area in idea.focus_areas.all()],
               "principles": [principle.slug for principle in idea.principles.all()],
               "sdgs": [goal.number for goal in idea.sdgs.all()],
               "place": idea.place_name, "latitude": idea.latitude,
               "longitude": idea.longitude,
               "project": project.slug if project else "",
               "url": _url(idea)}


def event_rows(limit=None):
    from stadtallianz.events.models import Event

    events = (Event.objects.public().select_related("group")
              .only("title_de", "title_en", "slug", "format", "state", "starts_at", "ends_at",
                    "address", "latitude", "longitude", "group__slug", "visibility")
              .order_by("starts_at", "pk"))
    for event in _limited(events, limit):
        yield {"slug": event.slug, "title_de": event.title_de, "title_en": event.title_en,
               "format": event.format, "state": event.state, "starts_at": event.starts_at,
               "ends_at": event.ends_at, "address": event.address,
               "latitude": event.latitude, "longitude": event.longitude,
               "working_group": event.group.slug if event.group else "",
               "url": _url(event)}


def funding_rows(limit=None):
    from stadtallianz.proposals.queries import public_totals

    entries = public_totals()["projects"]
    for entry in entries if limit is None else entries[:limit]:
        grants = entry.grants
        yield {"project": entry.project.slug, "project_title": entry.project.title_de,
               "calls": [grant.application.call.title_de for grant in grants],
               "funders": sorted({grant.application.call.programme.funder for grant in grants}),
               "funded_from": min(grant.starts_on for grant in grants),
               "funded_until": max(grant.ends_on for grant in grants),
               "grants": len(grants), "amount_eur": entry.total,
               "url": _url(entry.project)}


# ---------------------------------------------------------------------------------------------
# The specs


def C(name, type_, de, en):  # noqa: N802 - a table's row
    return Column(name, type_, de, en)


URL = C("url", "url", "Adresse der Seite auf der Plattform.", "Address of the page on the "
        "platform.")
FOCUS = C("focus_areas", "list", "Handlungsfelder (Kurznamen).", "Focus areas (short names).")
LAT = C("latitude", "number", "Geografische Breite (WGS 84).", "Latitude (WGS 84).")
LON = C("longitude", "number", "Geografische Länge (WGS 84).", "Longitude (WGS 84).")

SPECS: dict[str, Spec] = {spec.key: spec for spec in [
    Spec("partners", "allianz-partner", "Partnerinnen und Partner der Allianz",
         "Partners of the alliance",
         "Die bestätigten Partnerorganisationen der Allianz mit Art, Kurzbeschreibung, "
         "Webseite, Ort und Handlungsfeldern.",
         "The alliance's confirmed partner organisations with their type, summary, website, "
         "place and focus areas.",
         ("Partner", "Organisationen", "Smart City"), ("GOVE", "REGI"),
         (C("name", "string", "Name der Organisation.", "Name of the organisation."),
          C("slug", "string", "Adressname (bleibt gleich).", "Address name (stable)."),
          C("type", "string", "Art der Organisation.", "Type of organisation."),
          C("summary_de", "string", "Kurzbeschreibung (Deutsch).", "Summary (German)."),
          C("summary_en", "string", "Kurzbeschreibung (Englisch).", "Summary (English)."),
          C("website", "url", "Webseite.", "Website."),
          C("postal_code", "string", "Postleitzahl.", "Postal code."),
          C("city", "string", "Ort.", "City."), LAT, LON,
          C("partner_since", "date", "Partnerin oder Partner seit.", "Partner since."),
          FOCUS, URL), partner_rows),
    Spec("projects", "allianz-projekte", "Projekte der Allianz", "Projects of the alliance",
         "Die Projekte der Allianz mit Phase, Fortschritt, Federführung, Handlungsfeldern, "
         "Leitprinzipien und Zielen für nachhaltige Entwicklung (SDGs).",
         "The alliance's projects with phase, progress, lead, focus areas, guiding principles "
         "and sustainable development goals (SDGs).",
         ("Projekte", "Leitprinzipien", "SDG", "Smart City"), ("GOVE", "REGI"),
         (C("slug", "string", "Adressname (bleibt gleich).", "Address name (stable)."),
          C("title_de", "string", "Titel (Deutsch).", "Title (German)."),
          C("title_en", "string", "Titel (Englisch).", "Title (English)."),
          C("summary_de", "string", "Zusammenfassung (Deutsch).", "Summary (German)."),
          C("summary_en", "string", "Zusammenfassung (Englisch).", "Summary (English)."),
          C("phase", "string", "Phase des Projekts.", "Phase of the project."),
          C("progress", "integer", "Fortschritt in Prozent (leer: nicht angegeben).",
            "Progress in per cent (empty: not given)."),
          C("working_group", "string", "Arbeitsgruppe (Adressname).",
            "Working group (address name)."),
          C("lead", "string", "Federführende Partnerorganisation.", "Lead partner."),
          FOCUS,
          C("principles", "list", "Leitprinzipien, denen das Projekt dient (Kurznamen).",
            "Guiding principles the project serves (short names)."),
          C("sdgs", "list", "Nummern der Ziele für nachhaltige Entwicklung.",
            "Numbers of the sustainable development goals."),
          C("sdg_targets", "list", "Unterziele der SDGs.", "Targets of the SDGs."),
          C("created", "date", "Angelegt am.", "Created on."), URL), project_rows),
    Spec("ideas", "allianz-ideen", "Ideen für die Smart City", "Ideas for the smart city",
         "Die öffentlich sichtbaren Ideen mit Stand, Handlungsfeldern, Leitprinzipien, SDGs, "
         "Ort und dem Projekt, das daraus wurde.",
         "The publicly visible ideas with their state, focus areas, guiding principles, SDGs, "
         "place and the project they became.",
         ("Ideen", "Beteiligung", "Smart City"), ("GOVE", "SOCI"),
         (C("id", "integer", "Nummer der Idee.", "Number of the idea."),
          C("title", "string", "Titel.", "Title."),
          C("state", "string", "Stand der Idee.", "State of the idea."),
          C("submitted", "date", "Eingereicht am.", "Submitted on."), FOCUS,
          C("principles", "list", "Leitprinzipien (Kurznamen).",
            "Guiding principles (short names)."),
          C("sdgs", "list", "Nummern der SDGs.", "Numbers of the SDGs."),
          C("place", "string", "Ort.", "Place."), LAT, LON,
          C("project", "string", "Projekt, das aus der Idee wurde (Adressname).",
            "Project the idea became (address name)."), URL), idea_rows),
    Spec("events", "allianz-veranstaltungen", "Veranstaltungen der Allianz",
         "Events of the alliance",
         "Die öffentlichen Veranstaltungen der Allianz mit Zeit, Form und Ort.",
         "The alliance's public events with time, format and place.",
         ("Veranstaltungen", "Termine", "Smart City"), ("GOVE", "SOCI"),
         (C("slug", "string", "Adressname (bleibt gleich).", "Address name (stable)."),
          C("title_de", "string", "Titel (Deutsch).", "Title (German)."),
          C("title_en", "string", "Titel (Englisch).", "Title (English)."),
          C("format", "string", "Form: in_person, online oder hybrid.",
            "Format: in_person, online or hybrid."),
          C("state", "string", "scheduled (geplant) oder cancelled (abgesagt).",
            "scheduled or cancelled."),
          C("starts_at", "datetime", "Beginn (mit Zeitzone).", "Start (with time zone)."),
          C("ends_at", "datetime", "Ende (mit Zeitzone).", "End (with time zone)."),
          C("address", "string", "Adresse.", "Address."), LAT, LON,
          C("working_group", "string", "Arbeitsgruppe (Adressname).",
            "Working group (address name)."), URL), event_rows),
    Spec("funding", "allianz-foerdermittel", "Eingeworbene Fördermittel",
         "Funding acquired",
         "Die Fördermittel, die die Partnerinnen und Partner mit gemeinsamen Anträgen "
         "eingeworben haben, je Projekt (bewilligte Anträge; Budgets der Konsortien sind "
         "nicht öffentlich).",
         "The funding the partners acquired with joint applications, per project (granted "
         "applications; the consortia's budgets are not public).",
         ("Förderung", "Fördermittel", "Smart City"), ("ECON", "GOVE"),
         (C("project", "string", "Projekt (Adressname).", "Project (address name)."),
          C("project_title", "string", "Titel des Projekts.", "Title of the project."),
          C("calls", "list", "Förderaufrufe.", "Funding calls."),
          C("funders", "list", "Fördermittelgebende.", "Funders."),
          C("funded_from", "date", "Gefördert ab.", "Funded from."),
          C("funded_until", "date", "Gefördert bis.", "Funded until."),
          C("grants", "integer", "Zahl der Bewilligungen.", "Number of grants."),
          C("amount_eur", "number", "Bewilligte Summe in Euro.", "Amount granted in euros."),
          URL), funding_rows),
]}


# The platform datasets' fixed address names: no other dataset gets one (sync.RESERVED_SLUGS).
PLATFORM_SLUGS = frozenset(spec.slug for spec in SPECS.values())


# ---------------------------------------------------------------------------------------------
# The files


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return safe_cell(" ".join(str(item) for item in value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe_cell(value) if isinstance(value, str) else value


def build(spec: Spec, file_type: str) -> tuple[bytes, int]:
    """The file's bytes and its number of rows."""
    names = [column.name for column in spec.columns]
    rows = list(spec.rows())
    if file_type == "JSON":
        data = [{name: _json_value(row[name]) for name in names} for row in rows]
        return json.dumps(data, ensure_ascii=False, indent=1).encode(), len(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in names])
    return buffer.getvalue().encode("utf-8"), len(rows)


def _contact() -> tuple[str, str]:
    from stadtallianz.core.office import office_name

    with translation.override(settings.LANGUAGE_CODE):
        name = office_name()
    return name, getattr(settings, "OPEN_DATA_CONTACT_EMAIL", "") or settings.DEFAULT_FROM_EMAIL


def _file_path(name: str, slug: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(f"opendata:{name}", kwargs={"slug": slug})


def ensure_datasets(now=None) -> list[Dataset]:
    """The platform datasets, one per spec, with their two distributions (made once, then
    kept; their metadata follows the specs)."""
    now = now or timezone.now()
    contact_name, contact_email = _contact()
    datasets = []
    for spec in SPECS.values():
        values = {"title_de": spec.title_de, "title_en": spec.title_en,
                  "description_de": spec.description_de, "description_en": spec.description_en,
                  "contact_name": contact_name, "contact_email": contact_email,
                  "themes": list(spec.themes), "keywords": list(spec.keywords),
                  "accrual_periodicity": "DAILY", "licence": "dl-by-de/2.0"}
        with transaction.atomic():
            dataset = Dataset.objects.select_for_update().filter(platform_key=spec.key).first()
            if dataset is None:
                dataset = Dataset.objects.create(
                    kind=Dataset.Kind.PLATFORM, platform_key=spec.key, slug=spec.slug,
                    state=Dataset.State.PUBLISHED, issued=now, modified=now, **values)
            elif any(getattr(dataset, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(dataset, name, value)
                dataset.modified = now
                dataset.save()
            if not dataset.distributions.exists():
                for position, (file_type, route) in enumerate((("CSV", "platform_csv"),
                                                               ("JSON", "platform_json"))):
                    url = _file_path(route, dataset.slug)
                    Distribution.objects.create(
                        dataset=dataset, kind=Distribution.Kind.DOWNLOAD, file_type=file_type,
                        title_de=f"{spec.title_de} ({file_type})",
                        title_en=f"{spec.title_en} ({file_type})",
                        description_de="Täglich und bei jeder Änderung neu erstellt; die "
                                       "Spalten beschreibt die Seite des Datensatzes.",
                        description_en="Made anew daily and on every change; the dataset's "
                                       "page describes the columns.",
                        access_url=url, download_url=url, position=position, modified=now)
        datasets.append(dataset)
    return datasets


def rebuild(dataset: Dataset, *, now=None) -> bool:
    """Makes the dataset's files anew; True when their content changed (then the dataset's and
    the distributions' `modified` move)."""
    now = now or timezone.now()
    spec = SPECS[dataset.platform_key]
    changed = False
    with transaction.atomic():
        # One rebuild of a dataset at a time (two requests finding it stale at once).
        Dataset.objects.select_for_update().filter(pk=dataset.pk).values_list("pk").first()
        for file_type in FILE_TYPES:
            content, rows = build(spec, file_type)
            made = PlatformFile.objects.select_for_update().filter(
                dataset=dataset, file_type=file_type).first()
            if made is None:
                PlatformFile.objects.create(dataset=dataset, file_type=file_type,
                                            content=content, rows=rows, made_at=now,
                                            stale=False)
                changed = True
                continue
            if bytes(made.content) != content:
                changed = True
            made.content, made.rows, made.made_at, made.stale = content, rows, now, False
            made.save()
        if changed:
            Dataset.objects.filter(pk=dataset.pk).update(modified=now)
            dataset.distributions.update(modified=now)
            dataset.modified = now
    return changed


def needs_rebuild(made: PlatformFile | None, now=None) -> bool:
    now = now or timezone.now()
    return made is None or made.stale or made.made_at < now - MAX_AGE


def current_file(dataset: Dataset, file_type: str) -> PlatformFile:
    """The dataset's file, rebuilt first when stale or older than a day."""
    made = PlatformFile.objects.filter(dataset=dataset, file_type=file_type).first()
    if needs_rebuild(made):
        rebuild(dataset)
        made = PlatformFile.objects.get(dataset=dataset, file_type=file_type)
    return made


def refresh(*, force: bool = False, progress=None) -> int:
    """Makes sure the platform datasets exist and rebuilds the files that are stale or old
    (force: all). Returns how many datasets changed. `progress(message)` is told each step."""
    changed = 0
    now = timezone.now()
    for dataset in ensure_datasets(now):
        files = {made.file_type: made for made in dataset.files.all()}
        if force or any(needs_rebuild(files.get(t), now) for t in FILE_TYPES):
            if rebuild(dataset, now=now):
                changed += 1
            if progress:
                progress(dataset.slug)
    return changed


def mark_stale(key: str) -> None:
    PlatformFile.objects.filter(dataset__platform_key=key).update(stale=True)


# ---------------------------------------------------------------------------------------------
# Previews for the dataset pages


def preview(dataset: Dataset, limit: int = 10) -> tuple[list, list]:
    """(columns, rows) of the first rows of a dataset: a platform dataset's columns (Column)
    and rows (lists of values); a lab dataset's newest readable observations; a partner's
    dataset has no preview (its files are elsewhere)."""
    if dataset.kind == Dataset.Kind.PLATFORM and dataset.platform_key in SPECS:
        spec = SPECS[dataset.platform_key]
        rows = [[row[column.name] for column in spec.columns] for row in spec.rows(limit)]
        return list(spec.columns), rows
    if dataset.kind == Dataset.Kind.LAB and dataset.state == Dataset.State.PUBLISHED:
        return _lab_preview(dataset, limit)
    return [], []


LAB_COLUMNS = (
    C("datastream", "string", "Datenstrom.", "Datastream."),
    C("phenomenon_time_start", "datetime", "Gemessen ab.", "Measured from."),
    C("phenomenon_time_end", "datetime", "Gemessen bis (bei Zeitfenstern).",
      "Measured until (windows)."),
    C("result", "number", "Wert (bei Zeitfenstern: Summe oder Mittelwert des Fensters).",
      "Value (windows: the window's total or mean)."),
)


def _lab_preview(dataset: Dataset, limit: int):
    from stadtallianz.sensorthings.models import result_of

    from .sync import readable_observations

    streams = dataset.datastreams.exclude(privacy_level="restricted")
    observations = (readable_observations(streams.values_list("pk", flat=True))
                    .select_related("datastream").order_by("-phenomenon_time_start", "-pk")
                    .only("phenomenon_time_start", "phenomenon_time_end", "result_number",
                          "result_json", "result_integer", "datastream__name")[:limit])
    rows = [[obs.datastream.name, timezone.localtime(obs.phenomenon_time_start),
             timezone.localtime(obs.phenomenon_time_end) if obs.phenomenon_time_end else None,
             result_of(obs.result_number, obs.result_json, obs.result_integer)]
            for obs in observations]
    return list(LAB_COLUMNS), rows
