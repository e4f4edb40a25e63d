from django.urls import path

from . import views

app_name = "matchmaking"
urlpatterns = [
    path("suggestions/", views.index, name="index"),
    path("suggestions/projects/<slug:slug>/", views.for_project, name="project"),
    path("suggestions/calls/<slug:slug>/", views.for_call, name="call"),
    path("suggestions/notices/<int:pk>/", views.for_notice, name="notice"),
    path("suggestions/hide/", views.dismiss, name="dismiss"),
    path("suggestions/show/", views.undo, name="undo"),
]
