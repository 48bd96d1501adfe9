"""The financial statement (决算) of the final report: the approved budget per line, the statement the organisation
gives with its final report (what it actually spent on each line, with a note where it strayed), and the hub's
acceptance or return of that report before the residents' appraisal.

Money is Decimal throughout, quantised to the cent; nothing here goes through a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.funding.models import BudgetLine
from incubator.notifications.models import NotificationKind
from incubator.notifications.services import notify
from incubator.orgs.selectors import members_of
from incubator.projects.models import (
    VARIANCE_NOTE_PERCENT,
    ProgressReport,
    Project,
    ReportKind,
    SpendingLine,
    variance_needs_note,
    variance_percent,
)
from incubator.projects.services.lifecycle import CENT, _step
from incubator.workflow import TransitionError

ZERO = Decimal("0.00")
# The largest amount a line takes (MONEY: 12 digits, 2 of them decimals).
MAX_AMOUNT = Decimal("9999999999.99")
NOTE_MAX_LENGTH = SpendingLine._meta.get_field("note").max_length


def spending_field(line_pk) -> str:
    """The name of the input for a line's actual spending: forms use it, refusals name it."""
    return f"spending_{line_pk}"


def spending_note_field(line_pk) -> str:
    return f"spending_note_{line_pk}"


# --- The approved budget -----------------------------------------------------------------------------------


def approved_budget(project: Project, lines: list[BudgetLine] | None = None) -> list[tuple[BudgetLine, Decimal]]:
    """Each budget line of the application with its approved amount.

    When the award is what the budget asks for, a line's approved amount is its own. When it is not (partial
    funding, 部分资助, the lines being those applied for), each line is approved its share of the award, to the
    cent; the cents rounding leaves go one each to the lines with the largest remainders (the earlier line on a
    tie), so the approved lines always add up to the award exactly."""
    lines = list(project.application.budget_lines.all()) if lines is None else lines
    requested = sum((line.amount for line in lines), ZERO)
    award = project.award
    if not lines or requested == award or requested <= 0:
        return [(line, line.amount) for line in lines]
    shares = [line.amount * award / requested for line in lines]
    approved = [share.quantize(CENT, rounding=ROUND_DOWN) for share in shares]
    left = int((award - sum(approved, ZERO)) / CENT)
    by_remainder = sorted(range(len(lines)), key=lambda i: (-(shares[i] - approved[i]), i))
    for index in by_remainder[:left]:
        approved[index] += CENT
    return list(zip(lines, approved, strict=True))


def current_final_report(project: Project) -> ProgressReport | None:
    """The final report that counts: the one submitted and not returned."""
    return (
        ProgressReport.objects.filter(project=project, kind=ReportKind.FINAL, returned_at__isnull=True)
        .prefetch_related("spending__budget_line")
        .first()
    )


# --- The statement ------------------------------------------------------------------------------------------


@dataclass
class Statement:
    """A final report's statement as every page shows it: its lines (``SpendingLine``) and their totals."""

    rows: list = field(default_factory=list)
    budgeted: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budgeted

    @property
    def variance_percent(self) -> Decimal | None:
        return variance_percent(self.budgeted, self.actual)


def statement_of(report: ProgressReport | None) -> Statement | None:
    """The statement of ``report`` (its spending lines, prefetched or read), None when it has none."""
    if report is None:
        return None
    rows = sorted(report.spending.all(), key=lambda s: s.pk)
    if not rows:
        return None
    return Statement(
        rows=rows,
        budgeted=sum((row.budgeted for row in rows), ZERO),
        actual=sum((row.actual for row in rows), ZERO),
    )


def _amount(raw) -> Decimal | None:
    """A typed amount in yuan, to the cent; None if it is not one (empty, not a number, negative, too large)."""
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value < 0:
        return None
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return value if value <= MAX_AMOUNT else None


