from django.urls import re_path

from . import views

app_name = "sensorthings"
# Both /sta/v1.1 and /sta/v1.1/ answer with the service root: clients are configured with either.
urlpatterns = [
    re_path(r"^v1\.1/?$", views.service_root, name="root"),
    re_path(r"^v1\.1/\$batch/?$", views.batch, name="batch"),
    re_path(r"^v1\.1/(?P<path>.+)$", views.resource, name="resource"),
]
