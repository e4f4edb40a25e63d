from django.urls import path

from . import views

app_name = "livinglabs"
urlpatterns = [
    path("living-labs/", views.lab_list, name="list"),
    path("living-labs/new/", views.lab_create, name="create"),
    path("living-labs/<slug:slug>/", views.lab_detail, name="detail"),
    path("living-labs/<slug:slug>/edit/", views.lab_edit, name="edit"),
    path("living-labs/<slug:slug>/datastreams/", views.datastream_settings, name="datastreams"),
    path("living-labs/<slug:slug>/datastreams/<int:pk>/chart/", views.datastream_chart,
         name="datastream_chart"),
    path("living-labs/<slug:slug>/datastreams/<int:pk>/observations.csv", views.datastream_csv,
         name="datastream_csv"),
    path("living-labs/<slug:slug>/datastreams/<int:pk>/privacy/", views.datastream_privacy,
         name="datastream_privacy"),
    path("living-labs/<slug:slug>/tokens/", views.tokens, name="tokens"),
    path("living-labs/<slug:slug>/tokens/<int:pk>/revoke/", views.token_revoke,
         name="token_revoke"),
]
