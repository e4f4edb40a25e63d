from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    # /de/mein-bereich/, /en/my-area/: the address in the page's language (issue 14).
    path(_("my-area/"), views.my_area, name="my_area"),
    # The English page's former address, kept for bookmarks.
    path("mein-bereich/", RedirectView.as_view(pattern_name="portal:my_area", permanent=True)),
]
