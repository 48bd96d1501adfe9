import datetime

import pytest

from incubator.funding.models import WorkingDayOverride
from incubator.funding.workdays import is_working_day, statutory_calendar_knows, unknown_years, working_period

pytestmark = pytest.mark.django_db
D = datetime.date


def test_five_working_days_across_national_day_with_its_adjusted_saturday(in_hub_a):
    # 2026: 1-7 October are holidays; Saturday 10 October is an adjusted working day (调休).
    assert not is_working_day(D(2026, 10, 5)) and is_working_day(D(2026, 10, 10))
    first, last = working_period(D(2026, 9, 30), 5)
    # 30 Sept (Wed) counts, then 8 (Thu), 9 (Fri), 10 (Sat, adjusted) and 12 October (Mon).
    assert (first, last) == (D(2026, 9, 30), D(2026, 10, 12))


def test_a_notice_starting_on_a_holiday_starts_on_the_next_working_day(in_hub_a):
    # 8 (Thu), 9 (Fri), 10 (adjusted Saturday), 12 (Mon), 13 (Tue).
    assert working_period(D(2026, 10, 3), 5) == (D(2026, 10, 8), D(2026, 10, 13))


def test_unpublished_years_fall_back_to_weekdays_plus_the_hubs_own_days(in_hub_a):
    assert statutory_calendar_knows(2026) and not statutory_calendar_knows(2031)
    assert unknown_years(D(2026, 12, 30), D(2027, 1, 3)) == [2027]
    # Monday 6 to Friday 10 January 2031 by weekdays alone…
    assert working_period(D(2031, 1, 6), 5) == (D(2031, 1, 6), D(2031, 1, 10))
    # …until the hub enters a holiday on the Wednesday and an adjusted working Saturday.
    WorkingDayOverride.objects.create(date=D(2031, 1, 8), is_working_day=False, note="假日")
    WorkingDayOverride.objects.create(date=D(2031, 1, 11), is_working_day=True, note="调休")
    assert working_period(D(2031, 1, 6), 5) == (D(2031, 1, 6), D(2031, 1, 11))
