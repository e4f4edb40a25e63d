"""The search itself, the same for the search page, the API and the benchmark.

One query over the index finds, filters (type, focus area, and who may see what) and ranks, and
so counts; a second fetches the page's entries. Snippets are made in Python for that page only.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, Subquery

from stadtallianz.core.i18n import active_language
from stadtallianz.core.models import FocusArea

from .index import localised
from .models import SearchEntry
from .text import Query, snippet

MAX_QUERY_LENGTH = 200
# Results counted and shown; beyond, the person is asked to narrow the search.
MAX_RESULTS = 500
Through = SearchEntry.focus_areas.through


class Results:
    """The ranked results of a search, at most MAX_RESULTS (`more` tells whether there are
    more: the person should narrow the search). Counted and sliced like a list by the Paginator
    or the API: the first call ranks (one query for ids and ranks), a slice then fetches its
    entries (one query) and gives each its `snippet`, `rank` and localised `link`."""

    def __init__(self, ranked, query: Query):
        self.ranked = ranked
        self.query = query
        self.more = False
        self._ranking = None

    def ranking(self) -> list[tuple[int, float]]:
        if self._ranking is None:
            rows = []
            if not self.query.is_empty:
                rows = list(self.ranked.values_list("pk", "rank")[:MAX_RESULTS + 1])
            self.more = len(rows) > MAX_RESULTS
            self._ranking = rows[:MAX_RESULTS]
        return self._ranking

    def count(self) -> int:
        return len(self.ranking())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice):
        ranks = dict(self.ranking()[index])
        entries = SearchEntry.objects.defer("vector", "title_vector", "indexed_at").in_bulk(
            list(ranks))
        language = active_language()
        stems = self.query.stems
        page = []
        for pk, rank in ranks.items():
            entry = entries.get(pk)
            if entry is None:  # reindexed between the two queries
                continue
            entry.rank = rank
            text, entry.snippet_lang = snippet_text(entry, language)
            entry.title_lang = (settings.LANGUAGE_CODE if language != settings.LANGUAGE_CODE
                                and not entry.title_en else "")
            entry.snippet = snippet(text, stems)
            entry.link = localised(entry.url, language)
            page.append(entry)
        return page


def snippet_text(entry: SearchEntry, language: str) -> tuple[str, str]:
    """The text a result's snippet is cut from, in the page's language where the object has
    it, and the language to mark it with when it is not the page's ("" when it is)."""
    if language == "en" and entry.text_en:
        return entry.text_en, ""
    if language == "en" and entry.text:
        return entry.text, settings.LANGUAGE_CODE
    if not entry.text and entry.text_en:
        return entry.text_en, "" if language == "en" else "en"
    return entry.text, ""


def search(*, user, q: str, type: str = "", focus_area: str = "") -> Results:  # noqa: A002
    """Entries matching the words of `q` (German stemming, compounds and -s plurals by their
    parts and singulars; "phrases", `or`/`oder`, `-word`), of one
    type and focus area (a slug) if given, that `user` may open; best first."""
    # A NUL cannot reach PostgreSQL (the page and the API refuse it with a message first).
    query = Query.parse(q[:MAX_QUERY_LENGTH].replace("\x00", " "))
    entries = SearchEntry.objects.visible_to(user)
    if type:
        entries = entries.filter(type=type)
    if focus_area:
        # The focus area's id once (an InitPlan), then an index lookup per candidate.
        area = FocusArea.objects.filter(slug=focus_area).values("pk")[:1]
        entries = entries.filter(Exists(Through.objects.filter(
            searchentry_id=OuterRef("pk"), focusarea_id=Subquery(area))))
    if query.is_empty:
        return Results(entries.none(), query)
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(query.tsquery(), search_type="raw", config="german")
        matching = entries.filter(vector=tsquery)
        # Ranking all 10,000 matches of a frequent word would cost more than the whole rest of
        # the request. The ranked candidates are the title matches (their own small index) and
        # the first matches found, MAX_RESULTS + 1 each: with no more matches than that, every
        # match is ranked, and more candidates than MAX_RESULTS mean more matches.
        title_hits = entries.filter(title_vector=tsquery).order_by().values("pk")[
            :MAX_RESULTS + 1]
        first_hits = matching.order_by().values("pk")[:MAX_RESULTS + 1]
        ranked = (SearchEntry.objects.filter(pk__in=title_hits.union(first_hits))
                  .annotate(rank=SearchRank(F("vector"), tsquery))
                  .order_by("-rank", "pk"))
        return Results(ranked, query)
    # FTS5's bm25 is lower for better matches; SQLite ranks every match (the embedded default
    # holds far fewer items).
    ranked = (entries.filter(fts__match=query.fts5())
              .annotate(rank=-F("fts__rank")).order_by("fts__rank", "pk"))
    return Results(ranked, query)
