from django.urls import path

from . import views

app_name = "workinggroups"
urlpatterns = [
    path("working-groups/", views.group_list, name="list"),
    path("working-groups/new/", views.create, name="create"),
    path("working-groups/<slug:slug>/", views.detail, name="detail"),
    path("working-groups/<slug:slug>/edit/", views.edit, name="edit"),
    path("working-groups/<slug:slug>/manage/", views.manage, name="manage"),
    path("working-groups/<slug:slug>/join/", views.join, name="join"),
    path("working-groups/<slug:slug>/leave/", views.leave, name="leave"),
    path("working-groups/<slug:slug>/invitation/", views.respond, name="respond"),
    path("working-groups/<slug:slug>/state/", views.set_state, name="state"),
    path("working-groups/<slug:slug>/requests/<int:pk>/", views.decide, name="decide"),
    path("working-groups/<slug:slug>/members/<int:pk>/role/", views.member_role,
         name="member_role"),
    path("working-groups/<slug:slug>/members/<int:pk>/remove/", views.member_remove,
         name="member_remove"),
    path("working-groups/<slug:slug>/organisations/<int:pk>/remove/", views.organisation_remove,
         name="organisation_remove"),
]
