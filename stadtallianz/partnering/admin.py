"""Admin views of partner searches for an operator (read mostly: the pages and services are
where partners work, with audit entries and the contact rule of reveal.py)."""

from django.contrib import admin

from .models import Interest, Notice


class InterestInline(admin.TabularInline):
    model = Interest
    extra = 0
    raw_id_fields = ["organisation", "person"]
    readonly_fields = ["created_at", "responded_at"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title_de", "organisation", "state", "deadline", "expires_on", "created_at"]
    list_filter = ["state"]
    search_fields = ["title_de", "title_en", "organisation__name"]
    raw_id_fields = ["organisation", "created_by", "project", "idea", "call"]
    filter_horizontal = ["focus_areas"]
    readonly_fields = ["created_at", "updated_at", "renewed_at", "closed_at"]
    inlines = [InterestInline]
