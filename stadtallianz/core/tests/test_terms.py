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
    German catalogues, the templates' literal text, and the demo data."""
    for catalogue in PACKAGE.glob("*/locale/de/LC_MESSAGES/django.po"):
        in_msgstr = False
        for number, line in enumerate(catalogue.read_text().splitlines(), 1):
            if line.startswith("msgstr"):
                in_msgstr = True
            elif line.startswith(("msgid", "#")) or not line.strip():
                in_msgstr = False
            if in_msgstr:
                yield catalogue, number, line
    for path in [*PACKAGE.glob("demo/data/*.json"), *PACKAGE.glob("demo/*.py")]:
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
