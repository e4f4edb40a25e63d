import pytest

from stadtallianz.core.models import FocusArea
from stadtallianz.core.slugs import unique_slug

pytestmark = pytest.mark.django_db


def test_slugs_spell_out_german_letters():
    assert unique_slug(FocusArea.objects.all(), "Grüne Straßen", fallback="x") == "gruene-strassen"


def test_a_taken_or_reserved_slug_gets_the_next_free_number():
    """mobility exists (reference data), mobility-2 too; "new" is a route of its own."""
    FocusArea.objects.create(slug="mobility-2", name_de="Mobilität 2")
    assert unique_slug(FocusArea.objects.all(), "Mobility", fallback="x") == "mobility-3"
    assert unique_slug(FocusArea.objects.all(), "new", fallback="x",
                       reserved=frozenset({"new"})) == "new-2"


def test_text_without_letters_gets_the_fallback():
    assert unique_slug(FocusArea.objects.all(), "???", fallback="area") == "area"
