"""The article list's filters, the same for the page and the API (core/filters.py)."""

import django_filters

from stadtallianz.core.filters import TagFilterSet

from .models import Article


class ArticleFilterSet(TagFilterSet):
    kind = django_filters.CharFilter()
    group = django_filters.CharFilter(method="filter_group")

    class Meta:
        model = Article
        fields = []

    def filter_group(self, articles, name, value):
        # "alliance": the articles of the whole alliance, which belong to no group.
        if value == "alliance":
            return articles.filter(group__isnull=True)
        return articles.filter(group__slug=value)
