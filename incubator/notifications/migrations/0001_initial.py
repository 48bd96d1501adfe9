# The models moved here from accounts with their tables: state only, no data moved.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_notification_preferences'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='PendingDigestItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject', models.CharField(max_length=300)),
                ('body', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pending_digest_items', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'accounts_pendingdigestitem',
                'ordering': ['created_at'],
            },
        ),
        migrations.CreateModel(
            name='NotificationPreference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('decision', 'Decisions about my applications and filings'), ('status', 'Progress of my applications, incubation and filings'), ('review', 'Review assignments'), ('reminder', 'Reminders of due dates'), ('operations', 'New applications, submissions and objections (operators)')], max_length=20, verbose_name='kind of message')),
                ('delivery', models.CharField(choices=[('immediate', 'Immediately'), ('digest', 'In a daily digest'), ('none', 'Not at all')], default='immediate', max_length=20, verbose_name='delivery')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preferences', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'accounts_notificationpreference',
                'verbose_name': 'notification preference',
                'verbose_name_plural': 'notification preferences',
                'constraints': [models.UniqueConstraint(fields=('user', 'kind'), name='one_preference_per_kind')],
            },
        ),
            ],
        ),
    ]
