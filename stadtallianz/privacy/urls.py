from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("account/my-data/", views.overview, name="overview"),
    path("account/my-data/export/", views.export_request, name="export_request"),
    path("account/my-data/download/<str:token>/", views.download, name="download"),
]
