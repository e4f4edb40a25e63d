"""The data migration that brought the apps' own report models into moderation.Report (issue
13), shared by ideas' and discussions' migrations. Run with the migration's historical `apps`.

Every row of the old model becomes a moderation.Report with the app's child row, with all its
values (the time it was reported too); it keeps its id where no report of the other app has
taken it. Audit entries that named an old report name the new one, so the log's links hold.
Backwards, the child rows become rows of the old model again.
"""

from django.core.management.color import no_style

COMMON_FIELDS = ("reporter_id", "reason", "state", "created_at", "closed_at", "closed_by_id")


def _content_type(apps, label: str, create: bool):
    app_label, model = label.lower().split(".")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if create:
        return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]
    return ContentType.objects.filter(app_label=app_label, model=model).first()


def _reset_sequences(schema_editor, models) -> None:
    # Rows inserted with their old id leave PostgreSQL's id sequence behind (SQLite keeps up).
    statements = schema_editor.connection.ops.sequence_reset_sql(no_style(), models)
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _repoint_audit(apps, old_type, new_type, moved: dict) -> None:
    if old_type is None or not moved:
        return
    AuditEntry = apps.get_model("core", "AuditEntry")
    for old_pk, new_pk in moved.items():
        AuditEntry.objects.filter(content_type=old_type, object_id=str(old_pk)).update(
            content_type=new_type, object_id=str(new_pk))


def into_moderation(apps, schema_editor, *, old: str, new: str, links: tuple[str, ...]) -> None:
    """Rows of the app's old report model `old` ("ideas.Report") become moderation.Report rows
    with a child row of `new` ("ideas.IdeaReport") holding the `links` (foreign key ids)."""
    Old, New = apps.get_model(old), apps.get_model(new)
    Report = apps.get_model("moderation", "Report")
    moved = {}
    for row in Old.objects.order_by("pk").iterator():
        values = {name: getattr(row, name) for name in COMMON_FIELDS + links}
        if not Report.objects.filter(pk=row.pk).exists():
            values["pk"] = row.pk
        report = New.objects.create(**values)
        # created_at is set on insert (auto_now_add): the time it was reported comes back here.
        Report.objects.filter(pk=report.pk).update(created_at=row.created_at)
        moved[row.pk] = report.pk
    _reset_sequences(schema_editor, [Report])
    _repoint_audit(apps, _content_type(apps, old, create=False),
                   _content_type(apps, new, create=True), moved)


def out_of_moderation(apps, schema_editor, *, old: str, new: str, links: tuple[str, ...]) -> None:
    """Backwards: the child rows of `new` become rows of the app's old model `old` again."""
    Old, New = apps.get_model(old), apps.get_model(new)
    moved = {}
    for report in New.objects.order_by("pk").iterator():
        values = {name: getattr(report, name) for name in COMMON_FIELDS + links}
        row = Old.objects.create(pk=report.pk, **values)
        Old.objects.filter(pk=row.pk).update(created_at=report.created_at)
        moved[report.pk] = row.pk
    New.objects.all().delete()
    _reset_sequences(schema_editor, [Old])
    _repoint_audit(apps, _content_type(apps, new, create=False),
                   _content_type(apps, old, create=True), moved)
