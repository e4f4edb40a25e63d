from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyndicationConfig(AppConfig):
    name = "stadtallianz.syndication"
    label = "syndication"
    verbose_name = _("Feeds and embeddable widgets")

    def ready(self):
        from stadtallianz.core import sections as page_sections

        from . import sections

        # base.html's <head>: feeds, oEmbed discovery and the snippets' stylesheet.
        page_sections.register("base.head", sections.head_links)
        page_sections.register("projects.project", sections.project_snippet, order=90)
        page_sections.register("livinglabs.lab", sections.lab_snippet, order=90)
        page_sections.register("partners.organisation", sections.badge_snippet, order=90)
