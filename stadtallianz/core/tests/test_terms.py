"""One term for each thing, and one gender-inclusive style, across the German catalogues, the
templates (e-mails included) and the demo data (docs/architecture.md, "Language").

The word list is the glossary's: a variant that crept back in fails here with the file and line,
so the next person who writes "Arbeitskreis" learns that the platform says "Arbeitsgruppe".
"""

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]

# (pattern, what to write instead). Case-insensitive; whole words where it matters.
UNWANTED_GERMAN = [
    (r"\bArbeitskreis\w*", "Arbeitsgruppe (working group)"),
    (r"\bKoordinationsstelle\w*", "Koordinierungsstelle (coordination office)"),
    (r"\bGeschäftsstelle\w*", "Koordinierungsstelle (coordination office)"),
    (r"\bCo-?Autor\w*|\bKoautor\w*", "Mitautorinnen und Mitautoren (co-authors)"),
    (r"\bLetter of Intent\b", "Absichtserklärung (letter of intent)"),
    (r"\bZustand\b|^msgstr \"Stand\"$", "Status (gettext shares one catalogue across the apps: "
     "another app's \"State\" would show up on this one's pages)"),
    (r"\bdas selbe\b|\bdie selbe\b|\bder selbe\b", "dasselbe, dieselbe, derselbe"),
    (r"\bSehen Sie in Ihr\w*", "Schauen Sie in Ihr Postfach"),
    (r"Ein Entwurf wurde begonnen, mit", "a sentence in natural order"),
    # One gender-inclusive style: a neutral word where there is one (Mitglieder, Personen,
    # Leitung), else the pair form (Autorinnen und Autoren). It is standard spelling, and screen
    # readers read it as it is written, which the Deutscher Blinden- und Sehbehindertenverband
    # asks for; the colon, asterisk, underscore, slash and capital I are read out or skipped.
    (r"(?-i:\b\w+(?::|/|\*)in(?:nen)?\b|\b\w*[a-zäöü]Innen\b)", "a neutral word or the pair form "
     "(Autorinnen und Autoren)"),
]

# Words that contain a flagged pattern but are right (place names, proper names).
ALLOWED: set[str] = set()


def german_texts():
    """(file, line number, text) of every German text a person reads: the msgstr lines of the
    German catalogues, the templates' literal text, the demo data and the letter of intent's
    text (its heading, written by a data migration, is checked below)."""
    for catalogue in PACKAGE.glob("*/locale/de/LC_MESSAGES/django.po"):
        in_msgstr = False
        for number, line in enumerate(catalogue.read_text().splitlines(), 1):
            if line.startswith("msgstr"):
                in_msgstr = True
            elif line.startswith(("msgid", "#")) or not line.strip():
                in_msgstr = False
            if in_msgstr:
                yield catalogue, number, line
    for path in [*PACKAGE.glob("demo/data/*.json"), *PACKAGE.glob("demo/*.py"),
                 *PACKAGE.glob("letter_of_intent/data/*_de.md")]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            yield path, number, line



@pytest.mark.parametrize(("pattern", "instead"), UNWANTED_GERMAN,
                         ids=[instead for _pattern, instead in UNWANTED_GERMAN])
def test_german_texts_use_the_glossary_terms(pattern, instead):
    found = [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()[:120]}"
             for path, number, line in german_texts()
             if re.search(pattern, line, flags=re.IGNORECASE)
             and not any(allowed in line for allowed in ALLOWED)]
    assert found == [], f"write {instead}:\n" + "\n".join(found)


def test_the_coordination_office_is_named_by_the_setting():
    """Messages and templates say "Koordinierungsstelle" or the configured name
    (COORDINATION_OFFICE_NAME), never Münster's own: another city calls its office otherwise.
    Only Münster's demo data may say "Stabsstelle Smart City"."""
    found = [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()[:120]}"
             for path, number, line in german_texts()
             if "Stabsstelle" in line and "/demo/" not in str(path)]
    for template in PACKAGE.glob("*/templates/**/*.html"):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if "Stabsstelle" in line:
                found.append(f"{template.relative_to(PACKAGE)}:{number}")
    assert found == [], found


# ---------------------------------------------------------------------------------------------
# The coordination office: one configurable name (core/office.py) in every text that names it.

OFFICE = "Stabsstelle Smart City"
OTHER_NAMES = ("Koordinierungsstelle", "coordination office", "Coordination office")


def catalogue_entries():
    """(app, msgid, msgstrs) of every translated entry of the German catalogues."""
    from stadtallianz.core.tests.test_one_translation import parse_catalogue

    for catalogue in sorted(PACKAGE.glob("*/locale/de/LC_MESSAGES/django.po")):
        for (_context, msgid, plural), strings in parse_catalogue(catalogue.read_text()).items():
            yield catalogue.parts[-5], f"{msgid} {plural}".strip(), strings


def names_the_office_by_the_setting(text: str) -> bool:
    return "%(office)s" in text or "{office}" in text


def test_every_message_that_names_the_coordination_office_uses_its_configured_name():
    """A message that says "coordination office" (or, in German, "Koordinierungsstelle") is the
    default name itself or fills in the name (`%(office)s`): a deployment that names its office
    otherwise ("Stabsstelle Smart City") must never read two names for one thing."""
    found = [f"{app}: {msgid[:100]}" for app, msgid, strings in catalogue_entries()
             if msgid != "coordination office"
             and ("coordination office" in msgid.lower()
                  or any("koordinierungsstelle" in text.lower() for text in strings))
             and not names_the_office_by_the_setting(msgid)]
    assert found == [], ("name the office with %(office)s (core/office.py):\n"
                         + "\n".join(found))


