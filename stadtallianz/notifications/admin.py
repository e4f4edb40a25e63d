from django.contrib import admin

from .models import Notification, NotificationSettings


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at", "emailed_at",
                    "email_attempts"]
    list_filter = ["kind"]
    search_fields = ["subject", "key", "recipient__email"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at"]


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "email_mode", "updated_at"]
    list_filter = ["email_mode"]
    raw_id_fields = ["user"]
