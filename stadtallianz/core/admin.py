from django.contrib import admin

from .models import AuditEntry, FocusArea, Principle, SDGTarget, SustainableDevelopmentGoal


class ReadOnlyAdmin(admin.ModelAdmin):
    """For looking things up only: changes go through the pages and the API, which check
    permissions, keep versions and counters right and write the audit log."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_de", "name_en", "position", "is_active"]
    list_editable = ["position", "is_active"]


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["number", "name_de", "name_en"]


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(admin.ModelAdmin):
    list_display = ["number", "name_de", "name_en"]


@admin.register(SDGTarget)
class SDGTargetAdmin(admin.ModelAdmin):
    list_display = ["code", "name_de", "name_en", "goal"]
    list_filter = ["goal"]
    search_fields = ["code", "name_de", "name_en"]
    ordering = ["goal__number", "position"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_repr", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["actor_repr", "object_repr", "action"]
