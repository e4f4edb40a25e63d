from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("partners/", views.directory, name="directory"),
    path("partners/new/", views.create, name="create"),
    path("partners/invitations/<slug:token>/", views.invitation_accept, name="invitation_accept"),
    path("partners/<slug:slug>/", views.detail, name="detail"),
    path("partners/<slug:slug>/edit/", views.edit, name="edit"),
    path("partners/<slug:slug>/offers/", views.offers, name="offers"),
    path("partners/<slug:slug>/offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("partners/<slug:slug>/offers/<int:pk>/delete/", views.offer_delete, name="offer_delete"),
    path("partners/<slug:slug>/members/", views.members, name="members"),
    path("partners/<slug:slug>/members/<int:pk>/remove/", views.member_remove,
         name="member_remove"),
    path("partners/<slug:slug>/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("partners/<slug:slug>/invitations/<int:pk>/cancel/", views.invitation_cancel,
         name="invitation_cancel"),
    path("partners/<slug:slug>/invitations/<int:pk>/resend/", views.invitation_resend,
         name="invitation_resend"),
]
