# Reserved for indexes that serve real clients' read shapes at national scale (issue 11, items 2 and 9).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sensorthings", "0003_rejected_messages")]

    operations = []
