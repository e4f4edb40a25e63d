from django.urls import path

from . import views, views_participation

app_name = "ideas"
urlpatterns = [
    path("ideas/", views.idea_list, name="list"),
    path("ideas/<int:pk>/", views.idea_detail, name="detail"),
]

# Taking part and moderation (views_participation.py).
participation = views_participation
comment = "ideas/<int:pk>/comments/<int:comment_pk>/"
urlpatterns += [
    path("ideas/moderation/", participation.moderation_queue, name="moderation"),
    path("ideas/moderation/reports/<int:report_pk>/close/", participation.report_close,
         name="report_close"),
    path("ideas/<int:pk>/comments/", participation.comment_create, name="comment_create"),
    path(comment + "edit/", participation.comment_edit, name="comment_edit"),
    path(comment + "report/", participation.comment_report, name="comment_report"),
    path(comment + "hide/", participation.comment_hide, name="comment_hide"),
    path(comment + "unhide/", participation.comment_unhide, name="comment_unhide"),
    path("ideas/<int:pk>/support/", participation.support, name="support"),
    path("ideas/<int:pk>/unsupport/", participation.unsupport, name="unsupport"),
    path("ideas/<int:pk>/follow/", participation.follow, name="follow"),
    path("ideas/<int:pk>/unfollow/", participation.unfollow, name="unfollow"),
    path("ideas/<int:pk>/report/", participation.idea_report, name="report"),
    path("ideas/<int:pk>/hide/", participation.idea_hide, name="hide"),
    path("ideas/<int:pk>/unhide/", participation.idea_unhide, name="unhide"),
]
