# Indexes that serve real clients' read shapes at national scale (issue 11, item 9): the default
# order (by id) of a datastream's or a feature's observations. On a large installation each
# index takes about a minute to build, during which observations cannot be written (ingest
# waits and retries; the MQTT broker keeps the messages).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sensorthings", "0003_rejected_messages")]

    operations = [
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(fields=["datastream", "id"], name="sta_obs_stream_id"),
        ),
        # (feature_of_interest, id) serves everything (feature_of_interest) did, and the order.
        migrations.RemoveIndex(model_name="observation", name="sta_obs_feature"),
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(fields=["feature_of_interest", "id"], name="sta_obs_feature_id"),
        ),
    ]
