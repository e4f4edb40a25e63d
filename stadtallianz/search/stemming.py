"""German stemming, the same on both databases: PostgreSQL stems with its `german` text-search
configuration (Snowball); on SQLite the index holds text stemmed here with the same Snowball
algorithm."""

import re
import threading
from functools import lru_cache

import snowballstemmer

WORD_RE = re.compile(r"\w+")

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
