import datetime

import chinese_calendar
import pytest
from chinese_calendar import Holiday
from lunardate import LunarDate

from incubator.funding.models import WorkingDayOverride
from incubator.workdays import (
    fixed_statutory_holidays,
    is_working_day,
    qingming,
    statutory_calendar_knows,
    unknown_years,
    working_period,
)

D = datetime.date
KNOWN_YEARS = [year for year in range(2000, 2100) if statutory_calendar_knows(year)]


@pytest.mark.django_db
def test_five_working_days_across_national_day_with_its_adjusted_saturday(in_hub_a):
    # 2026: 1-7 October are holidays; Saturday 10 October is an adjusted working day (调休).
    assert not is_working_day(D(2026, 10, 5)) and is_working_day(D(2026, 10, 10))
    first, last = working_period(D(2026, 9, 30), 5)
    # 30 Sept (Wed) counts, then 8 (Thu), 9 (Fri), 10 (Sat, adjusted) and 12 October (Mon).
    assert (first, last) == (D(2026, 9, 30), D(2026, 10, 12))


@pytest.mark.django_db
def test_a_notice_starting_on_a_holiday_starts_on_the_next_working_day(in_hub_a):
    # 8 (Thu), 9 (Fri), 10 (adjusted Saturday), 12 (Mon), 13 (Tue).
    assert working_period(D(2026, 10, 3), 5) == (D(2026, 10, 8), D(2026, 10, 13))


@pytest.mark.django_db
def test_unpublished_years_count_weekdays_without_the_fixed_holidays_plus_the_hubs_own_days(in_hub_a):
    assert statutory_calendar_knows(2026) and not statutory_calendar_knows(2031)
    assert unknown_years(D(2026, 12, 30), D(2027, 1, 3)) == [2027]
    # Monday 6 to Friday 10 January 2031: no statutory holiday (元旦 was the 1st, 春节 is late January)…
    assert working_period(D(2031, 1, 6), 5) == (D(2031, 1, 6), D(2031, 1, 10))
    # …until the hub enters a holiday on the Wednesday and an adjusted working Saturday.
    WorkingDayOverride.objects.create(date=D(2031, 1, 8), is_working_day=False, note="假日")
    WorkingDayOverride.objects.create(date=D(2031, 1, 11), is_working_day=True, note="调休")
    assert working_period(D(2031, 1, 6), 5) == (D(2031, 1, 6), D(2031, 1, 11))


@pytest.mark.django_db
def test_a_notice_from_29_september_2027_skips_national_day(in_hub_a):
    assert not statutory_calendar_knows(2027)
    # Wed 29, Thu 30 September; Fri 1 October is 国庆 (2 and 3 are the weekend anyway); Mon 4, Tue 5, Wed 6.
    assert [is_working_day(D(2027, 10, day)) for day in (1, 2, 3, 4)] == [False, False, False, True]
    assert working_period(D(2027, 9, 29), 5) == (D(2027, 9, 29), D(2027, 10, 6))


@pytest.mark.django_db
def test_spring_festival_2027_from_new_years_eve_to_the_third_day(in_hub_a):
    # 除夕 Friday 5 February, 初一 Saturday 6 to 初三 Monday 8 February 2027.
    assert LunarDate.fromSolarDate(2027, 2, 6) == LunarDate(2027, 1, 1)
    holidays = fixed_statutory_holidays(2027)
    assert [day for day, holiday in holidays.items() if holiday is Holiday.spring_festival] == [
        D(2027, 2, 5),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 8),
    ]
    assert is_working_day(D(2027, 2, 4)) and is_working_day(D(2027, 2, 9))
    assert not is_working_day(D(2027, 2, 5)) and not is_working_day(D(2027, 2, 8))
    # Thu 4 February counts, then Tue 9 to Fri 12 February.
    assert working_period(D(2027, 2, 4), 5) == (D(2027, 2, 4), D(2027, 2, 12))


@pytest.mark.django_db
def test_the_hubs_overrides_win_over_the_fixed_holidays_and_the_weekend(in_hub_a):
    # The State Council's arrangement, once out, might make Mon 4 October a rest day and Sun 26 September
    # a working day; the hub enters both.
    WorkingDayOverride.objects.create(date=D(2027, 10, 4), is_working_day=False, note="国庆节")
    WorkingDayOverride.objects.create(date=D(2027, 9, 26), is_working_day=True, note="调休")
    assert is_working_day(D(2027, 9, 26)) and not is_working_day(D(2027, 10, 4))
    # Sun 26, Mon 27, Tue 28, Wed 29, Thu 30 September.
    assert working_period(D(2027, 9, 26), 5) == (D(2027, 9, 26), D(2027, 9, 30))
    # Wed 29, Thu 30 September, then Tue 5, Wed 6, Thu 7 October.
    assert working_period(D(2027, 9, 29), 5) == (D(2027, 9, 29), D(2027, 10, 7))
    # A hub can also make a fixed holiday a working day (the law would not, but the hub has the last word).
    WorkingDayOverride.objects.create(date=D(2027, 10, 1), is_working_day=True, note="测试")
    assert is_working_day(D(2027, 10, 1))


