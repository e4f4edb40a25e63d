"""The cached choice labels (core/choices.py) answer like Django's own get_FOO_display."""

from django.utils import translation

from stadtallianz.partners.models import Organisation


def test_a_label_follows_the_active_language_although_the_labels_are_kept():
    organisation = Organisation(type=Organisation.Type.COMPANY, status=Organisation.Status.PARTNER)
    with translation.override("de"):
        german = organisation.get_type_display()
    with translation.override("en"):
        english = organisation.get_type_display()
    assert english == "Company" and german == "Unternehmen"
    assert organisation.get_status_display() == str(Organisation.Status.PARTNER.label)


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Organisation(type="unheard-of").get_type_display() == "unheard-of"
