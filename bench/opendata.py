"""Benchmark: the open-data catalogue at national scale: CKAN's package_search and the first
page of the DCAT-AP.de catalogue with 10,000 published datasets.

Runs standalone and in-process (Django's test Client, no web server), on a database of its own
(`<name>_opendata` next to the one given, or var/bench-opendata.sqlite3); PostgreSQL is the
target (p95 < 50 ms):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench \
        .venv/bin/python bench/opendata.py
    .venv/bin/python bench/opendata.py --smoke            # tiny data, every request once

The data (written once with bulk_create, reused by a later run): 200 living labs of 100
operators with 5,000 datastreams (25 per lab, five observed properties each), grouped into
one lab dataset per lab and observed property (1,000, each with the SensorThings API, three
yearly CSV files and GeoJSON), the platform's five datasets, and partners' own datasets up to
`--datasets` published ones (1 to 3 distributions each), plus 5 % unpublished ones (drafts,
submissions, withdrawn) that every answer must leave out. No observations.
"""

import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from common import describe_run, parse_arguments, say, say_load_average, setup, time_request

PREFIX = "bench-od-"
LABS = 200
OPERATORS = 100
STREAMS_PER_LAB = 25
PROPERTIES_PER_LAB = 5
PARTNERS = 200
PLATFORM_KEYS = ["partners", "projects", "ideas", "events", "funding"]
WORDS = ["Verkehr", "Radverkehr", "Parken", "Luftqualität", "Lärm", "Energie", "Strom", "Wärme",
         "Wasser", "Abfall", "Bildung", "Schule", "Kita", "Wohnen", "Bauen", "Haushalt",
         "Wahlen", "Bevölkerung", "Tourismus", "Kultur", "Sport", "Gesundheit", "Klima",
         "Baumkataster", "Grünflächen", "Spielplätze", "Haltestellen", "ÖPNV", "Ladesäulen",
         "Baustellen", "Wetter", "Temperatur", "Feinstaub", "Stickstoffdioxid", "Pegel",
         "Hochwasser", "Solar", "Photovoltaik", "Einzelhandel", "Leerstand", "Fußverkehr",
         "Zählstellen", "Sharing", "E-Scooter", "Carsharing", "Bibliothek", "Museen", "Märkte",
         "Friedhöfe", "Toiletten"]
THEME_KEYS = ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI",
              "SOCI", "TECH", "TRAN"]
LICENCE_KEYS = ["dl-by-de/2.0", "dl-zero-de/2.0", "cc-by/4.0", "cc-by-sa/4.0", "cc-zero", "odbl"]
FREQUENCY_KEYS = ["DAILY", "WEEKLY", "MONTHLY", "ANNUAL", "IRREG", "CONT"]
END = datetime(2026, 6, 1, tzinfo=UTC)


