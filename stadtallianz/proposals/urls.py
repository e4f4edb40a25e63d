from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("funding/applications/", views.application_list, name="list"),
    path("funding/applications/new/", views.application_create, name="create"),
    path("funding/applications/pipeline/", views.pipeline, name="pipeline"),
    path("funding/applications/pipeline/export.<slug:fmt>", views.pipeline_export,
         name="pipeline_export"),
    path("funding/applications/acquired/", views.totals, name="totals"),
    path("funding/applications/<int:pk>/", views.application_detail, name="detail"),
    path("funding/applications/<int:pk>/edit/", views.application_edit, name="edit"),
    path("funding/applications/<int:pk>/members/new/", views.member_add, name="member_add"),
    path("funding/applications/<int:pk>/members/<int:member_pk>/remove/", views.member_remove,
         name="member_remove"),
    path("funding/applications/<int:pk>/members/<int:member_pk>/budget/", views.budget_edit,
         name="budget_edit"),
    path("funding/applications/<int:pk>/state/", views.transition, name="transition"),
    path("funding/applications/<int:pk>/grant/", views.grant_record, name="grant"),
    path("funding/applications/<int:pk>/checklist/", views.checklist_add, name="checklist_add"),
    path("funding/applications/<int:pk>/checklist/<int:item_pk>/toggle/",
         views.checklist_toggle, name="checklist_toggle"),
    path("funding/applications/<int:pk>/checklist/<int:item_pk>/remove/",
         views.checklist_remove, name="checklist_remove"),
    path("funding/applications/<int:pk>/documents/", views.document_link, name="document_link"),
    path("funding/applications/<int:pk>/documents/upload/", views.document_upload,
         name="document_upload"),
    path("funding/applications/<int:pk>/documents/<int:link_pk>/remove/",
         views.document_unlink, name="document_unlink"),
]
