from django.urls import path

from . import downloads, views_catalogue, views_partner

app_name = "opendata"
urlpatterns = [
    # The public catalogue and dataset pages (views_catalogue).
    path("data/", views_catalogue.catalogue, name="catalogue"),
    path("data/datasets/<slug:slug>/", views_catalogue.dataset, name="dataset"),
    # The catalogue's own files at stable addresses (downloads).
    path("data/datasets/<slug:slug>/observations-<int:year>.csv", downloads.observations_csv,
         name="observations_csv"),
    path("data/datasets/<slug:slug>/locations.geojson", downloads.locations_geojson,
         name="locations_geojson"),
    path("data/datasets/<slug:slug>.csv", downloads.platform_csv, name="platform_csv"),
    path("data/datasets/<slug:slug>.json", downloads.platform_json, name="platform_json"),
    # Partners' own datasets and the coordination office's review (views_partner).
    path("data/mine/", views_partner.my_datasets, name="mine"),
    path("data/new/", views_partner.dataset_create, name="create"),
    path("data/datasets/<slug:slug>/edit/", views_partner.dataset_edit, name="edit"),
    path("data/datasets/<slug:slug>/submit/", views_partner.dataset_submit, name="submit"),
    path("data/datasets/<slug:slug>/withdraw/", views_partner.dataset_withdraw,
         name="withdraw"),
    path("data/review/", views_partner.review_queue, name="review_queue"),
    path("data/datasets/<slug:slug>/review/", views_partner.dataset_review, name="review"),
]
