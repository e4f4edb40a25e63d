"""Migration 0005: the one-language summary an organisation already has becomes its German
summary, the English one starts empty, and backwards the German text is the summary again."""

import pytest

from stadtallianz.core.testing import migrate_to, migrate_to_latest

BEFORE = [("partners", "0004_organisation_summary_and_contact")]
AFTER = [("partners", "0005_organisation_summary_in_both_languages")]


@pytest.fixture
def at_release(transactional_db):
    yield migrate_to(BEFORE)
    migrate_to_latest()


def test_the_summary_becomes_the_german_one_and_back(at_release):
    Organisation = at_release.get_model("partners", "Organisation")
    Organisation.objects.create(name="Stadtwerke", slug="stadtwerke", type="company",
                                summary="Strom und Daten.")
    after = migrate_to(AFTER).get_model("partners", "Organisation").objects.get(slug="stadtwerke")
    assert (after.summary_de, after.summary_en) == ("Strom und Daten.", "")
    before = migrate_to(BEFORE).get_model("partners", "Organisation").objects.get(slug="stadtwerke")
    assert before.summary == "Strom und Daten."
