from django.urls import path
from django.views.generic import TemplateView

app_name = "partners"
# Placeholder routes; the partners views replace them.
urlpatterns = [
    path("partners/", TemplateView.as_view(template_name="portal/home.html"), name="directory"),
    path("partners/<slug:slug>/", TemplateView.as_view(template_name="portal/home.html"), name="detail"),
]
