"""The controlled vocabularies of the catalogue: licences, data themes, update frequencies and
file types, each term with its official URI and scheme (DCAT-AP.de 3.0 requires terms from
these schemes, and the SHACL shapes check `skos:inScheme`).

One table serves every channel: the forms' choices, the dataset pages, the DCAT-AP.de RDF and
CKAN's `license_list`. A term is stored by its key (the last part of its URI).
"""

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Term:
    key: str
    uri: str
    label_de: str
    label_en: str

    @property
    def label(self) -> str:
        return self.label_de if (get_language() or "de").startswith("de") else self.label_en


@dataclass(frozen=True)
class Licence(Term):
    url: str  # the licence text a reader follows
    open: bool = True  # CKAN's `od_conformance`/`is_okd_compliant`


class Vocabulary:
    def __init__(self, scheme: str, terms: list[Term]):
        self.scheme = scheme
        self.terms = {term.key: term for term in terms}

    def __getitem__(self, key: str) -> Term:
        return self.terms[key]

    def __contains__(self, key: str) -> bool:
        return key in self.terms

    def __iter__(self):
        return iter(self.terms.values())

    def get(self, key: str) -> Term | None:
        return self.terms.get(key)

    def choices(self):
        """For form fields: the key and the label in the active language (build the form's
        choices when the form is made, so the label follows the reader's language)."""
        return [(term.key, term.label) for term in self.terms.values()]

    def validator(self, value):
        """A model field's validator: the stored key names a term of this vocabulary."""
        from django.core.exceptions import ValidationError

        values = value if isinstance(value, list) else [value]
        unknown = [v for v in values if v not in self.terms]
        if unknown:
            raise ValidationError(_("Unknown term: %(terms)s."),
                                  params={"terms": ", ".join(map(str, unknown))}, code="unknown")


DL = "http://dcat-ap.de/def/licenses/"
LICENCES = Vocabulary("http://dcat-ap.de/def/licenses", [
    Licence("dl-by-de/2.0", DL + "dl-by-de/2.0",
            "Datenlizenz Deutschland – Namensnennung – Version 2.0",
            "Data licence Germany – attribution – version 2.0",
            "https://www.govdata.de/dl-de/by-2-0"),
    Licence("dl-zero-de/2.0", DL + "dl-zero-de/2.0",
            "Datenlizenz Deutschland – Zero – Version 2.0",
            "Data licence Germany – Zero – version 2.0",
            "https://www.govdata.de/dl-de/zero-2-0"),
    Licence("cc-by/4.0", DL + "cc-by/4.0",
            "Creative Commons Namensnennung – 4.0 International (CC BY 4.0)",
            "Creative Commons Attribution 4.0 International (CC BY 4.0)",
            "https://creativecommons.org/licenses/by/4.0/"),
    Licence("cc-by-sa/4.0", DL + "cc-by-sa/4.0",
            "Creative Commons Namensnennung – Weitergabe unter gleichen Bedingungen 4.0 "
            "International (CC BY-SA 4.0)",
            "Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)",
            "https://creativecommons.org/licenses/by-sa/4.0/"),
    Licence("cc-zero", DL + "cc-zero",
            "Creative Commons CC Zero (CC0 1.0)",
            "Creative Commons CC Zero (CC0 1.0)",
            "https://creativecommons.org/publicdomain/zero/1.0/"),
    Licence("odbl", DL + "odbl",
            "Open Data Commons Open Database License (ODbL)",
            "Open Data Commons Open Database License (ODbL)",
            "https://opendatacommons.org/licenses/odbl/1-0/"),
])
DEFAULT_LICENCE = "dl-by-de/2.0"

