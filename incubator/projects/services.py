"""Funded projects: created from an award, contracted with installments, paid as conditions are met."""

from __future__ import annotations

import datetime
import io
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.audit.services import record_event
from incubator.funding.models import Application, ApplicationStatus
from incubator.projects.models import DEFAULT_SPLIT, Condition, Installment, Project, ProjectStatus
from incubator.workflow import OPERATORS, TransitionError, user_has_role

CENT = Decimal("0.01")


def split_award(award: Decimal, split=DEFAULT_SPLIT) -> list[tuple[Decimal, Decimal, str]]:
    """Shares of the award; the last installment takes the rounding so the total is always the award."""
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


@transaction.atomic
def create_project(*, actor, application: Application) -> Project:
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators open projects."))
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.AWARDED or not locked.awarded_amount:
        raise TransitionError(_("A project is opened from an awarded application."))
    if Project.objects.filter(application=locked).exists():
        raise TransitionError(_("This application already has its project."))
    project = Project.objects.create(application=locked, award=locked.awarded_amount)
    Installment.objects.bulk_create(
        Installment(project=project, position=index, percent=percent, amount=amount, condition=condition)
        for index, (percent, amount, condition) in enumerate(split_award(project.award), start=1)
    )
    record_event(actor=actor, action="project.created", subject=project, to_state=project.status)
    return project


def sign_contract(*, actor, project: Project, signed_on: datetime.date | None = None) -> Project:
    """Both parties have signed: the project starts and the first installment's condition holds."""
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators record the signing."))
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status != ProjectStatus.CONTRACTING:
            raise TransitionError(_("The contract of %(project)s is already signed.") % {"project": locked})
        locked.signed_on = signed_on or timezone.localdate()
        locked.status = ProjectStatus.ACTIVE
        locked.save()
        meet_condition(project=locked, condition=Condition.SIGNING, on=locked.signed_on)
        record_event(actor=actor, action="project.signed", subject=locked, from_state="contracting", to_state="active")
    return locked


def meet_condition(*, project: Project, condition: str, on: datetime.date) -> int:
    """Called by the step that satisfies a condition (signing, mid-term review, final evaluation)."""
    return Installment.objects.filter(project=project, condition=condition, condition_met_on__isnull=True).update(
        condition_met_on=on
    )


def release_installment(*, actor, installment: Installment, released_on: datetime.date | None = None) -> Installment:
    if not user_has_role(actor, OPERATORS):
        raise PermissionDenied(_("Only hub operators record releases."))
    with transaction.atomic():
        locked = Installment.objects.select_for_update().select_related("project").get(pk=installment.pk)
        if locked.released_on:
            raise TransitionError(_("Installment %(n)d was already released.") % {"n": locked.position})
        if locked.project.status == ProjectStatus.TERMINATED:
            raise TransitionError(_("The project was terminated; nothing more is released."))
        if not locked.condition_met_on:
            raise TransitionError(
                _("Installment %(n)d waits for its condition: %(condition)s.")
                % {"n": locked.position, "condition": locked.get_condition_display()}
            )
        earlier = Installment.objects.filter(
            project=locked.project, position__lt=locked.position, released_on__isnull=True
        )
        if earlier.exists():
            raise TransitionError(_("Release the earlier installments first."))
        locked.released_on = released_on or timezone.localdate()
        locked.save(update_fields=["released_on"])
        record_event(
            actor=actor,
            action="installment.released",
            subject=locked.project,
            reason=f"{locked.position}: {locked.amount}",
        )
    return locked


def contract_pdf(project: Project) -> bytes:
    """The contract in Chinese, with reportlab's built-in STSong-Light CID font: nothing to install."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=18)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1)
    application = project.application
    from django.db import connection

    hub = connection.tenant
    story = [
        Paragraph("公益创投项目资助协议", title),
        Spacer(1, 12),
        Paragraph(f"甲方（资助方）：{hub.name}", body),
        Paragraph(f"乙方（项目执行方）：{application.organisation.name}", body),
        Paragraph(f"项目名称：{application.title}", body),
        Paragraph(f"所属征集：{application.call.title}", body),
        Paragraph(f"资助金额：人民币 {project.award} 元", body),
        Paragraph(f"项目周期：{application.starts_on or ''} 至 {application.ends_on or ''}", body),
        Spacer(1, 10),
        Paragraph("一、项目目标", body),
    ]
    for objective in application.objectives.all():
        story.append(
            Paragraph(
                f"{objective.get_term_display()}：{objective.description}（{objective.indicator}："
                f"{objective.target}{objective.unit}）",
                body,
            )
        )
    story += [Spacer(1, 8), Paragraph("二、拨款安排（尾款在第三方评估验收合格后拨付）", body)]
    rows = [["期次", "比例", "金额（元）", "拨付条件"]] + [
        [str(i.position), f"{i.percent}%", str(i.amount), i.get_condition_display()] for i in project.installments.all()
    ]
    table = Table(rows, hAlign="LEFT")
    table.setStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, "#999999")])
    story += [
        table,
        Spacer(1, 16),
        Paragraph("甲方（盖章）：                乙方（盖章）：", body),
        Paragraph(f"签订日期：{project.signed_on or '　　年　　月　　日'}", body),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=application.title).build(story)
    return buffer.getvalue()
