from django.urls import path
from django.views.generic import TemplateView

app_name = "backoffice"
# Placeholder route; the back-office views replace it.
urlpatterns = [
    path("backoffice/", TemplateView.as_view(template_name="portal/home.html"), name="dashboard"),
]
