"""oEmbed, outside the language prefix: consumers ask one address for pages of every language."""
from django.urls import path

from . import oembed

urlpatterns = [
    path("oembed", oembed.oembed, name="oembed"),
]
