"""The applicant's receipt (申报回执) as a PDF: what was submitted and when, in the reader's language."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from incubator.funding.models import Application, TargetGroup
from incubator.pdf import Document


def receipt_pdf(application: Application) -> bytes:
    doc = Document(base_size=10.5)

    def p(text, style=None):
        return doc.p("—" if text in (None, "") else text, style)

    def table(rows, shares):
        return doc.table([["—" if value in (None, "") else value for value in row] for row in rows], shares)

    submitted = (
        timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M:%S") if application.submitted_at else ""
    )
    lines = list(application.budget_lines.all())
    total = sum((line.amount for line in lines), Decimal("0.00"))
    story = [
        p(_("Application receipt"), doc.title),
        doc.space(10),
        p(_("Receipt number: %(number)s") % {"number": f"SB-{application.call_id:03d}-{application.pk:05d}"}),
        p(_("Hub: %(hub)s") % {"hub": connection.tenant.name}),
        p(_("Call: %(call)s") % {"call": application.call.title}),
        p(_("Organisation: %(organisation)s") % {"organisation": application.organisation.name}),
        p(_("Submitted at: %(time)s (Beijing time)") % {"time": submitted}),
        p(_("Status: %(status)s") % {"status": application.get_status_display()}),
        p(_("project title"), doc.heading),
        p(application.title),
        table(
            [
                [_("service field"), application.get_service_field_display()],
                [_("target groups"), "、".join(str(TargetGroup(g).label) for g in application.target_groups)],
                [_("beneficiaries"), application.beneficiaries],
                [_("project starts"), application.starts_on.isoformat() if application.starts_on else ""],
                [_("project ends"), application.ends_on.isoformat() if application.ends_on else ""],
            ],
            (1, 3),
        ),
        p(_("problem and needs addressed"), doc.heading),
        p(application.problem),
        p(_("activities and timeline"), doc.heading),
        p(application.activities),
        p(_("Objectives"), doc.heading),
        table(
            [[_("term"), _("objective"), _("measurable indicator"), _("target value")]]
            + [
                [o.get_term_display(), o.description, o.indicator, f"{'—' if o.target is None else o.target} {o.unit}"]
                for o in application.objectives.all()
            ],
            (1.2, 3, 2, 1.3),
        ),
        p(_("Budget"), doc.heading),
        table(
            [[_("budget category"), pgettext("budget line", "item"), _("amount (yuan)")]]
            + [[line.get_category_display(), line.item, f"{line.amount:,.2f}"] for line in lines]
            + [[_("Total"), "", f"{total:,.2f}"]],
            (1.5, 3, 1.3),
        ),
        doc.space(14),
        p(_("This receipt confirms what the hub received. It is not a funding decision.")),
    ]
    return doc.build(story, title=str(_("Application receipt")), author=connection.tenant.name)
