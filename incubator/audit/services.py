from django.db import connection

from incubator.audit.actions import ACTIONS
from incubator.audit.models import AuditEvent


class AuditError(RuntimeError):
    """A programming error: an undeclared action, or an audit row that could outlive a rolled-back change."""


def record_event(*, actor, action: str, subject, from_state: str = "", to_state: str = "", reason: str = ""):
    """Write an audit row in the current hub's schema, inside the caller's transaction: the change and its
    record commit or roll back together, so an audit row outside a transaction is refused."""
    if action not in ACTIONS:
        raise AuditError(f"Undeclared audit action {action!r}: declare it in incubator/audit/actions.py")
    if not connection.in_atomic_block:
        raise AuditError(f"Audit event {action!r} written outside a transaction: wrap the change and its record")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
