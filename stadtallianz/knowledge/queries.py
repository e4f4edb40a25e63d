"""Reading articles: what the list page and the API share (the API imports no views)."""

from stadtallianz.core.filters import filtered

from .filters import ArticleFilterSet


def filter_articles(articles, **values):
    """The list's filters (ArticleFilterSet), the same for the page and the API; empty ones
    are off."""
    return filtered(ArticleFilterSet, articles, values)
