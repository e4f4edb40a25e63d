from django.contrib import admin

from .models import Call, CallFollow, CallRate, Deadline, DeadlineReminder, Programme


class CallRateInline(admin.TabularInline):
    model = CallRate
    extra = 0


class DeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0
    readonly_fields = ["uid"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name_de", "funder", "level"]
    list_filter = ["level"]
    search_fields = ["name_de", "name_en", "funder", "slug"]
    raw_id_fields = ["created_by"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    # Changes made here bypass the services (no cross-field checks, no audit): for repairs only.
    list_display = ["title_de", "source_id", "programme", "state", "verified_on"]
    list_filter = ["state", "source", "programme__level"]
    search_fields = ["title_de", "title_en", "source_id", "slug"]
    raw_id_fields = ["created_by", "verified_by", "programme"]
    inlines = [CallRateInline, DeadlineInline]


@admin.register(CallFollow)
class CallFollowAdmin(admin.ModelAdmin):
    list_display = ["call", "user", "created_at"]
    raw_id_fields = ["call", "user"]


@admin.register(DeadlineReminder)
class DeadlineReminderAdmin(admin.ModelAdmin):
    list_display = ["deadline", "days_before", "sent_at", "recipients"]
    readonly_fields = ["deadline", "days_before", "due_at", "sent_at", "recipients"]
