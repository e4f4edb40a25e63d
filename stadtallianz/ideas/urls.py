from django.urls import path

from . import views

app_name = "ideas"
urlpatterns = [
    path("ideas/", views.idea_list, name="list"),
    path("ideas/<int:pk>/", views.idea_detail, name="detail"),
]
