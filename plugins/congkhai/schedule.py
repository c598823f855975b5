"""The disclosure schedule of one document: deadline, posting window, radio days, lateness.

The counting rule (docs/counting-rule.md; configurable per commune in ``commune.yaml: counting``):

- **Deadline**: the day of issuance is not counted (Bộ luật Dân sự, Điều 147); the deadline is the
  N-th working day after issuance, N = the item's ``timing.working_days`` (Luật 10/2022: 5).
  With ``first_day_counted: true`` an issuance on a working day counts as day 1.
  Quarterly-list items (``timing.rule: quarter_start``) are due on the last day of their window
  (day 05 of the quarter's first month), moved to the next working day when that is a day off.
- **Posting start**: the actual posting date when given, else the start a source document states
  (a cover letter: ``từ ngày 14/8/2024``, :class:`AskedPeriod`), else the first working day after
  issuance.
- **Posting end**: the last day a source document states (``đến hết ngày 12/9/2024``) is the end of
  the UBND board's and the cultural houses' posting, as written; else a posting of N consecutive days
  (N: the days the document states, else the item's) ends on day N after the posting day (the posting
  day itself not counted), moved to the next working day when that day is a day off (Điều 148).
  Permanent postings have no end (they are replaced in January); an item without a posting
  channel has no posting window.
- **Radio**: N consecutive calendar days starting on the posting day; the broadcast report is due on
  the first working day after the last broadcast day. Nothing when the commune has no radio station.
- **Late**: the posting started after the deadline.

This module is the only place a disclosure date is computed: the pipeline calls
``compute_schedule`` through ``CommuneRun.schedule_of`` (which applies the posting day an operator
recorded, the period a cover letter states — :func:`asked_period` — or the late-drop rule) and hands
the :class:`Schedule` to every document builder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from congkhai.case import Case
from congkhai.commune import Commune, CountingRule
from congkhai.errors import UsageError
from congkhai.plan import POSTING_KINDS, Item
from congkhai.workdays import WorkCalendar, default_calendar

QUARTER_FIRST_MONTHS = (1, 4, 7, 10)
#: The postings a cover letter's period applies to (the places it lists: the UBND and cultural houses).
ASKED_KINDS = ("ubnd_board", "cultural_house")


def quarter_of(d: dt.date) -> int:
    return (d.month - 1) // 3 + 1


@dataclass(frozen=True)
class Schedule:
    """The computed dates of one disclosure. ``to_json_dict`` gives the CLI's keys."""

    item: str
    law_item: int
    issued: dt.date
    deadline: dt.date
    posting_start: dt.date
    posting_end: dt.date | None
    broadcast_days: list[dt.date]
    broadcast_report_due: dt.date | None
    late: bool
    quarter: int  # the quarter of the posting start (the quarterly list it appears in)
    quarter_year: int
    plan_quarter: int | None = None  # the plan section's quarter for Q-items
    permanent: bool = False
    posted_given: bool = False
    channel_ends: dict[str, dt.date | None] = field(default_factory=dict)
    days_late: int = 0  # working days after the deadline (0 when on time)
    asked_start: bool = False  # posting_start is the start a source document states (nobody recorded one)
    asked_end: bool = False  # posting_end is the last day a source document states
    asked_days: int | None = None  # the duration a source document states ("30 ngày liên tục")

    def to_json_dict(self) -> dict[str, Any]:
        """Exactly the CLI keys, dates as YYYY-MM-DD."""

        def iso(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "item": self.item,
            "law_item": self.law_item,
            "issued": self.issued.isoformat(),
            "deadline": self.deadline.isoformat(),
            "posting_start": self.posting_start.isoformat(),
            "posting_end": iso(self.posting_end),
            "broadcast_days": [d.isoformat() for d in self.broadcast_days],
            "broadcast_report_due": iso(self.broadcast_report_due),
            "late": self.late,
        }


@dataclass(frozen=True)
class AskedPeriod:
    """The posting period a source document states (``case.posting_request``: a cover letter or a
    district notice read by ``congkhai.intake.cover``); each part None when the document does not say."""

    start: dt.date | None = None
    end: dt.date | None = None
    days: int | None = None

    def __bool__(self) -> bool:
        return bool(self.start or self.end or self.days)


