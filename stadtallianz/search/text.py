"""German stemming, the parsed search query and highlighted snippets, the same on both databases.

PostgreSQL stems with its `german` text-search configuration (Snowball); on SQLite the index
holds text stemmed here with the same Snowball algorithm, and the query is stemmed the same way,
so "Mobilitätskonzept" finds "Mobilitätskonzepte" on both. Snippets are made here for both, from
the stored plain text, by comparing stems.
"""

import re
from dataclasses import dataclass, field
from html import unescape

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from stadtallianz.core.markdown import render_markdown

from . import compounds
from .stemming import WORD_RE, stem, stem_text  # noqa: F401 - stem_text: used by the index

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

# Characters that may be Markdown or HTML; a text without any is plain already.
MARKUP_RE = re.compile(r"[*_#\[\]<>&`~|\\!=+-]")


def plain_text(markdown: str) -> str:
    """The words of a Markdown text without its mark-up (for the index and snippets)."""
    if not MARKUP_RE.search(markdown or ""):
        return (markdown or "").strip()  # rendering takes milliseconds; most texts need none
    return unescape(strip_tags(render_markdown(markdown))).strip()


# Between two terms: either of them ("Bus oder Bahn" as "Bus or Bahn"; websearch syntax).
OR_WORDS = frozenset({"or", "oder"})


@dataclass(frozen=True)
class Term:
    """A word or a "quoted phrase" as typed (its words as written, stop words left out). A
    single word also stands for its -s singular and, if a compound, for all of its parts
    together (compounds.py); a phrase only for itself."""

    words: tuple[str, ...]
    quoted: bool = False  # "Mobilitätskonzepte" in quotes: that word only

    @property
    def alternatives(self) -> list[tuple[str, tuple[str, ...]]]:
        """("phrase", words) and ("all", parts): any of them matches."""
        found = [("phrase", self.words)]
        if len(self.words) == 1 and not self.quoted:
            word = self.words[0]
            if (one := compounds.singular(word)) is not None:
                found.append(("phrase", (one,)))
            parts = compounds.split(word)
            if parts:
                found.append(("all", parts))
        return found

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(stem(word) for _kind, words in self.alternatives for word in words)


@dataclass
class Query:
    """A search as a person typed it, in the web-search syntax: words (all must occur), "a
    phrase", `or` (or `oder`) between two terms, `-word` to exclude a word."""

    text: str
    groups: list[list[Term]] = field(default_factory=list)  # AND of ORs of terms
    excluded: list[Term] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> "Query":
        query = cls(text=text.strip())
        alternative = False
        for match in TERM_RE.finditer(query.text):
            negated, phrase, word = match.groups()
            if phrase is None:
                if word.lower() in OR_WORDS:
                    alternative = bool(query.groups)
                    continue
                negated, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
            words = WORD_RE.findall(phrase)
            searched = [i for i, w in enumerate(words) if w.lower() not in STOP_WORDS]
            if not searched:
                continue
            # A phrase keeps its inner stop words (they are in the text between the others);
            # a single word or a phrase's ends are looked for without them.
            words = tuple(words[searched[0]:searched[-1] + 1])
            term = Term(words, quoted=match.group(2) is not None)
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
        return frozenset(s for group in self.groups for term in group for s in term.stems)

    def fts5(self) -> str:
        """The query in SQLite FTS5's syntax; every term quoted, so nothing the person typed is
        read as an FTS5 operator."""

        def quoted(words):
            return '"' + " ".join(stem(word) for word in words) + '"'

        def alternative(kind, words):
            if kind == "phrase":
                return quoted(words)
            return "(" + " AND ".join(quoted([word]) for word in words) + ")"

        def term(term_):
            return " OR ".join(alternative(*found) for found in term_.alternatives)

        expression = " AND ".join(
            "(" + " OR ".join(term(t) for t in group) + ")" for group in self.groups)
        for excluded in self.excluded:
            expression = f"({expression}) NOT {quoted(excluded.words)}"
        return expression

    def tsquery(self) -> str:
        """The query for PostgreSQL's `to_tsquery` with the `german` configuration, which stems
        each quoted word as the index does. The words hold letters and digits only (WORD_RE),
        so quoting them leaves nothing to be read as an operator."""

        def phrase(words):
            return "(" + " <-> ".join(f"'{word}'" for word in words) + ")"

        def alternative(kind, words):
            if kind == "phrase":
                return phrase(words)
            return "(" + " & ".join(f"'{word}'" for word in words) + ")"

        def term(term_):
            return " | ".join(alternative(*found) for found in term_.alternatives)

        expression = " & ".join(
            "(" + " | ".join(term(t) for t in group) + ")" for group in self.groups)
        for excluded in self.excluded:
            expression += f" & !{phrase(excluded.words)}"
        return expression


def _stem_pattern(stem_: str) -> str:
    """A regular expression for the words that may hold `stem_` (as a word or a part of a
    compound): the stemmer folds umlauts and ß and only ever cuts endings, so such a word
    contains the stem, spelt either way."""
    parts, index = [], 0
    while index < len(stem_):
        if stem_.startswith("ss", index):
            parts.append("(?:ss|ß)")
            index += 2
            continue
        char = stem_[index]
        parts.append({"a": "[aä]", "o": "[oö]", "u": "[uü]"}.get(char, re.escape(char)))
        index += 1
    return r"\w*" + "".join(parts) + r"\w*"


def matches(word: str, stems: frozenset[str]) -> bool:
    """Whether `word` is one of the searched words: its stem, or the stem of its singular or of
    one of its compound parts, is searched."""
    return stem(word) in stems or any(stem(extra) in stems
                                      for extra in compounds.expansions(word))


def _first_match(text: str, stems: frozenset[str]) -> int | None:
    # Candidates by regular expression (fast, in C), confirmed by stemming: stemming every word
    # of a long text in Python would take far longer.
    pattern = re.compile("|".join(_stem_pattern(s) for s in sorted(stems)), re.IGNORECASE)
    for match in pattern.finditer(text):
        if matches(match.group(), stems):
            return match.start()
    return None


# Sentences end at . ! ? … or a line's end (a heading, an item of a list).
SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*")


def unique_sentences(text: str) -> str:
    """The text with each sentence once (a summary repeated in the description, a translation
    that is a copy): later repetitions are left out, whitespace made single."""
    seen, kept = set(), []
    for sentence in SENTENCE_RE.split(text.strip()):
        sentence = " ".join(sentence.split())
        key = sentence.casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence)
    return " ".join(kept)


def snippet(text: str, stems: frozenset[str], *, length: int = SNIPPET_LENGTH) -> SafeString:
    """An excerpt around the first match with every matching word in <mark>, each sentence of
    the text once; the text itself is escaped, so no mark-up from the content reaches the page.
    Without a match in the text (the title matched), the beginning of the text."""
    text = unique_sentences(text)
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
        if matches(match.group(), stems):
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
