import pytest
from django.utils import translation

from stadtallianz.core.audit import audit_log
from stadtallianz.core.models import AuditEntry, FocusArea, Principle, SustainableDevelopmentGoal


@pytest.mark.django_db
def test_reference_data_is_loaded_by_migrations():
    """The eight principles, the default focus areas and the 17 SDGs exist after migrate."""
    assert list(Principle.objects.values_list("number", flat=True)) == list(range(1, 9))
    assert set(FocusArea.objects.values_list("slug", flat=True)) >= {
        "mobility", "energy", "retail", "education", "housing"}
    assert SustainableDevelopmentGoal.objects.count() == 17


@pytest.mark.django_db
def test_principles_carry_the_sentences_of_the_letter_in_both_languages():
    principle = Principle.objects.get(number=4)
    assert principle.name_de == "klimaneutral und ressourceneffizient"
    assert "CO₂-neutralen" in principle.sentence_de
    with translation.override("en"):
        assert principle.name == "climate-neutral and resource-efficient"
    with translation.override("de"):
        assert principle.name == "klimaneutral und ressourceneffizient"


@pytest.mark.django_db
def test_translated_field_falls_back_to_the_other_language():
    """A focus area named only in German still has a name on the English page."""
    area = FocusArea.objects.create(slug="water", name_de="Wasser", name_en="")
    with translation.override("en"):
        assert area.name == "Wasser"


@pytest.mark.django_db
def test_audit_log_keeps_the_actor_name_after_the_account_is_deleted(coordinator):
    area = FocusArea.objects.get(slug="energy")
    audit_log(actor=coordinator, action="focus_area.changed", target=area,
              before={"name_de": "Energie"}, after={"name_de": "Energiewende"})
    coordinator.delete()
    entry = AuditEntry.objects.get(action="focus_area.changed")
    assert entry.actor is None
    assert entry.actor_repr == "coordinator@example.org"
    assert entry.before == {"name_de": "Energie"} and entry.after == {"name_de": "Energiewende"}
    assert entry.object_repr == str(area)
