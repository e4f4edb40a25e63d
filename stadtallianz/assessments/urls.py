from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("assessments/portfolio/", views.portfolio_page, name="portfolio"),
    path("assessments/portfolio.csv", views.portfolio_csv, name="portfolio_csv"),
    path("assessments/reviews/", views.review_queue, name="reviews"),
    path("assessments/<int:pk>/", views.assessment_detail, name="detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("assessments/<int:pk>/<str:action>/", views.assessment_action, name="action"),
    # Under assessments/: the projects app owns projects/<slug>/<kind>/… for the project's parts.
    path("assessments/projects/<slug:slug>/", views.history, name="history"),
    path("assessments/projects/<slug:slug>/new/", views.assessment_start, name="start"),
]