THEME = "http://publications.europa.eu/resource/authority/data-theme/"
THEMES = Vocabulary("http://publications.europa.eu/resource/authority/data-theme", [
    Term("AGRI", THEME + "AGRI", "Landwirtschaft, Fischerei, Forstwirtschaft und Nahrungsmittel",
         "Agriculture, fisheries, forestry and food"),
    Term("ECON", THEME + "ECON", "Wirtschaft und Finanzen", "Economy and finance"),
    Term("EDUC", THEME + "EDUC", "Bildung, Kultur und Sport", "Education, culture and sport"),
    Term("ENER", THEME + "ENER", "Energie", "Energy"),
    Term("ENVI", THEME + "ENVI", "Umwelt", "Environment"),
    Term("GOVE", THEME + "GOVE", "Regierung und öffentlicher Sektor",
         "Government and public sector"),
    Term("HEAL", THEME + "HEAL", "Gesundheit", "Health"),
    Term("INTR", THEME + "INTR", "Internationale Themen", "International issues"),
    Term("JUST", THEME + "JUST", "Justiz, Rechtssystem und öffentliche Sicherheit",
         "Justice, legal system and public safety"),
    Term("REGI", THEME + "REGI", "Regionen und Städte", "Regions and cities"),
    Term("SOCI", THEME + "SOCI", "Bevölkerung und Gesellschaft", "Population and society"),
    Term("TECH", THEME + "TECH", "Wissenschaft und Technologie", "Science and technology"),
    Term("TRAN", THEME + "TRAN", "Verkehr", "Transport"),
])

FREQ = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = Vocabulary("http://publications.europa.eu/resource/authority/frequency", [
    Term("CONT", FREQ + "CONT", "kontinuierlich", "continuous"),
    Term("HOURLY", FREQ + "HOURLY", "stündlich", "hourly"),
    Term("DAILY", FREQ + "DAILY", "täglich", "daily"),
    Term("WEEKLY", FREQ + "WEEKLY", "wöchentlich", "weekly"),
    Term("MONTHLY", FREQ + "MONTHLY", "monatlich", "monthly"),
    Term("QUARTERLY", FREQ + "QUARTERLY", "vierteljährlich", "quarterly"),
    Term("ANNUAL", FREQ + "ANNUAL", "jährlich", "annual"),
    Term("IRREG", FREQ + "IRREG", "unregelmäßig", "irregular"),
    Term("UNKNOWN", FREQ + "UNKNOWN", "unbekannt", "unknown"),
])


@dataclass(frozen=True)
class FileType(Term):
    media_type: str


FT = "http://publications.europa.eu/resource/authority/file-type/"
FILE_TYPES = Vocabulary("http://publications.europa.eu/resource/authority/file-type", [
    FileType("CSV", FT + "CSV", "CSV", "CSV", "text/csv"),
    FileType("JSON", FT + "JSON", "JSON", "JSON", "application/json"),
    FileType("GEOJSON", FT + "GEOJSON", "GeoJSON", "GeoJSON", "application/geo+json"),
    FileType("XLSX", FT + "XLSX", "Excel (XLSX)", "Excel (XLSX)",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    FileType("XML", FT + "XML", "XML", "XML", "application/xml"),
    FileType("PDF", FT + "PDF", "PDF", "PDF", "application/pdf"),
    FileType("HTML", FT + "HTML", "HTML", "HTML", "text/html"),
    FileType("ZIP", FT + "ZIP", "ZIP", "ZIP", "application/zip"),
    FileType("RDF_TURTLE", FT + "RDF_TURTLE", "RDF Turtle", "RDF Turtle", "text/turtle"),
])

ACCESS_RIGHT_PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"

# Where the alliance's focus areas lie among the EU data themes: a lab dataset and the
# platform's own datasets take their themes from here (a partner chooses its own).
FOCUS_AREA_THEMES = {
    "mobility": ["TRAN"],
    "energy": ["ENER", "ENVI"],
    "retail": ["ECON"],
    "education": ["EDUC"],
    "housing": ["SOCI", "REGI"],
}
FALLBACK_THEME = "REGI"


# Model fields' validators (module functions, so that migrations can name them).
def validate_licence(value):
    LICENCES.validator(value)


def validate_themes(value):
    THEMES.validator(value)


def validate_frequency(value):
    FREQUENCIES.validator(value)


def validate_file_type(value):
    FILE_TYPES.validator(value)
