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

        from . import sections

        sections.register()

        from stadtallianz.funding.signals import deadline_recipients
        from stadtallianz.knowledge.access import register_private_readers

        from .services import consortium_deadline_recipients, private_document_readers

        register_private_readers(private_document_readers)

        deadline_recipients.connect(consortium_deadline_recipients,
                                    dispatch_uid="proposals.consortium_deadline_recipients")
