"""The catalogue as DCAT-AP.de RDF (opendata.dcat): /dcat/catalog(.ttl|.rdf|.jsonld)."""
from django.urls import path  # noqa: F401

urlpatterns = []
