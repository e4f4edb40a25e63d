"""CKAN's action API, the read-only subset (opendata.ckan): /api/3/action/<name>.

config/urls.py includes these under "api/3/" (and under "api/": CKAN's unversioned
/api/action/<name>, which `ckanapi` calls, is version 3 as well)."""
from django.urls import path

from . import ckan_views

urlpatterns = [
    path("action/<str:name>", ckan_views.action),
]
