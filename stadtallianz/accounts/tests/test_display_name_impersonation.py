"""A display name cannot pass for someone else (accounts.names.display_name_problem): not
another person's display name or real name (any case, spaces trimmed and collapsed), not a
default label ("Person 12", "participant 12"), not the deleted-account label, not the
coordination office. Refused next to the field, in the service and by the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse

from stadtallianz.accounts.models import User
from stadtallianz.accounts.names import display_name_problem, shown_name
from stadtallianz.accounts.services import account_register, account_update_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken(make_user):
    return make_user("taken@example.org", full_name="Tara Taken", display_name="Stadt Fuchs")


def _profile(client_for, person, value):
    return client_for(person).post(reverse("accounts:profile_edit"), {
        "full_name": person.full_name, "display_name": value, "preferred_language": "de"})


REFUSED = ["Stadt Fuchs", "  stadt   FUCHS ", "STADT FUCHS",
           "tara   taken", "Person 12", "participant 7", "Teilnehmer 3",
           "ehemals teilnehmende Person", "former participant", "Koordinierungsstelle",
           "coordination office", "Stabsstelle Smart City"]


@override_settings(COORDINATION_OFFICE_NAME="Stabsstelle Smart City")
@pytest.mark.parametrize("value", REFUSED)
def test_a_name_that_passes_for_someone_else_is_refused_at_the_field(
        taken, client_for, citizen, value):
    response = _profile(client_for, citizen, value)
    assert response.status_code == 200
    assert response.context["form"].errors.get("display_name"), value
    citizen.refresh_from_db()
    assert citizen.display_name == ""


def test_registration_refuses_a_taken_display_name_at_the_field(taken, client):
    response = client.post(reverse("accounts:register"), {
        "full_name": "Rita Real", "display_name": "stadt  FUCHS", "email": "rita@example.org",
        "password1": "ein-langes-Passwort-42", "password2": "ein-langes-Passwort-42",
        "preferred_language": "de", "privacy_consent": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    assert not User.objects.filter(email="rita@example.org").exists()


def test_the_own_name_and_a_free_name_are_fine_and_stored_trimmed(taken, client_for, citizen):
    assert display_name_problem("Stadt Fuchs", taken) is None
    assert display_name_problem("Clara Citizen", citizen) is None
    response = _profile(client_for, citizen, "  Rad   Lerin ")
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.display_name == "Rad Lerin"


def test_the_services_refuse_too(taken, citizen):
    with pytest.raises(ValidationError) as error:
        account_update_profile(user=citizen, by=citizen, full_name="Clara Citizen",
                               preferred_language="de", display_name=" stadt  fuchs")
    assert "display_name" in error.value.error_dict
    with pytest.raises(ValidationError):
        account_register(full_name="Rita Real", email="rita@example.org", password="x-long-42!",
                         preferred_language="de", display_name="Person 99")


def test_the_database_refuses_the_same_name_in_another_case(taken, make_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("twin@example.org", full_name="Tim Twin", display_name="STADT FUCHS")
    make_user("empty1@example.org", display_name="")
    make_user("empty2@example.org", display_name="")  # empty is no name: not unique


def test_a_race_ends_in_a_form_error_not_a_server_error(taken, client_for, citizen,
                                                         monkeypatch):
    """Both checked the name free; the second insert hits the constraint."""
    from stadtallianz.accounts import forms, models

    monkeypatch.setattr(forms, "display_name_problem", lambda name, user=None: None)
    monkeypatch.setattr(models.User, "clean", lambda self: None)
    monkeypatch.setattr(models.User, "validate_constraints", lambda self, exclude=None: None)
    response = _profile(client_for, citizen, "stadt fuchs")
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]


def test_shown_name_rule(taken, citizen, coordinator):
    assert shown_name(taken, citizen) == "Stadt Fuchs"
    assert shown_name(taken, None) == "Stadt Fuchs"
    assert shown_name(taken, taken) == "Tara Taken"
    assert shown_name(taken, coordinator) == "Tara Taken"
    assert shown_name(None, coordinator) == shown_name(None, citizen)
