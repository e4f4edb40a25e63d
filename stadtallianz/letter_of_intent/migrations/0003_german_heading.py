"""The German heading of version 1 says "Absichtserklärung", the platform's one term for the
letter of intent (issue 14, "Language"); a heading the office already changed stays as it is."""

from django.db import migrations

OLD = "Letter of Intent für die „Allianz Smart City Münster“"
NEW = "Absichtserklärung für die „Allianz Smart City Münster“"


def forwards(apps, schema_editor):
    apps.get_model("letter_of_intent", "Version").objects.filter(
        number=1, title_de=OLD).update(title_de=NEW)


def backwards(apps, schema_editor):
    apps.get_model("letter_of_intent", "Version").objects.filter(
        number=1, title_de=NEW).update(title_de=OLD)


class Migration(migrations.Migration):
    dependencies = [("letter_of_intent", "0002_first_version")]
    operations = [migrations.RunPython(forwards, backwards)]