def test_the_fixed_holidays_of_a_year():
    assert fixed_statutory_holidays(2027) == {
        D(2027, 1, 1): Holiday.new_years_day,
        D(2027, 2, 5): Holiday.spring_festival,
        D(2027, 2, 6): Holiday.spring_festival,
        D(2027, 2, 7): Holiday.spring_festival,
        D(2027, 2, 8): Holiday.spring_festival,
        D(2027, 4, 5): Holiday.tomb_sweeping_day,
        D(2027, 5, 1): Holiday.labour_day,
        D(2027, 5, 2): Holiday.labour_day,
        D(2027, 6, 9): Holiday.dragon_boat_festival,
        D(2027, 9, 15): Holiday.mid_autumn_festival,
        D(2027, 10, 1): Holiday.national_day,
        D(2027, 10, 2): Holiday.national_day,
        D(2027, 10, 3): Holiday.national_day,
    }
    # 2028: 中秋 falls on 3 October, so the year has one fixed holiday fewer.
    assert len(fixed_statutory_holidays(2028)) == 12
    assert fixed_statutory_holidays(2028)[D(2028, 10, 3)] is Holiday.mid_autumn_festival
    assert fixed_statutory_holidays(2027) is fixed_statutory_holidays(2027)  # cached per year
    assert fixed_statutory_holidays(2100) == {}


def test_new_years_eve_whether_the_twelfth_lunar_month_is_short_or_long():
    lengths = set()
    for year in range(2025, 2100):
        new_year = LunarDate(year, 1, 1).toSolarDate()
        eve = new_year - datetime.timedelta(days=1)
        last_month = LunarDate.fromSolarDate(eve.year, eve.month, eve.day)
        assert (last_month.year, last_month.month, last_month.isLeapMonth) == (year - 1, 12, False)
        lengths.add(last_month.day)
        assert fixed_statutory_holidays(year)[eve] is Holiday.spring_festival
    assert lengths == {29, 30}


def test_qingming_agrees_with_the_solar_terms_of_chinese_calendar():
    for year in range(2000, 2100):
        terms = chinese_calendar.get_solar_terms(D(year, 4, 1), D(year, 4, 30))
        (term,) = [day for day, name in terms if name == "清明"]
        assert qingming(year) == term, year
    # Spot checks against the published almanac.
    assert [qingming(year) for year in (2024, 2025, 2026, 2027, 2028)] == [
        D(2024, 4, 4),
        D(2025, 4, 4),
        D(2026, 4, 5),
        D(2027, 4, 5),
        D(2028, 4, 4),
    ]


def _statutory_in(year: int) -> set[datetime.date]:
    """Those of the fixed holidays that the law in force in ``year`` made statutory."""
    days = fixed_statutory_holidays(year)
    new_year = LunarDate(year, 1, 1).toSolarDate()
    eve, third = new_year - datetime.timedelta(days=1), new_year + datetime.timedelta(days=2)
    if year < 2008:  # 1999: 春节 初一-初三, 劳动节 1-3 May; no 清明, 端午, 中秋
        lunar = {Holiday.tomb_sweeping_day, Holiday.dragon_boat_festival, Holiday.mid_autumn_festival}
        return {day for day, holiday in days.items() if holiday not in lunar and day != eve}
    if year < 2014:  # 2007: 春节 除夕-初二, 劳动节 1 May
        return {day for day in days if day not in (third, D(year, 5, 2))}
    if year < 2025:  # 2013: 春节 初一-初三, 劳动节 1 May
        return {day for day in days if day not in (eve, D(year, 5, 2))}
    return set(days)  # 2024: 春节 除夕-初三, 劳动节 1-2 May


@pytest.mark.parametrize("year", KNOWN_YEARS)
def test_the_state_councils_arrangements_include_the_fixed_statutory_holidays(year):
    assert not [day for day in sorted(_statutory_in(year)) if chinese_calendar.is_workday(day)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_under_the_2024_law_every_fixed_holiday_is_a_holiday_of_that_name(year):
    # 13 days: 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3 (none coincide in 2025 or 2026).
    assert len(fixed_statutory_holidays(year)) == 13
    for day, holiday in fixed_statutory_holidays(year).items():
        assert chinese_calendar.get_holiday_detail(day) == (True, holiday.value), day


def test_the_known_years_cover_the_current_law():
    assert KNOWN_YEARS[0] == 2004 and {2025, 2026} <= set(KNOWN_YEARS)
