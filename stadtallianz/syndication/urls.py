from django.urls import path

from . import views

app_name = "syndication"
urlpatterns = [
    path("feeds/", views.feed_list, name="feeds"),
    path("feeds/<slug:kind>.rss", views.feed, {"fmt": "rss"}, name="feed_rss"),
    path("feeds/<slug:kind>.atom", views.feed, {"fmt": "atom"}, name="feed_atom"),
    path("embed/", views.widget_list, name="widgets"),
    path("embed/figures/", views.embed_figures, name="embed_figures"),
    path("embed/map/", views.embed_map, name="embed_map"),
    path("embed/partners/<slug:slug>/badge/", views.embed_badge, name="embed_badge"),
    path("embed/projects/<slug:slug>/", views.embed_project, name="embed_project"),
    path("embed/living-labs/<slug:slug>/", views.embed_lab, name="embed_lab"),
]
