"""CKAN's action API, the read-only subset (opendata.ckan): /api/3/action/<name>."""
from django.urls import path  # noqa: F401

urlpatterns = []
