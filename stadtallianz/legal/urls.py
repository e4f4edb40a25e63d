from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "legal"
urlpatterns = [
    path(_("imprint/"), views.page, {"kind": "imprint"}, name="imprint"),
    path(_("privacy/"), views.page, {"kind": "privacy"}, name="privacy"),
    path(_("accessibility/"), views.page, {"kind": "accessibility"}, name="accessibility"),
    path(_("privacy/consent/"), views.consent, name="consent"),
    path("legal/<str:kind>/edit/", views.edit, name="edit"),
]
