"""The contract (合同), its installments (分期拨付) and the people assigned to a project (督导, 评估)."""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import showcase
from incubator.accounts.roles import Role
from incubator.audit.services import record_event
from incubator.funding.models import Application, ApplicationStatus
from incubator.notifications.services import notify
from incubator.orgs.models import Membership
from incubator.orgs.selectors import members_of
from incubator.permissions import OPERATORS
from incubator.projects.models import (
    FINISHED,
    Condition,
    Installment,
    Project,
)
from incubator.projects.services.lifecycle import CENT, S, _current, _require, _step, add_months
from incubator.workflow import TransitionError

# --- Contract and installments --------------------------------------------------------------------------


def split_award(award: Decimal, split) -> list[tuple[Decimal, Decimal, str]]:
    """Shares of the award; the last installment takes the rounding so the total is always the award."""
    split = [(Decimal(percent), condition) for percent, condition in split if Decimal(percent) > 0]
    if sum(percent for percent, _condition in split) != 100:
        raise ValueError("installment shares must add up to 100")
    parts, given = [], Decimal("0.00")
    for index, (percent, condition) in enumerate(split):
        if index == len(split) - 1:
            amount = award - given
        else:
            amount = (award * percent / 100).quantize(CENT, rounding=ROUND_DOWN)
        given += amount
        parts.append((percent, amount, condition))
    return parts


def call_split(call) -> list[tuple[Decimal, str]]:
    return [
        (call.first_installment_percent, Condition.SIGNING),
        (call.second_installment_percent, Condition.MID_TERM),
        (call.final_installment_percent, Condition.EVALUATION),
    ]


@transaction.atomic
def create_project(*, actor, application: Application, system: bool = False) -> Project:
    """Open the project of an awarded application, with its installments as the call sets them."""
    if not system:
        _require(actor, OPERATORS, _("Only hub operators open projects."))
    locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if locked.status != ApplicationStatus.AWARDED or not locked.awarded_amount:
        raise TransitionError(_("A project is opened from an awarded application."))
    if Project.objects.filter(application=locked).exists():
        raise TransitionError(_("This application already has its project."))
    project = Project.objects.create(
        application=locked,
        award=locked.awarded_amount,
        starts_on=locked.starts_on,
        ends_on=locked.ends_on,
        final_report_due_on=add_months(locked.ends_on, 1) if locked.ends_on else None,
    )
    Installment.objects.bulk_create(
        Installment(project=project, position=index, percent=percent, amount=amount, condition=condition)
        for index, (percent, amount, condition) in enumerate(
            split_award(project.award, call_split(locked.call)), start=1
        )
    )
    record_event(
        actor=actor,
        action="project.created",
        subject=project,
        to_state=project.status,
        reason=_("Opened automatically when the award became final.") if system else "",
    )
    showcase.changed()  # the home page counts the projects funded
    return project


def sign_contract(
    *,
    actor,
    project: Project,
    signed_on: datetime.date | None = None,
    signed_by_organisation: str = "",
    signed_by_hub: str = "",
) -> Project:
    """Both parties have signed: the project starts and the first installment's condition holds."""
    signed_on = signed_on or timezone.localdate()
    problems = []
    if not signed_by_organisation.strip():
        problems.append(_("Name who signed for the organisation."))
    if not signed_by_hub.strip():
        problems.append(_("Name who signed for the hub."))
    if signed_on > timezone.localdate():
        problems.append(_("The signing date cannot be in the future."))
    if problems:
        raise ValidationError(problems)

    def apply(locked):
        locked.signed_on = signed_on
        locked.signed_by_organisation = signed_by_organisation.strip()
        locked.signed_by_hub = signed_by_hub.strip()
        meet_condition(project=locked, condition=Condition.SIGNING, on=signed_on)

    return _step(project, "sign", actor, apply=apply)


def meet_condition(*, project: Project, condition: str, on: datetime.date) -> int:
    """Called by the step that satisfies a condition (signing, mid-term review, final evaluation)."""
    return Installment.objects.filter(project=project, condition=condition, condition_met_on__isnull=True).update(
        condition_met_on=on
    )


