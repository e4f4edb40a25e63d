"""A database of the previous release, filled through that release's models, and the check that
the current code reads it unchanged after `migrate` (tests/upgrade/test_upgrade_from_previous_
release.py runs this in subprocesses against a database of its own, named by DATABASE_URL).

    python -m tests.upgrade.release_data populate <records.json>
        migrates the empty database to exactly the leaves of previous_release.json (Django's
        MigrationExecutor) and writes rows into the main tables through the historical models
        of that state (what the release's code would have stored); records each row's values.
    python -m tests.upgrade.release_data verify <records.json>
        after `stadtallianz migrate`: every recorded row loads through the current models with
        the values it had, and a few rules operators rely on still hold for it.
"""

import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

RELEASE = json.loads((Path(__file__).with_name("previous_release.json")).read_text())
WHEN = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PASSWORD = "release-0.1.0-password"  # noqa: S105 - a throw-away test database


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _value(obj, field) -> object:
    """A field's value as JSON, the same for a historical and a current model instance."""
    return json.loads(json.dumps(getattr(obj, field.attname), default=str))


def migrate_to_release():
    """Migrates the empty database to the release's leaves; returns that state's apps."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.loader.applied_migrations:
        raise SystemExit("the database is not empty: the upgrade test needs a new one")
    targets = sorted(RELEASE["leaves"].items())
    missing = [target for target in targets if target not in executor.loader.graph.nodes]
    if missing:
        raise SystemExit(f"migrations of the release are gone from this checkout: {missing}")
    executor.migrate(targets)
    executor.loader.build_graph()
    applied = set(executor.loader.applied_migrations)
    expected = {node for target in targets for node in executor.loader.graph.forwards_plan(target)}
    if applied != expected:
        raise SystemExit(f"migrated beyond the release: {sorted(applied - expected)}")
    return executor.loader.project_state(targets).apps


def populate(apps) -> list[dict]:
    """Rows in the main tables, as the release stored them."""
    from django.contrib.auth.hashers import make_password

    records = []

    def keep(obj):
        obj.refresh_from_db()
        records.append({
            "model": obj._meta.label, "pk": obj.pk,
            "fields": {field.name: _value(obj, field) for field in obj._meta.concrete_fields}})
        return obj

    def make(label, **fields):
        return keep(apps.get_model(label).objects.create(**fields))

    password = make_password(PASSWORD)
    lead = make("accounts.User", email="lead@example.org", full_name="Lena Lead",
                password=password, email_confirmed_at=WHEN)
    member = make("accounts.User", email="member@example.org", full_name="Max Member",
                  password=password, email_confirmed_at=WHEN)
    make("accounts.User", email="office@example.org", full_name="Olga Office",
         password=password, email_confirmed_at=WHEN, is_coordinator=True)
    partner = make("partners.Organisation", name="Stadtwerke Upgrade", slug="stadtwerke-upgrade",
                   type="company", status="partner", partner_since=WHEN,
                   description_de="Energie.", logo="logos/stadtwerke.png")
    make("partners.Organisation", name="Verein Beantragt", slug="verein-beantragt",
         type="association", status="applied")
    make("partners.Membership", user=lead, organisation=partner, role="admin")
    make("partners.Membership", user=member, organisation=partner, role="member")
    version = apps.get_model("letter_of_intent.Version").objects.get(number=1)
    make("letter_of_intent.Signature", organisation=partner, version=version, signed_by=lead,
         signatory_name="Lena Lead", signatory_function="Geschäftsführerin",
         authority_confirmed=True, state="confirmed", reviewed_at=WHEN)
    group = make("workinggroups.WorkingGroup", name_de="Energie im Quartier",
                 slug="energie-im-quartier", description_de="Wärme und Strom.")
    make("workinggroups.WorkingGroup", name_de="Offene Daten", slug="offene-daten")
    make("workinggroups.GroupMembership", group=group, user=lead, role="lead", decided_at=WHEN)
    make("workinggroups.GroupMembership", group=group, user=member, role="member",
         decided_at=WHEN)
    thread = make("discussions.Thread", group=group, title="Wärmeplanung",
                  author=lead, last_activity_at=WHEN)
    make("discussions.Post", thread=thread, author=member, body="Wer kommt zum Termin?")
    event = make("events.Event", group=group, title_de="Quartierstreffen", slug="quartierstreffen",
                 starts_at=WHEN, ends_at=WHEN.replace(hour=14), created_by=lead)
    make("knowledge.Article", title="Öffentlich", slug="oeffentlich", summary="Für alle.",
         body="Text", state="published", published_at=WHEN, visibility="public")
    internal = make("knowledge.Article", title="Intern", slug="intern", summary="Nur Mitglieder.",
                    body="Text", state="published", published_at=WHEN, visibility="members",
                    group=group)
    document = make("knowledge.Document", title="Protokoll", visibility="members", group=group,
                    created_by=lead)
    make("knowledge.DocumentVersion", document=document, number=1,
         file=f"documents/{document.pk}/0123456789abcdef.txt", original_name="protokoll.txt",
         content_type="text/plain", size=12, sha256="0" * 64, uploaded_by=lead)
    make("knowledge.Document", title="Folien", visibility="public", event=event, created_by=lead)
    make("knowledge.Document", title="Anhang", visibility="public", article=internal,
         created_by=lead)
    make("ideas.Idea", title="Mehr Bänke", description="Am Aasee.", state="submitted",
         author=member)
    make("projects.Project", title_de="Mieterstrom", slug="mieterstrom", summary_de="Strom.")
    lab = make("livinglabs.LivingLab", name_de="Reallabor Hafen", slug="reallabor-hafen",
               description_de="Sensoren am Hafen.", operator=partner, starts_on=date(2026, 1, 1),
               contact_name="Lena Lead", contact_email="lead@example.org",
               area={"type": "Polygon", "coordinates": [[[7.6, 51.9], [7.7, 51.9],
                                                         [7.7, 52.0], [7.6, 51.9]]]})
    sensor = make("sensorthings.Sensor", lab=lab, name="DHT22", description="Temperatur",
                  encoding_type="text/html", metadata="https://example.org/dht22")
    temperature = make("sensorthings.ObservedProperty", lab=lab, name="Temperatur",
                       definition="http://vocab.nerc.ac.uk/collection/P07/current/CFSN0023/",
                       description="Lufttemperatur")
    thing = make("sensorthings.Thing", lab=lab, name="Station 1", description="Am Kai")
    make("sensorthings.Location", lab=lab, name="Kai", description="Am Wasser",
         location={"type": "Point", "coordinates": [7.63, 51.95]})
    datastream = make(
        "sensorthings.Datastream", lab=lab, thing=thing, sensor=sensor,
        observed_property=temperature, name="Temperatur Station 1", description="°C",
        observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        unit_of_measurement={"name": "degree Celsius", "symbol": "°C",
                             "definition": "http://unitsofmeasure.org/ucum.html#para-30"})
    feature = make("sensorthings.FeatureOfInterest", lab=lab, name="Kai",
                   description="Am Wasser",
                   feature={"type": "Point", "coordinates": [7.63, 51.95]})
    for minute, value in ((0, 11.5), (10, 11.75), (20, 12.0)):
        make("sensorthings.Observation", datastream=datastream, feature_of_interest=feature,
             phenomenon_time_start=WHEN.replace(minute=minute), result_number=value,
             dedupe_key=1000 + minute)
    return records


def verify(records: list[dict]) -> list[str]:
    """What is wrong with the recorded rows as the current code reads them."""
    from django.apps import apps
    from django.contrib.auth.models import AnonymousUser

    from stadtallianz.accounts.models import User
    from stadtallianz.knowledge.models import Document

    problems = []
    removed = set(RELEASE["removed_on_purpose"])
    for record in records:
        model = apps.get_model(record["model"])
        obj = model.objects.filter(pk=record["pk"]).first()
        if obj is None:
            problems.append(f"{record['model']} {record['pk']}: gone after the upgrade")
            continue
        str(obj)  # the current model's own code runs on the upgraded row
        current = {field.name: field for field in model._meta.concrete_fields}
        for name, before in record["fields"].items():
            label = f"{record['model']}.{name}"
            if name not in current:
                if label not in removed:
                    problems.append(f"{label}: the column is gone (list it in "
                                    "previous_release.json's removed_on_purpose if meant)")
                continue
            after = _value(obj, current[name])
            if after != before:
                problems.append(f"{label} of {record['pk']}: {before!r} became {after!r}")
    # Rules the rows must still follow: people log in with the release's password hashes, and
    # a members-only document stays for members only.
    def recorded(label, **values):
        return next(record["pk"] for record in records if record["model"] == label
                    and all(record["fields"][k] == v for k, v in values.items()))

    member = User.objects.filter(pk=recorded("accounts.User", email="member@example.org")).first()
    members_only = Document.objects.filter(
        pk=recorded("knowledge.Document", title="Protokoll")).first()
    if member is None or members_only is None:
        return problems
    if not member.check_password(PASSWORD):
        problems.append("the release's password hash no longer logs in")
    if not Document.objects.visible_to(member).filter(pk=members_only.pk).exists():
        problems.append("a member no longer sees the group's members-only document")
    if Document.objects.visible_to(AnonymousUser()).filter(pk=members_only.pk).exists():
        problems.append("an anonymous visitor sees a members-only document")
    return problems


def main(argv: list[str]) -> int:
    command, path = argv[1], Path(argv[2])
    _setup()
    if command == "populate":
        records = populate(migrate_to_release())
        path.write_text(json.dumps(records, indent=1, ensure_ascii=False))
        print(f"{len(records)} rows written at release {RELEASE['release']}")
        return 0
    problems = verify(json.loads(path.read_text()))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
