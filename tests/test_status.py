"""``congkhai status``: where every case stands on a day — the contract the cockpit page shows.

GIVEN a real archive of Kép built with the pipeline (``tests/cockpit_support.py``: six cases filed,
issued with the real LibreOffice, answered through ``actions.record_evidence`` as the required actions do)
WHEN the status is asked for a day
THEN each case has the contract's keys, the right state (late, waiting_person, posting, ended, cancelled),
the required actions asked by that day and not answered (overdue ones with their days late), its next
due date, and every date is the one the pipeline's schedule and ``evidence_due`` give.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from congkhai.cockpit import status as st
from congkhai.pipeline.evidence_due import asks_for
from tests.cockpit_support import (
    CANCELLED,
    ENDED,
    LATE,
    ON,
    PENDING,
    POSTING,
    WAITING,
    answer,
    cockpit_archive,
    commune_run,
    open_cases,
    real_commune,
)

pytestmark = pytest.mark.slow

CONTRACT = {"case_id", "doc_number", "subject", "item", "item_title", "state", "posting_start", "posting_end",
            "next_due", "pending_actions"}
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def built():
    return cockpit_archive()


@pytest.fixture
def run(built, monkeypatch):
    return commune_run(built, monkeypatch)


def by_id(report: dict) -> dict[str, dict]:
    return {c["case_id"]: c for c in report["cases"]}


def test_the_contract_and_every_state_on_one_day(run) -> None:
    """GIVEN the six cases WHEN the status of 02/04/2024 is asked THEN the contract holds and each case
    is in the state its story gives."""
    report = st.status_report(run, ON)
    assert report["commune"] == "kep" and report["on"] == "2024-04-02"
    cases = by_id(report)
    assert set(cases) == {PENDING, ENDED, LATE, WAITING, POSTING, CANCELLED}
    for c in cases.values():
        assert CONTRACT <= set(c), c.keys()
        assert c["state"] in st.STATES
        assert c["next_due"] is None or set(c["next_due"]) >= {"what", "date"}
        for a in c["pending_actions"]:
            assert set(a) >= {"section", "title", "due", "overdue"}
    assert {k: c["state"] for k, c in cases.items()} == {
        PENDING: "late", LATE: "late", WAITING: "waiting_person", POSTING: "posting", ENDED: "ended",
        CANCELLED: "cancelled"}
    # Most urgent first: the late ones, then waiting, posting, ended, cancelled.
    assert [c["case_id"] for c in report["cases"]] == [PENDING, LATE, WAITING, POSTING, ENDED, CANCELLED]
    p = cases[PENDING]
    assert (p["doc_number"], p["item"], p["subject"][:9]) == ("15", "Q1-8", "Dự toán n")
    assert p["item_title"] == run.plan(2024).item("Q1-8").title


def test_late_is_an_unanswered_action_past_due_with_its_days_late(run) -> None:
    """GIVEN nobody answered 15/QĐ-UBND (posting due 01/04, broadcast report due 29/03) WHEN 02/04
    THEN it is late: both actions overdue (1 and 4 calendar days), the clerk's numbers pending, no due."""
    c = by_id(st.status_report(run, ON))[PENDING]
    pending = {a["section"]: a for a in c["pending_actions"]}
    assert set(pending) == {"posting", "broadcast", "numbers"}
    def due(section: str) -> tuple:
        return pending[section]["due"], pending[section]["overdue"], pending[section]["days_late"]

    assert due("posting") == ("2024-04-01", True, 1)
    assert due("broadcast") == ("2024-03-29", True, 4)
    assert (pending["numbers"]["due"], pending["numbers"]["overdue"]) == (None, False)
    assert pending["posting"]["title"] == "Xác nhận niêm yết"
    assert c["days_late"] == 4 and len(c["late_reasons"]) == 2
    assert c["next_due"] == {"what": "broadcast", "title": "Xác nhận phát thanh", "date": "2024-03-29"}


