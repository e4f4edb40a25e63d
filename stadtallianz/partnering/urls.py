from django.urls import path

from . import views

app_name = "partnering"
urlpatterns = [
    path("partner-search/", views.notice_list, name="list"),
    path("partner-search/new/", views.notice_create, name="create"),
    path("partner-search/mine/", views.mine, name="mine"),
    path("partner-search/<int:pk>/", views.notice_detail, name="detail"),
    path("partner-search/<int:pk>/edit/", views.notice_edit, name="edit"),
    path("partner-search/<int:pk>/renew/", views.notice_renew, name="renew"),
    path("partner-search/<int:pk>/close/", views.notice_close, name="close"),
    path("partner-search/<int:pk>/interests/<int:interest_pk>/<slug:action>/",
         views.interest_answer, name="interest_answer"),
]
