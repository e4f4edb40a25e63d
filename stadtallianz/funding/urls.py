from django.urls import path

from . import feeds, imports, views

app_name = "funding"
urlpatterns = [
    path("funding/", views.call_list, name="call_list"),
    path("funding/calendar/", views.calendar, name="calendar"),
    path("funding/deadlines.ics", feeds.public_ics, name="feed"),
    path("funding/feed/", feeds.manage, name="personal_feed_manage"),
    path("funding/feed/<str:key>.ics", feeds.personal_ics, name="personal_feed"),
    path("funding/import/", imports.import_view, name="import"),
    path("funding/calls/new/", views.call_create, name="call_create"),
    path("funding/calls/<slug:slug>/", views.call_detail, name="call_detail"),
    path("funding/calls/<slug:slug>/edit/", views.call_edit, name="call_edit"),
    path("funding/calls/<slug:slug>/follow/", views.follow, name="follow"),
    path("funding/calls/<slug:slug>/verify/", views.verify, name="verify"),
    path("funding/calls/<slug:slug>/delete/", views.delete, name="delete"),
    path("funding/programmes/", views.programme_list, name="programme_list"),
    path("funding/programmes/new/", views.programme_create, name="programme_create"),
    path("funding/programmes/<slug:slug>/", views.programme_detail, name="programme_detail"),
    path("funding/programmes/<slug:slug>/edit/", views.programme_edit, name="programme_edit"),
]
