"""Admin views of projects for the coordination office (read mostly; the pages and services are
where the team works, with audit entries)."""

from django.contrib import admin

from .models import (
    BudgetLine,
    ConsortiumMember,
    Milestone,
    PhasePeriod,
    Project,
    ProjectPlace,
    ProjectSDG,
    ProjectUpdate,
    Result,
)


class ConsortiumInline(admin.TabularInline):
    model = ConsortiumMember
    extra = 0
    raw_id_fields = ["organisation", "invited_by"]


class ResultInline(admin.TabularInline):
    model = Result
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class BudgetInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title_de", "phase", "progress", "working_group", "updated_at"]
    list_filter = ["phase"]
    search_fields = ["title_de", "title_en", "slug"]
    readonly_fields = ["version", "progress", "created_by", "origin_idea"]
    raw_id_fields = ["working_group"]
    inlines = [ConsortiumInline, MilestoneInline, ResultInline, BudgetInline]


for model in (PhasePeriod, ProjectPlace, ProjectSDG, ProjectUpdate):
    admin.site.register(model)
