from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    name = "stadtallianz.opendata"
    label = "opendata"
    verbose_name = _("Open data catalogue")

    def ready(self):
        from stadtallianz.core.audit_sentences import register_sentences

        from . import signals
        from .audit import SENTENCES

        register_sentences(SENTENCES)
        signals.connect()
