"""The entry points the DAGs call: one function per task, each owning its converter's lifetime."""

from __future__ import annotations

import atexit
import datetime as dt
import os
from contextlib import contextmanager
from typing import Any

from congkhai.convert import get_converter
from congkhai.pipeline import actions, calendar_jobs
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.issuance import run_issuance

_SHARED: Any = None


@contextmanager
def converter():
    """The converter for one task. With ``CONGKHAI_SHARED_CONVERTER=1`` (replay, tests: every task in one
    process) one warm converter serves them all and is closed at exit; otherwise each task starts and
    stops its own, so no LibreOffice outlives the task that started it."""
    global _SHARED
    if os.environ.get("CONGKHAI_SHARED_CONVERTER") == "1":
        if _SHARED is None:
            _SHARED = get_converter()
            atexit.register(close_shared)
        yield _SHARED
        return
    conv = get_converter()
    try:
        yield conv
    finally:
        conv.close()


def close_shared() -> None:
    global _SHARED
    if _SHARED is not None:
        _SHARED.close()
        _SHARED = None


def _merge(results: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"filed": [], "skipped": [], "failed": [], "cases": []}
    for r in results:
        for k in out:
            out[k] += r.get(k, [])
    return out


def issuance_for_run(commune: str | None = None, case_id: str | None = None) -> dict[str, Any]:
    """Posting documents of one case (by hand) or of every pending case intake filed (then acknowledged)."""
    from congkhai.config import list_communes
    from congkhai.intake.claim import acknowledge, pending_cases

    communes = [commune] if commune else list_communes()
    results = []
    with converter() as conv:
        for code in communes:
            run = CommuneRun(code)
            ids = [case_id] if case_id else [c.case_id for c in pending_cases(code, run.settings)]
            if not ids:
                continue
            results.append(run_issuance(run, ids, conv))
            if not case_id:
                acknowledge(code, ids, run.settings)
    return _merge(results)


def daily_for(commune: str, day: dt.date) -> dict[str, Any]:
    with converter() as conv:
        return calendar_jobs.run_daily(CommuneRun(commune), day, conv)


def quarterly_for(commune: str, day: dt.date) -> dict[str, Any]:
    with converter() as conv:
        return calendar_jobs.run_quarterly(CommuneRun(commune), day, conv)


def january_for(commune: str, day: dt.date) -> dict[str, Any]:
    with converter() as conv:
        return calendar_jobs.run_january(CommuneRun(commune), day, conv)


def council_for(commune: str, day: dt.date) -> dict[str, Any]:
    with converter() as conv:
        return calendar_jobs.run_council(CommuneRun(commune), day, conv)


def action(name: str, commune: str, case_id: str, day: dt.date, **kw: Any) -> dict[str, Any]:
    """Run an operator action by name (the actions DAGs)."""
    run = CommuneRun(commune)
    if name == "cancel":
        return actions.cancel_case(run, case_id, kw.get("reason", ""), by=kw.get("by", ""))
    with converter() as conv:
        if name == "record_posting":
            return actions.record_posting(run, case_id, kw["posted"], by=kw.get("by", ""), converter=conv)
        if name == "feedback":
            return actions.record_feedback(run, case_id, kw["text"], day, by=kw.get("by", ""), converter=conv)
        if name == "correct":
            return actions.correct_case(run, case_id, kw["changes"], day, by=kw.get("by", ""), converter=conv)
        if name == "regenerate":
            return actions.regenerate(run, case_id, day, by=kw.get("by", ""), converter=conv)
    raise ValueError(f"unknown action {name}")


def evidence_for(commune: str, case_id: str, section: str, answer: Any, *, by: str, at: dt.datetime,
                 day: dt.date) -> dict[str, Any]:
    """A person's answer to a required action (the evidence DAG): recorded, and the documents remade."""
    with converter() as conv:
        return actions.record_evidence(CommuneRun(commune), case_id, section, answer, by=by, at=at, day=day,
                                       converter=conv)


def cases_needing_evidence(commune: str, case_ids: list[str]) -> list[str]:
    """The cases (of ``case_ids``) for which a person must record something (``evidence_due.asks_for``)."""
    from congkhai.pipeline.evidence_due import asks_for

    run = CommuneRun(commune)
    out = []
    for cid in case_ids:
        folder = run.archive.find_case(cid)
        case = folder.case if folder is not None else None
        if case is not None and asks_for(run, case, run.schedule_of(case)):
            out.append(cid)
    return out


def dossier_for(commune: str, year: int) -> dict[str, Any]:
    with converter() as conv:
        return calendar_jobs.assemble_year_dossier(CommuneRun(commune), year, conv)
