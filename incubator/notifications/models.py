from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a person chooses how to receive; every event in ``events.py`` belongs to one kind."""

    DECISION = "decision", _("Decisions about my applications and filings")  # legally required
    STATUS = "status", _("Progress of my applications, incubation and filings")
    REVIEW = "review", _("Review assignments")
    REMINDER = "reminder", _("Reminders of due dates")
    OPERATIONS = "operations", _("New applications, submissions and objections (operators)")


# Decisions open a right to object or appeal: their notice may not be switched off.
REQUIRED_KINDS = frozenset({NotificationKind.DECISION})


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("In a daily digest")
    NONE = "none", _("Not at all")


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind of message"), max_length=20, choices=NotificationKind.choices)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        # The table predates this app (it was the accounts app's): kept, so moving the model moved no data.
        db_table = "accounts_notificationpreference"
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user}: {self.kind} → {self.delivery}"


class PendingDigestItem(models.Model):
    """A message waiting for the recipient's daily digest, already in the recipient's language."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_digest_items")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "accounts_pendingdigestitem"
        ordering = ["created_at"]

    def __str__(self):
        return self.subject
