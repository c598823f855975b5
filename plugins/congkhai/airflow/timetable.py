"""A timetable on the Vietnamese working-day calendar: runs skip weekends, holidays and Tết,
and run on make-up Saturdays.

``WorkingDayTimetable(at="07:00")`` runs every working day at 07:00 Asia/Ho_Chi_Minh;
``months=(1, 4, 7, 10), first_only=True`` runs on the first working day of those months only
(the quarterly list), ``months=(1,)`` on the first working day of January. The run's logical date
is the run's time, so a task's day is ``logical_date`` in Vietnam (never ``now()``).
Registered by the ``congkhai`` Airflow plugin (plugins/congkhai_airflow.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
from airflow.timetables.base import DagRunInfo, DataInterval, Timetable

TZ = "Asia/Ho_Chi_Minh"


def _calendar():
    from congkhai.workdays import default_calendar

    return default_calendar()


class WorkingDayTimetable(Timetable):
    def __init__(self, at: str = "07:00", months: tuple[int, ...] | list[int] | None = None,
                 first_only: bool = False) -> None:
        self.at = at
        self.months = tuple(months) if months else None
        self.first_only = first_only
        hh, mm = at.split(":")
        self._time = dt.time(int(hh), int(mm))
        self.description = self._describe()

    # -- which days ---------------------------------------------------------------------------
    def _is_run_day(self, d: dt.date, cal: Any) -> bool:
        if not cal.is_working_day(d):
            return False
        if self.months and d.month not in self.months:
            return False
        if self.first_only:
            first = dt.date(d.year, d.month, 1)
            while not cal.is_working_day(first):
                first += dt.timedelta(days=1)
            return d == first
        return True

    def next_run_day(self, d: dt.date) -> dt.date:
        """The first run day on or after ``d``."""
        cal = _calendar()
        for _ in range(800):
            if self._is_run_day(d, cal):
                return d
            d += dt.timedelta(days=1)
        raise ValueError("no run day within 800 days")

    def _at(self, d: dt.date) -> pendulum.DateTime:
        return pendulum.datetime(d.year, d.month, d.day, self._time.hour, self._time.minute, tz=TZ).in_timezone("UTC")

    def run_times(self, first: dt.date, last: dt.date) -> list[pendulum.DateTime]:
        """The runs of the Vietnamese days ``first``..``last`` (both included), oldest first, in UTC: the
        logical dates the scheduler gives them (to catch up a past period with logical-dated runs)."""
        cal = _calendar()
        days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
        return [self._at(d) for d in days if self._is_run_day(d, cal)]

    # -- Timetable API ------------------------------------------------------------------------
    def infer_manual_data_interval(self, *, run_after: pendulum.DateTime) -> DataInterval:
        return DataInterval.exact(run_after)

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None,
                         restriction: Any) -> DagRunInfo | None:
        if last_automated_data_interval is not None:
            last = pendulum.instance(last_automated_data_interval.start).in_timezone(TZ)
            start = last.date() + dt.timedelta(days=1)
            if not restriction.catchup:  # after a backfill or downtime: no run for the missed past
                now = pendulum.now(TZ)
                start = max(start, now.date() + dt.timedelta(days=int(now.time() > self._time)))
        else:
            earliest = restriction.earliest
            if earliest is None:
                return None
            if not restriction.catchup:
                earliest = max(pendulum.instance(earliest), pendulum.now("UTC"))
            local = pendulum.instance(earliest).in_timezone(TZ)
            start = local.date()
            if local.time() > self._time:
                start += dt.timedelta(days=1)
        run = self._at(self.next_run_day(start))
        if restriction.latest is not None and run > restriction.latest:
            return None
        return DagRunInfo.exact(run)

    # -- serialisation and UI -------------------------------------------------------------------
    def serialize(self) -> dict[str, Any]:
        return {"at": self.at, "months": list(self.months) if self.months else None, "first_only": self.first_only}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> WorkingDayTimetable:
        return cls(at=data.get("at", "07:00"), months=data.get("months"), first_only=data.get("first_only", False))

    @property
    def summary(self) -> str:
        return self.description

    @property
    def _timezone(self):  # what the DAG-integrity test checks
        return pendulum.timezone(TZ)

    def _describe(self) -> str:
        which = "ngày làm việc đầu tiên" if self.first_only else "mỗi ngày làm việc"
        months = f" của tháng {', '.join(str(m) for m in self.months)}" if self.months else ""
        return f"{which}{months} lúc {self.at} (giờ Việt Nam)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkingDayTimetable) and self.serialize() == other.serialize()

    def __hash__(self) -> int:
        return hash((self.at, self.months, self.first_only))


def day_of(logical_date: Any) -> dt.date:
    """The Vietnamese calendar day of a run (its logical date, or its run_after for manual runs)."""
    return pendulum.instance(logical_date).in_timezone(TZ).date()
