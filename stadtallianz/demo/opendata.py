"""Demo open data for `stadtallianz demo` (runs after the living labs, projects and funding):
three datasets that partners registered themselves (two published after the coordination
office's review, one waiting for review), then the living labs' datasets and the platform's own
datasets, so the demo catalogue is full.

The partners' datasets go through the services (permission, validation, audit, the office's
review) as the demo accounts: the home partner's admin registers for the home partner, the
first admins of two other public partners for theirs. Idempotent: a dataset whose slug exists is
left alone; the sync and the platform files are brought up to date on every run.
"""

from stadtallianz.accounts.models import User
from stadtallianz.opendata import alliance_data, services
from stadtallianz.opendata.models import Dataset
from stadtallianz.opendata.sync import sync_lab_datasets
from stadtallianz.partners.models import Membership, Organisation

from .accounts import DEMO_DOMAIN

HOME_ORGANISATION = "stadtwerke-muensterland-nord"

# (slug, registered by (a demo account's local part; None: the organisation's first admin),
# organisation (a slug, or n: the n-th public partner other than the home one by name), ends in
# state, fields, links)
DATASETS = [
    ("ladesaeulen-stadtwerke", "admin", HOME_ORGANISATION, Dataset.State.PUBLISHED, {
        "title_de": "Ladesäulen für Elektrofahrzeuge",
        "title_en": "Charging points for electric vehicles",
        "description_de": "Standorte, Steckertypen und Ladeleistung der öffentlich "
                          "zugänglichen Ladesäulen im Versorgungsgebiet, täglich aktualisiert.",
        "description_en": "Locations, plug types and charging power of the publicly "
                          "accessible charging points in the supply area, updated daily.",
        "contact_name": "Open-Data-Team", "contact_email": "opendata@stadtwerke.example",
        "licence": "dl-by-de/2.0", "themes": ["ENER", "TRAN"],
        "keywords": ["Elektromobilität", "Ladesäulen", "Energie"],
        "accrual_periodicity": "DAILY",
    }, [("Ladesäulen (CSV)", "Charging points (CSV)",
         "https://opendata.stadtwerke.example/ladesaeulen.csv", "CSV"),
        ("Ladesäulen (GeoJSON)", "Charging points (GeoJSON)",
         "https://opendata.stadtwerke.example/ladesaeulen.geojson", "GEOJSON")]),
    ("fahrgastzahlen-buslinien", None, 0, Dataset.State.PUBLISHED, {
        "title_de": "Fahrgastzahlen der Buslinien",
        "title_en": "Passenger numbers of the bus lines",
        "description_de": "Monatliche Summe der Ein- und Ausstiege je Buslinie, ermittelt mit "
                          "automatischen Fahrgastzählsystemen.",
        "description_en": "Monthly totals of boardings and alightings per bus line, counted "
                          "by automatic passenger counters.",
        "contact_name": "Mobilitätsdaten", "contact_email": "daten@verkehr.example",
        "licence": "cc-by/4.0", "themes": ["TRAN"],
        "keywords": ["ÖPNV", "Bus", "Fahrgastzahlen"], "accrual_periodicity": "MONTHLY",
    }, [("Fahrgastzahlen (XLSX)", "Passenger numbers (XLSX)",
         "https://daten.verkehr.example/fahrgastzahlen.xlsx", "XLSX")]),
    ("leerstand-innenstadt", None, 1, Dataset.State.SUBMITTED, {
        "title_de": "Leerstände in der Innenstadt",
        "title_en": "Vacant shops in the city centre",
        "description_de": "Leerstehende Ladenlokale in der Innenstadt mit Fläche und Lage, "
                          "zweimal im Jahr erhoben.",
        "description_en": "Vacant shop premises in the city centre with floor space and "
                          "location, surveyed twice a year.",
        "contact_name": "Citymanagement", "contact_email": "city@handel.example",
        "licence": "dl-zero-de/2.0", "themes": ["ECON"],
        "keywords": ["Einzelhandel", "Leerstand", "Innenstadt"], "accrual_periodicity": "IRREG",
    }, [("Leerstandskataster (Webseite)", "Register of vacant shops (web page)",
         "https://www.handel.example/leerstand", "HTML")]),
]


def _user(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def _first_admin(organisation: Organisation) -> User | None:
    return (User.objects.filter(is_active=True, memberships__organisation=organisation,
                                memberships__role=Membership.Role.ADMIN).order_by("pk").first())


def _organisation(which) -> Organisation | None:
    public = Organisation.objects.public()
    if isinstance(which, str):
        return public.filter(slug=which).first()
    others = list(public.exclude(slug=HOME_ORGANISATION).order_by("name", "pk")[:which + 1])
    return others[which] if len(others) > which else None


def create_open_data(stdout) -> int:
    """Creates what is missing; returns how many partner datasets it created."""
    office = _user("koordination")
    created = 0
    for slug, local, which, state, fields, links in DATASETS:
        if Dataset.objects.filter(slug=slug).exists():
            continue
        organisation = _organisation(which)
        if organisation is None:
            continue
        actor = _user(local) if local else _first_admin(organisation)
        if actor is None or office is None:
            continue
        dataset = services.create_dataset(
            actor=actor, organisation=organisation, data=fields,
            distributions=[{"title_de": de, "title_en": en, "access_url": url,
                            "file_type": file_type} for de, en, url, file_type in links])
        # The services name the address after the title; the demo keeps its own.
        Dataset.objects.filter(pk=dataset.pk).update(slug=slug)
        dataset.slug = slug
        services.submit_dataset(dataset=dataset, actor=actor)
        if state == Dataset.State.PUBLISHED:
            services.review_dataset(dataset=dataset, actor=office, approve=True)
        created += 1
    stdout.write(f"  {created} partner dataset(s) created")
    result = sync_lab_datasets()
    stdout.write(f"  living labs: {result.published} dataset(s) published, "
                 f"{result.withdrawn} withdrawn")
    alliance_data.refresh(force=True)
    stdout.write(f"  platform: {len(alliance_data.SPECS)} dataset(s) made")
    return created
