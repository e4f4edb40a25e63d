from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "stadtallianz.funding"
    label = "funding"
    verbose_name = _("Funding programmes and calls")

    def ready(self):
        from stadtallianz.core.audit_sentences import register_sentences

        from .audit import SENTENCES

        register_sentences(SENTENCES)
