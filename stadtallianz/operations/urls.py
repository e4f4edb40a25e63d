from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("healthz/processes", views.processes, name="processes"),
    path("metrics", views.metrics, name="metrics"),
]
