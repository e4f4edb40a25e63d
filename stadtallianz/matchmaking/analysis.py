"""Text as the matchmaking compares it: the search app's German analysis, not a second one.

A text becomes a set of terms: the Snowball stem of each word (search/stemming.py), and for a
compound or a loanword plural the stems of its parts and singular (search/compounds.py), stop
words left out (search/text.py). So "Verkehrsdaten" gives {verkehrsdat, verkehr, dat} and
"Daten zum Verkehr" gives {dat, verkehr}: the two share "verkehr" and "dat". "Mobilitätsplattform"
gives {mobilitatsplattform, mobilitat, plattform} and shares "mobilitat" with "Mobilität".
"""

from functools import lru_cache

from stadtallianz.search import compounds
from stadtallianz.search.stemming import WORD_RE, stem
from stadtallianz.search.text import STOP_WORDS, plain_text

# Words shorter than this carry no meaning of their own for matching ("km", "3D").
MIN_WORD = 3


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> frozenset[str]:
    """The terms of one word: its stem and, if a compound or -s plural, its parts' stems."""
    if len(word) < MIN_WORD or word.lower() in STOP_WORDS or word.isdigit():
        return frozenset()
    found = {stem(word)}
    # Compounds are split only when capitalised (German nouns), as the search index does.
    if word[:1].isupper():
        found.update(stem(extra) for extra in compounds.expansions(word)
                     if len(extra) >= MIN_WORD)
    elif (one := compounds.singular(word)) is not None:
        found.add(stem(one))
    return frozenset(found)


def terms(text: str) -> frozenset[str]:
    """The terms of a text (Markdown mark-up left out)."""
    found: set[str] = set()
    for word in WORD_RE.findall(plain_text(text or "")):
        found |= word_terms(word)
    return frozenset(found)


def matching_words(text: str, wanted: frozenset[str], *, limit: int = 3) -> list[str]:
    """The words of `text` (as written, each once, in order) that carry one of the `wanted`
    terms: the evidence a reason quotes ("Verkehrsdaten")."""
    found: dict[str, None] = {}
    for word in WORD_RE.findall(plain_text(text or "")):
        if word_terms(word) & wanted:
            found.setdefault(word, None)
        if len(found) >= limit:
            break
    return list(found)
