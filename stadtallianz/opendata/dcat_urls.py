"""The catalogue as DCAT-AP.de RDF (opendata.dcat_views): /dcat/catalog(.ttl|.rdf|.jsonld) and
/dcat/datasets/<slug>(.ttl|.rdf|.jsonld); without an extension the Accept header chooses.
Any other address under /dcat/ is a plain-text 404."""
from django.urls import path, re_path

from . import dcat_views

app_name = "dcat"
urlpatterns = [
    path("catalog", dcat_views.catalog, name="catalog"),
    re_path(r"^catalog\.(?P<ext>ttl|rdf|jsonld)$", dcat_views.catalog, name="catalog_file"),
    path("datasets/<slug:slug>", dcat_views.dataset, name="dataset"),
    re_path(r"^datasets/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<ext>ttl|rdf|jsonld)$", dcat_views.dataset,
            name="dataset_file"),
    # Everything else under /dcat/ as well: a plain-text 404, not the site's HTML page.
    # (Search from the start: also an address with a newline, which "." does not match.)
    re_path(r"^", dcat_views.not_found),
]
