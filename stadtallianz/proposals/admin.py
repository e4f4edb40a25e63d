from django.contrib import admin

from .models import (
    Application,
    ApplicationDocument,
    ApplicationMember,
    BudgetLine,
    ChecklistItem,
    Grant,
    StateChange,
)


class MemberInline(admin.TabularInline):
    model = ApplicationMember
    extra = 0
    raw_id_fields = ["organisation"]


class StateChangeInline(admin.TabularInline):
    model = StateChange
    extra = 0
    raw_id_fields = ["changed_by"]


class ChecklistInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    raw_id_fields = ["done_by"]


class GrantInline(admin.StackedInline):
    model = Grant
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    # Changes made here bypass the services (no budget checks, no transitions' rules, no audit):
    # for repairs only.
    list_display = ["title", "call", "state", "published", "submitted_on", "created_at"]
    list_filter = ["state", "published"]
    search_fields = ["title", "call__title_de", "project__title_de"]
    raw_id_fields = ["call", "project", "idea", "created_by"]
    inlines = [MemberInline, StateChangeInline, ChecklistInline, GrantInline]


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["member", "category", "amount", "own_contribution", "requested"]
    list_filter = ["category"]
    raw_id_fields = ["member"]


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(admin.ModelAdmin):
    list_display = ["application", "document", "created_at"]
    raw_id_fields = ["application", "document", "added_by"]
