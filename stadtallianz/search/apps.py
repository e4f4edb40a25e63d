from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "stadtallianz.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self):
        from . import indexers, signals  # noqa: F401 - indexers register themselves

        signals.connect()