def test_the_same_case_day_by_day(run) -> None:
    """GIVEN 15/QĐ-UBND issued on 25/03 WHEN asked on 25/03, 26/03, 28/03, 02/04 THEN posting (nothing asked
    but the clerk's numbers), waiting_person (posting asked), waiting_person (broadcast asked too), late;
    before its issue date it is not listed at all."""
    def state(day: dt.date) -> tuple[str, list[str]]:
        c = by_id(st.status_report(run, day))[PENDING]
        return c["state"], sorted(a["section"] for a in c["pending_actions"])

    assert state(dt.date(2024, 3, 25)) == ("posting", ["numbers"])
    assert state(dt.date(2024, 3, 26)) == ("waiting_person", ["numbers", "posting"])
    assert state(dt.date(2024, 3, 28)) == ("waiting_person", ["broadcast", "numbers", "posting"])
    assert state(dt.date(2024, 3, 29)) == ("waiting_person", ["broadcast", "numbers", "posting"])  # due today
    assert state(dt.date(2024, 3, 30)) == ("late", ["broadcast", "numbers", "posting"])
    assert PENDING not in by_id(st.status_report(run, dt.date(2024, 3, 24)))


def test_a_posting_started_after_its_deadline_is_late_until_it_ends(run) -> None:
    """GIVEN 21/QĐ-UBND (deadline 18/03) posted on 20/03 and its broadcast answered WHEN 02/04 THEN late with
    the schedule's working days late and no overdue action; after its posting ended (19/04) and the end
    was due, the unanswered end makes it late again, not the old lateness."""
    c = by_id(st.status_report(run, ON))[LATE]
    schedule = run.schedule_of(run.archive.find_case(LATE).case)
    assert schedule.late and c["days_late"] == schedule.days_late == 2
    assert not any(a["overdue"] for a in c["pending_actions"])
    assert c["late_reasons"] == ["Niêm yết ngày 20/03/2024, sau hạn công khai 18/03/2024 (2 ngày làm việc)"]
    assert c["posting_start"] == "2024-03-20" and c["posting_end"] == "2024-04-19"
    later = by_id(st.status_report(run, dt.date(2024, 4, 22)))[LATE]
    assert later["state"] == "late" and [r[:17] for r in later["late_reasons"]] == ["Kết thúc niêm yết"]


def test_waiting_posting_ended_cancelled(run) -> None:
    """waiting_person: asked and not yet due; posting: answered, nothing due; ended: every answer given and
    the posting over; cancelled: nothing pending, no next due."""
    cases = by_id(st.status_report(run, ON))
    w = cases[WAITING]
    dated = [(a["section"], a["due"], a["overdue"]) for a in w["pending_actions"]
             if a["section"] != "numbers"]
    assert dated == [("posting", "2024-04-05", False)]
    p = cases[POSTING]
    assert [a["section"] for a in p["pending_actions"]] == ["numbers"]
    assert p["next_due"] == {"what": "end", "title": "Kết thúc niêm yết", "date": "2024-04-17"}
    e = cases[ENDED]
    assert e["pending_actions"] == [] and e["next_due"] is None and e["posting_end"] == "2024-03-28"
    x = cases[CANCELLED]
    assert x["pending_actions"] == [] and x["next_due"] is None and x["late_reasons"] == []


def test_every_date_comes_from_the_schedule_and_evidence_due(run) -> None:
    """No date is computed by the status: each is the schedule's (schedule_of) or an ask's (evidence_due)."""
    for c in st.status_report(run, ON)["cases"]:
        case = run.archive.find_case(c["case_id"]).case
        schedule = run.schedule_of(case)
        assert c["posting_start"] == schedule.posting_start.isoformat()
        assert c["posting_end"] == schedule.posting_end.isoformat()
        assert c["deadline"] == schedule.deadline.isoformat()
        asks = {a.section: a for a in asks_for(run, case, schedule)}
        for a in c["pending_actions"]:
            assert a["due"] == (asks[a["section"]].due.isoformat() if asks[a["section"]].due else None)
            assert a["asked_from"] == asks[a["section"]].ask_from.isoformat() <= ON.isoformat()
        if c["next_due"]:
            assert c["next_due"]["date"] == asks[c["next_due"]["what"]].due.isoformat()


