"""Migration 0005: the one-language summary an organisation already has becomes its German
summary, the English one starts empty, and backwards the German text is the summary again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("partners", "0004_organisation_summary_and_contact")]
AFTER = [("partners", "0005_organisation_summary_in_both_languages")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def at_release(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_summary_becomes_the_german_one_and_back(at_release):
    Organisation = at_release.get_model("partners", "Organisation")
    Organisation.objects.create(name="Stadtwerke", slug="stadtwerke", type="company",
                                summary="Strom und Daten.")
    after = _migrate(AFTER).get_model("partners", "Organisation").objects.get(slug="stadtwerke")
    assert (after.summary_de, after.summary_en) == ("Strom und Daten.", "")
    before = _migrate(BEFORE).get_model("partners", "Organisation").objects.get(slug="stadtwerke")
    assert before.summary == "Strom und Daten."
