"""`{{ object|lang_attr:"title" }}`: ` lang="de"` when the page is English and the object's title
has no English text, so the German one is shown (core/i18n.py, TranslatedField); nothing when the
text is in the page's language. Put it inside the opening tag of the element that holds exactly
that text: `<h1{{ project|lang_attr:"title" }}>{{ project.title }}</h1>`.

`{{ project|lang_text:"title" }}` is the text itself, inside `<span lang="de">` when it is such a
fallback: for a title within a sentence or a link, `{% blocktranslate with
title=project|lang_text:"title" %}Assessment of {{ title }}{% endblocktranslate %}` (not in
<title>, which holds no markup)."""

from django import template
from django.urls import translate_url
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language

from stadtallianz.core.i18n import shown_language

register = template.Library()


@register.filter
def lang_attr(instance, base: str) -> str:
    if instance is None or not base:
        return ""
    language = shown_language(instance, base)
    return format_html(' lang="{}"', language) if language else ""


@register.filter
def lang_text(instance, base: str) -> str:
    if instance is None or not base:
        return ""
    text = getattr(instance, base, "")
    language = shown_language(instance, base)
    return format_html('<span lang="{}">{}</span>', language, text) if language \
        else conditional_escape(text)


@register.filter
def in_language(path: str, language: str) -> str:
    """The page's address in `language`, for the header's language switch: /de/impressum/ →
    /en/imprint/ (the legal pages' paths are translated), the query kept. Translated while the
    page renders, because the resolver knows only the active language's prefix: set_language,
    asked later outside any prefix, would leave /en/… untranslated."""
    translated = translate_url(path, language)
    current = f"/{get_language()}/"
    if translated == path and path.startswith(current):
        # Not a page the resolver knows (a 404 page): the same path under the other prefix.
        return f"/{language}/{path[len(current):]}"
    return translated
