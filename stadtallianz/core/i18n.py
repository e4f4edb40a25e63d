"""Bilingual user content: one approach used everywhere.

A model stores each translatable text as `<name>_de` and `<name>_en` columns; `TranslatedField`
reads the one of the active language and falls back to the other, so a partner that wrote only a
German description still shows one on the English page.
"""

from django.conf import settings
from django.utils.translation import get_language

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def active_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE


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
