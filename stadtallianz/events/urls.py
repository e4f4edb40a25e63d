from django.urls import path

from . import feeds, views

app_name = "events"
urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events.ics", views.alliance_ics, name="feed"),
    path("events/new/", views.create, name="create"),
    path("events/feed/", feeds.manage, name="personal_feed_manage"),
    path("events/feed/<str:key>.ics", feeds.personal_ics, name="personal_feed"),
    path("events/<slug:slug>/", views.detail, name="detail"),
    path("events/<slug:slug>.ics", views.event_ics, name="ics"),
    path("events/<slug:slug>/edit/", views.edit, name="edit"),
    path("events/<slug:slug>/cancel/", views.cancel_event, name="cancel"),
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("events/<slug:slug>/unregister/", views.unregister, name="unregister"),
    path("events/<slug:slug>/attendance/", views.attendance, name="attendance"),
    path("working-groups/<slug:slug>/events.ics", views.group_ics, name="group_feed"),
]
