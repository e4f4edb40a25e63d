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

from stadtallianz.livinglabs import simulator
from stadtallianz.livinglabs.models import LabToken, LivingLab, PrivacyLevel
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project
from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings.models import Datastream

from . import datafiles

# data/livinglabs.json: "labs" [{slug, name_de/_en, operator (organisation slug), partners
# (slugs), projects (German titles, or the titles of the ideas they came from), area (GeoJSON),
# starts_on (ISO date), description_, trial_, learnings_, permits_ (each _de and _en),
# contact_name, contact_email}]
LABS = datafiles.load("livinglabs")["labs"]


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
    fields["starts_on"] = date.fromisoformat(fields["starts_on"])
    lab = LivingLab.objects.create(operator=operator, state=LivingLab.State.RUNNING,
                                   default_privacy_level=PrivacyLevel.PUBLIC, **fields)
    lab.partners.set(Organisation.objects.filter(slug__in=spec["partners"]))
    lab.projects.set(_projects(spec["projects"]))
    return lab, True


def seed_sensors(lab: LivingLab, *, now, days: int = 30) -> int:
    """Sets up the lab's simulated sensors through the SensorThings API and sends their
    history; returns the number of observations sent."""
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
