from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "stadtallianz.matchmaking"
    label = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self):
        from stadtallianz.core.audit_sentences import register_sentences

        from . import sections, signals
        from .audit import SENTENCES

        register_sentences(SENTENCES)
        signals.connect()
        sections.register()
