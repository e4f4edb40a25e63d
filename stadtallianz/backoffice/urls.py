from django.urls import path

from . import views

app_name = "backoffice"
urlpatterns = [
    path("backoffice/", views.dashboard, name="dashboard"),
    path("backoffice/applications/", views.applications, name="applications"),
    path("backoffice/applications/<int:pk>/", views.application, name="application"),
    path("backoffice/applications/<int:pk>/confirm/", views.application_confirm,
         name="application_confirm"),
    path("backoffice/applications/<int:pk>/reject/", views.application_reject,
         name="application_reject"),
    path("backoffice/partners/", views.partners, name="partners"),
    path("backoffice/partners/export/", views.partners_export, name="partners_export"),
    path("backoffice/audit/", views.audit, name="audit"),
    path("backoffice/audit/export/", views.audit_export, name="audit_export"),
    path("backoffice/versions/", views.versions, name="versions"),
    path("backoffice/versions/new/", views.version_create, name="version_create"),
    path("backoffice/versions/<int:number>/edit/", views.version_edit, name="version_edit"),
    path("backoffice/versions/<int:number>/", views.version_preview, name="version_preview"),
    path("backoffice/versions/<int:number>/publish/", views.version_publish,
         name="version_publish"),
    path("backoffice/focus-areas/", views.focus_areas, name="focus_areas"),
    path("backoffice/focus-areas/new/", views.focus_area_create, name="focus_area_create"),
    path("backoffice/focus-areas/<int:pk>/", views.focus_area_edit, name="focus_area_edit"),
]
