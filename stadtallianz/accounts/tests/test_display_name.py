import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from stadtallianz.accounts.models import User, public_name

pytestmark = pytest.mark.django_db


def test_the_public_name_is_the_display_name_else_participant_with_a_number(make_user):
    named = make_user("named@example.org", full_name="Nora Named", display_name="Radlerin")
    plain = make_user("plain@example.org", full_name="Paul Plain")
    with translation.override("de"):
        assert public_name(named) == named.public_name == "Radlerin"
        assert public_name(plain) == f"Person {plain.pk}"
        assert public_name(None) == "ehemals teilnehmende Person"
        rendered = Template("{% load account_tags %}{{ a|public_name }}|{{ b|public_name }}"
                            ).render(Context({"a": plain, "b": None}))
    assert rendered == f"Person {plain.pk}|ehemals teilnehmende Person"
    with translation.override("en"):
        assert public_name(plain) == f"participant {plain.pk}"
        assert public_name(None) == "former participant"


def test_registration_takes_an_optional_display_name(client):
    response = client.post(reverse("accounts:register"), {
        "full_name": "Rita Real", "display_name": "Stadtfuchs", "email": "rita@example.org",
        "password1": "ein-langes-Passwort-42", "password2": "ein-langes-Passwort-42",
        "preferred_language": "de", "privacy_consent": "on"})
    assert response.status_code == 302
    assert User.objects.get(email="rita@example.org").display_name == "Stadtfuchs"


@pytest.mark.parametrize("value", ["<b>x</b>", "rita@example.org", "https://x.de", "___", "a" * 41])
def test_a_display_name_with_an_address_link_or_markup_is_refused_at_the_field(
        client_for, citizen, value):
    response = client_for(citizen).post(reverse("accounts:profile_edit"), {
        "full_name": "Clara Citizen", "display_name": value, "preferred_language": "de"})
    assert response.status_code == 200
    assert response.context["form"].has_error("display_name")
    citizen.refresh_from_db()
    assert citizen.display_name == ""


def test_the_profile_sets_and_clears_the_display_name(client_for, citizen):
    client = client_for(citizen)
    client.post(reverse("accounts:profile_edit"), {
        "full_name": "Clara Citizen", "display_name": "Öko Clara", "preferred_language": "de"})
    citizen.refresh_from_db()
    assert citizen.display_name == "Öko Clara"
    assert "Öko Clara" in client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:profile_edit"), {
        "full_name": "Clara Citizen", "display_name": "", "preferred_language": "de"})
    citizen.refresh_from_db()
    assert citizen.display_name == ""
