from django.contrib import admin

from .models import GroupMembership, GroupOrganisation, WorkingGroup


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    raw_id_fields = ["user"]


class OrganisationInline(admin.TabularInline):
    model = GroupOrganisation
    extra = 0
    raw_id_fields = ["organisation"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name_de", "state", "join_policy", "created_at"]
    list_filter = ["state", "join_policy", "focus_areas"]
    search_fields = ["name_de", "name_en", "slug"]
    inlines = [MembershipInline, OrganisationInline]
