from django.contrib import admin

from .models import Event, Registration


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    # Changes made here bypass the services (no SEQUENCE bump, no e-mails): for repairs only.
    list_display = ["title_de", "group", "starts_at", "state", "visibility"]
    list_filter = ["state", "visibility", "format"]
    search_fields = ["title_de", "title_en", "slug"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["uid", "sequence"]
    inlines = [RegistrationInline]
