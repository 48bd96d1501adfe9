from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One change of state within a hub: who, when, what, from, to, why (审计记录)."""

    occurred_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=100)
    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.CharField(_("subject id"), max_length=64)
    from_state = models.CharField(_("from"), max_length=50, blank=True)
    to_state = models.CharField(_("to"), max_length=50, blank=True)
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.action} {self.subject_type}#{self.subject_id}"

    @property
    def action_label(self):
        from incubator.audit.actions import label_of

        return label_of(self.action)

    @property
    def from_state_label(self):
        from incubator.audit.actions import state_label_of

        return state_label_of(self.action, self.from_state)

    @property
    def to_state_label(self):
        from incubator.audit.actions import state_label_of

        return state_label_of(self.action, self.to_state)
