"""The search itself, the same for the search page, the API and the benchmark.

One query over the index finds, filters (type, focus area, and who may see what) and ranks;
a second one counts for the pagination. Snippets are made in Python for the page of results only.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Subquery

from stadtallianz.core.i18n import active_language
from stadtallianz.core.models import FocusArea
from stadtallianz.workinggroups.models import GroupMembership

from .index import localised
from .models import SearchEntry
from .text import Query, snippet

MAX_QUERY_LENGTH = 200
# Results counted and shown; beyond, the person is asked to narrow the search.
MAX_RESULTS = 500
Through = SearchEntry.focus_areas.through


def visible_entries(user, entries=None):
    """Entries `user` may open: public ones; members-only ones of the groups the person is an
    active member of, and alliance-wide members-only ones for members of any group; all for the
    coordination office. Subqueries, so it is one query whatever the person's groups."""
    entries = entries if entries is not None else SearchEntry.objects.all()
    if user.is_authenticated and user.is_coordination_office:
        return entries
    public = Q(members_only=False)
    if not user.is_authenticated:
        return entries.filter(public)
    memberships = GroupMembership.objects.filter(user=user, state=GroupMembership.State.ACTIVE)
    of_group = Q(members_only=True, group_id__in=memberships.values("group_id"))
    of_alliance = Q(members_only=True, group_id__isnull=True) & Q(Exists(memberships))
    return entries.filter(public | of_group | of_alliance)


class Results:
    """The ranked results of a search. Sliced like a list (by the Paginator or the API), it
    fetches only that slice and gives each entry its `snippet` and localised `link`. At most
    MAX_RESULTS are counted and shown; `more` tells whether there are more (the person should
    narrow the search)."""

    def __init__(self, ranked, query: Query, matching=None):
        self.ranked = ranked
        self.matching = matching if matching is not None else ranked
        self.query = query
        self.more = False
        self._count = None

    def count(self) -> int:
        if self._count is None:
            found = 0
            if not self.query.is_empty:
                # Counting stops after MAX_RESULTS + 1: a frequent word's 10,000 matches are not
                # all visited.
                found = self.matching.order_by().values("pk")[:MAX_RESULTS + 1].count()
            self.more = found > MAX_RESULTS
            self._count = min(found, MAX_RESULTS)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice):
        if self.query.is_empty:
            return []
        start, stop = index.start or 0, min(index.stop, MAX_RESULTS)
        if start >= stop:
            return []
        entries = list(self.ranked[start:stop])
        language = active_language()
        stems = self.query.stems
        for entry in entries:
            entry.snippet = snippet(entry.text, stems)
            entry.link = localised(entry.url, language)
        return entries


def search(*, user, q: str, type: str = "", focus_area: str = "") -> Results:  # noqa: A002
    """Entries matching the words of `q` (German stemming; "phrases", `or`, `-word`), of one
    type and focus area (a slug) if given, that `user` may open; best first."""
    query = Query.parse(q[:MAX_QUERY_LENGTH])
    entries = visible_entries(user).defer("vector", "title_vector", "indexed_at")
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
        tsquery = SearchQuery(query.text, search_type="websearch", config="german")
        matching = entries.filter(vector=tsquery)
        # Ranking all 10,000 matches of a frequent word would cost more than the whole rest of
        # the request. The ranked candidates are the title matches (their own small index) and
        # the first matches found, up to MAX_RESULTS each: with fewer matches than that, every
        # match is ranked.
        title_hits = entries.filter(title_vector=tsquery).order_by().values("pk")[:MAX_RESULTS]
        first_hits = matching.order_by().values("pk")[:MAX_RESULTS]
        ranked = (SearchEntry.objects.defer("vector", "title_vector", "indexed_at")
                  .filter(pk__in=title_hits.union(first_hits))
                  .annotate(rank=SearchRank(F("vector"), tsquery))
                  .order_by("-rank", "pk"))
        return Results(ranked, query, matching)
    # FTS5's bm25 is lower for better matches; SQLite ranks every match (the embedded default
    # holds far fewer items).
    matching = entries.filter(fts__match=query.fts5())
    ranked = matching.annotate(rank=-F("fts__rank")).order_by("fts__rank", "pk")
    return Results(ranked, query, matching)
