from django.urls import path

from . import views

app_name = "discussions"
base = "working-groups/<slug:slug>/discussions/"
post = base + "<int:pk>/posts/<int:post_pk>/"
urlpatterns = [
    path(base, views.thread_list, name="list"),
    path(base + "new/", views.thread_new, name="new"),
    path(base + "moderation/", views.moderation, name="moderation"),
    path(base + "moderation/reports/<int:report_pk>/close/", views.report_close,
         name="report_close"),
    path(base + "<int:pk>/", views.thread_detail, name="thread"),
    path(base + "<int:pk>/reply/", views.reply, name="reply"),
    path(base + "<int:pk>/pin/", views.pin, name="pin"),
    path(post + "edit/", views.post_edit, name="post_edit"),
    path(post + "report/", views.post_report, name="post_report"),
    path(post + "hide/", views.post_hide, name="post_hide"),
]
