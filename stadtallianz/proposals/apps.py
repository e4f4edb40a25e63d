from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "stadtallianz.proposals"
    label = "proposals"
    verbose_name = _("Joint funding applications")

    def ready(self):
        from stadtallianz.core.audit_sentences import register_sentences

        from .audit import SENTENCES

        register_sentences(SENTENCES)
