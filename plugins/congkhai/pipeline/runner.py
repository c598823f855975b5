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


def _announced(commune: str, case: Any) -> dict[str, Any]:
    return {"commune": commune, "case_id": case.case_id, "item": case.item, "subject": case.subject,
            "issued": case.issued.isoformat() if case.issued else None, "number": case.doc_number,
            "code": case.doc_code}


def take_inboxes(communes: list[str], now: dt.datetime, echo: Any = None) -> dict[str, Any]:
    """The inbox task: intake of each commune's inbox (``process_inbox``) in turn, then what to announce —
    every case filed and not yet taken by the pipeline (``pending_cases``), of every commune.

    A commune whose intake raises does not stop the others: its error is raised once every commune has
    been taken (the task's retry announces everything again; nothing pending is ever lost)."""
    from congkhai.intake.claim import process_inbox

    say = echo or (lambda _line: None)
    cases: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    first_error: BaseException | None = None
    for commune in communes:
        try:
            report = process_inbox(commune, now=now)
        except Exception as err:  # noqa: BLE001 - raised below, after the other communes
            say(f"!! {commune}: {err}")
            first_error = first_error or err
            continue
        say(f"== {commune}: {len(report.new)} hồ sơ mới / new case(s), {len(report.duplicates)} trùng / duplicate(s), "
            f"{len(report.review)} chờ xem / to review, {len(report.errors)} để riêng / set aside, "
            f"{len(report.waiting)} đang chép / still copying")
        for c in report.cases:
            say(f"   case {c.case_id}: {c.number_notation} {c.issued} {c.item} — {c.subject}")
        for e in report.errors:
            say(f"   ! {e.get('name')}: {e.get('message')}")
        for r in report.review:
            say(f"   ? {r.get('name')}: {r.get('message', '')}")
        cases += [_announced(commune, c) for c in report.cases]
        reports.append({"commune": commune, "new": report.new, "errors": len(report.errors),
                        "review": len(report.review), "duplicates": len(report.duplicates)})
    if first_error is not None:
        raise first_error
    return {"cases": cases, "communes": reports}


def daily_work(communes: list[str], day: dt.date) -> dict[str, list[str]]:
    """The communes with something for the daily job to do on ``day`` (``calendar_jobs.daily_work``:
    manifests and stored schedules only, no converter), with what: the daily DAG's first, cheap step."""
    out = {}
    for code in communes:
        work = calendar_jobs.daily_work(CommuneRun(code), day)
        if work:
            out[code] = work
    return out


def deadlines_for(commune: str, day: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Cases near or past their deadline, posted late, waiting for a person (no converter)."""
    return calendar_jobs.deadline_check(CommuneRun(commune), day)
