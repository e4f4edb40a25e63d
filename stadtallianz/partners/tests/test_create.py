from django.urls import reverse

from stadtallianz.core.models import AuditEntry
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.partners.services import organisation_create

URL = reverse("partners:create")


def test_visitor_is_sent_to_login(client):
    """Registering an organisation needs an account."""
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_citizen_registers_an_organisation_and_becomes_its_admin(client_for, citizen):
    """A logged-in person registers an organisation as a draft and is its admin."""
    response = client_for(citizen).post(URL, {"name": "Münster Mobil e.V.", "type": "association",
                                              "website": "example.org"})
    organisation = Organisation.objects.get(name="Münster Mobil e.V.")
    assert response.status_code == 302 and response["Location"] == organisation.get_absolute_url()
    assert organisation.status == Organisation.Status.DRAFT
    assert organisation.slug == "muenster-mobil-ev"
    assert organisation.website == "https://example.org"
    assert Membership.objects.get(organisation=organisation, user=citizen).is_admin
    assert AuditEntry.objects.filter(action="partner.created",
                                     object_id=str(organisation.pk)).exists()


def test_invalid_registration_shows_errors_and_saves_nothing(client_for, citizen):
    """Without a name the form comes back with the error next to the field."""
    response = client_for(citizen).post(URL, {"name": "", "type": "company"})
    assert response.status_code == 200
    assert 'id="id_name_error"' in response.content.decode()
    assert not Organisation.objects.exists()


def test_slugs_are_unique_and_avoid_reserved_words(db, citizen, make_organisation):
    """Equal names get numbered slugs; route names such as "new" are never a slug."""
    first = organisation_create(by=citizen, name="Stadtwerke", type="company")
    second = organisation_create(by=citizen, name="Stadtwerke", type="company")
    third = organisation_create(by=citizen, name="Stadtwerke!", type="company")
    assert [first.slug, second.slug, third.slug] == ["stadtwerke", "stadtwerke-2", "stadtwerke-3"]
    assert organisation_create(by=citizen, name="New", type="company").slug == "new-2"
    assert organisation_create(by=citizen, name="???", type="company").slug == "organisation"
