# SensorThings 1.1 conformance (issue 11, item 8): a whole-number result is read back as an
# integer. Stored rows keep reading as before (result_integer false): whether a stored 20.0
# was sent as 20 or 20.0 is not known, so it is not guessed.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sensorthings", "0004_read_indexes")]

    operations = [
        migrations.AddField(
            model_name="observation",
            name="result_integer",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
