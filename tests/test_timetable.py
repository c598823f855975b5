"""The working-day timetable: runs skip weekends, holidays and Tết, run on make-up Saturdays.

GIVEN the Vietnamese calendar of 2024 WHEN the scheduler asks for successive runs (catchup on)
THEN the daily timetable gives exactly the working days, the quarterly one the first working day of
January/April/July/October, all at the stated time in Asia/Ho_Chi_Minh; and it survives serialisation.
"""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from airflow.timetables.base import TimeRestriction

from congkhai.airflow.timetable import TZ, WorkingDayTimetable, day_of
from congkhai.workdays import default_calendar


def runs(tt: WorkingDayTimetable, start: dt.date, until: dt.date) -> list[pendulum.DateTime]:
    restriction = TimeRestriction(earliest=pendulum.datetime(start.year, start.month, start.day, tz=TZ),
                                  latest=pendulum.datetime(until.year, until.month, until.day, 23, 59, tz=TZ),
                                  catchup=True)
    out, last = [], None
    while True:
        info = tt.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        if info is None:
            return out
        out.append(info.run_after)
        last = info.data_interval


def test_daily_runs_are_the_working_days_of_2024():
    tt = WorkingDayTimetable(at="07:00")
    got = runs(tt, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    days = [day_of(r) for r in got]
    cal = default_calendar()
    expected = [d for d in (dt.date(2024, 1, 1) + dt.timedelta(n) for n in range(366))
                if d.year == 2024 and cal.is_working_day(d)]
    assert days == expected
    assert dt.date(2024, 1, 1) not in days  # New Year
    assert not [d for d in days if dt.date(2024, 2, 8) <= d <= dt.date(2024, 2, 14)]  # Tết
    assert dt.date(2024, 5, 4) in days  # the make-up Saturday
    assert dt.date(2024, 4, 29) not in days and dt.date(2024, 9, 2) not in days
    assert all(pendulum.instance(r).in_timezone(TZ).strftime("%H:%M") == "07:00" for r in got)


def test_quarterly_runs_on_first_working_day_of_quarter_months():
    tt = WorkingDayTimetable(at="07:30", months=(1, 4, 7, 10), first_only=True)
    days = [day_of(r) for r in runs(tt, dt.date(2024, 1, 1), dt.date(2025, 1, 31))]
    assert days == [dt.date(2024, 1, 2), dt.date(2024, 4, 1), dt.date(2024, 7, 1), dt.date(2024, 10, 1),
                    dt.date(2025, 1, 2)]


def test_january_only():
    tt = WorkingDayTimetable(at="07:15", months=(1,), first_only=True)
    # 2026: 1–4/1 off (Fri 2/1 swapped to Sat 10/1, Công văn 12729/VPCP-KGVX) → Monday 5/1
    assert [day_of(r) for r in runs(tt, dt.date(2024, 1, 1), dt.date(2026, 12, 31))] == [
        dt.date(2024, 1, 2), dt.date(2025, 1, 2), dt.date(2026, 1, 5)]


@pytest.mark.parametrize("tt", [WorkingDayTimetable(), WorkingDayTimetable("07:30", (1, 4, 7, 10), True)])
def test_serialisation_round_trip(tt):
    again = WorkingDayTimetable.deserialize(tt.serialize())
    assert again == tt and again.summary == tt.summary


def test_no_catchup_starts_from_now():
    tt = WorkingDayTimetable()
    restriction = TimeRestriction(earliest=pendulum.datetime(2024, 1, 1, tz=TZ), latest=None, catchup=False)
    info = tt.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
    assert info is not None and info.run_after >= pendulum.now("UTC").subtract(days=1)


@pytest.mark.parametrize("tt", [WorkingDayTimetable(at="07:00"), WorkingDayTimetable("07:30", (1, 4, 7, 10), True)])
def test_run_times_are_the_scheduler_s_logical_dates(tt):
    """GIVEN a past period WHEN its runs are listed to catch it up (scripts/scale-check, a run a day
    triggered with its logical date) THEN they are exactly the runs the scheduler gives it with catchup
    on: same days, same time, oldest first."""
    first, last = dt.date(2024, 3, 18), dt.date(2024, 4, 5)
    assert tt.run_times(first, last) == runs(tt, first, last)
    assert [day_of(r) for r in WorkingDayTimetable().run_times(dt.date(2024, 3, 28), dt.date(2024, 4, 1))] == [
        dt.date(2024, 3, 28), dt.date(2024, 3, 29), dt.date(2024, 4, 1)]
