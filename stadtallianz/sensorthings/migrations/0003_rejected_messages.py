# The dead-letter record of rejected device messages (issue 11, item 1).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("livinglabs", "0001_initial"),
        ("sensorthings", "0002_delivery_receipts"),
    ]

    operations = [
        migrations.CreateModel(
            name="RejectedMessage",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("received_at", models.DateTimeField()),
                ("topic", models.CharField(max_length=300)),
                ("username", models.CharField(blank=True, max_length=200)),
                ("reason", models.TextField()),
                ("excerpt", models.TextField(blank=True)),
                ("size", models.PositiveIntegerField()),
                ("lab", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                    related_name="+", to="livinglabs.livinglab")),
            ],
            options={
                "ordering": ["-received_at", "-id"],
                "indexes": [
                    models.Index(fields=["lab", "-received_at"], name="sta_rejected_lab_time"),
                    models.Index(fields=["received_at"], name="sta_rejected_time"),
                ],
            },
        ),
    ]
