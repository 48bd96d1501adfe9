from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError(_("An e-mail address is required."))
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person's account. Lives in one hub's schema (or, for platform staff, in the public schema):
    somebody who works with two hubs has two accounts, as they have two relationships."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )
    welcome_sent_at = models.DateTimeField(_("welcome e-mail sent at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email


class NotificationKind(models.TextChoices):
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
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("kind of message"), max_length=20, choices=NotificationKind.choices)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user}: {self.kind} → {self.delivery}"


class PendingDigestItem(models.Model):
    """A message waiting for the recipient's daily digest."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pending_digest_items")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.subject
