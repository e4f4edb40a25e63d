from django.urls import path

from . import views

app_name = "letter_of_intent"
urlpatterns = [
    path("letter-of-intent/", views.current, name="current"),
    path("letter-of-intent/v<int:number>/", views.version_detail, name="version"),
    path("letter-of-intent/sign/<slug:slug>/", views.sign, name="sign"),
    path("letter-of-intent/status/<slug:slug>/", views.status, name="status"),
    path("letter-of-intent/withdraw/<slug:slug>/", views.withdraw, name="withdraw"),
]
