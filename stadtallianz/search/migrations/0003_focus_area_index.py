from django.db import migrations


class Migration(migrations.Migration):
    """The focus-area filter looks up (focus area, entry) pairs: an index in that order answers
    it from the index alone (the many-to-many table's own indexes are per column)."""

    dependencies = [
        ("search", "0002_title_vector"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX search_entry_focus_area_entry ON search_searchentry_focus_areas "
            "(focusarea_id, searchentry_id)",
            "DROP INDEX search_entry_focus_area_entry"),
    ]