def release_installment(*, actor, installment: Installment, released_on: datetime.date | None = None) -> Installment:
    _require(actor, OPERATORS, _("Only hub operators record releases."))
    with transaction.atomic():
        # The project first (as every transition locks it), so a termination cannot slip in between.
        Project.objects.select_for_update().filter(pk=installment.project_id).first()
        locked = Installment.objects.select_for_update().select_related("project").get(pk=installment.pk)
        _release(locked, actor, released_on or timezone.localdate())
    return locked


def _release(locked: Installment, actor, released_on: datetime.date) -> None:
    if locked.released_on:
        raise TransitionError(_("Installment %(n)d was already released.") % {"n": locked.position})
    if locked.project.status == S.TERMINATED:
        raise TransitionError(_("The project was terminated; nothing more is released."))
    if not locked.condition_met_on:
        raise TransitionError(
            _("Installment %(n)d waits for its condition: %(condition)s.")
            % {"n": locked.position, "condition": locked.get_condition_display()}
        )
    if Installment.objects.filter(
        project=locked.project, position__lt=locked.position, released_on__isnull=True
    ).exists():
        raise TransitionError(_("Release the earlier installments first."))
    locked.released_on = released_on
    locked.released_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["released_on", "released_by"])
    text = _("Installment %(n)d: %(amount)s yuan") % {"n": locked.position, "amount": locked.amount}
    record_event(actor=actor, action="installment.released", subject=locked.project, reason=text)
    project = locked.project
    notify(
        "installment.released",
        to=members_of(project.application.organisation),
        context={"n": locked.position, "amount": locked.amount, "project": project, "date": released_on},
    )


def money_summary(project: Project) -> dict:
    installments = list(project.installments.all())
    released = sum((i.amount for i in installments if i.released_on), Decimal("0.00"))
    return {"award": project.award, "released": released, "outstanding": project.award - released}


# --- Assignments -------------------------------------------------------------------------------------------


def _assign(actor, project, *, person, agency, role, field, agency_field, label):
    project = _current(project)
    _require(actor, OPERATORS, _("Only hub operators assign supervisors and evaluators."))
    if project.status in FINISHED:
        raise TransitionError(_("The project is finished."))
    if not person.groups.filter(name=role).exists():
        raise ValidationError(_("%(person)s does not have the role “%(role)s”.") % {"person": person, "role": label})
    if Membership.objects.filter(user=person, organisation_id=project.application.organisation_id).exists():
        raise ValidationError(
            _("%(person)s acts for %(organisation)s and cannot be its %(role)s.")
            % {"person": person, "organisation": project.application.organisation, "role": label}
        )
    if (role == Role.EVALUATOR and project.supervisor_id == person.pk) or (
        role == Role.SUPERVISOR and project.evaluator_id == person.pk
    ):
        raise ValidationError(_("The third-party evaluator must be independent of the project's supervisor."))
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        setattr(locked, field, person)
        setattr(locked, agency_field, (agency or "").strip())
        locked.save(update_fields=[field, agency_field])
        record_event(actor=actor, action=f"project.{field}_assigned", subject=locked, reason=f"{person} {agency or ''}")
        notify(
            "project.assigned",
            to=[person],
            context={"role": label, "project": locked, "organisation": locked.application.organisation},
        )
    return locked


def assign_supervisor(*, actor, project: Project, supervisor, agency: str = "") -> Project:
    return _assign(
        actor,
        project,
        person=supervisor,
        agency=agency,
        role=Role.SUPERVISOR,
        field="supervisor",
        agency_field="supervision_agency",
        label=Role.SUPERVISOR.label,
    )


def assign_evaluator(*, actor, project: Project, evaluator, agency: str = "") -> Project:
    return _assign(
        actor,
        project,
        person=evaluator,
        agency=agency,
        role=Role.EVALUATOR,
        field="evaluator",
        agency_field="evaluation_agency",
        label=Role.EVALUATOR.label,
    )
