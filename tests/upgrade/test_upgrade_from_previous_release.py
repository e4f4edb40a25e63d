"""Upgrading from the previous release (docs/backup.md, "Releases"): a new database is migrated
to exactly the schema of that release (tests/upgrade/previous_release.json), filled through the
release's own (historical) models, then brought to this checkout with `stadtallianz migrate` as
an operator does, and every row must read back unchanged through the current models. A new
migration that cannot apply to existing rows (a non-null column without a default, a unique
field, a constraint the old rows break) or that changes or drops their data fails here, on
PostgreSQL and on SQLite."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.upgrade.release_data import RELEASE
from tests.upgrade.scratch_databases import ScratchDatabases

BIN = os.path.dirname(sys.executable)
MAIN_TABLES = {
    "accounts.User", "partners.Organisation", "partners.Membership",
    "letter_of_intent.Signature", "workinggroups.WorkingGroup", "workinggroups.GroupMembership",
    "discussions.Thread", "discussions.Post", "events.Event", "knowledge.Article",
    "knowledge.Document", "knowledge.DocumentVersion", "ideas.Idea", "projects.Project",
    "livinglabs.LivingLab", "sensorthings.Thing", "sensorthings.Sensor",
    "sensorthings.ObservedProperty", "sensorthings.Datastream", "sensorthings.Location",
    "sensorthings.FeatureOfInterest", "sensorthings.Observation",
}


@pytest.fixture
def empty_database(django_db_setup, tmp_path):
    databases = ScratchDatabases(tmp_path)
    yield databases.new("upgrade")
    databases.drop_all()


def _run(command: list[str], database_url: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false",
                   "LOG_LEVEL": "WARNING"}
    environment.pop("MQTT_URL", None)
    return subprocess.run(command, env=environment, cwd=settings.BASE_DIR,  # noqa: S603
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_previous_releases_data_survives_the_upgrade(empty_database, tmp_path):
    records_file = tmp_path / "records.json"
    populate = _run([sys.executable, "-m", "tests.upgrade.release_data", "populate",
                     str(records_file)], empty_database)
    assert populate.returncode == 0, populate.stdout + populate.stderr
    records = json.loads(records_file.read_text())
    assert {record["model"] for record in records} >= MAIN_TABLES

    # The operator's step of the upgrade procedure.
    migrate = _run([os.path.join(BIN, "stadtallianz"), "migrate", "--noinput"], empty_database)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    # Something to upgrade, unless no migration was added since the release.
    assert "Applying " in migrate.stdout or _release_is_current()

    verify = _run([sys.executable, "-m", "tests.upgrade.release_data", "verify",
                   str(records_file)], empty_database)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.strip().endswith("0 problems")


def _release_is_current() -> bool:
    from django.db.migrations.loader import MigrationLoader

    leaves = dict(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    return all(leaves.get(app) == name for app, name in RELEASE["leaves"].items())


def test_the_release_file_names_only_migrations_of_this_checkout():
    """previous_release.json is kept by hand at each release: every leaf it names must exist in
    this checkout (a squashed or renamed migration would strand the release's databases)."""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for app, name in RELEASE["leaves"].items():
        assert (app, name) in graph.nodes, f"{app}.{name} of release {RELEASE['release']}"
