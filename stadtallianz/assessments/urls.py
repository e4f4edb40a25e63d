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
    path("projects/<slug:slug>/assessments/", views.history, name="history"),
    path("projects/<slug:slug>/assessments/new/", views.assessment_start, name="start"),
]
