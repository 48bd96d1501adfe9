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
    """Attendance that counts (present, late, left early), in sessions held (not cancelled) of ``year``."""
    from django.db.models.functions import ExtractYear

    from incubator.courses.models import PARTIAL, Attendance, AttendanceStatus, SessionStatus

    rows = Attendance.objects.filter(
        status__in=[AttendanceStatus.PRESENT, *PARTIAL], session__status=SessionStatus.SCHEDULED, **filters
    )
    if year:
        rows = rows.annotate(year=ExtractYear("session__starts_at")).filter(year=year)
    return rows


def _course_worth(course_ids) -> dict:
    """Per course: (its hours, its minutes of sessions held), to turn minutes attended into 学时. One query."""
    from django.db.models import DurationField, ExpressionWrapper, F, Sum
    from django.db.models.functions import Extract

    from incubator.courses.models import Session, SessionStatus

    rows = (
        Session.objects.filter(course_id__in=list(course_ids))
        .exclude(status=SessionStatus.CANCELLED)
        .values("course_id", "course__hours")
        .annotate(total=Sum(Extract(ExpressionWrapper(F("ends_at") - F("starts_at"), DurationField()), "epoch")))
        .order_by()
    )
    return {row["course_id"]: (row["course__hours"], int(row["total"] or 0) // 60) for row in rows}


def hours_report(year: int) -> list[dict]:
    """Per organisation with training that year: 人次 (sessions attended), 学时 (each course's hours in
    proportion to the minutes attended of its minutes) and people trained, by role; in name order. Four
    queries whatever the number of organisations."""
    from collections import defaultdict
    from decimal import Decimal

    from django.db.models import Count, Sum

    from incubator.courses.models import PersonRole
    from incubator.orgs.models import Organisation

    attended = _attended_rows(year, participant__organisation__isnull=False)
    grouped = list(
        attended.values("participant__organisation", "participant__role", "session__course")
        .annotate(times=Count("id"), minutes=Sum("minutes"))
        .order_by()
    )
    worth = _course_worth({row["session__course"] for row in grouped})
    people = dict(
        attended.values("participant__organisation")
        .annotate(people=Count("participant", distinct=True))
        .order_by()
        .values_list("participant__organisation", "people")
    )
    table: dict[int, dict] = defaultdict(lambda: {"times": 0, "hours": Decimal("0"), "roles": {}})
    for row in grouped:
        hours, total = worth.get(row["session__course"], (Decimal("0"), 0))
        earned = hours * row["minutes"] / total if total else Decimal("0")
        entry = table[row["participant__organisation"]]
        entry["times"] += row["times"]
        entry["hours"] += earned
        role = entry["roles"].setdefault(row["participant__role"], {"times": 0, "hours": Decimal("0")})
        role["times"] += row["times"]
        role["hours"] += earned
    names = dict(Organisation.objects.filter(pk__in=list(table)).values_list("pk", "name"))
    labels = dict(PersonRole.choices)
    tenth = Decimal("0.1")
    report = [
        {
            "organisation_id": pk,
            "organisation": names.get(pk, ""),
            "times": entry["times"],
            "hours": entry["hours"].quantize(tenth),
            "people": people.get(pk, 0),
            "by_role": [
                (labels[r], {"times": v["times"], "hours": v["hours"].quantize(tenth)})
                for r, v in sorted(entry["roles"].items())
            ],
        }
        for pk, entry in table.items()
    ]
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
