"""Embeddable widgets and oEmbed, outside the language prefix where a route needs it."""
from django.urls import path  # noqa: F401

urlpatterns = []
