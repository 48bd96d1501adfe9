"""Workflows as data, run through one guarded service.

A workflow is a table of transitions: name, the states it may start from, the state it leads to, and
the roles that may take it. ``run_transition`` is the only way a status changes: it locks the row,
checks the state and the actor's role, runs the transition's guard, writes the new state, records an
``AuditEvent`` (who, when, from, to, why) in the same transaction, and queues notifications only
once the transaction commits. An illegal change is refused with a translated message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from incubator import showcase
from incubator.audit.actions import declare, declare_states
from incubator.audit.services import record_event
from incubator.errors import ApplicationError
from incubator.permissions import user_has_role


class TransitionError(ApplicationError):
    """A change of state that is not allowed now; ``message`` is translated and says why."""


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    label: object = ""  # lazy translated verb for buttons ("Approve", "Return for correction")
    needs_reason: bool = False


@dataclass
class Workflow:
    name: str
    states: type  # a TextChoices class
    transitions: list[Transition] = field(default_factory=list)
    status_field: str = "status"

    def __post_init__(self):
        self._by_name = {t.name: t for t in self.transitions}
        known = set(self.states.values)
        for t in self.transitions:
            assert set(t.sources) | {t.target} <= known, f"{self.name}.{t.name} names an unknown state"
            declare(f"{self.name}.{t.name}", t.label or t.name)  # each transition is an audit action
        declare_states(self.name, self.states.choices)

    def __getitem__(self, name: str) -> Transition:
        return self._by_name[name]

    def can(self, name: str, obj, user) -> bool:
        transition = self[name]
        return getattr(obj, self.status_field) in transition.sources and user_has_role(user, transition.roles)

    def available(self, obj, user) -> list[Transition]:
        """Transitions the user could take from the object's present state (for buttons)."""
        state = getattr(obj, self.status_field)
        return [t for t in self.transitions if state in t.sources and user_has_role(user, t.roles)]


def run_transition(
    *,
    workflow: Workflow,
    obj,
    name: str,
    actor,
    reason: str = "",
    guard: Callable | None = None,
    apply: Callable | None = None,
    notify: Callable | None = None,
    system: bool = False,
):
    """Take transition ``name`` on ``obj``; returns the locked, updated instance.

    ``system=True`` is for scheduled jobs (closing a call at its deadline, ending a notice period): no
    person acts, so no role is checked; the audit row records no actor and the reason says why.

    ``guard(locked)`` may raise TransitionError; ``apply(locked)`` sets other fields before the save;
    ``notify(locked)`` runs after commit (queue e-mails there, never inside the transaction).
    """
    try:
        transition = workflow[name]
    except KeyError:
        raise TransitionError(_("There is no action “%(name)s”.") % {"name": name}) from None
    if not system and not user_has_role(actor, transition.roles):
        raise PermissionDenied(_("Your role does not allow this action: %(action)s.") % {"action": transition.label})
    if transition.needs_reason and not (reason or "").strip():
        raise TransitionError(_("Please give a reason for this action: %(action)s.") % {"action": transition.label})
    model = type(obj)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        current = getattr(locked, workflow.status_field)
        if current not in transition.sources:
            raise TransitionError(
                _("“%(action)s” is not possible while %(object)s is “%(state)s”.")
                % {
                    "action": transition.label,
                    "object": locked,
                    "state": workflow.states(current).label,
                }
            )
        if guard:
            guard(locked)
        setattr(locked, workflow.status_field, transition.target)
        if apply:
            apply(locked)
        locked.save()
        record_event(
            actor=actor,
            action=f"{workflow.name}.{transition.name}",
            subject=locked,
            from_state=current,
            to_state=transition.target,
            reason=reason,
        )
        showcase.changed()  # a change of state may change what the public sees; the cache decides on commit
        if notify:
            transaction.on_commit(lambda: notify(locked))
    return locked
