from django.urls import path

from . import views
from .participation import views as participation_views

app_name = "ideas"
urlpatterns = [
    path("ideas/", views.idea_list, name="list"),
    path("ideas/map/", views.idea_map, name="map"),
    path("ideas/map.geojson", views.map_geojson, name="map_geojson"),
    path("ideas/export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("ideas/export.json", views.export, {"fmt": "json"}, name="export_json"),
    path("ideas/new/", views.idea_create, name="create"),
    path("ideas/<int:pk>/", views.idea_detail, name="detail"),
    path("ideas/<int:pk>/edit/", views.idea_edit, name="edit"),
    path("ideas/<int:pk>/versions/", views.idea_versions, name="versions"),
    path("ideas/<int:pk>/images/", views.idea_images, name="images"),
    path("ideas/<int:pk>/images/<int:image>/delete/", views.image_delete, name="image_delete"),
    path("ideas/<int:pk>/co-authors/", views.coauthors, name="coauthors"),
    path("ideas/<int:pk>/co-authors/<int:coauthor>/", views.coauthor_respond,
         name="coauthor_respond"),
    path("ideas/<int:pk>/co-authors/<int:coauthor>/remove/", views.coauthor_remove,
         name="coauthor_remove"),
    path("ideas/<int:pk>/state/", views.idea_state, name="state"),
    # Comments, supports, follows, reports and moderation list their paths in their own module.
    *getattr(participation_views, "urlpatterns", []),
]
