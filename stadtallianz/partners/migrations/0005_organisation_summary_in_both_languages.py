# Written by hand: the existing one-language summary becomes the German one (its column renamed,
# the text kept), and an English summary is added, empty in the database too.

from django.db import migrations, models

HELP = "One line on what the organisation offers the alliance, shown on its card."


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0004_organisation_summary_and_contact"),
    ]

    operations = [
        migrations.RenameField(model_name="organisation", old_name="summary", new_name="summary_de"),
        migrations.AlterField(
            model_name="organisation",
            name="summary_de",
            field=models.CharField(blank=True, default="", db_default="", max_length=160,
                                   verbose_name="summary (German)", help_text=HELP),
        ),
        migrations.AddField(
            model_name="organisation",
            name="summary_en",
            field=models.CharField(blank=True, default="", db_default="", max_length=160,
                                   verbose_name="summary (English)", help_text=HELP),
        ),
    ]
