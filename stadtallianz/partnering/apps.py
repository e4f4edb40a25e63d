from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartneringConfig(AppConfig):
    name = "stadtallianz.partnering"
    label = "partnering"
    verbose_name = _("Partner search")

    def ready(self):
        from stadtallianz.core.audit_sentences import register_sentences

        from .audit import SENTENCES

        register_sentences(SENTENCES)

        from stadtallianz.core import sections as page_sections

        from .sections import open_notices

        for place in ("projects.project", "ideas.idea", "funding.call"):
            page_sections.register(place, open_notices, order=20)
