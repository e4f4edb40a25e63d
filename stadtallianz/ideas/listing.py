"""The list's filters and sorting, the same for the page, the map, the exports and the API."""

import django_filters
from django.db.models import Prefetch
from django.db.models.functions import Substr

from stadtallianz.core.filters import TagFilter, TagFilterSet, filtered
from stadtallianz.core.models import FocusArea

from .models import Idea

# Each sort ends on the primary key, so pages never overlap. The counters are on the row
# (kept current by the participation services), indexed with created_at.
SORTS = {
    "newest": ("-created_at", "-pk"),
    "supported": ("-support_count", "-created_at", "-pk"),
    "discussed": ("-comment_count", "-created_at", "-pk"),
}
DEFAULT_SORT = "newest"


class IdeaFilterSet(TagFilterSet):
    # Ideas name a principle by its number (1–8) in the query.
    principle = TagFilter(relation="principles", by="number")
    state = django_filters.CharFilter()
    group = django_filters.CharFilter(field_name="working_group__slug")

    class Meta:
        model = Idea
        fields = []


def filter_ideas(ideas, **values):
    """The list's filters (IdeaFilterSet; core/filters.py); empty ones are off."""
    return filtered(IdeaFilterSet, ideas, values)


def sort_ideas(ideas, sort: str = ""):
    return ideas.order_by(*SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT]))


def listed_ideas(user):
    """Ideas as lists show them: visible to `user`, with their group and focus areas."""
    return (Idea.objects.listed_for(user)
            .select_related("working_group")
            .prefetch_related(Prefetch("focus_areas",
                                       queryset=FocusArea.objects.only("slug", "name_de",
                                                                       "name_en")))
            .defer("description")
            # The card's summary: the beginning of the description, without the rest of it.
            .annotate(description_start=Substr("description", 1, 640)))


class LateRowLookup:
    """A sorted list of ideas for the paginators of the page and the API.

    A page is read in two steps: the ids of its ideas from the sort's index alone (a narrow
    query PostgreSQL serves by walking the index and stopping at the page), then the rows of
    those ids with their group and focus areas. Asked for whole rows in sort order, PostgreSQL
    would rather sort the whole table for a deep page (page 1,000 of 20,000 ideas)."""

    def __init__(self, ideas):
        self.ideas = ideas

    def count(self) -> int:
        return self.ideas.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item:item + 1][0]
        ids = list(self.ideas.prefetch_related(None).values_list("pk", flat=True)[item])
        rows = {idea.pk: idea for idea in self.ideas.filter(pk__in=ids).order_by()}
        return [rows[pk] for pk in ids if pk in rows]
