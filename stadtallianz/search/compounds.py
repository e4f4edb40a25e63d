"""German compounds and loanword plurals: the extra words a word stands for in the index and in
a query.

"Radverkehrszählstellen" is indexed with its parts ("Rad", "verkehr", "zähl", "stellen") and the
compounds it ends in ("verkehrszählstellen", "zählstellen"), so a search for "Zählstelle" or
"Verkehr" finds it; a query word that is a compound also finds texts with all of its parts
("Mobilitätskonzepte" finds "ein Konzept für die Mobilität"). Loanwords whose plural adds -s
("Workshops", "Apps", "Autos"), which German stemming leaves alone, are indexed and searched
with their singular too.

The parts are found with a list of German nouns and their declined forms (data/nouns.txt.gz,
about 260,000 forms from the German Wiktionary through the package `german-nouns`;
docs/performance.md, "Search", says why this one). A word is split into the fewest parts that
are all in the list (at least three letters each), joined directly or by a linking element
(Fugen-s, -n, -en, -es, -er, -e); a part before the last may also be a noun without its final
e ("Schul-") or one of a few verb and adjective stems that begin compounds ("Zähl-", "Wohn-",
"Solar-"). The last part must be a noun, not a suffix that is one too ("-schaft").
"""

import gzip
import threading
from functools import lru_cache
from pathlib import Path

from .stemming import WORD_RE, stem

NOUNS_PATH = Path(__file__).resolve().parent / "data" / "nouns.txt.gz"

# Parts shorter than this are not split off ("Rad", "Bus", "Amt" are still found).
MIN_PART = 3
# Words shorter than this are not split at all (two parts of three letters at least).
MIN_COMPOUND = 6
# Words longer than this are not split (not a compound a person searches for).
MAX_COMPOUND = 40
LINKS = ("", "s", "es", "n", "en", "e", "er", "ns")
# Verb, adjective and prefix stems that begin compounds and are no nouns.
MODIFIERS = frozenset("""
    zähl wohn liefer fahr lern mess prüf heiz kühl schreib lese tank halte rechen koch wasch
    schalt sende förder werb such nutz meld roll spar trink sitz schlaf brenn fließ gieß
    solar elektro digital smart mikro makro bio öko geo tele multi neu groß klein frei schnell
    stark
""".split())  # noqa: SIM905 - reads as prose
# Nouns in the list that are suffixes at the end of a compound ("Nachbar|schaft").
NOT_A_HEAD = frozenset("""
    schaft schaften heit heiten keit keiten ung ungen tum tume ling linge nis nisse chen lein
    ion ionen tät täten ismus ismen
""".split())  # noqa: SIM905 - reads as prose

_lock = threading.Lock()


@lru_cache(maxsize=1)
def nouns() -> frozenset[str]:
    """The lower-cased nouns and declined forms of the list (read once per process)."""
    with _lock, gzip.open(NOUNS_PATH, "rt", encoding="utf-8") as file:
        return frozenset(line for line in file.read().split("\n")
                         if line and not line.startswith("#"))


def singular(word: str) -> str | None:
    """The singular of a loanword plural in -s that German stemming does not join with it
    ("Workshops" → "Workshop", "Apps" → "App", "Autos" → "Auto"), else None. Not where the s is
    the word's own (Bus, Status, Haus, Kreis, Eis, Prozess) or stemming joins the forms already
    (Hubs, Events)."""
    if len(word) < 4 or not word.endswith(("s", "S")):
        return None
    lower = word.lower()
    if not stem(lower).endswith("s") or lower.endswith("ss"):
        return None
    body = lower[:-1]
    if lower.endswith(("nis", "xis", "sis", "tis")):  # Ergebnis, Praxis, Basis, Arthritis
        return None
    if body[-1] in "aeioyéàá" and not body.endswith(("ei", "au", "eu", "äu", "ai", "u")):
        return word[:-1]
    if body[-1] in "pcwk" and body[-2] != "s":
        return word[:-1]
    return None


def _modifier(part: str) -> bool:
    """A part that may stand before another in a compound."""
    forms = nouns()
    return (part in forms or part in MODIFIERS
            or (len(part) >= 4 and part + "e" in forms))


def _head(part: str) -> bool:
    return part in nouns() and part not in NOT_A_HEAD


@lru_cache(maxsize=200_000)
def _cuts(lower: str) -> tuple[tuple[int, int], ...]:
    """Where the parts of a compound (lower-cased) start and end; () when it is none, or not
    one the noun list explains."""
    length = len(lower)
    if not (MIN_COMPOUND <= length <= MAX_COMPOUND) or not lower.isalpha():
        return ()
    # best[i]: the best way to spell lower[i:] as parts (the head last), as a score and the
    # cuts; the score prefers the fewest parts, then parts that are nouns as written (not
    # stems or nouns without their e), then the shortest linking elements, then the longest
    # shortest part: "Energie|wende" over "Energi|e|wende", "Daten|hubs" over "Date|n|hubs".
    best: list[tuple | None] = [None] * (length + 1)
    for start in range(length - MIN_PART, -1, -1):
        candidates = []
        if start > 0 and _head(lower[start:]):
            candidates.append(((1, 0, 0, -(length - start)), ((start, length),)))
        for end in range(start + MIN_PART, length - MIN_PART + 1):
            part = lower[start:end]
            if not _modifier(part):
                continue
            guessed = part not in nouns()
            for link in LINKS:
                after = end + len(link)
                if lower.startswith(link, end) and best[after]:
                    (count, guesses, links, shortest), cuts = best[after]
                    candidates.append(((count + 1, guesses + guessed, links + len(link),
                                        max(shortest, -len(part))), ((start, end), *cuts)))
        if candidates:
            best[start] = min(candidates)
    return best[0][1] if best[0] and len(best[0][1]) > 1 else ()


def split(word: str) -> tuple[str, ...]:
    """The parts of a compound as written in it, linking elements left out
    ("Mobilitätskonzepte" → ("Mobilität", "konzepte")); () when it is none."""
    return tuple(word[start:end] for start, end in _cuts(word.lower()))


@lru_cache(maxsize=200_000)
def expansions(word: str) -> tuple[str, ...]:
    """The extra words the index keeps for `word`: its singular if a loanword plural in -s, and
    if a compound its parts, the compounds it ends in ("verkehrszählstellen") and their
    singulars."""
    extra = []
    if (one := singular(word)) is not None:
        extra.append(one)
    cuts = _cuts(word.lower())
    if cuts:
        parts = [word[start:end] for start, end in cuts]
        ends = [word[start:] for start, _end in cuts[1:-1]]
        # A part that is a compound itself ("Stadtteil|bücherei"), with its parts.
        inner = [inner for part in parts if len(part) >= 8 for inner in split(part)]
        extra += parts + ends + inner + [one for part in parts[-1:] if (one := singular(part))]
    return tuple(dict.fromkeys(extra))


def index_words(text: str, *, capitalised_only: bool = True) -> str:
    """The extra words of the words of a text, space-separated, each once (appended to the
    indexed text, so phrases in the text stay intact). Only capitalised words are split as
    compounds (German nouns; "bestellen" is no Best|ellen); every word gets its -s singular."""
    extra = {}
    for word in dict.fromkeys(WORD_RE.findall(text)):
        if capitalised_only and not word[:1].isupper():
            if (one := singular(word)) is not None:
                extra[one] = None
            continue
        extra.update(dict.fromkeys(expansions(word)))
    return " ".join(extra)
