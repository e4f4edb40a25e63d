"""The search index in Django's admin, read only: for checking what a type put into it. The
index is written by the indexers alone (signals and `rebuild_search_index`)."""

from django.contrib import admin

from stadtallianz.core.admin import ReadOnlyAdmin

from .models import SearchEntry


@admin.register(SearchEntry)
class SearchEntryAdmin(ReadOnlyAdmin):
    list_display = ["title_de", "type", "object_id", "members_only", "group_id", "indexed_at"]
    list_filter = ["type", "members_only"]
    search_fields = ["title_de"]
    exclude = ["vector", "title_vector"]
