# NotificationPreference and PendingDigestItem now belong to incubator.notifications (same tables).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_notification_preferences'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='NotificationPreference'),
                migrations.DeleteModel(name='PendingDigestItem'),
            ],
        ),
    ]