def test_the_name_is_filled_in_where_the_german_text_has_a_place_for_it():
    """Every German text of a message with `%(office)s` keeps the placeholder."""
    found = [f"{app}: {msgid[:100]}" for app, msgid, strings in catalogue_entries()
             if "%(office)s" in msgid and not all("%(office)s" in text for text in strings)]
    assert found == [], found


def assert_one_name(text: str) -> None:
    assert OFFICE in text
    for other in OTHER_NAMES:
        assert other not in text, (other, text)


@pytest.fixture
def office_named(settings):
    settings.COORDINATION_OFFICE_NAME = OFFICE


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_a_flash_message_and_the_receipt_use_the_configured_name(
        office_named, client_for, make_user, make_organisation, language,
        django_capture_on_commit_callbacks):
    """Signing the letter of intent: the page's message and the signer's receipt (an e-mail in
    the signer's language) name the office as the deployment does."""
    from django.core import mail
    from django.urls import reverse
    from django.utils import translation

    from stadtallianz.partners.models import Membership, Organisation

    applicant = make_organisation("Quartier Verein", status=Organisation.Status.DRAFT)
    admin = make_user("admin@example.org", full_name="Alex Applicant",
                      preferred_language=language)
    Membership.objects.create(user=admin, organisation=applicant, role=Membership.Role.ADMIN)
    with translation.override(language):
        url = reverse("letter_of_intent:sign", kwargs={"slug": applicant.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(url, {
            "version": 1, "signatory_name": "Alex Applicant", "signatory_function": "Chair",
            "authority_confirmed": "on"}, follow=True)
    assert response.status_code == 200
    [message] = [str(message) for message in response.context["messages"]]
    assert_one_name(message)
    [receipt] = [m for m in mail.outbox if m.to == [admin.email]]
    assert_one_name(receipt.body)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_an_e_mail_names_the_office_in_the_recipients_language(
        office_named, make_user, make_organisation, coordinator, language,
        django_capture_on_commit_callbacks):
    """The confirmation of a signature, rendered for its recipient (not in the language of the
    coordinator who confirmed it)."""
    from django.core import mail
    from django.utils import translation

    from stadtallianz.letter_of_intent import services
    from stadtallianz.letter_of_intent.models import Version
    from stadtallianz.partners.models import Membership, Organisation

    applicant = make_organisation("Quartier Verein", status=Organisation.Status.DRAFT)
    admin = make_user("admin@example.org", preferred_language=language)
    Membership.objects.create(user=admin, organisation=applicant, role=Membership.Role.ADMIN)
    signature = services.signature_create(
        organisation=applicant, version=Version.objects.current(), by=admin,
        signatory_name="Alex Applicant", signatory_function="Chair", authority_confirmed=True)
    mail.outbox.clear()
    other = "en" if language == "de" else "de"
    with translation.override(other), django_capture_on_commit_callbacks(execute=True):
        services.signature_confirm(signature=signature, by=coordinator)
    [confirmation] = [m for m in mail.outbox if m.to == [admin.email]]
    assert_one_name(confirmation.body)
    assert ("bestätigt" in confirmation.body) == (language == "de")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_pages_and_api_errors_use_the_configured_name(office_named, client, client_for, call,
                                                      token_for, citizen, organisation, language):
    """The 403 page, an API error from a service and one from a text made at import time
    (partners' EDIT_DENIED, filled in when it is shown)."""
    forbidden = client_for(citizen).get(f"/{language}/backoffice/")
    assert forbidden.status_code == 403
    assert_one_name(forbidden.content.decode())

    key = token_for(citizen)
    create = call("POST", f"/api/v1/working-groups?lang={language}",
                  {"name_de": "Neue Gruppe", "focus_areas": ["mobility"]}, key=key)
    assert create.status_code == 403
    assert_one_name(create.json()["detail"])

    edit = call("PATCH", f"/api/v1/partners/{organisation.slug}?lang={language}",
                {"city": "Münster"}, key=key)
    assert edit.status_code == 403
    assert_one_name(edit.json()["detail"])
    assert ("dürfen" in edit.json()["detail"]) == (language == "de")


@pytest.mark.parametrize(("language", "default"), [("de", "Koordinierungsstelle"),
                                                   ("en", "coordination office")])
def test_without_a_configured_name_the_office_is_named_in_the_readers_language(
        settings, language, default):
    from django.utils import translation

    from stadtallianz.core.office import office_name, with_office_lazy

    settings.COORDINATION_OFFICE_NAME = ""
    message = with_office_lazy("%(office)s")  # made once, filled in when shown
    with translation.override(language):
        assert office_name() == default
        assert str(message) == default


@pytest.mark.django_db
def test_the_letter_of_intent_as_migrated_uses_the_glossary_terms():
    """The letter's first version comes from data migrations: what they leave in the database
    is what a person reads as the heading (issue 14: "Absichtserklärung", the German heading
    too)."""
    from stadtallianz.letter_of_intent.models import Version

    texts = list(Version.objects.values_list("title_de", flat=True))
    assert texts and all("Absichtserklärung" in text for text in texts), texts
    found = [(text, instead) for text in texts for pattern, instead in UNWANTED_GERMAN
             if re.search(pattern, text, re.IGNORECASE | re.MULTILINE)]
    assert found == []
