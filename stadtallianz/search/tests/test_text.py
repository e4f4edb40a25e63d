"""Stemming, query parsing and snippets, without a database."""

import pytest

from stadtallianz.search.compounds import expansions, index_words, singular, split
from stadtallianz.search.text import Query, snippet, stem, stem_text, unique_sentences


def test_german_stemming_joins_inflected_forms():
    assert stem("Mobilitätskonzept") == stem("Mobilitätskonzepte") == stem("MOBILITÄTSKONZEPTEN")
    assert stem("Radwege") == stem("Radweg")
    assert stem("Straße") == stem("Strasse")
    assert stem_text("Neue Radwege!") == f"{stem('neue')} {stem('radwege')}"


def words(query):
    return [[term.words for term in group] for group in query.groups]


def test_query_parses_words_phrases_alternatives_and_exclusions():
    query = Query.parse('Radwege "grüne Welle" Bus oder Bahn -Auto für')
    # "oder" between two terms is "or"; "für" is a stop word, as in PostgreSQL's german
    # configuration.
    assert words(query) == [[("Radwege",)], [("grüne", "Welle")], [("Bus",), ("Bahn",)]]
    assert [term.words for term in query.excluded] == [("Auto",)]
    # Radwege is a compound (Rad|wege): either the word or both parts.
    assert query.fts5() == ('(("radweg" OR ("rad" AND "weg")) AND ("grun well") AND '
                            '("bus" OR "bahn")) NOT "auto"')
    assert query.tsquery() == ("(('Radwege') | ('Rad' & 'wege')) & (('grüne' <-> 'Welle')) & "
                               "(('Bus') | ('Bahn')) & !('Auto')")


@pytest.mark.parametrize("text, expected", [
    ("Bus oder Bahn", [[("Bus",), ("Bahn",)]]),
    ("Bus ODER Bahn", [[("Bus",), ("Bahn",)]]),
    ("Bus or Bahn", [[("Bus",), ("Bahn",)]]),
    ("Bus OR Bahn oder Tram", [[("Bus",), ("Bahn",), ("Tram",)]]),
    ("Kita Schule oder Hort", [[("Kita",)], [("Schule",), ("Hort",)]]),
    ("oder Bus", [[("Bus",)]]),  # at the start: nothing to choose from, left out
    ("Bus oder", [[("Bus",)]]),  # at the end too
    ("oder", []),
    ('"Bus oder Bahn"', [[("Bus", "oder", "Bahn")]]),  # in quotes: a word of the phrase
    ('"Bus" oder "Bahn"', [[("Bus",), ("Bahn",)]]),
    ('"grüne Welle" oder Radweg', [[("grüne", "Welle"), ("Radweg",)]]),
])
def test_oder_means_or_wherever_or_does(text, expected):
    assert words(Query.parse(text)) == expected


def test_a_phrase_keeps_inner_stop_words_and_drops_outer_ones():
    assert words(Query.parse('"die Wende im Quartier"')) == [[("Wende", "im", "Quartier")]]


def test_query_of_stop_words_or_only_exclusions_is_empty():
    assert Query.parse("und für die").is_empty
    assert Query.parse("-Auto").is_empty
    assert Query.parse("   ").is_empty


def test_fts5_operators_typed_by_a_person_stay_words():
    query = Query.parse('NEAR(a b) "x" * OR AND title:geheim')
    # Every word is quoted: NEAR, column filters, * and AND are no operators; OR is websearch's.
    assert query.fts5() == '("near a") AND ("b") AND ("x" OR "and") AND ("titl geheim")'
    # The same for PostgreSQL: quoted words, its own operators only.
    assert query.tsquery() == ("(('NEAR' <-> 'a')) & (('b')) & (('x') | ('AND')) & "
                               "(('title' <-> 'geheim'))")


def test_snippet_marks_stem_matches_and_escapes_the_text():
    text = ("".join(f"Einleitung {n}. " for n in range(20))
            + "Wir planen <b>Mobilitätskonzepte</b> & mehr. "
            + "".join(f"Ende {n}. " for n in range(60)))
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


@pytest.mark.parametrize("compound, parts", [
    ("Mobilitätskonzepte", ("Mobilität", "konzepte")),
    ("Radverkehrszählstellen", ("Rad", "verkehrs", "zähl", "stellen")),
    ("Zählstelle", ("Zähl", "stelle")),
    ("Wärmeplanung", ("Wärme", "planung")),
    ("Energiewende", ("Energie", "wende")),
    ("Quartiersgaragenkonzept", ("Quartiers", "garagen", "konzept")),
    ("Schulwegsicherheit", ("Schulweg", "sicherheit")),
    ("Lieferverkehr", ("Liefer", "verkehr")),
    ("Solardächer", ("Solar", "dächer")),
    ("Datenhubs", ("Daten", "hubs")),
    ("stadtteilbücherei", ("stadtteil", "bücherei")),
])
def test_compounds_are_split_into_their_parts(compound, parts):
    assert split(compound) == parts


