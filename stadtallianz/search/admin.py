"""The search index in Django's admin, read only: for checking what a type put into it. The
index is written by the indexers alone (signals and `rebuild_search_index`)."""

from django.contrib import admin

from .models import SearchEntry


@admin.register(SearchEntry)
class SearchEntryAdmin(admin.ModelAdmin):
    list_display = ["title_de", "type", "object_id", "members_only", "group_id", "indexed_at"]
    list_filter = ["type", "members_only"]
    search_fields = ["title_de"]
    exclude = ["vector", "title_vector"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
