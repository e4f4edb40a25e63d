from django.urls import path

from . import views_catalogue, views_partner

app_name = "opendata"
urlpatterns = [
    # The public catalogue and dataset pages (views_catalogue).
    path("data/", views_catalogue.catalogue, name="catalogue"),
    path("data/datasets/<slug:slug>/", views_catalogue.dataset, name="dataset"),
    # Partners' own datasets and the coordination office's review (views_partner).
    path("data/mine/", views_partner.my_datasets, name="mine"),
    path("data/new/", views_partner.dataset_create, name="create"),
    path("data/datasets/<slug:slug>/edit/", views_partner.dataset_edit, name="edit"),
    path("data/datasets/<slug:slug>/submit/", views_partner.dataset_submit, name="submit"),
    path("data/review/", views_partner.review_queue, name="review_queue"),
    path("data/datasets/<slug:slug>/review/", views_partner.dataset_review, name="review"),
]
