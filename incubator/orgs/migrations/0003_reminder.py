# Reminder moved here from filings with its table: state only, no data moved.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_bounded_text'),
        ('filings', '0005_reminder_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Reminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('message', models.CharField(max_length=300, verbose_name='message')),
                        ('due_on', models.DateField(blank=True, null=True, verbose_name='due on')),
                        ('key', models.CharField(help_text='deduplicates reminders sent by scheduled jobs', max_length=100)),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='orgs.organisation')),
                    ],
                    options={
                        'db_table': 'filings_reminder',
                        'verbose_name': 'reminder',
                        'verbose_name_plural': 'reminders',
                        'ordering': ['-created_at'],
                        'constraints': [models.UniqueConstraint(fields=('organisation', 'key'), name='reminder_unique_key')],
                    },
                ),
            ],
        ),
    ]
