"""The coordination office's view of the discussions in Django's admin: for looking things up.
Changes go through the pages (and so through services.py and the audit log)."""

from django.contrib import admin

from .models import Post, PostReport, Thread


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["title", "group", "visibility", "pinned", "last_activity_at"]
    list_filter = ["visibility", "pinned"]
    search_fields = ["title"]
    list_select_related = ["group"]


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "author", "created_at", "edited_at", "hidden_at"]
    list_select_related = ["thread", "author"]


@admin.register(PostReport)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "reporter", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["post__thread", "reporter"]