def _iso(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def asked_period(case: Case) -> AskedPeriod:
    """The period ``case.posting_request`` states; a start before the issue date, or an end before the
    start, is not a period anyone can post in: ignored (intake notes it for staff)."""
    req = case.posting_request or {}
    start, end = _iso(req.get("start")), _iso(req.get("end"))
    days = req.get("days") if isinstance(req.get("days"), int) and req.get("days", 0) > 0 else None
    if start is not None and start < case.issued:
        start = None
    if end is not None and (end < (start or case.issued)):
        end = None
    return AskedPeriod(start=start, end=end, days=days)


@dataclass(frozen=True)
class ScheduledCase:
    """A case with its plan item and its schedule, as the pipeline computed them once.

    ``item`` is None when the case has no plan item; ``schedule`` is None when no schedule can be
    computed (no plan for the year): documents then print blanks to fill in, never a guessed date.
    """

    case: Case
    item: Item | None
    schedule: Schedule | None


def _quarter_deadline(issued: dt.date, last_day: int, cal: WorkCalendar, rule: CountingRule) -> dt.date:
    """Day ``last_day`` of the quarter's first month: this month's when issued in such a month,
    else the next quarter's (a list prepared ahead of the quarter's start)."""
    if issued.month in QUARTER_FIRST_MONTHS:
        year, month = issued.year, issued.month
    else:
        month = next((m for m in QUARTER_FIRST_MONTHS if m > issued.month), 1)
        year = issued.year + (1 if month == 1 else 0)
    due = dt.date(year, month, last_day)
    if rule.posting_end_moves_to_working_day:
        due = cal.working_day_on_or_after(due)
    return due


def deadline_for(item: Item, issued: dt.date, cal: WorkCalendar, rule: CountingRule) -> dt.date:
    """The disclosure deadline of a document of this item issued on ``issued``."""
    t = item.timing
    if t.rule == "quarter_start" and t.window is not None:
        return _quarter_deadline(issued, t.window[1], cal, rule)
    n = t.working_days or rule.deadline_working_days
    if rule.first_day_counted and cal.is_working_day(issued):
        n -= 1
    return cal.add_working_days(issued, n)


def posting_end_for(start: dt.date, days: int, cal: WorkCalendar, rule: CountingRule) -> dt.date:
    """Day ``days`` after the posting day (or day ``days`` counting it), moved off days off."""
    end = start + dt.timedelta(days=days - 1 if rule.first_day_counted else days)
    if rule.posting_end_moves_to_working_day and not cal.is_working_day(end):
        end = cal.next_working_day(end)
    return end


def compute_schedule(
    item: Item,
    issued: dt.date,
    posted: dt.date | None = None,
    commune: Commune | None = None,
    calendar: WorkCalendar | None = None,
    asked: AskedPeriod | None = None,
) -> Schedule:
    """Compute the schedule of one document (see the module docstring for the rule). ``posted``: the
    posting day a person recorded (or the late-drop day); ``asked``: the period a source document states."""
    if posted is not None and posted < issued:
        raise UsageError(
            f"Ngày niêm yết {posted.isoformat()} trước ngày ban hành {issued.isoformat()}",
            f"Posting date {posted.isoformat()} is before the issue date {issued.isoformat()}",
            kind="bad_date", field="posted",
        )
    cal = calendar or default_calendar()
    rule = commune.counting if commune is not None else CountingRule()
    deadline = deadline_for(item, issued, cal, rule)
    asked = asked or AskedPeriod()
    asked_start = posted is None and asked.start is not None
    start = posted if posted is not None else asked.start or cal.next_working_day(issued)
    asked_end = asked.end is not None and asked.end >= start

    channel_ends: dict[str, dt.date | None] = {}
    for c in item.channels:
        if c.kind in POSTING_KINDS:
            if c.permanent:
                channel_ends[c.kind] = None
            elif asked_end and c.kind in ASKED_KINDS:
                channel_ends[c.kind] = asked.end
            else:
                days = asked.days if asked.days and c.kind in ASKED_KINDS else c.days or 0
                channel_ends[c.kind] = posting_end_for(start, days, cal, rule)
    if asked_end or asked.days:  # the letter's places are posted for its period, whatever the item's channels
        for kind in ASKED_KINDS:
            channel_ends.setdefault(kind, asked.end if asked_end else posting_end_for(start, asked.days or 0, cal,
                                                                                        rule))
    posting_end: dt.date | None = None
    permanent = any(c.permanent for c in item.channels if c.kind in POSTING_KINDS)
    if channel_ends and not permanent:
        # The main posting is the UBND board's; otherwise the longest posting.
        posting_end = channel_ends.get("ubnd_board") or max(d for d in channel_ends.values() if d)

    broadcast: list[dt.date] = []
    report_due: dt.date | None = None
    radio = item.channel("radio")
    has_station = commune.has_radio if commune is not None else True
    if radio is not None and radio.days and has_station:
        first = start if rule.radio_starts_on_posting_day else start + dt.timedelta(days=1)
        broadcast = [first + dt.timedelta(days=i) for i in range(radio.days)]
        report_due = cal.next_working_day(broadcast[-1])

    late = start > deadline
    return Schedule(
        item=item.code,
        law_item=item.law_item,
        issued=issued,
        deadline=deadline,
        posting_start=start,
        posting_end=posting_end,
        broadcast_days=broadcast,
        broadcast_report_due=report_due,
        late=late,
        quarter=quarter_of(start),
        quarter_year=start.year,
        plan_quarter=item.quarter,
        permanent=permanent,
        posted_given=posted is not None,
        channel_ends=channel_ends,
        days_late=cal.working_days_between(deadline, start) if late else 0,
        asked_start=asked_start,
        asked_end=asked_end and not permanent,
        asked_days=asked.days,
    )
