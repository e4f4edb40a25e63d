from django.contrib import admin

from stadtallianz.core.admin import ReadOnlyAdmin

from .models import ConsentRecord, DocumentVersion


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdmin):
    """The coordination office edits the pages on the site, where each save is a version with an
    audit entry."""

    list_display = ["kind", "number", "created_at", "material_change"]
    list_filter = ["kind"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["user", "version", "accepted_at"]
    raw_id_fields = ["user"]
