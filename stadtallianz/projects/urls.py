from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/map/", views.project_map, name="map"),
    path("projects/map.geojson", views.geojson, name="geojson"),
    path("projects/export.csv", views.export_csv, name="export_csv"),
    path("projects/export.json", views.export_json, name="export_json"),
    path("projects/new/", views.project_create, name="create"),
    path("projects/<slug:slug>/", views.project_detail, name="detail"),
    path("projects/<slug:slug>/edit/", views.project_edit, name="edit"),
    path("projects/<slug:slug>/consortium/", views.consortium, name="consortium"),
    path("projects/<slug:slug>/consortium/<int:pk>/<slug:action>/", views.consortium_action,
         name="consortium_action"),
    path("projects/<slug:slug>/<slug:kind>/new/", views.part_form, name="part_create"),
    path("projects/<slug:slug>/<slug:kind>/<int:pk>/", views.part_form, name="part_edit"),
    path("projects/<slug:slug>/<slug:kind>/<int:pk>/delete/", views.part_delete,
         name="part_delete"),
]
