import pytest
from django.conf import settings
from django.urls import reverse

from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import query_count
from stadtallianz.partners.models import Membership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["accounts:profile", "accounts:profile_edit", "accounts:tokens",
                                  "accounts:delete", "accounts:password_change"])
def test_anonymous_is_sent_to_login(client, name):
    """Account pages need a login; the login page comes back to them."""
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_the_profile_shows_the_person_and_their_memberships(client_for, partner_admin,
                                                            organisation):
    """A partner admin sees name, address, language and their organisation with its role."""
    response = client_for(partner_admin).get(reverse("accounts:profile"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Anna Admin" in content
    assert "admin@example.org" in content
    assert reverse("partners:detail", kwargs={"slug": organisation.slug}) in content
    assert "Administration" in content  # the role, in German


def test_a_citizen_sees_that_they_have_no_organisation(client_for, citizen):
    response = client_for(citizen).get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert list(response.context["memberships"]) == []


def test_the_profile_query_count_does_not_grow_with_memberships(client_for, citizen,
                                                               make_organisation):
    """Listing memberships and tokens takes the same queries for one or many."""
    from stadtallianz.accounts.models import ApiToken

    client = client_for(citizen)
    url = reverse("accounts:profile")
    Membership.objects.create(user=citizen, organisation=make_organisation())
    ApiToken.issue(user=citizen, name="one")
    few = query_count(client.get, url)
    for index in range(6):
        role = Membership.Role.ADMIN if index % 2 else Membership.Role.MEMBER
        Membership.objects.create(user=citizen, organisation=make_organisation(), role=role)
        ApiToken.issue(user=citizen, name=f"token {index}")
    many = query_count(client.get, url)
    assert few == many


def test_a_person_edits_name_and_language(client_for, citizen):
    """Saving the profile applies it, records it, and continues in the chosen language."""
    response = client_for(citizen).post(reverse("accounts:profile_edit"),
                                        {"full_name": "Clara C.", "preferred_language": "en"})
    assert response.status_code == 302
    assert response["Location"] == "/en/account/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    citizen.refresh_from_db()
    assert (citizen.full_name, citizen.preferred_language) == ("Clara C.", "en")
    entry = AuditEntry.objects.get(action="account.profile.changed")
    assert entry.before == {"full_name": "Clara Citizen", "preferred_language": "de"}
    assert entry.after == {"full_name": "Clara C.", "preferred_language": "en"}


def test_bad_profile_input_is_refused_at_the_field(client_for, citizen):
    response = client_for(citizen).post(reverse("accounts:profile_edit"),
                                        {"full_name": "", "preferred_language": "xx"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("full_name", "required")
    assert form.has_error("preferred_language", "invalid_choice")
    citizen.refresh_from_db()
    assert citizen.full_name == "Clara Citizen"
    assert not AuditEntry.objects.filter(action="account.profile.changed").exists()


def test_the_profile_edit_cannot_change_the_email_or_roles(client_for, citizen):
    """Fields outside the form are ignored, whatever the request carries."""
    client_for(citizen).post(reverse("accounts:profile_edit"), {
        "full_name": "Clara", "preferred_language": "de", "email": "evil@example.org",
        "is_coordinator": "on", "is_superuser": "on",
    })
    citizen.refresh_from_db()
    assert citizen.email == "citizen@example.org"
    assert not citizen.is_coordinator and not citizen.is_superuser
