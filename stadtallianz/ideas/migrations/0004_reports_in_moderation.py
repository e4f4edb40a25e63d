"""The app's reports move into the one report model, moderation.Report (issue 13)."""

import django.db.models.deletion
from functools import partial

from django.db import migrations, models

from stadtallianz.moderation.migrating import into_moderation, out_of_moderation

MOVE = {"old": "ideas.Report", "new": "ideas.IdeaReport", "links": ("idea_id", "comment_id")}


class Migration(migrations.Migration):

    dependencies = [
        ('ideas', '0003_list_indexes_end_in_the_key'),
        ('moderation', '0001_initial'),
        ('core', '0006_process_heartbeat'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='IdeaReport',
            fields=[
                ('report_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to='moderation.report')),
                ('comment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='ideas.comment')),
                ('idea', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='ideas.idea')),
            ],
            options={
                'verbose_name': 'report',
                'verbose_name_plural': 'reports',
                'ordering': ['created_at', 'pk'],
            },
            bases=('moderation.report',),
        ),
        # Every report moves into moderation.Report before the old table goes (moderation/
        # migrating.py); backwards, they move back.
        migrations.RunPython(partial(into_moderation, **MOVE), partial(out_of_moderation, **MOVE)),
        migrations.DeleteModel(
            name='Report',
        ),
    ]
