# The coordinator flag's help text names the office (a deployment setting); the admin form
# fills it in, so no model state depends on the setting (accounts/admin.py).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_display_name_unique'),
    ]

    operations = [
        migrations.AlterField(
            model_name='user',
            name='is_coordinator',
            field=models.BooleanField(default=False, verbose_name='coordinator'),
        ),
    ]
