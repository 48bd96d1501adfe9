from incubator.audit.models import AuditEvent


def record_event(*, actor, action: str, subject, from_state: str = "", to_state: str = "", reason: str = ""):
    """Write an audit row in the current hub's schema, inside the caller's transaction."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
