"""Issue 14: the organisation card (logo or initials, type, summary, focus areas) and the public
contact fields (person, e-mail, phone) on the profile, in the form and in the API."""

import re

import pytest
from django.urls import reverse

from stadtallianz.core.testing import field_errors
from stadtallianz.partners.avatars import (
    colour,
    contrast_with_white,
    initials,
    initials_svg,
    logo_svg,
)
from stadtallianz.partners.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("name", "expected"), [
    ("Stadtwerke Münster GmbH", "SM"),
    ("Verein für Stadtgrün e. V.", "VS"),
    ("münster:hub", "MH"),
    ("Fachhochschule", "F"),
    ("GmbH", "G"),
])
def test_initials_skip_legal_forms_and_small_words(name, expected):
    assert initials(name) == expected


def test_the_colour_is_the_names_own_and_white_letters_on_it_reach_4_5_to_1():
    names = [f"Organisation {n}" for n in range(300)] + ["Ä", "", "Stadtwerke Münster"]
    colours = {name: colour(name) for name in names}
    assert all(contrast_with_white(value) >= 4.5 for value in colours.values())
    assert colour("Stadtwerke Münster") == colours["Stadtwerke Münster"]  # deterministic
    assert len(set(colours.values())) > 100  # names are told apart by colour too


def test_the_initials_square_is_hidden_from_screen_readers_and_needs_no_inline_style():
    svg = str(initials_svg("Stadtwerke <Münster>"))
    assert 'aria-hidden="true"' in svg and "style=" not in svg
    assert ">SM</text>" in svg
    assert "<Münster>" not in svg


def test_a_generated_logo_is_an_svg_document_with_the_name_as_its_title():
    svg = logo_svg("Stadtwerke & Co <Münster>")
    assert svg.startswith("<?xml") and "<script" not in svg
    assert "<title>Stadtwerke &amp; Co &lt;Münster&gt;</title>" in svg


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_directory_card_shows_initials_type_summary_and_status(client, make_organisation,
                                                                   language):
    make_organisation("Stadtwerke Münster", type=Organisation.Type.MUNICIPAL,
                      summary_de="Energie, Wasser und Mobilität für Münster.")
    content = client.get(f"/{language}/partners/").content.decode()
    card = re.search(r'<li class="card partner-card.*?</li>\n', content, re.S).group(0)
    assert re.search(r'<svg class="org-avatar"[^>]*aria-hidden="true"', card)
    assert ">SM</text>" in card
    assert "Energie, Wasser und Mobilität für Münster." in card
    assert ("Kommunale Einrichtung" if language == "de" else "Municipal body") in card
    assert ("Allianzpartner" if language == "de" else "Alliance partner") in card


def test_the_directory_search_finds_words_of_the_summary(client, make_organisation):
    make_organisation("Alpha", summary_de="Ladesäulen für Quartiere")
    make_organisation("Beta")
    response = client.get(reverse("partners:directory"), {"q": "ladesäulen"})
    assert [o.name for o in response.context["page"].object_list] == ["Alpha"]


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_profile_shows_the_public_contact(client, make_organisation, language):
    organisation = make_organisation(
        "Kontakt AG", summary_de="Wir vernetzen.", contact_name="Anna Beispiel",
        contact_role="Referentin Smart City", contact_email="kontakt@example.org",
        phone="+49 251 492-0", street="Hafenweg 1", postal_code="48155", city="Münster")
    content = client.get(f"/{language}/partners/{organisation.slug}/").content.decode()
    assert "Anna Beispiel, Referentin Smart City" in content
    assert '<a href="mailto:kontakt@example.org">kontakt@example.org</a>' in content
    assert '<a href="tel:+492514920">+49 251 492-0</a>' in content
    assert "Hafenweg 1" in content and "48155 Münster" in content
    assert "Wir vernetzen." in content
    assert ("Ansprechperson" if language == "de" else "Contact person") in content


def test_german_profile_coordinates_have_a_decimal_comma(client, make_organisation):
    organisation = make_organisation("Ort AG", latitude="51.962944", longitude="7.628694")
    german = client.get(f"/de/partners/{organisation.slug}/").content.decode()
    english = client.get(f"/en/partners/{organisation.slug}/").content.decode()
    assert "Breitengrad 51,962944, Längengrad 7,628694" in german
    assert "latitude 51.962944, longitude 7.628694" in english
    assert 'data-lat="51.962944"' in german  # for the map script, never localised


def _edit_data(**overrides):
    data = {"name": "Stadtwerke Neu", "type": "company", "summary_de": "Strom und Daten.",
            "description_de": "", "description_en": "", "website": "",
            "contact_name": "Anna", "contact_role": "Leitung", "contact_email": "a@example.org",
            "phone": "(0251) 492 / 0-1", "street": "", "postal_code": "", "city": "",
            "latitude": "", "longitude": ""}
    data.update(overrides)
    return data


