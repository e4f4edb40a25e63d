from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "stadtallianz.impact"
    label = "impact"
    verbose_name = _("Impact dashboard")

    def ready(self):
        from stadtallianz.core.audit_sentences import register_sentences

        from . import signals
        from .audit import SENTENCES

        register_sentences(SENTENCES)
        signals.connect()
