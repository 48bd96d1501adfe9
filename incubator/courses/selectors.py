"""Reads of capacity building that other apps and the pages use."""

from __future__ import annotations

from incubator.courses.models import Certificate


def completed_courses(organisation) -> set[int]:
    """The courses someone of the organisation holds a valid certificate of."""
    return set(
        Certificate.objects.filter(organisation=organisation, revoked_at__isnull=True).values_list(
            "course_id", flat=True
        )
    )


# --- Training hours (学时) and records (培训档案) ------------------------------------------------------------


def _attended_rows(year: int | None = None, **filters):
    """Attendance that counts (present, late, left early) with the hours it is worth: the course's hours in
    proportion to the minutes attended of the course's minutes. One query however many rows."""
    from django.db.models import (
        DecimalField,
        DurationField,
        ExpressionWrapper,
        F,
        IntegerField,
        OuterRef,
        Subquery,
        Sum,
    )
    from django.db.models.functions import Coalesce, Extract, ExtractYear

    from incubator.courses.models import PARTIAL, Attendance, AttendanceStatus, Session, SessionStatus

    course_minutes = (
        Session.objects.filter(course=OuterRef("session__course"))
        .exclude(status=SessionStatus.CANCELLED)
        .values("course")
        .annotate(total=Sum(Extract(ExpressionWrapper(F("ends_at") - F("starts_at"), DurationField()), "epoch") / 60))
        .values("total")
    )
    rows = Attendance.objects.filter(
        status__in=[AttendanceStatus.PRESENT, *PARTIAL], session__status=SessionStatus.SCHEDULED, **filters
    )
    if year:
        rows = rows.annotate(year=ExtractYear("session__starts_at")).filter(year=year)
    return rows.annotate(
        course_minutes=Coalesce(Subquery(course_minutes, output_field=IntegerField()), 1),
        worth=ExpressionWrapper(
            F("session__course__hours") * F("minutes") / F("course_minutes"),
            output_field=DecimalField(max_digits=8, decimal_places=2),
        ),
    )


def hours_report(year: int) -> list[dict]:
    """Per organisation with training that year: 人次 (sessions attended) and 学时, by role, plus its people's
    count; organisations in name order. Two queries whatever the number of organisations."""
    from collections import defaultdict
    from decimal import Decimal

    from django.db.models import Count, Sum

    from incubator.courses.models import PersonRole
    from incubator.orgs.models import Organisation

    grouped = (
        _attended_rows(year, participant__organisation__isnull=False)
        .values("participant__organisation", "participant__role")
        .annotate(times=Count("id"), hours=Sum("worth"), people=Count("participant", distinct=True))
        .order_by()
    )
    table: dict[int, dict] = defaultdict(lambda: {"times": 0, "hours": Decimal("0"), "people": 0, "roles": {}})
    for row in grouped:
        entry = table[row["participant__organisation"]]
        hours = (row["hours"] or Decimal("0")).quantize(Decimal("0.1"))
        entry["times"] += row["times"]
        entry["hours"] += hours
        entry["people"] += row["people"]
        entry["roles"][row["participant__role"]] = {"times": row["times"], "hours": hours}
    names = dict(Organisation.objects.filter(pk__in=list(table)).values_list("pk", "name"))
    roles = dict(PersonRole.choices)
    report = []
    for pk, entry in table.items():
        report.append(
            {
                "organisation_id": pk,
                "organisation": names.get(pk, ""),
                **entry,
                "by_role": [(roles[r], v) for r, v in sorted(entry["roles"].items())],
            }
        )
    return sorted(report, key=lambda row: row["organisation"])


def training_gaps(year: int, organisations) -> list[dict]:
    """Which of these organisations had no training that year, and which roles fall short of the hub's targets
    (``TrainingTarget``): [{organisation, trained, missing: [(role label, attended, target)]}]. Three queries."""
    from django.db.models import Count

    from incubator.courses.models import TrainingTarget

    organisations = list(organisations)
    targets = list(TrainingTarget.objects.filter(year=year))
    counts = {
        (row["participant__organisation"], row["participant__role"]): row["times"]
        for row in _attended_rows(year, participant__organisation__in=[o.pk for o in organisations])
        .values("participant__organisation", "participant__role")
        .annotate(times=Count("id"))
        .order_by()
    }
    trained = {org for org, _role in counts}
    gaps = []
    for organisation in organisations:
        missing = [
            (target.get_role_display(), counts.get((organisation.pk, target.role), 0), target.sessions)
            for target in targets
            if counts.get((organisation.pk, target.role), 0) < target.sessions
        ]
        if missing or organisation.pk not in trained:
            gaps.append({"organisation": organisation, "trained": organisation.pk in trained, "missing": missing})
    return gaps
