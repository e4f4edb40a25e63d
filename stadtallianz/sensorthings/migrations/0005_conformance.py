# Reserved for SensorThings 1.1 conformance changes: result types, observedArea (issue 11, item 8).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sensorthings", "0004_read_indexes")]

    operations = []
