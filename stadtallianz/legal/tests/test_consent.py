"""Consent to the privacy notice (issue 14): registration asks for it and records the version;
a materially changed notice asks a logged-in person again before other pages (keeping where
they were going), a correction does not; the API, the legal pages and logging out are not
held back; refusing leaves logging out and deleting the account."""

import pytest
from django.urls import reverse

from stadtallianz.accounts.models import User
from stadtallianz.core.models import AuditEntry
from stadtallianz.legal import services
from stadtallianz.legal.models import ConsentRecord

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


def _register(client, **overrides):
    data = {"full_name": "Rita Registrant", "email": "rita@example.org", "password1": PASSWORD,
            "password2": PASSWORD, "preferred_language": "de", **overrides}
    return client.post("/de/register/", data)


def test_registering_without_consent_is_an_error_next_to_the_field(client):
    response = _register(client)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["privacy_consent"]
    html = response.content.decode()
    assert 'id="id_privacy_consent_error"' in html
    assert "Bitte stimmen Sie der Datenschutzerklärung zu" in html
    assert not User.objects.exists()


def test_the_registration_form_links_the_privacy_notice(client):
    html = client.get("/en/register/").content.decode()
    assert 'name="privacy_consent"' in html
    assert '<a href="/en/privacy/">Read the privacy notice</a>' in html


def test_registering_with_consent_records_the_version_and_time(client):
    response = _register(client, privacy_consent="on")
    assert response.status_code == 302
    user = User.objects.get()
    record = ConsentRecord.objects.get(user=user)
    assert record.version == services.current("privacy")
    assert record.accepted_at is not None
    assert AuditEntry.objects.filter(action="legal.consent.given", actor=user).exists()


def test_an_address_that_has_an_account_records_nothing_new(client, citizen):
    _register(client, email=citizen.email, privacy_consent="on")
    assert not ConsentRecord.objects.exists()


@pytest.fixture
def changed(coordinator, citizen):
    """The citizen accepted version 1; the coordination office then changed the notice."""
    services.consent_give(user=citizen, version=services.current("privacy"))

    def change(material: bool):
        return services.page_save(kind="privacy", by=coordinator, text_de="Neu",
                                  text_en="New", material_change=material)
    return change


def test_a_material_change_asks_again_and_keeps_where_the_person_was_going(
        changed, client_for, citizen):
    version = changed(True)
    client = client_for(citizen)
    response = client.get("/de/ideas/?page=2")
    assert response.status_code == 302
    assert response["Location"] == "/de/datenschutz/zustimmung/?next=%2Fde%2Fideas%2F%3Fpage%3D2"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Die Datenschutzerklärung hat sich geändert" in page.content.decode()
    # Not ticked: an error next to the box, nothing recorded.
    refused = client.post(reverse("legal:consent"), {"next": "/de/ideas/?page=2"})
    assert "accept" in refused.context["form"].errors
    assert not ConsentRecord.objects.filter(user=citizen, version=version).exists()
    accepted = client.post(reverse("legal:consent"),
                           {"next": "/de/ideas/?page=2", "accept": "on"})
    assert accepted["Location"] == "/de/ideas/?page=2"
    assert ConsentRecord.objects.filter(user=citizen, version=version).exists()
    assert client.get("/de/ideas/").status_code == 200


def test_a_correction_asks_nothing(changed, client_for, citizen):
    changed(False)
    assert client_for(citizen).get("/de/ideas/").status_code == 200


def test_an_older_account_without_any_consent_is_asked_at_the_first_material_change(
        client_for, make_user, coordinator):
    older = make_user("older@example.org")
    services.current("privacy")
    assert client_for(older).get("/de/ideas/").status_code == 200
    services.page_save(kind="privacy", by=coordinator, text_de="a", text_en="b",
                       material_change=True)
    assert client_for(older).get("/de/ideas/").status_code == 302


def test_a_later_acceptance_covers_an_earlier_material_change(changed, client_for, citizen):
    changed(True)
    later = changed(False)
    services.consent_give(user=citizen, version=later)
    assert client_for(citizen).get("/de/ideas/").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/ideas", "/de/datenschutz/", "/en/imprint/",
                                  "/de/barrierefreiheit/", "/de/account/delete/",
                                  "/sitemap.xml", "/healthz"])
def test_the_api_the_legal_pages_and_leaving_are_not_held_back(changed, client_for, citizen,
                                                                path):
    changed(True)
    assert client_for(citizen).get(path).status_code in (200, 405)


def test_logging_out_is_not_held_back(changed, client_for, citizen):
    changed(True)
    client = client_for(citizen)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "datenschutz" not in response["Location"]
    assert "_auth_user_id" not in client.session


def test_the_api_with_a_token_is_not_held_back(changed, call, token_for, citizen):
    changed(True)
    assert call("get", "/api/v1/ideas", key=token_for(citizen)).status_code == 200


def test_htmx_requests_are_sent_to_the_consent_page_whole(changed, client_for, citizen):
    changed(True)
    response = client_for(citizen).get("/de/ideas/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/de/datenschutz/zustimmung/?next=")


def test_visitors_are_not_asked(changed, client):
    changed(True)
    assert client.get("/de/ideas/").status_code == 200


def test_the_consent_page_refuses_a_foreign_next(changed, client_for, citizen):
    changed(True)
    response = client_for(citizen).post(reverse("legal:consent"),
                                        {"next": "https://evil.example/", "accept": "on"})
    assert response["Location"] == "/"


def test_the_check_costs_one_query_per_page(changed, client_for, citizen):
    from stadtallianz.core.testing import query_count

    client = client_for(citizen)
    before = query_count(client.get, "/de/ideas/")
    changed(False)
    changed(False)
    assert query_count(client.get, "/de/ideas/") == before