def parse_spending(budget: list[tuple[BudgetLine, Decimal]], spending: dict | None) -> tuple[list, dict]:
    """``spending`` maps a budget line's id to (actual, note). Returns the statement's rows (line, approved,
    actual, note) and the refusals by input (``spending_<id>``, ``spending_note_<id>``): every line needs
    its actual spending, zero or more, and a line that differs from its approved amount by more than
    ``VARIANCE_NOTE_PERCENT`` per cent needs a note."""
    spending = spending or {}
    rows, errors = [], {}
    for line, budgeted in budget:
        raw, note = (tuple(spending.get(line.pk) or ()) + ("", ""))[:2]
        note = str(note or "").strip()
        values = {"item": line.item}
        if raw is None or str(raw).strip() == "":
            errors[spending_field(line.pk)] = [
                _("Give what was actually spent on “%(item)s” (0 if nothing was spent).") % values
            ]
            continue
        actual = _amount(raw)
        if actual is None:
            errors[spending_field(line.pk)] = [
                _("The spending on “%(item)s” must be an amount in yuan, zero or more.") % values
            ]
            continue
        if len(note) > NOTE_MAX_LENGTH:
            errors[spending_note_field(line.pk)] = [
                _("The note is too long (%(limit)s characters at most).") % {"limit": NOTE_MAX_LENGTH}
            ]
            continue
        if variance_needs_note(budgeted, actual) and not note:
            errors[spending_note_field(line.pk)] = [
                _(
                    "“%(item)s” differs from its approved %(budgeted)s yuan by %(variance)s yuan, more than "
                    "%(threshold)s%%: say why."
                )
                % {
                    "item": line.item,
                    "budgeted": budgeted,
                    "variance": abs(actual - budgeted),
                    "threshold": VARIANCE_NOTE_PERCENT,
                }
            ]
            continue
        rows.append((line, budgeted, actual, note))
    return rows, errors


def write_statement(report: ProgressReport, rows: list) -> None:
    SpendingLine.objects.bulk_create(
        SpendingLine(report=report, budget_line=line, budgeted=budgeted, actual=actual, note=note)
        for line, budgeted, actual, note in rows
    )


def statement_problems(project: Project, report: ProgressReport | None = None) -> list[str]:
    """Why the final report's statement is not complete (empty when it is): a line of every approved budget
    line, and a note wherever it strays past the threshold."""
    report = report or current_final_report(project)
    if report is None:
        return [_("No final report is waiting to be accepted.")]
    given = {row.budget_line_id: row for row in report.spending.all()}
    problems = []
    for line, _budgeted in approved_budget(project):
        row = given.get(line.pk)
        if row is None:
            problems.append(_("The financial statement gives no actual spending for “%(item)s”.") % {"item": line.item})
        elif row.needs_note and not row.note.strip():
            problems.append(
                _("The financial statement does not say why “%(item)s” differs from its approved budget.")
                % {"item": line.item}
            )
    return problems


# --- The hub accepts or returns the final report ----------------------------------------------------------------


def accept_final_report(*, actor, project: Project) -> Project:
    """The operator accepts the final report and its statement: the residents' appraisal can open."""

    def guard(locked):
        if problems := statement_problems(locked):
            raise TransitionError(*problems)

    return _step(project, "accept_final_report", actor, guard=guard)


def return_final_report(*, actor, project: Project, reason: str) -> Project:
    """The operator returns the final report with the reason, shown to the organisation, which corrects it and
    submits it again. The returned report stays (marked returned, with the reason) as the project's history."""
    reason = (reason or "").strip()
    limit = ProgressReport._meta.get_field("return_reason").max_length
    if len(reason) > limit:
        raise ValidationError(_("The reason is too long (%(limit)s characters at most).") % {"limit": limit})

    def guard(locked):
        if current_final_report(locked) is None:
            raise TransitionError(_("There is no final report to return."))

    def apply(locked):
        ProgressReport.objects.filter(project=locked, kind=ReportKind.FINAL, returned_at__isnull=True).update(
            returned_at=timezone.now(), return_reason=reason
        )

    def announce(locked):
        context = {"project": locked, "organisation": locked.application.organisation, "reason": reason}
        notify("final_report.returned", to=members_of(locked.application.organisation), context=context)
        notify(
            "final_report.returned",
            to=[locked.supervisor, locked.evaluator],
            context=context,
            kind=NotificationKind.OPERATIONS,
        )

    return _step(project, "return_final_report", actor, reason=reason, guard=guard, apply=apply, announce=announce)
