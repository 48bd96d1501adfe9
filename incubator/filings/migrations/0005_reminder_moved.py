# Reminder now belongs to orgs (projects and courses remind too); its table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('filings', '0004_bounded_text'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='Reminder')],
        ),
    ]