@pytest.mark.parametrize("word", [
    "Konzept", "Mobilität", "Energie", "Verwaltung", "Beteiligung", "Veranstaltung",
    "Nachbarschaft", "Genossenschaft", "Bestellung", "Digitalisierung", "Bus", "Smart-City",
])
def test_simple_words_and_derived_ones_stay_whole(word):
    assert split(word) == ()


def test_a_compound_is_indexed_with_its_parts_and_the_compounds_it_ends_in():
    assert expansions("Radverkehrszählstellen") == (
        "Rad", "verkehrs", "zähl", "stellen", "verkehrszählstellen", "zählstellen")
    # A part that is a compound itself is indexed with its parts too.
    assert {"Stadt", "teil", "bücherei"} <= set(expansions("Stadtteilbücherei"))
    # Only capitalised words (nouns) are split in a text: "bestellen" is no Best|ellen.
    assert index_words("Wir bestellen Lastenräder") == "Lasten räder"


@pytest.mark.parametrize("plural, one", [
    ("Workshops", "Workshop"), ("Apps", "App"), ("Laptops", "Laptop"), ("Autos", "Auto"),
    ("Kitas", "Kita"), ("Cafés", "Café"), ("Handys", "Handy"), ("Büros", "Büro"),
    ("Comics", "Comic"), ("Shows", "Show"),
])
def test_loanword_plurals_in_s_have_their_singular(plural, one):
    assert singular(plural) == one
    assert stem(plural) != stem(one)  # stemming alone does not join them
    query = Query.parse(plural)
    assert stem(one) in query.stems


@pytest.mark.parametrize("word", ["Bus", "Status", "Haus", "Kreis", "Eis", "Prozess",
                                  "Ergebnis", "Praxis", "Hubs", "Events", "Kurs"])
def test_words_whose_s_is_their_own_or_stemmed_already_get_no_singular(word):
    assert singular(word) is None


def test_hubs_and_events_are_joined_with_their_singular_by_stemming():
    assert stem("Hubs") == stem("Hub") and stem("Events") == stem("Event")


def test_a_compound_query_finds_the_compound_or_all_of_its_parts():
    query = Query.parse("Mobilitätskonzepte")
    assert query.fts5() == '("mobilitatskonzept" OR ("mobilitat" AND "konzept"))'
    assert query.tsquery() == "(('Mobilitätskonzepte') | ('Mobilität' & 'konzepte'))"
    # A quoted word is looked for as it is.
    assert Query.parse('"Mobilitätskonzepte"').fts5() == '("mobilitatskonzept")'


def test_snippet_marks_compounds_by_their_parts():
    html = snippet("Das neue Mobilitätskonzept und die Radverkehrszählstellen.",
                   Query.parse("Konzept Zählstelle").stems)
    assert html == ("Das neue <mark>Mobilitätskonzept</mark> und die "
                    "<mark>Radverkehrszählstellen</mark>.")
    html = snippet("Zwei Workshops und eine App.", Query.parse("Workshop Apps").stems)
    assert html == "Zwei <mark>Workshops</mark> und eine <mark>App</mark>."


@pytest.mark.parametrize("text, expected", [
    ("Eins. Zwei. Eins. Drei.", "Eins. Zwei. Drei."),
    ("Worum es geht: A. Worum es geht: A.", "Worum es geht: A."),
    ("Frage? Antwort! Frage? Antwort!", "Frage? Antwort!"),
    ("Gleich  viel Raum. gleich viel raum.", "Gleich viel Raum."),
    ("Worum es geht\n\nA.\n\nWorum es geht\n\nB.", "Worum es geht A. B."),
    ("Ohne Punkt", "Ohne Punkt"),
])
def test_repeated_sentences_are_left_out(text, expected):
    assert unique_sentences(text) == expected


def test_snippet_does_not_repeat_sentences():
    summary = "Solarstrom vom Dach direkt für 240 Wohnungen."
    html = snippet(f"{summary}\n\nWorum es geht\n\n{summary}\n\nWie wir vorgehen",
                   Query.parse("Wohnungen").stems)
    assert html.count("Solarstrom") == 1