def generate(published_target: int, progress=say, *, labs: int = LABS,
             operators: int = OPERATORS, partners: int = PARTNERS) -> None:
    from django.db import transaction

    from stadtallianz.livinglabs.models import LivingLab, PrivacyLevel
    from stadtallianz.opendata.models import Dataset, Distribution
    from stadtallianz.partners.models import Organisation
    from stadtallianz.sensorthings import models as sta

    if Dataset.objects.filter(slug__startswith=PREFIX).exists():
        progress(f"{Dataset.objects.filter(slug__startswith=PREFIX).count()} datasets from an "
                 "earlier run reused")
        return
    started = time.perf_counter()
    generator = random.Random(16)  # the same data every time
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create([Organisation(
            name=f"Bench-Partner {i}", slug=f"{PREFIX}org-{i}", type=Organisation.Type.COMPANY,
            description_de=f"Partner {i} der Allianz.", status=Organisation.Status.PARTNER,
            partner_since=END) for i in range(max(operators, partners))])
        lab_rows = LivingLab.objects.bulk_create([LivingLab(
            name_de=f"Bench-Reallabor {i}", slug=f"{PREFIX}lab-{i}", description_de="Bench",
            area={"type": "Point", "coordinates": [7 + i / 1000, 51.9]},
            starts_on=END.date(), state=LivingLab.State.RUNNING,
            operator=organisations[i % operators], contact_name="Team",
            contact_email="team@example.org", default_privacy_level=PrivacyLevel.PUBLIC)
            for i in range(labs)])
        sensors = sta.Sensor.objects.bulk_create([sta.Sensor(
            lab=lab, name="Sensor", description="d", encoding_type="text/html", metadata="m")
            for lab in lab_rows])
        properties = sta.ObservedProperty.objects.bulk_create([sta.ObservedProperty(
            lab=lab, name=f"Größe {k}", definition=f"https://example.org/p{k}", description="d")
            for lab in lab_rows for k in range(PROPERTIES_PER_LAB)])
        things = sta.Thing.objects.bulk_create([sta.Thing(
            lab=lab, name=f"Station {k}", description="d")
            for lab in lab_rows for k in range(STREAMS_PER_LAB)], batch_size=1000)
        streams = sta.Datastream.objects.bulk_create([sta.Datastream(
            lab=lab, thing=things[number * STREAMS_PER_LAB + k], sensor=sensors[number],
            observed_property=properties[number * PROPERTIES_PER_LAB + k % PROPERTIES_PER_LAB],
            name=f"{PREFIX}{lab.pk}-{k}", description="d", observation_type="OM_Measurement",
            unit_of_measurement={"name": "Grad Celsius", "symbol": "°C", "definition": "u"},
            privacy_level=PrivacyLevel.PUBLIC)
            for number, lab in enumerate(lab_rows) for k in range(STREAMS_PER_LAB)],
            batch_size=1000)
        progress(f"  {len(lab_rows)} labs, {len(streams)} datastreams "
                 f"({time.perf_counter() - started:.1f} s)")

        def dataset(slug, kind, index, **fields):
            keywords = generator.sample(WORDS, generator.randint(1, 4))
            values = {
                "slug": slug, "kind": kind, "state": Dataset.State.PUBLISHED,
                "title_de": f"{' und '.join(keywords[:2])} {index}",
                "title_en": f"Dataset {index}",
                "description_de": f"Daten zu {', '.join(keywords)} in der Stadt ({index}).",
                "contact_name": "Open-Data-Team", "contact_email": "opendata@example.org",
                "licence": generator.choice(LICENCE_KEYS),
                "themes": generator.sample(THEME_KEYS, generator.randint(1, 2)),
                "keywords": keywords,
                "accrual_periodicity": generator.choice(FREQUENCY_KEYS),
                "issued": END - timedelta(days=400 + index % 300),
                "modified": END - timedelta(minutes=index * 7),
            }
            values.update(fields)
            dataset = Dataset(**values)
            dataset.search_text = dataset.search_words()  # bulk_create skips save()
            return dataset

        rows = []
        for number, lab in enumerate(lab_rows):
            for k in range(PROPERTIES_PER_LAB):
                rows.append(dataset(
                    f"{PREFIX}lab-{lab.pk}-{k}", Dataset.Kind.LAB, len(rows),
                    lab=lab, observed_property=properties[number * PROPERTIES_PER_LAB + k],
                    publisher=lab.operator, accrual_periodicity="CONT"))
        lab_datasets = len(rows)
        for key in PLATFORM_KEYS:
            rows.append(dataset(f"{PREFIX}{key}", Dataset.Kind.PLATFORM, len(rows),
                                platform_key=f"{PREFIX}{key}"[:20], publisher=None))
        hidden_states = [Dataset.State.DRAFT, Dataset.State.SUBMITTED,
                         Dataset.State.WITHDRAWN, Dataset.State.REJECTED]
        partner_count = max(0, published_target - len(rows))
        for index in range(partner_count + partner_count // 20):
            hidden = index >= partner_count
            rows.append(dataset(
                f"{PREFIX}{'hidden' if hidden else 'partner'}-{index}", Dataset.Kind.PARTNER,
                len(rows), publisher=organisations[index % partners],
                state=hidden_states[index % 4] if hidden else Dataset.State.PUBLISHED))
        datasets = Dataset.objects.bulk_create(rows, batch_size=1000)
        progress(f"  {len(datasets)} datasets ({time.perf_counter() - started:.1f} s)")

        through = Dataset.datastreams.through
        links = [through(dataset_id=datasets[number * PROPERTIES_PER_LAB
                                             + k % PROPERTIES_PER_LAB].pk,
                         datastream_id=streams[number * STREAMS_PER_LAB + k].pk)
                 for number in range(len(lab_rows)) for k in range(STREAMS_PER_LAB)]
        through.objects.bulk_create(links, batch_size=2000)

        distributions = []
        for position, item in enumerate(datasets):
            def add(file_type, url, title, kind=Distribution.Kind.DOWNLOAD, item=item, **more):
                distributions.append(Distribution(
                    dataset=item, kind=kind, title_de=title, access_url=url,
                    download_url=url if kind == Distribution.Kind.DOWNLOAD else "",
                    file_type=file_type, position=len(distributions), modified=item.modified,
                    **more))
            if position < lab_datasets:
                add("JSON", f"/sta/v1.1/Datastreams?$filter=id eq {position}",
                    "SensorThings API", Distribution.Kind.API)
                for year in (2024, 2025, 2026):
                    add("CSV", f"/de/labs/{item.slug}/{year}.csv", f"Messwerte {year}",
                        period_start=date(year, 1, 1), period_end=date(year, 12, 31))
                add("GEOJSON", f"/de/labs/{item.slug}/orte.geojson", "Messorte")
            elif item.kind == Dataset.Kind.PLATFORM:
                add("CSV", f"/de/data/{item.slug}.csv", "CSV")
                add("JSON", f"/de/data/{item.slug}.json", "JSON")
            else:
                for file_type in generator.sample(["CSV", "JSON", "GEOJSON", "XLSX", "PDF"],
                                                  generator.randint(1, 3)):
                    add(file_type, f"https://daten.example.org/{item.slug}.{file_type.lower()}",
                        file_type)
        Distribution.objects.bulk_create(distributions, batch_size=2000)
    progress(f"  {len(distributions)} distributions, {len(links)} datastream links "
             f"({time.perf_counter() - started:.1f} s)")


def ckan(action: str, **params) -> str:
    return f"/api/3/action/{action}" + (f"?{urlencode(params)}" if params else "")


def main() -> int:
    arguments = parse_arguments(__doc__, {"--datasets": (10_000, "published datasets")},
                                smoke={"datasets": 60})
    started = setup("opendata", smoke=arguments.smoke)
    from django.core.cache import caches
    from django.test import Client

    def empty_caches():
        for alias in caches.settings:
            caches[alias].clear()

    from stadtallianz.opendata.models import Dataset

    if arguments.smoke:
        generate(arguments.datasets, labs=4, operators=3, partners=5)
    else:
        generate(arguments.datasets)
    say(f"set-up (migrate + data): {time.perf_counter() - started:.1f} s")
    published = Dataset.objects.published().count()
    describe_run(arguments, f"{published} published datasets of "
                 f"{Dataset.objects.count()}")

    organisation = (Dataset.objects.published().filter(publisher__isnull=False)
                    .values_list("publisher__slug", flat=True).order_by("publisher__slug")
                    .first())
    facets = json.dumps(["organization", "groups", "tags", "res_format", "license_id"])
    scenarios = [
        ("package_search, plain (10 rows)", ckan("package_search")),
        ("package_search, q=Radverkehr", ckan("package_search", q="Radverkehr")),
        ("package_search, fq organization", ckan("package_search",
                                                 fq=f"organization:{organisation}")),
        ("package_search, 5 facets", ckan("package_search", **{"facet.field": facets})),
        ("package_search, 5 facets, cache emptied each time", ckan(
            "package_search", **{"facet.field": facets, "facet.limit": "49"})),
        ("package_search, q + fq + 5 facets", ckan("package_search", q="Verkehr",
                                                   fq="res_format:CSV groups:tran",
                                                   **{"facet.field": facets})),
        ("package_search, 100 rows by name, start 5000", ckan(
            "package_search", rows=100, start=min(5000, published // 2), sort="name asc")),
        ("package_search, harvester (modified since)", ckan(
            "package_search", fq="metadata_modified:[2026-05-01T00:00:00Z TO *]",
            sort="id asc", rows=100)),
        ("package_show", ckan("package_show", id=f"{PREFIX}lab-" + str(
            Dataset.objects.filter(slug__startswith=f"{PREFIX}lab-").values_list(
                "lab_id", flat=True).first()) + "-0")),
        ("current_package_list_with_resources (100)",
         ckan("current_package_list_with_resources", limit=100)),
        # A harvester walking the catalogue reads each page once: its package dicts are made
        # afresh, not read from the cache (the offset keeps the URL apart from the one above).
        ("current_package_list (100), cache emptied each time",
         ckan("current_package_list_with_resources", limit=100, offset=100)),
        ("package_search, harvester, cache emptied each time", ckan(
            "package_search", fq="metadata_modified:[2026-04-01T00:00:00Z TO *]",
            sort="id asc", rows=100)),
        ("organization_list (all_fields)", ckan("organization_list", all_fields="true")),
    ]
    client = Client()
    dcat = "/dcat/catalog.ttl"
    probe = client.get(dcat)
    if probe.status_code == 200:
        scenarios.append(("DCAT catalogue, first page (Turtle)", dcat))
    else:
        say(f"{dcat} answered {probe.status_code}: the DCAT catalogue is missing, not measured\n")

    # Each row as soon as it is measured: the progress of a run of some minutes.
    say(f"{'scenario':<46} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} {'queries':>7} "
        f"{'bytes':>7}  URL")
    for label, url in scenarios:
        timing = time_request(client, url, arguments,
                              before_each=empty_caches if "cache emptied" in label else None)
        if url.startswith("/api/"):
            body = timing.result.json()
            if not body.get("success"):
                sys.exit(f"{url} failed: {body}")
            if label.startswith("package_search, plain") and (
                    body["result"]["count"] != published):
                sys.exit(f"package_search counts {body['result']['count']}, not the "
                         f"{published} published datasets")
        say(f"{label:<46} {timing.median:>9.1f} {timing.p95:>7.1f} {timing.cpu:>7.1f} "
            f"{timing.queries:>7} {len(timing.result.content):>7}  {url[:90]}")
    say_load_average()
    return 0


if __name__ == "__main__":
    sys.exit(main())
