"""Forms of the project pages of the portal, the supervisor and the evaluator. Dates are ISO in every language."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.funding.models import Accumulation
from incubator.projects import services
from incubator.projects.models import (
    VARIANCE_NOTE_PERCENT,
    Evaluation,
    Grade,
    ReportKind,
    SpendingLine,
    variance_needs_note,
    variance_percent,
)
from incubator.widgets import DateInput


def _date_widget():
    return DateInput()


def _text(rows=3):
    return forms.Textarea(attrs={"rows": rows})


def _decimal_widget():
    # Text with a numeric keypad on phones: a mistyped value is shown back as typed, not blanked.
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def _number(value) -> str:
    return f"{value.normalize():f}" if value is not None else ""


class _Form(forms.Form):
    """Several forms share a page: each kind gets its own element ids."""

    id_prefix = "f"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)

    def sections(self) -> list:
        """(legend or None, bound fields): how the template lays the form out."""
        return [(None, list(self.visible_fields()))]

    def _per_objective(self, names) -> list:
        return [
            (f"{o.get_term_display()} · {o.indicator}", [self[f"{name}_{o.pk}"] for name in names])
            for o in self.objectives
        ]


class ActivityForm(_Form):
    id_prefix = "activity"
    held_on = forms.DateField(label=gettext_lazy("held on"), initial=timezone.localdate, widget=_date_widget())
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    description = forms.CharField(label=gettext_lazy("description"), required=False, widget=_text())
    participants = forms.IntegerField(label=gettext_lazy("participants"), min_value=0, required=False)
    beneficiaries = forms.IntegerField(
        label=gettext_lazy("new beneficiaries"),
        min_value=0,
        required=False,
        help_text=gettext_lazy("People served for the first time by this project."),
    )


class ReportForm(_Form):
    """A report on one period, with one value (and an optional note) per objective of the application; the
    final report also gives the financial statement (决算): the actual spending on each approved budget line,
    with a note where it differs from the line by more than ``VARIANCE_NOTE_PERCENT`` per cent (the service
    checks both and names the inputs it refuses)."""

    id_prefix = "report"
    kind = forms.ChoiceField(label=gettext_lazy("kind of report"))
    period_start = forms.DateField(label=gettext_lazy("period starts"), widget=_date_widget())
    period_end = forms.DateField(label=gettext_lazy("period ends"), widget=_date_widget())
    summary = forms.CharField(label=gettext_lazy("summary"), widget=_text(4))

    def __init__(self, *args, project, objectives, budget=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.objectives = objectives
        self.fields["kind"].choices = [
            (kind, label) for kind, label in ReportKind.choices if project.status in services.REPORT_STATES[kind]
        ]
        # The statement goes with the final report only: offered when a final report can be chosen.
        final = any(kind == ReportKind.FINAL for kind, _label in self.fields["kind"].choices)
        self.budget = list(budget or []) if final else []
        self.award = project.award
        self.requested = sum((line.amount for line, _approved in self.budget), Decimal("0.00"))
        note_length = SpendingLine._meta.get_field("note").max_length
        for line, _approved in self.budget:
            common = {"item": line.item}
            actual_label = _("%(item)s: actual spending (yuan)") % common
            self.fields[services.spending_field(line.pk)] = forms.DecimalField(
                label=actual_label,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                required=False,
                widget=_decimal_widget(),
            )
            self.fields[services.spending_field(line.pk)].widget.attrs["aria-label"] = actual_label
            note_label = _("%(item)s: why the spending differs") % common
            self.fields[services.spending_note_field(line.pk)] = forms.CharField(
                label=note_label,
                max_length=note_length,
                required=False,
                widget=forms.TextInput(attrs={"aria-label": note_label}),
            )
        for objective in objectives:
            common = {"indicator": objective.indicator}
            facts = {"description": objective.description, "target": _number(objective.target), "unit": objective.unit}
            if objective.accumulation == Accumulation.SUM:
                label = _("%(indicator)s: value reached in the period") % common
                help_text = _("%(description)s. Target: %(target)s%(unit)s.") % facts
            elif objective.accumulation == Accumulation.LATEST:
                label = _("%(indicator)s: level measured at the end of the period") % common
                help_text = (
                    _(
                        "%(description)s. Target: %(target)s%(unit)s. A level or rate: give the value as measured now, "
                        "not added to earlier periods; leave it empty if it was not measured in this period."
                    )
                    % facts
                )
            else:
                label = _("%(indicator)s: total so far") % common
                help_text = (
                    _(
                        "%(description)s. Target: %(target)s%(unit)s. Cumulative: give the total since the project "
                        "started; leave it empty if it was not counted in this period."
                    )
                    % facts
                )
            self.fields[f"value_{objective.pk}"] = forms.DecimalField(
                label=label,
                help_text=help_text,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                required=objective.accumulation == Accumulation.SUM,
                widget=_decimal_widget(),
            )
            self.fields[f"note_{objective.pk}"] = forms.CharField(
                label=_("note on “%(indicator)s”") % {"indicator": objective.indicator}, max_length=300, required=False
            )

    def _spending_names(self) -> list[str]:
        return [
            name
            for line, _approved in self.budget
            for name in (services.spending_field(line.pk), services.spending_note_field(line.pk))
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        if data.get("kind") != ReportKind.FINAL:  # another kind of report: whatever the statement holds is ignored
            for name in self._spending_names():
                self._errors.pop(name, None)
                data.pop(name, None)
        return data

    def sections(self) -> list:
        main = [self[name] for name in ("kind", "period_start", "period_end", "summary")]
        return [(None, main), *self._per_objective(("value", "note"))]

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            o.pk: ("" if data.get(f"value_{o.pk}") is None else data[f"value_{o.pk}"], data.get(f"note_{o.pk}", ""))
            for o in self.objectives
        }

    def spending(self) -> dict:
        """Budget line id → (actual as typed and checked, note), for ``services.submit_report``."""
        data = self.cleaned_data
        return {
            line.pk: (
                "" if data.get(services.spending_field(line.pk)) is None else data[services.spending_field(line.pk)],
                data.get(services.spending_note_field(line.pk), ""),
            )
            for line, _approved in self.budget
        }

    @property
    def budget_scaled(self) -> bool:
        """Partial funding: the lines ask for more than the award, so each is approved its share of it."""
        return bool(self.budget) and self.requested != self.award

    def statement_rows(self) -> dict:
        """The statement's table: per line its approved amount, the inputs, and the variance of what was typed
        (computed here, so the page shows it without script); the totals once every line has an amount."""
        rows, actual_total, complete = [], Decimal("0.00"), True
        for line, approved in self.budget:
            actual_field = self[services.spending_field(line.pk)]
            actual = _typed_amount(actual_field.value())
            complete = complete and actual is not None
            if actual is not None:
                actual_total += actual
            rows.append(
                {
                    "line": line,
                    "budgeted": approved,
                    "actual": actual_field,
                    "note": self[services.spending_note_field(line.pk)],
                    "variance": None if actual is None else actual - approved,
                    "variance_percent": None if actual is None else variance_percent(approved, actual),
                    "needs_note": actual is not None and variance_needs_note(approved, actual),
                }
            )
        budgeted = sum((approved for _line, approved in self.budget), Decimal("0.00"))
        return {
            "rows": rows,
            "budgeted": budgeted,
            "actual": actual_total if complete else None,
            "variance": actual_total - budgeted if complete else None,
            "variance_percent": variance_percent(budgeted, actual_total) if complete else None,
            "threshold": VARIANCE_NOTE_PERCENT,
        }


def _typed_amount(raw) -> Decimal | None:
    """What was typed in an amount input, as yuan to the cent; None if it is empty or not an amount."""
    if raw is None or isinstance(raw, Decimal):
        return None if raw is None else raw.quantize(services.CENT, rounding=ROUND_HALF_UP)
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value >= 10**10:
        return None
    return value.quantize(services.CENT, rounding=ROUND_HALF_UP)


class AnswerForm(_Form):
    answer = forms.CharField(label=gettext_lazy("What was done to rectify"), widget=_text(4))


class ReviewForm(_Form):
    """Accept an answered rectification, or return it with a comment (the button pressed decides)."""

    decision = forms.ChoiceField(
        choices=[("accept", gettext_lazy("Accept")), ("return", gettext_lazy("Return"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=gettext_lazy("comment"),
        required=False,
        widget=_text(2),
        help_text=gettext_lazy("Required when you return the answer."),
    )


class _RectificationFields(_Form):
    rectification = forms.CharField(
        label=gettext_lazy("rectification required (optional)"), required=False, widget=_text()
    )
    rectify_by = forms.DateField(label=gettext_lazy("rectification deadline"), required=False, widget=_date_widget())
    rectification_needed = False

    def clean(self):
        data = super().clean()
        wanted = self.rectification_needed or bool((data.get("rectification") or "").strip())
        if wanted and not (data.get("rectification") or "").strip():
            self.add_error("rectification", _("Say what must be rectified."))
        if wanted and not data.get("rectify_by") and "rectify_by" not in self.errors:
            self.add_error("rectify_by", _("Give the rectification a deadline."))
        if not wanted and data.get("rectify_by"):
            self.add_error("rectification", _("Say what must be rectified."))
        return data


class VisitForm(_RectificationFields):
    id_prefix = "visit"
    field_order = ["visited_on", "findings", "recommendations", "rectification", "rectify_by"]
    visited_on = forms.DateField(label=gettext_lazy("visited on"), initial=timezone.localdate, widget=_date_widget())
    findings = forms.CharField(label=gettext_lazy("findings"), widget=_text(4))
    recommendations = forms.CharField(label=gettext_lazy("recommendations"), required=False, widget=_text())


class MidTermForm(_RectificationFields):
    id_prefix = "midterm"
    field_order = ["opinion", "accepted", "rectification", "rectify_by"]
    opinion = forms.CharField(label=gettext_lazy("opinion"), widget=_text(4))
    accepted = forms.ChoiceField(
        label=gettext_lazy("outcome"),
        widget=forms.RadioSelect,
        choices=[
            ("yes", gettext_lazy("Accepted: the second installment can be released")),
            ("no", gettext_lazy("Not accepted: rectification required")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rectification"].label = gettext_lazy("rectification required (if not accepted)")

    def clean(self):
        if self.data.get("accepted") == "yes":
            return forms.Form.clean(self)  # accepted: nothing to rectify, whatever was typed there
        self.rectification_needed = True
        return super().clean()


class EvaluationForm(_Form):
    """Per objective: the value verified, a score from 0 to 10 and a comment; then the grade."""

    id_prefix = "evaluation"
    grade = forms.ChoiceField(label=gettext_lazy("grade"), choices=[("", "—"), *Grade.choices])
    findings = forms.CharField(label=gettext_lazy("findings"), widget=_text(4))
    recommendations = forms.CharField(label=gettext_lazy("recommendations"), widget=_text(4))
    rectify_by = forms.DateField(
        label=gettext_lazy("rectification deadline"),
        required=False,
        widget=_date_widget(),
        help_text=gettext_lazy("Required when the grade is “Fail”: the recommendations become the rectification."),
    )
    grade_reason = forms.CharField(
        label=gettext_lazy("why this grade and not the score's"),
        required=False,
        max_length=Evaluation._meta.get_field("grade_reason").max_length,
        widget=_text(2),
        help_text=gettext_lazy(
            "Only when the grade is not the one the scores fall in (Excellent from 90, Good from 80, Pass from 60)."
        ),
    )

    def __init__(self, *args, objectives, reported: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.objectives = objectives
        scoring = {}
        for objective in objectives:
            common = {"indicator": objective.indicator, "unit": objective.unit}
            scoring[f"achieved_{objective.pk}"] = forms.DecimalField(
                label=_("%(indicator)s: value verified") % common,
                help_text=_("Target %(target)s%(unit)s; reported %(reported)s%(unit)s.")
                % {**common, "target": _number(objective.target), "reported": _number(reported.get(objective.pk))},
                min_value=0,
                max_digits=12,
                decimal_places=2,
                widget=_decimal_widget(),
            )
            scoring[f"score_{objective.pk}"] = forms.DecimalField(
                label=_("%(indicator)s: score (0-10)") % common,
                min_value=0,
                max_value=10,
                max_digits=3,
                decimal_places=1,
                widget=_decimal_widget(),
            )
            scoring[f"comment_{objective.pk}"] = forms.CharField(
                label=_("%(indicator)s: comment") % common, required=False, widget=_text(2)
            )
        # The indicators first, then the overall judgement.
        self.fields = {**scoring, **self.fields}

    def clean(self):
        data = super().clean()
        if data.get("grade") == Grade.FAIL and not data.get("rectify_by") and "rectify_by" not in self.errors:
            self.add_error("rectify_by", _("A failing grade needs a rectification deadline."))
        return data

    def sections(self) -> list:
        main = [self[name] for name in ("grade", "grade_reason", "findings", "recommendations", "rectify_by")]
        return [*self._per_objective(("achieved", "score", "comment")), (None, main)]

    def scores(self) -> dict:
        data = self.cleaned_data
        return {
            o.pk: (data[f"achieved_{o.pk}"], data[f"score_{o.pk}"], data.get(f"comment_{o.pk}", ""))
            for o in self.objectives
        }


class HubSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search the hub's records"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Type a name, a title, a responsible person or a credit code."),
    )


class CorrectionReason(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("why the record is corrected"),
        required=False,
        max_length=500,
        widget=_text(2),
        help_text=gettext_lazy("Required for a record that has been reviewed; kept in the project's history."),
    )


class CorrectActivityForm(ActivityForm):
    """An activity as recorded, to correct (the service decides who may, and records what changed)."""

    id_prefix = "correct-activity"
    reason = CorrectionReason.base_fields["reason"]


class CorrectReportForm(ReportForm):
    """A progress or mid-term report as submitted, to correct: its period, summary and indicator values."""

    id_prefix = "correct-report"

    def __init__(self, *args, project, objectives, **kwargs):
        super().__init__(*args, project=project, objectives=objectives, budget=None, **kwargs)
        del self.fields["kind"]
        self.fields["reason"] = CorrectionReason.base_fields["reason"]

    def sections(self) -> list:
        main = [self[name] for name in ("period_start", "period_end", "summary", "reason")]
        return [(None, main), *self._per_objective(("value", "note"))]


class EvidenceForm(forms.Form):
    """A file joined to one record (an activity, a report, a visit…): photos, scans, sign-in sheets."""

    file = forms.FileField(
        label=gettext_lazy("file"),
        help_text=gettext_lazy("A photo, a PDF, a scanned sign-in sheet, a Word or Excel file; at most 20 MB."),
        error_messages={"required": gettext_lazy("Choose the file first.")},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,.gif,.webp,.doc,.docx,.xls,.xlsx,.odt,image/*,application/pdf"}
        ),
    )
    title = forms.CharField(
        label=gettext_lazy("what the file shows"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("e.g. sign-in sheet of 12 May, photo of the workshop; the file's name if left empty."),
    )
    public = forms.BooleanField(
        label=gettext_lazy("Show this photo on the project's public page"),
        required=False,
        help_text=gettext_lazy("Only if the people in it agreed; you can take it back at any time."),
    )

    def __init__(self, *args, key: str, publishable: bool = False, **kwargs):
        kwargs.setdefault("auto_id", f"id_evidence-{key}_%s")
        super().__init__(*args, **kwargs)
        self.key = key
        if not publishable:
            del self.fields["public"]

    def sections(self) -> list:
        return [(None, list(self.visible_fields()))]
