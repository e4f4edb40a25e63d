"""Content without a translation is marked with its language (issue 14, WCAG 3.1.2)."""

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from stadtallianz.core.i18n import shown_language

TEMPLATE = Template('{% load translated %}<h2{{ item|lang_attr:"title" }}>{{ item.title_de }}</h2>')


def render(item, language):
    with translation.override(language):
        return TEMPLATE.render(Context({"item": item}))


def test_a_german_title_on_an_english_page_is_marked_german():
    item = SimpleNamespace(title_de="Trinkbrunnen", title_en="")
    assert render(item, "en") == '<h2 lang="de">Trinkbrunnen</h2>'
    assert render(item, "de") == "<h2>Trinkbrunnen</h2>"


def test_a_translated_title_is_not_marked():
    item = SimpleNamespace(title_de="Trinkbrunnen", title_en="Drinking fountain")
    assert render(item, "en") == "<h2>Trinkbrunnen</h2>"
    assert render(item, "de") == "<h2>Trinkbrunnen</h2>"


def test_an_english_only_text_on_a_german_page_is_marked_english():
    item = SimpleNamespace(title_de="", title_en="Drinking fountain")
    with translation.override("de"):
        assert shown_language(item, "title") == "en"
    assert render(item, "de") == '<h2 lang="en"></h2>'


def test_no_text_and_no_object_give_nothing():
    assert render(SimpleNamespace(title_de="", title_en=""), "en") == "<h2></h2>"
    assert render(None, "en") == "<h2></h2>"


def test_lang_text_wraps_a_fallback_within_a_sentence_and_escapes():
    item = SimpleNamespace(title_de="Bäume & Bänke", title_en="", title="Bäume & Bänke")
    template = Template('{% load i18n translated %}{% blocktranslate with '
                        'title=item|lang_text:"title" %}Assessment of {{ title }}'
                        '{% endblocktranslate %}')
    with translation.override("en"):
        assert template.render(Context({"item": item})) == \
            'Assessment of <span lang="de">Bäume &amp; Bänke</span>'
    with translation.override("de"):
        assert "<span" not in template.render(Context({"item": item}))
