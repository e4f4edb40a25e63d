"""Bilingual user content: one approach used everywhere.

A model stores each translatable text as `<name>_de` and `<name>_en` columns; `TranslatedField`
reads the one of the active language and falls back to the other, so a partner that wrote only a
German description still shows one on the English page. Such a text is marked with its language
so that screen readers pronounce it right (WCAG 3.1.2): `shown_language(instance, base)` says
which language the shown text is in when it is not the page's, and the template filter
`{{ object|lang_attr:"title" }}` (core/templatetags/translated.py) writes ` lang="de"` into the
element that holds it.
"""

from django.conf import settings
from django.utils.translation import get_language

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def active_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE


def shown_language(instance, base: str) -> str:
    """The language of the text TranslatedField `base` shows for `instance` when it is not the
    active language (a fallback), else "" (also when there is no text at all)."""
    preferred = active_language()
    for language in [preferred, settings.LANGUAGE_CODE, *LANGUAGE_CODES]:
        if getattr(instance, f"{base}_{language}", ""):
            return "" if language == preferred else language
    return ""


class LanguageLabel(str):
    """A choice's label (a name shown in a select) with the language it is in when that is not
    the page's: the option template writes it as the option's lang attribute
    (core/templates/django/forms/widgets/select_option.html)."""

    lang = ""


def choice_label(instance, base: str) -> LanguageLabel:
    """The text of TranslatedField `base` of `instance` as a choice's label, marked as German
    on an English page when it has no English text: `(area.slug, choice_label(area, "name"))`."""
    label = LanguageLabel(getattr(instance, base))
    label.lang = shown_language(instance, base)
    return label


def name_choice(instance) -> LanguageLabel:
    """`label_from_instance` of a model choice field of focus areas or working groups."""
    return choice_label(instance, "name")


class TranslatedField:
    """Descriptor returning `<base>_<active language>`, or the first non-empty fallback."""

    def __init__(self, base: str):
        self.base = base

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        preferred = active_language()
        for language in [preferred, settings.LANGUAGE_CODE, *LANGUAGE_CODES]:
            value = getattr(instance, f"{self.base}_{language}", "")
            if value:
                return value
        return ""
