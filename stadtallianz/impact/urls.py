from django.urls import path

from . import views

app_name = "impact"
urlpatterns = [
    path("impact/", views.dashboard, name="dashboard"),
    path("impact/targets/", views.targets, name="targets"),
    path("impact/targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("impact/figures.csv", views.dashboard_csv, name="dashboard_csv"),
    path("impact/<slug:key>.csv", views.figure_csv, name="figure_csv"),
]
