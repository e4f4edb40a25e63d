"""Loads the reference data: the eight guiding principles, the default focus areas, the 17 SDGs.

The records stay editable afterwards; the data files in core/data/ are only the starting point.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    for model_name, file_name, key in [
        ("Principle", "principles.json", "number"),
        ("FocusArea", "focus_areas.json", "slug"),
        ("SustainableDevelopmentGoal", "sdgs.json", "number"),
    ]:
        model = apps.get_model("core", model_name)
        for record in json.loads((DATA / file_name).read_text(encoding="utf-8")):
            model.objects.update_or_create(**{key: record[key]}, defaults=record)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
