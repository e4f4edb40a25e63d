"""German stemming, the parsed search query and highlighted snippets, the same on both databases.

PostgreSQL stems with its `german` text-search configuration (Snowball); on SQLite the index
holds text stemmed here with the same Snowball algorithm, and the query is stemmed the same way,
so "Mobilitätskonzept" finds "Mobilitätskonzepte" on both. Snippets are made here for both, from
the stored plain text, by comparing stems.
"""

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape

import snowballstemmer
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from stadtallianz.core.markdown import render_markdown

WORD_RE = re.compile(r"\w+")
# A query term: an optionally negated "quoted phrase", or anything up to the next space.
TERM_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')

# Frequent German function words, left out of queries as PostgreSQL's `german` configuration
# leaves them out of its index: a query "Konzept für Mobilität" needs no "für" on either database.
_STOP_WORDS = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
    anderes auch auf aus bei bin bis bist da damit dann das dass dem den denn der des dich die
    dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer
    eines er es etwas euch euer für gegen hat hatte haben ich ihm ihn ihr ihre im in ist ja
    jede jedem jeden jeder jedes kann kein keine mich mit muss nach nicht noch nun nur ob oder
    ohne sehr sein seine sich sie sind so über um und uns unser unter vom von vor war waren
    was weil welche wenn wer wie wir wird wo zu zum zur zwischen
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

SNIPPET_LENGTH = 240
# How much text before the first match the snippet shows, for context.
SNIPPET_LEAD = 70

_local = threading.local()


def _stemmer():
    # Snowball stemmer objects keep state while stemming: one per thread.
    if not hasattr(_local, "stemmer"):
        _local.stemmer = snowballstemmer.stemmer("german")
    return _local.stemmer


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The Snowball German stem of a word: lower-cased, umlauts folded, suffixes removed."""
    return _stemmer().stemWord(word.lower())


def stem_text(text: str) -> str:
    """Text as space-separated stems, as the SQLite index stores it."""
    return " ".join(stem(word) for word in WORD_RE.findall(text))


# Characters that may be Markdown or HTML; a text without any is plain already.
MARKUP_RE = re.compile(r"[*_#\[\]<>&`~|\\!=+-]")


def plain_text(markdown: str) -> str:
    """The words of a Markdown text without its mark-up (for the index and snippets)."""
    if not MARKUP_RE.search(markdown or ""):
        return (markdown or "").strip()  # rendering takes milliseconds; most texts need none
    return unescape(strip_tags(render_markdown(markdown))).strip()


@dataclass
class Query:
    """A search as a person typed it, in the web-search syntax PostgreSQL's
    `websearch_to_tsquery` understands: words, "a phrase", `or` between two terms, `-word` to
    exclude a word. Each term is a list of stems (more than one: a phrase)."""

    text: str
    groups: list[list[list[str]]] = field(default_factory=list)  # AND of ORs of terms
    excluded: list[list[str]] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> "Query":
        query = cls(text=text.strip())
        alternative = False
        for match in TERM_RE.finditer(query.text):
            negated, phrase, word = match.groups()
            if phrase is None:
                if word.lower() == "or":
                    alternative = bool(query.groups)
                    continue
                negated, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
            words = [w for w in WORD_RE.findall(phrase) if w.lower() not in STOP_WORDS]
            term = [stem(w) for w in words]
            if not term:
                continue
            if negated:
                query.excluded.append(term)
            elif alternative:
                query.groups[-1].append(term)
            else:
                query.groups.append([term])
            alternative = False
        return query

    @property
    def is_empty(self) -> bool:
        """Nothing to look for: no words but stop words, or only exclusions."""
        return not self.groups

    @property
    def stems(self) -> frozenset[str]:
        """The stems a result is marked at (excluded ones never occur in a result)."""
        return frozenset(s for group in self.groups for term in group for s in term)

    def fts5(self) -> str:
        """The query in SQLite FTS5's syntax; every term quoted, so nothing the person typed is
        read as an FTS5 operator."""

        def quoted(term):
            return '"' + " ".join(term) + '"'

        expression = " AND ".join(
            "(" + " OR ".join(quoted(term) for term in group) + ")" for group in self.groups)
        for term in self.excluded:
            expression = f"({expression}) NOT {quoted(term)}"
        return expression


def _stem_pattern(stem_: str) -> str:
    """A regular expression for words whose stem may be `stem_`: the stemmer folds umlauts and
    ß and only ever cuts endings, so such a word starts with the stem, spelt either way."""
    parts, index = [], 0
    while index < len(stem_):
        if stem_.startswith("ss", index):
            parts.append("(?:ss|ß)")
            index += 2
            continue
        char = stem_[index]
        parts.append({"a": "[aä]", "o": "[oö]", "u": "[uü]"}.get(char, re.escape(char)))
        index += 1
    return r"\b" + "".join(parts) + r"\w*"


def _first_match(text: str, stems: frozenset[str]) -> int | None:
    # Candidates by regular expression (fast, in C), confirmed by stemming: stemming every word
    # of a long text in Python would take far longer.
    pattern = re.compile("|".join(_stem_pattern(s) for s in sorted(stems)), re.IGNORECASE)
    for match in pattern.finditer(text):
        if stem(match.group()) in stems:
            return match.start()
    return None


def snippet(text: str, stems: frozenset[str], *, length: int = SNIPPET_LENGTH) -> SafeString:
    """An excerpt around the first match with every matching word in <mark>; the text itself is
    escaped, so no mark-up from the content reaches the page. Without a match in the text (the
    title matched), the beginning of the text."""
    text = " ".join(text.split())
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    first = _first_match(text, stems) if stems else None
    start = 0
    if first is not None and first > SNIPPET_LEAD:
        start = text.find(" ", first - SNIPPET_LEAD, first) + 1 or first - SNIPPET_LEAD
    end = min(len(text), start + length)
    if end < len(text):
        # Ends at a space, unless a single word fills the second half.
        cut = text.rfind(" ", start + length // 2, end)
        end = cut if cut > 0 else end
    excerpt = text[start:end]
    parts, position = [], 0
    for match in WORD_RE.finditer(excerpt):
        if stem(match.group()) in stems:
            parts += [escape(excerpt[position:match.start()]), "<mark>", escape(match.group()),
                      "</mark>"]
            position = match.end()
    parts.append(escape(excerpt[position:]))
    html = "".join(parts)
    if start > 0:
        html = "… " + html
    if end < len(text):
        html += " …"
    return mark_safe(html)  # noqa: S308 - every piece of text above is escaped
