from django.urls import path
from django.views.generic import TemplateView

app_name = "letter_of_intent"
# Placeholder route; the letter-of-intent views replace it.
urlpatterns = [
    path("letter-of-intent/", TemplateView.as_view(template_name="portal/home.html"), name="current"),
]
