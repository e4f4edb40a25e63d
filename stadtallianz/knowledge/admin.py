from django.contrib import admin

from stadtallianz.core.admin import ReadOnlyAdmin

from .models import Article, Document, DocumentVersion


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "group", "visibility", "state", "published_at"]
    list_filter = ["kind", "visibility", "state", "language"]
    search_fields = ["title", "summary"]


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    fields = ["number", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Document)
class DocumentAdmin(ArticleAdmin):
    list_display = ["title", "group", "event", "article", "visibility", "download_count"]
    list_filter = ["visibility"]
    search_fields = ["title", "description"]
    inlines = [VersionInline]
