"""The list filters by tag that ideas, knowledge and projects share: focus area, guiding principle
and SDG, written once with django-filter.

Each app's FilterSet (ideas/listing.py, knowledge/filters.py, projects/filters.py) inherits
`TagFilterSet` and adds its own filters (state, kind, phase, group). Pages and API validate the
query with their own form or schema first (the page's form keeps its labels and choices) and
hand the cleaned values to the FilterSet, so a page and its API filter alike. Empty values are
off. A tag filter is a subquery over the tag relation's rows rather than a join, so an item is
listed once without DISTINCT.
"""

import django_filters
from django_filters.constants import EMPTY_VALUES


class TagFilter(django_filters.CharFilter):
    """Items with the tag whose `by` field (slug or number) is the value.

    `relation` names the item's many-to-many field to the tag (its `through` rows are read), or
    the reverse relation of an explicit link model, then with the link's field to the tag as
    `tag` (a project's SDG relations: ProjectSDG.goal)."""

    def __init__(self, *, relation: str, by: str, tag: str = "", **kwargs):
        super().__init__(**kwargs)
        self.relation, self.by, self.tag = relation, by, tag

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        field = self.model._meta.get_field(self.relation)
        if field.many_to_many:
            links = field.remote_field.through
            item, tag = field.m2m_field_name(), field.m2m_reverse_field_name()
        else:
            links, item, tag = field.related_model, field.field.name, self.tag
        rows = links.objects.filter(**{f"{tag}__{self.by}": value}).values(f"{item}_id")
        return qs.filter(pk__in=rows)


class TagFilterSet(django_filters.FilterSet):
    """Focus area and guiding principle by slug, SDG by number; a subclass changes what differs
    (ideas name principles by number, projects link SDGs through ProjectSDG)."""

    focus_area = TagFilter(relation="focus_areas", by="slug")
    principle = TagFilter(relation="principles", by="slug")
    sdg = TagFilter(relation="sdgs", by="number")


def filtered(filterset_class, queryset, values: dict):
    """`queryset` filtered by the cleaned `values` of a page's form or an API's query schema
    (keys the FilterSet does not know, such as the sort or the page, are ignored)."""
    return filterset_class(values, queryset=queryset).qs
