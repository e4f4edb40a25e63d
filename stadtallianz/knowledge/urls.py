from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("knowledge/", views.article_list, name="list"),
    path("knowledge/new/", views.article_create, name="create"),
    path("knowledge/documents/new/", views.document_create, name="document_create"),
    path("knowledge/documents/<int:pk>/", views.document_detail, name="document"),
    path("knowledge/documents/<int:pk>/versions/new/", views.version_create,
         name="version_create"),
    path("knowledge/documents/<int:pk>/download/", views.download, name="download"),
    path("knowledge/documents/<int:pk>/versions/<int:number>/download/", views.download,
         name="download_version"),
    path("knowledge/documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("knowledge/<slug:slug>/", views.article_detail, name="article"),
    path("knowledge/<slug:slug>/edit/", views.article_edit, name="edit"),
    path("knowledge/<slug:slug>/state/", views.article_state, name="state"),
    path("knowledge/<slug:slug>/delete/", views.article_delete, name="delete"),
]
