"""The one reminder ladder that annual reports and final reports share."""

import datetime

from incubator.orgs.reminders import OVERDUE, rung

DUE = datetime.date(2027, 5, 31)


def day(n: int) -> datetime.date:
    return DUE - datetime.timedelta(days=n)


def test_each_threshold_is_reached_once_and_a_missed_day_still_reminds():
    ladder = (30, 7, 1)
    assert rung(due_on=DUE, today=day(31), days_before=ladder) is None
    assert rung(due_on=DUE, today=day(30), days_before=ladder) == "30"
    assert rung(due_on=DUE, today=day(8), days_before=ladder) == "30"  # still the same rung: sent once by key
    assert rung(due_on=DUE, today=day(6), days_before=ladder) == "7"  # the job missed day 7
    assert rung(due_on=DUE, today=day(0), days_before=ladder) == "1"
    assert rung(due_on=DUE, today=day(-1), days_before=ladder) == OVERDUE
    assert rung(due_on=DUE, today=day(15), days_before=(14, 7, 1)) is None
