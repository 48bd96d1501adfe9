"""Working days by the Chinese statutory calendar (法定节假日与调休), with the hub's own overrides.

``chinese-calendar`` knows a year only once the State Council has published its holiday arrangement
(today: up to 2026). For a later year we still count the fixed statutory holidays of
《全国年节及纪念日放假办法》 as amended in 2024 (in force from 2025), computed here:

* 元旦 1 January; 劳动节 1 and 2 May; 国庆节 1 to 3 October;
* 春节 农历除夕 and 正月初一 to 初三 (除夕 is the day before 初一, whether the 12th month has 29 or 30 days);
* 清明节 on the solar term 清明 (4 or 5 April); 端午节 5/5 and 中秋节 8/15 of the lunar calendar (``lunardate``).

What such a year cannot have yet is the State Council's arrangement itself: the bridging rest days and
the weekends worked in exchange (调休). Operators enter those as ``WorkingDayOverride`` once the
arrangement is out, overrides win over everything else, and screens say the arrangement is not published
(``unknown_years``). The fixed holidays are computed for 2000-2099 (the range of the 清明 formula and of
``lunardate``); any other unknown year counts Monday to Friday.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar
from chinese_calendar import Holiday
from lunardate import LunarDate

FIXED_HOLIDAY_YEARS = range(2000, 2100)
_ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=64)
def statutory_calendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def qingming(year: int) -> datetime.date:
    """The day of the solar term 清明 (Beijing time), 2000-2099.

    The usual 寿星 formula [Y×D+C]−L with Y the year's last two digits, D = 0.2422, C = 4.81 (21st century)
    and L = [Y/4]; it has no exceptions for 清明 in this century (``chinese_calendar.get_solar_terms``
    uses the same constants)."""
    if year not in FIXED_HOLIDAY_YEARS:
        raise ValueError(f"清明 is computed for {FIXED_HOLIDAY_YEARS.start}-{FIXED_HOLIDAY_YEARS.stop - 1} only")
    y = year % 100
    return datetime.date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


@lru_cache(maxsize=64)
def fixed_statutory_holidays(year: int) -> Mapping[datetime.date, Holiday]:
    """The fixed statutory holidays of ``year`` under the law in force from 2025, by date.

    Empty outside 2000-2099. Where two festivals fall on the same day (中秋 on 1-3 October, as in 2028)
    the day appears once, under the first of them in the law's order."""
    if year not in FIXED_HOLIDAY_YEARS:
        return MappingProxyType({})
    new_year = LunarDate(year, 1, 1).toSolarDate()
    days: dict[datetime.date, Holiday] = {}
    for day, holiday in [
        (datetime.date(year, 1, 1), Holiday.new_years_day),
        *((new_year + offset * _ONE_DAY, Holiday.spring_festival) for offset in (-1, 0, 1, 2)),
        (qingming(year), Holiday.tomb_sweeping_day),
        (datetime.date(year, 5, 1), Holiday.labour_day),
        (datetime.date(year, 5, 2), Holiday.labour_day),
        (LunarDate(year, 5, 5).toSolarDate(), Holiday.dragon_boat_festival),
        (LunarDate(year, 8, 15).toSolarDate(), Holiday.mid_autumn_festival),
        *((datetime.date(year, 10, day), Holiday.national_day) for day in (1, 2, 3)),
    ]:
        days.setdefault(day, holiday)
    return MappingProxyType(days)


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    # The hub's overrides are funding's model; looked up by name so that every app below funding (courses)
    # can use the calendar too.
    from django.apps import apps

    overrides = apps.get_model("funding", "WorkingDayOverride").objects.filter(date__range=(start, end))
    return dict(overrides.values_list("date", "is_working_day"))


def _is_working_day(day: datetime.date, overrides: dict) -> bool:
    if day in overrides:
        return overrides[day]
    if statutory_calendar_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and day not in fixed_statutory_holidays(day.year)


def is_working_day(day: datetime.date) -> bool:
    return _is_working_day(day, _overrides(day, day))


def is_statutory_holiday(day: datetime.date) -> bool:
    """A public holiday or a rest day of the holiday arrangement (调休), not an ordinary weekend: the days a
    hub's training does not happen. A weekday the hub marked as a rest day counts; a day it marked as a working
    day does not."""
    override = _overrides(day, day).get(day)
    if override is not None:
        return not override and (day.weekday() < 5 or _named_holiday(day))
    return _named_holiday(day)


def _named_holiday(day: datetime.date) -> bool:
    if statutory_calendar_knows(day.year):
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        return bool(on_holiday and name)
    return day in fixed_statutory_holidays(day.year)


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
    """Years in the period whose State Council arrangement is not published yet (only the fixed statutory
    holidays and the hub's overrides count)."""
    return [year for year in range(start.year, end.year + 1) if not statutory_calendar_knows(year)]
