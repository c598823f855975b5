"""When a person is asked for each section of a case's evidence, and when the answer is due.

The one place these dates are computed: the ``congkhai_evidence`` DAG asks on ``ask_from`` (its
required actions wait until then), and the daily deadline check lists a case as waiting for a
person once ``due`` has passed without an answer (``congkhai.evidence`` sections):

- ``posting``   asked from the posting day; due by the disclosure deadline (or the posting day, when
  the posting itself is late);
- ``broadcast`` (the item is broadcast and the commune has a radio station) asked from the last
  broadcast day; due when the broadcast report is due;
- ``end``       (a posting that ends) asked from the posting's last day; due that day;
- ``numbers``   (the commune's clerk numbers the documents by hand) asked at once; no due date.

Dates follow the case's schedule, which follows the posting date a person recorded: ask again for
the later sections after the posting was confirmed.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from congkhai.archive.store import CaseFolder
from congkhai.case import Case
from congkhai.pipeline.context import CommuneRun
from congkhai.schedule import Schedule

#: Local hour (Asia/Ho_Chi_Minh) from which a section is asked on its ``ask_from`` day.
ASK_HOUR = 7
#: ``1``: ask every section at once (tests, demonstrations); the due dates do not change.
ASK_NOW_ENV = "CONGKHAI_EVIDENCE_ASK_NOW"


@dataclass(frozen=True)
class Ask:
    """One required action of a case."""

    section: str
    ask_from: dt.date
    due: dt.date | None

    def ask_at(self) -> dt.datetime | None:
        """When to ask (aware, Vietnam time); None: now."""
        if os.environ.get(ASK_NOW_ENV) == "1":
            return None
        from zoneinfo import ZoneInfo

        return dt.datetime.combine(self.ask_from, dt.time(ASK_HOUR), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def clerk_numbering(run: CommuneRun) -> bool:
    """Whether the commune's clerk gives the official numbers (by hand) instead of the register
    (read once per :class:`CommuneRun`)."""
    cache = run.__dict__
    if "_clerk_numbering" not in cache:
        cache["_clerk_numbering"] = (getattr(run.commune, "numbering", None) == "clerk"
                                     or run.register.blank_numbers)
    return bool(cache["_clerk_numbering"])


def asks_for(run: CommuneRun, case: Case, schedule: Schedule | None) -> list[Ask]:
    """The sections a person must answer for ``case``, with when each is asked and due."""
    if schedule is None or case.status == "cancelled":
        return []
    out = [Ask("posting", schedule.posting_start, max(schedule.posting_start, schedule.deadline))]
    if run.commune.has_radio and schedule.broadcast_days:
        out.append(Ask("broadcast", schedule.broadcast_days[-1],
                       schedule.broadcast_report_due or schedule.broadcast_days[-1]))
    if schedule.posting_end is not None and not schedule.permanent:
        out.append(Ask("end", schedule.posting_end, schedule.posting_end))
    if clerk_numbering(run):
        out.append(Ask("numbers", case.issued, None))
    return out


def ask_of(run: CommuneRun, folder: CaseFolder, section: str) -> Ask | None:
    """The section's ask for the case in ``folder`` as it stands now (None: not asked for this case)."""
    case = folder.case
    if case is None:
        return None
    return next((a for a in asks_for(run, case, run.schedule_of(case)) if a.section == section), None)


def waiting(run: CommuneRun, case: Case, schedule: Schedule | None, day: dt.date) -> list[Ask]:
    """The sections past their due date on ``day`` that nobody has answered yet."""
    return [a for a in asks_for(run, case, schedule)
            if a.due is not None and a.due < day and a.section not in (case.evidence or {})]
