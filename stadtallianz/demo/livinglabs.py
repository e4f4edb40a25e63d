"""Demo living labs for `stadtallianz demo` (runs after the projects' demo): "Reallabor Aasee"
(air quality and water temperature at the lake, public) and "Reallabor Promenade" (bicycles
counted on the main cycle route, served only as hourly sums from k = 5; air temperature,
public), run by demo partner organisations and linked to demo projects.

The labs are seed data (ORM, like every demo); their sensors, datastreams and 30 days of values
come from the simulator through the public SensorThings API with a lab token (simulator.py),
never directly into the database. The bicycle count is set to aggregated by change_privacy, as
the operator would on the datastream's privacy form, before any value is sent.

Idempotent: a lab is created only if its slug is missing, and sensors are set up only for a lab
without things.
"""

from datetime import date, timedelta

from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project

from . import simulator
from .models import LabToken, LivingLab, PrivacyLevel

# slug, German and English names, operator, partners, projects (German titles), area,
# start, texts
LABS = [
    {
        "slug": "reallabor-aasee",
        "name_de": "Reallabor Aasee", "name_en": "Aasee living lab",
        "operator": "aasee-quartiersentwicklung",
        "partners": ["stadtwerke-muensterland-nord", "westfalen-datenwerk"],
        "projects": ["Luftqualität an Schulwegen messen", "Sensornetz Hochwasser Aa"],
        "area": {"type": "Polygon", "coordinates": [[
            [7.6005, 51.9515], [7.6140, 51.9515], [7.6140, 51.9600], [7.6005, 51.9600],
            [7.6005, 51.9515]]]},
        "starts_on": date(2026, 4, 1),
        "description_de": (
            "Am Aasee messen die Partner **Luftqualität** (Feinstaub PM2,5 und Stickstoffdioxid) "
            "und die **Wassertemperatur** des Sees. Alle Werte sind offene Daten: live auf "
            "dieser Seite und über die SensorThings-API."),
        "description_en": (
            "At the Aasee the partners measure **air quality** (particulate matter PM2.5 and "
            "nitrogen dioxide) and the lake's **water temperature**. Every value is open data: "
            "live on this page and through the SensorThings API."),
        "trial_de": "Günstige Luftsensoren im Dauerbetrieb neben einer Referenzstation; "
                    "eine Messboje, die das Algenrisiko im Sommer früh anzeigt.",
        "trial_en": "Low-cost air sensors in continuous operation next to a reference station; "
                    "a buoy that signals the risk of algae early in summer.",
        "learnings_de": "- Die günstigen Sensoren liegen nach Kalibrierung im Mittel weniger "
                        "als 2 µg/m³ neben der Referenz.\n- Die Boje braucht eine Reinigung "
                        "alle sechs Wochen.",
        "learnings_en": "- After calibration the low-cost sensors stay within 2 µg/m³ of the "
                        "reference on average.\n- The buoy needs cleaning every six weeks.",
        "permits_de": "Genehmigung der Stadt Münster (Grünflächenamt) für Messstation und Boje, "
                      "bis 31.03.2028.",
        "permits_en": "Permit of the City of Münster (parks office) for the station and buoy, "
                      "until 31 March 2028.",
        "contact_name": "Team Reallabor Aasee",
        "contact_email": "reallabor-aasee@demo.stadtallianz.de",
    },
    {
        "slug": "reallabor-promenade",
        "name_de": "Reallabor Fahrradstraße/Promenade",
        "name_en": "Cycle street/Promenade living lab",
        "operator": "radwerk-mobility",
        "partners": ["stadtwerke-muensterland-nord"],
        "projects": ["Sichere Radwege an der Hammer Straße"],
        "area": {"type": "Polygon", "coordinates": [[
            [7.6220, 51.9640], [7.6340, 51.9640], [7.6340, 51.9700], [7.6220, 51.9700],
            [7.6220, 51.9640]]]},
        "starts_on": date(2026, 6, 1),
        "description_de": (
            "Auf der Promenade, der wichtigsten Radroute der Stadt, zählt eine Induktions"
            "schleife die Fahrräder. Die Zählung erkennt keine Personen; veröffentlicht werden "
            "nur **Summen je Stunde**, und Stunden mit weniger als fünf Rädern bleiben "
            "ausgeblendet. Eine kleine Klimastation misst die Lufttemperatur."),
        "description_en": (
            "On the Promenade, the city's main cycle route, an induction loop counts bicycles. "
            "The count recognises no people; only **sums per hour** are published, and hours "
            "with fewer than five bicycles are withheld. A small weather station measures the "
            "air temperature."),
        "trial_de": "Ob datensparsame Zählungen genügen, um Ampelphasen und Winterdienst am "
                    "Radverkehr auszurichten.",
        "trial_en": "Whether privacy-friendly counts are enough to plan traffic lights and "
                    "winter service around cycling.",
        "learnings_de": "Die Spitzen liegen werktags um 7:30 und 16:30 Uhr; nachts werden "
                        "Stunden oft ausgeblendet, weil weniger als fünf Räder fahren.",
        "learnings_en": "Peaks are at 7:30 and 16:30 on working days; at night hours are often "
                        "withheld because fewer than five bicycles pass.",
        "permits_de": "Sondernutzungserlaubnis des Tiefbauamts für die Zählschleife.",
        "permits_en": "Special-use permit of the civil engineering office for the loop.",
        "contact_name": "Team Reallabor Promenade",
        "contact_email": "reallabor-promenade@demo.stadtallianz.de",
    },
]


def _projects(titles):
    return list(Project.objects.filter(title_de__in=titles)) + list(
        Project.objects.filter(origin_idea__title__in=titles).exclude(title_de__in=titles))


def _lab(spec) -> tuple[LivingLab | None, bool]:
    lab = LivingLab.objects.filter(slug=spec["slug"]).first()
    if lab is not None:
        return lab, False
    operator = Organisation.objects.filter(slug=spec["operator"]).first()
    if operator is None:
        return None, False
    fields = {k: v for k, v in spec.items() if k not in ("operator", "partners", "projects")}
    lab = LivingLab.objects.create(operator=operator, state=LivingLab.State.RUNNING,
                                   default_privacy_level=PrivacyLevel.PUBLIC, **fields)
    lab.partners.set(Organisation.objects.filter(slug__in=spec["partners"]))
    lab.projects.set(_projects(spec["projects"]))
    return lab, True


def seed_sensors(lab: LivingLab, *, now, days: int = 30) -> int:
    """Sets up the lab's simulated sensors through the SensorThings API and sends their
    history; returns the number of observations sent."""
    from stadtallianz.sensorthings import ingest
    from stadtallianz.sensorthings.models import Datastream

    token, key = LabToken.issue(lab=lab, name="Demo-Simulator (Einrichtung)")
    try:
        sim = simulator.Simulator(simulator.InProcess(key))
        things = simulator.LABS[lab.slug]
        ids = sim.set_up(things)
        streams = simulator.streams_of(lab.slug)
        for stream in streams:
            if stream.privacy:  # the operator's decision, before any value exists
                ingest.change_privacy(Datastream.objects.get(pk=ids[stream.key]),
                                      **stream.privacy)
        return sim.history(streams, ids, until=now, days=days)
    finally:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])


def load(*, now, days: int = 30) -> int:
    """Creates what is missing; returns how many labs it created."""
    created = 0
    for spec in LABS:
        lab, new = _lab(spec)
        created += new
        if lab is not None and not lab.things.exists():
            seed_sensors(lab, now=now - timedelta(minutes=1), days=days)
    return created
