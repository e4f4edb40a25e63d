from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "stadtallianz.events"
    label = "events"
    verbose_name = _("Events")

    def import_models(self):
        super().import_models()
        # The personal calendar feed keeps its model next to its pages, in feeds.py.
        from . import feeds  # noqa: F401
