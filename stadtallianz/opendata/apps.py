from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    name = "stadtallianz.opendata"
    label = "opendata"
    verbose_name = _("Open data catalogue")

    def ready(self):
        from stadtallianz.core.audit_sentences import register_sentences
        from stadtallianz.core.ratelimit import register_read_api

        from . import signals
        from .audit import SENTENCES
        from .ckan_views import error_response
        from .dcat_views import plain_error

        register_sentences(SENTENCES)
        signals.connect()
        # CKAN's action API is read-only and public: anonymous callers are limited like the
        # other APIs (ANON_READ_RATE), by GET and by POST, the way ckanapi reads.
        for prefix in ("/api/3/", "/api/action/"):
            register_read_api(prefix, has_valid_credentials=lambda request: False,
                              error_response=error_response, read_methods=("GET", "HEAD", "POST"))
        # The DCAT catalogue too: a page of up to 1,000 datasets built afresh (each `per_page`
        # is a page of its own in the cache) costs seconds in RDF/XML; a harvester reads a few
        # hundred pages a night.
        register_read_api("/dcat/", has_valid_credentials=lambda request: False,
                          error_response=plain_error)