def test_the_form_saves_summary_and_contact(client_for, partner_admin, organisation):
    url = reverse("partners:edit", kwargs={"slug": organisation.slug})
    response = client_for(partner_admin).post(url, _edit_data())
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.summary, organisation.contact_name, organisation.contact_role,
            organisation.contact_email, organisation.phone) == (
        "Strom und Daten.", "Anna", "Leitung", "a@example.org", "(0251) 492 / 0-1")


@pytest.mark.parametrize(("field", "value"), [
    ("phone", "0251 CALL ME"), ("phone", "+49"), ("contact_email", "not an address"),
    ("summary_de", "x" * 161),
])
def test_bad_contact_input_is_an_error_next_to_the_field(client_for, partner_admin,
                                                         organisation, field, value):
    url = reverse("partners:edit", kwargs={"slug": organisation.slug})
    response = client_for(partner_admin).post(url, _edit_data(**{field: value}))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="id_{field}_error"' in content
    assert re.search(rf'<input[^>]*name="{field}"[^>]*aria-invalid="true"', content) or \
        re.search(rf'<input[^>]*aria-invalid="true"[^>]*name="{field}"', content)
    organisation.refresh_from_db()
    assert organisation.name == "Stadtwerke Beispielstadt"


def test_the_phone_field_brings_up_a_telephone_keyboard(client_for, partner_admin, organisation):
    content = client_for(partner_admin).get(
        reverse("partners:edit", kwargs={"slug": organisation.slug})).content.decode()
    assert re.search(r'<input type="tel"[^>]*name="phone"', content)


def test_the_api_reads_and_writes_summary_and_contact(call, token_for, partner_admin,
                                                      organisation):
    key = token_for(partner_admin)
    response = call("PATCH", f"/api/v1/partners/{organisation.slug}", {
        "summary": " Strom und Daten. ", "contact_name": "Anna", "contact_role": "Leitung",
        "contact_email": "a@example.org", "phone": "+49 251 492-0"}, key=key)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["summary"] == "Strom und Daten."
    assert body["contact"] == {"name": "Anna", "role": "Leitung", "email": "a@example.org",
                               "phone": "+49 251 492-0"}
    listed = call("GET", "/api/v1/partners").json()["items"]
    assert [item["summary"] for item in listed] == ["Strom und Daten."]


def test_the_summary_is_kept_in_both_languages_and_shown_in_the_pages_one(
        client, client_for, call, token_for, partner_admin, organisation):
    url = reverse("partners:edit", kwargs={"slug": organisation.slug})
    response = client_for(partner_admin).post(url, _edit_data(
        summary_de="Strom und Daten.", summary_en="Power and data."))
    assert response.status_code == 302
    organisation.status = Organisation.Status.PARTNER
    organisation.save(update_fields=["status"])
    for language, shown, hidden in [("de", "Strom und Daten.", "Power and data."),
                                    ("en", "Power and data.", "Strom und Daten.")]:
        content = client.get(f"/{language}/partners/").content.decode()
        card = re.search(r'<li class="card partner-card.*?</li>\n', content, re.S).group(0)
        assert shown in card and hidden not in card
    response = call("PATCH", f"/api/v1/partners/{organisation.slug}",
                    {"summary_en": " Energy and data. "}, key=token_for(partner_admin))
    body = response.json()
    assert (body["summary_de"], body["summary_en"]) == ("Strom und Daten.", "Energy and data.")


def test_summary_is_written_where_it_was_read(call, token_for, partner_admin, organisation):
    """`summary` is the text of the request's language, or the fallback shown in its place; a
    client that reads it and writes it back changes that same text, never the other language."""
    key = token_for(partner_admin)
    url = f"/api/v1/partners/{organisation.slug}"
    Organisation.objects.filter(pk=organisation.pk).update(summary_de="Strom.", summary_en="")
    # English asked, no English text: the German one is shown, and written back there.
    assert call("GET", f"{url}?lang=en", key=key).json()["summary"] == "Strom."
    body = call("PATCH", f"{url}?lang=en", {"summary": "Strom und Daten."}, key=key).json()
    assert (body["summary_de"], body["summary_en"]) == ("Strom und Daten.", "")
    # With an English text, English readers change the English one.
    Organisation.objects.filter(pk=organisation.pk).update(summary_en="Power.")
    body = call("PATCH", f"{url}?lang=en", {"summary": "Power and data."}, key=key).json()
    assert (body["summary_de"], body["summary_en"]) == ("Strom und Daten.", "Power and data.")
    body = call("PATCH", url, {"summary": "Strom, Daten."}, key=key).json()
    assert (body["summary_de"], body["summary_en"]) == ("Strom, Daten.", "Power and data.")


@pytest.mark.parametrize(("field", "value"), [
    ("phone", "call me"), ("contact_email", "nope"), ("summary", "x" * 161),
    ("summary_en", "x" * 161),
])
def test_bad_contact_input_in_the_api_answers_422_naming_the_field(call, token_for,
                                                                   partner_admin, organisation,
                                                                   field, value):
    response = call("PATCH", f"/api/v1/partners/{organisation.slug}", {field: value},
                    key=token_for(partner_admin))
    assert field_errors(response) == {field}
    organisation.refresh_from_db()
    assert getattr(organisation, field) == ""
