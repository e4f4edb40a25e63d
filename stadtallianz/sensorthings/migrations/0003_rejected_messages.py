# Reserved for the dead-letter record of rejected device messages (issue 11, item 1).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sensorthings", "0002_delivery_receipts")]

    operations = []
