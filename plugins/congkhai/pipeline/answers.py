"""Recorded answers applied on their day: what ``congkhai replay --answers FILE`` does each day.

The answers file (``congkhai.evidence.AnswersFile``) holds, per source document number, what people
recorded. A section is recorded — through ``actions.record_evidence``, the same code path as the
Airflow required action — on the first replayed day it can have been answered:

- ``posting`` and ``numbers``: the day of the recorded posting (``posting.at``), or the schedule's
  posting day when only numbers are given;
- ``broadcast``: the last day broadcast;
- ``end``: the schedule's posting end (or the posting day for a permanent posting, never).

A section already recorded with the same value is not recorded again, so a re-run adds nothing.
When the answer is stored but its final document cannot be made (a sample person in the commune's
profile, say), the refusal is reported with the answer and the replay goes on: the fact is recorded,
the document waits for the profile to be fixed (then the *regenerate* action).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from congkhai.errors import PermanentError
from congkhai.evidence import CaseAnswers
from congkhai.pipeline.actions import record_evidence
from congkhai.pipeline.context import CommuneRun

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BY = "replay"


def _key(notation: str) -> str:
    return unicodedata.normalize("NFC", notation).strip()


def due_sections(run: CommuneRun, case: Any, answers: CaseAnswers) -> list[tuple[str, Any, dt.date]]:
    """(section, value, the day it becomes answerable) for every answered section of a case."""
    out: list[tuple[str, Any, dt.date]] = []
    schedule = run.schedule_of(case)
    start = answers.posting.at.date() if answers.posting else (schedule.posting_start if schedule else None)
    if answers.posting is not None:
        out.append(("posting", answers.posting.model_dump(mode="json"), answers.posting.at.date()))
    if answers.numbers and start is not None:
        out.append(("numbers", dict(answers.numbers), start))
    if answers.broadcast is not None:
        out.append(("broadcast", answers.broadcast.model_dump(mode="json"), answers.broadcast.days[-1]))
    if answers.end is not None and schedule is not None and schedule.posting_end is not None:
        out.append(("end", answers.end.model_dump(mode="json"), schedule.posting_end))
    return out


def apply_due_answers(run: CommuneRun, answers: dict[str, CaseAnswers], day: dt.date,
                      converter: Any = None) -> list[dict[str, Any]]:
    """Record every answered section that is due on or before ``day`` and not yet recorded."""
    done: list[dict[str, Any]] = []
    if not answers:
        return done
    wanted = {_key(k): v for k, v in answers.items()}
    for folder in run.case_folders():
        case = folder.case
        if case is None or case.status == "cancelled":
            continue
        ans = wanted.get(_key(case.number_notation))
        if ans is None:
            continue
        for section, value, due in due_sections(run, case, ans):
            if due > day:
                continue
            rec = (case.evidence or {}).get(section)
            if rec is not None and (section == "numbers" and all(rec["value"].get(k) == n for k, n in value.items())
                                    or section != "numbers" and rec["value"] == value):
                continue
            at = dt.datetime.combine(due, dt.time(17, 0), TZ)
            entry: dict[str, Any] = {"case_id": case.case_id, "section": section, "on": due.isoformat()}
            try:
                record_evidence(run, case.case_id, section, value, by=BY, at=at, day=day, converter=converter)
            except PermanentError as err:  # recorded; the final waits for a person to fix the profile
                entry["error"] = err.message_vi
            case = run.archive.find_case(case.case_id).case  # reload: the record changed it
            done.append(entry)
    return done
