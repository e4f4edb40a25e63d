import pytest
from django.urls import reverse

from stadtallianz.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_the_admin_lists_and_shows_people(client_for, superuser, citizen):
    client = client_for(superuser)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    response = client.get(reverse("admin:accounts_user_change", args=[citizen.pk]))
    assert response.status_code == 200
    assert b"citizen@example.org" in response.content


def test_the_admin_creates_a_person_with_an_argon2_password(client_for, superuser,
                                                            argon2_hashing):
    response = client_for(superuser).post(reverse("admin:accounts_user_add"), {
        "email": "new@example.org", "full_name": "New Person", "usable_password": "true",
        "password1": "a-long-and-unusual-passphrase-42",
        "password2": "a-long-and-unusual-passphrase-42",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new@example.org")
    assert user.password.startswith("argon2")


def test_the_admin_shows_tokens_read_only_and_cannot_add_them(client_for, superuser, citizen):
    token, _key = ApiToken.issue(user=citizen, name="script")
    client = client_for(superuser)
    response = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert response.status_code == 200
    assert b'name="key_hash"' not in response.content
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_a_coordinator_without_staff_rights_has_no_admin(client_for, coordinator):
    response = client_for(coordinator).get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302


def test_the_coordinator_flag_names_the_configured_office(client_for, superuser, citizen,
                                                         settings):
    settings.COORDINATION_OFFICE_NAME = "Stabsstelle Smart City"
    response = client_for(superuser).get(
        reverse("admin:accounts_user_change", args=[citizen.pk]))
    help_text = response.context["adminform"].form.fields["is_coordinator"].help_text
    assert "Stabsstelle Smart City" in help_text and "%(office)s" not in help_text


def test_no_model_state_depends_on_the_office_name(settings):
    """A deployment that names its office gets no migration of its own from makemigrations."""
    from io import StringIO

    from django.core.management import call_command

    settings.COORDINATION_OFFICE_NAME = "Stabsstelle Smart City"
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())  # exits 1 on changes
