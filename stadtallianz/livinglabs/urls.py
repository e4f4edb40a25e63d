from django.urls import path

from . import views

app_name = "livinglabs"
urlpatterns = [
    path("living-labs/", views.lab_list, name="list"),
    path("living-labs/<slug:slug>/", views.lab_detail, name="detail"),
]
