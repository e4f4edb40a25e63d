from django.contrib import admin

from stadtallianz.core.admin import ReadOnlyAdmin

from .models import CoAuthor, Idea, IdeaImage, IdeaVersion


class VersionInline(admin.TabularInline):
    model = IdeaVersion
    fields = ["number", "title", "author", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class CoAuthorInline(admin.TabularInline):
    model = CoAuthor
    fk_name = "idea"
    fields = ["user", "state", "invited_by", "created_at", "accepted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ImageInline(admin.TabularInline):
    model = IdeaImage
    fields = ["image", "alt_text", "position", "uploaded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Idea)
class IdeaAdmin(ReadOnlyAdmin):
    list_display = ["title", "state", "working_group", "support_count", "comment_count",
                    "version", "hidden_at", "created_at"]
    list_filter = ["state", "working_group"]
    search_fields = ["title", "description"]
    list_select_related = ["working_group"]
    inlines = [CoAuthorInline, ImageInline, VersionInline]
