"""The search itself, the same for the search page, the API and the benchmark.

One query over the index finds, filters (type, focus area, and who may see what) and ranks;
a second one counts for the pagination. Snippets are made in Python for the page of results only.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, Q

from stadtallianz.core.i18n import active_language
from stadtallianz.workinggroups.models import GroupMembership

from .index import localised
from .models import SearchEntry
from .text import Query, snippet

MAX_QUERY_LENGTH = 200


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
    fetches only that slice and gives each entry its `snippet` and localised `link`."""

    def __init__(self, entries, query: Query):
        self.entries = entries
        self.query = query
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = 0 if self.query.is_empty else self.entries.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if self.query.is_empty:
            return []
        entries = list(self.entries[index])
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
    entries = visible_entries(user).defer("vector", "indexed_at")
    if type:
        entries = entries.filter(type=type)
    if focus_area:
        entries = entries.filter(pk__in=SearchEntry.focus_areas.through.objects.filter(
            focusarea__slug=focus_area).values("searchentry_id"))
    if query.is_empty:
        return Results(entries.none(), query)
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(query.text, search_type="websearch", config="german")
        entries = (entries.filter(vector=tsquery)
                   .annotate(rank=SearchRank(F("vector"), tsquery))
                   .order_by("-rank", "pk"))
    else:
        # FTS5's bm25 is lower for better matches.
        entries = (entries.filter(fts__match=query.fts5())
                   .annotate(rank=-F("fts__rank"))
                   .order_by("fts__rank", "pk"))
    return Results(entries, query)
