"""Loads the 169 SDG targets (short titles in German and English) from core/data/sdg_targets.json.

Source: the targets of the UN resolution A/RES/70/1 ("Transforming our world: the 2030 Agenda
for Sustainable Development"); the short titles follow the UN's own short forms and the official
German translation (see docs/standards.md).
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    goal_model = apps.get_model("core", "SustainableDevelopmentGoal")
    target_model = apps.get_model("core", "SDGTarget")
    goals = {goal.number: goal for goal in goal_model.objects.all()}
    for record in json.loads((DATA / "sdg_targets.json").read_text(encoding="utf-8")):
        goal = goals.get(record.pop("goal"))
        if goal is None:  # a deployment that deleted a goal keeps it deleted
            continue
        target_model.objects.update_or_create(code=record["code"], defaults={**record, "goal": goal})


class Migration(migrations.Migration):
    dependencies = [("core", "0003_sdg_targets")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