def test_the_day_s_work(run) -> None:
    """Today's work: the actions (overdue first), postings starting and ending, broadcasts, late cases."""
    work = st.status_report(run, ON)["today"]
    assert [(a["case_id"], a["section"]) for a in work["actions"][:3]] == [
        (PENDING, "broadcast"), (PENDING, "posting"), (WAITING, "posting")]
    assert work["broadcasts"] == [WAITING]  # 30/QĐ-UBND is on the radio on 1, 2 and 3 April
    assert [x["case_id"] for x in work["late"]] == [PENDING, LATE]
    assert st.status_report(run, dt.date(2024, 3, 26))["today"]["posting_starts"] == [PENDING]
    assert st.status_report(run, dt.date(2024, 4, 17))["today"]["posting_ends"] == [POSTING]


def test_timeline_rows_are_places_and_bars_are_postings(run) -> None:
    """The month's timeline: the UBND, ten groups, the radio; 12/QĐ-UBND only where it was posted."""
    tl = st.timeline(run, st.commune_status(run, ON), 2024, 4)
    rows = {r.place.code: [b.case.case_id for b in r.bars] for r in tl.rows}
    assert list(rows)[:2] == ["hq", "tdp01"] and list(rows)[-1] == "radio" and len(rows) == 12
    assert POSTING in rows["hq"] and POSTING in rows["tdp02"] and POSTING not in rows["tdp03"]
    assert CANCELLED not in rows["hq"] and ENDED not in rows["hq"]  # cancelled: none; ended in March
    assert rows["radio"] == [WAITING]
    bar = next(b for b in tl.rows[0].bars if b.case.case_id == PENDING)
    assert (bar.start, bar.end, bar.starts_before, bar.ends_after) == (
        dt.date(2024, 4, 1), dt.date(2024, 4, 25), True, False)


def test_cli_json_is_the_report_and_the_human_text_is_vietnamese(built) -> None:
    """``congkhai status --commune kep --archive DIR --on DATE --json`` prints the same report."""
    env = {**os.environ, **built.env()}
    args = [str(BIN / "congkhai"), "status", "--commune", "kep", "--archive", str(built.archive),
            "--on", "2024-04-02"]
    out = subprocess.run([*args, "--json"], env=env, capture_output=True, text=True, check=True).stdout
    report = json.loads(out)
    assert [c["case_id"] for c in report["cases"]] == [PENDING, LATE, WAITING, POSTING, ENDED, CANCELLED]
    human = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    assert "TRỄ HẠN" in human and "Xác nhận phát thanh" in human and "TRỄ 4 ngày" in human
    bad = subprocess.run([*args[:3], "khong-co", *args[4:]], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "không có xã/thị trấn “khong-co”" in bad.stderr
    bad = subprocess.run([*args[:-1], "2024-02-30"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "Ngày không hợp lệ" in bad.stderr


def test_answering_the_posting_moves_a_case_from_waiting_to_posting(tmp_path, monkeypatch) -> None:
    """GIVEN a case waiting for its posting to be confirmed WHEN a person answers it (record_evidence, the
    required action's path) THEN the next day it is no longer waiting: posting, and its schedule follows the
    recorded posting day."""
    from congkhai.config import settings
    from congkhai.convert import get_converter
    from congkhai.pipeline.context import CommuneRun
    from congkhai.pipeline.issuance import run_issuance

    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(real_commune(tmp_path)))
    run = CommuneRun("kep", settings())
    [cid] = open_cases(run, tmp_path, [("40", dt.date(2024, 5, 6), "Q2-2", "Thuyết minh dự toán quý I")])
    with get_converter() as conv:
        run_issuance(run, [cid], conv)
        day = dt.date(2024, 5, 8)
        before = by_id(st.status_report(run, day))[cid]
        assert before["state"] == "waiting_person" and before["posting_start"] == "2024-05-07"
        answer(run, cid, "posting", {"at": "2024-05-08 09:00", "by": "Lê Thị Hoa", "groups": "all"},
               "2024-05-08 09:30", conv)
        answer(run, cid, "numbers", {"posting_start_ubnd": 12}, "2024-05-08 09:40", conv)
    after = by_id(st.status_report(CommuneRun("kep", settings()), dt.date(2024, 5, 9)))[cid]
    assert after["state"] == "posting" and after["posting_start"] == "2024-05-08"
    assert after["pending_actions"] == [] and after["next_due"]["what"] == "broadcast"
