"""Stemming, query parsing and snippets, without a database."""

from stadtallianz.search.text import Query, snippet, stem, stem_text


def test_german_stemming_joins_inflected_forms():
    assert stem("Mobilitätskonzept") == stem("Mobilitätskonzepte") == stem("MOBILITÄTSKONZEPTEN")
    assert stem("Radwege") == stem("Radweg")
    assert stem("Straße") == stem("Strasse")
    assert stem_text("Neue Radwege!") == f"{stem('neue')} {stem('radwege')}"


def test_query_parses_words_phrases_alternatives_and_exclusions():
    query = Query.parse('Radwege "grüne Welle" oder Bus or Bahn -Auto für')
    # "oder" and "für" are stop words, as in PostgreSQL's german configuration.
    assert query.groups == [[[stem("Radwege")]], [[stem("grüne"), stem("Welle")]],
                            [[stem("Bus")], [stem("Bahn")]]]
    assert query.excluded == [[stem("Auto")]]
    assert query.fts5() == '(("radweg") AND ("grun well") AND ("bus" OR "bahn")) NOT "auto"'


def test_query_of_stop_words_or_only_exclusions_is_empty():
    assert Query.parse("und für die").is_empty
    assert Query.parse("-Auto").is_empty
    assert Query.parse("   ").is_empty


def test_fts5_operators_typed_by_a_person_stay_words():
    query = Query.parse('NEAR(a b) "x" * OR AND title:geheim')
    # Every word is quoted: NEAR, column filters, * and AND are no operators; OR is websearch's.
    assert query.fts5() == '("near a") AND ("b") AND ("x" OR "and") AND ("titl geheim")'


def test_snippet_marks_stem_matches_and_escapes_the_text():
    text = ("Einleitung. " * 20) + "Wir planen <b>Mobilitätskonzepte</b> & mehr. " + "Ende. " * 60
    html = snippet(text, Query.parse("Mobilitätskonzept").stems)
    assert "<mark>Mobilitätskonzepte</mark>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html and "&amp; mehr" in html
    assert html.startswith("… ") and html.endswith(" …")
    assert len(html) < 400


def test_snippet_without_a_match_shows_the_beginning():
    html = snippet("<script>alert(1)</script> Erster Satz.", frozenset({"radweg"}))
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt; Erster Satz."


def test_snippet_matches_umlaut_and_sharp_s_spellings():
    stems = Query.parse("Strasse Mobilitat").stems
    html = snippet("Die Straße und die Mobilität.", stems)
    assert html == "Die <mark>Straße</mark> und die <mark>Mobilität</mark>."
