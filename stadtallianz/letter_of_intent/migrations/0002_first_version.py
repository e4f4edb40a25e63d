"""Version 1 of the letter of intent: the text of the Allianz Smart City Münster (seed)."""

from pathlib import Path

from django.db import migrations
from django.utils import timezone

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Version = apps.get_model("letter_of_intent", "Version")
    Version.objects.get_or_create(
        number=1,
        defaults={
            "title_de": "Letter of Intent für die „Allianz Smart City Münster“",
            "title_en": "Letter of intent for the “Allianz Smart City Münster”",
            "text_de": (DATA / "letter_v1_de.md").read_text(encoding="utf-8"),
            "text_en": (DATA / "letter_v1_en.md").read_text(encoding="utf-8"),
            "published_at": timezone.now(),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("letter_of_intent", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
