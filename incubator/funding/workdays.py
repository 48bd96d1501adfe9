"""Working days by the Chinese statutory calendar (法定节假日与调休), with the hub's own overrides.

``chinese-calendar`` knows a year only once the State Council has published its holiday arrangement
(today: up to 2026). For later years it raises, and we fall back to Monday-Friday; operators then add
the holidays and adjusted working days themselves (``WorkingDayOverride``), and screens say so.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=64)
def statutory_calendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    from incubator.funding.models import WorkingDayOverride

    return dict(WorkingDayOverride.objects.filter(date__range=(start, end)).values_list("date", "is_working_day"))


def _is_working_day(day: datetime.date, overrides: dict) -> bool:
    if day in overrides:
        return overrides[day]
    if statutory_calendar_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def is_working_day(day: datetime.date) -> bool:
    return _is_working_day(day, _overrides(day, day))


def working_period(start: datetime.date, days: int) -> tuple[datetime.date, datetime.date]:
    """The first working day on or after ``start`` and the last of ``days`` consecutive working days."""
    if days < 1:
        raise ValueError("days must be at least 1")
    overrides = _overrides(start, start + datetime.timedelta(days=days * 3 + 30))
    day = start
    while not _is_working_day(day, overrides):
        day += datetime.timedelta(days=1)
    first, counted = day, 1
    while counted < days:
        day += datetime.timedelta(days=1)
        if _is_working_day(day, overrides):
            counted += 1
    return first, day


def unknown_years(start: datetime.date, end: datetime.date) -> list[int]:
    """Years in the period the statutory calendar does not know yet (the fallback applies)."""
    return [year for year in range(start.year, end.year + 1) if not statutory_calendar_knows(year)]
