"""Documents at the turn of the year, and a January without a plan (issue 15, point 8).

- A decision dated 2 January 2025 dropped on 30 December 2024 is filed under the 2025 plan (its issue
  year), not the plan of the year it arrived in; a decision of 28 December 2026 dropped on 4 January
  2027 under the 2026 plan, although a 2027 plan exists. Intake records the plan it used
  (``extra.plan_year``) and issuance schedules the case with that plan's item: the two plans of each
  test give the item different posting days, so the wrong year shows. Real ``process_inbox`` on real
  .docx files, a private communes folder, real LibreOffice for the posting documents.
- ``run_january`` for a year without a plan (or with a broken one) makes nothing of that year, says
  so in Vietnamese, records in the commune's state that it alerted, and does not alert again on the
  next days; it never raises.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from congkhai.config import REPO_ROOT, settings
from congkhai.intake.claim import IntakeOptions, process_inbox
from congkhai.pipeline.calendar_jobs import run_january
from congkhai.pipeline.context import CommuneRun

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_corpus  # noqa: E402

D = dt.date
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FAST = IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0.5)
Q19 = "code: Q1-9, section: q1, law_item: 1, channels: section_2"


def q19_days(days: int) -> str:
    return (f"code: Q1-9, section: q1, law_item: 1, channels: [portal, {{kind: ubnd_board, days: {days}}}, "
            f"{{kind: cultural_house, days: {days}}}, group_leaders]")


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private installation with a copy of Kép (plans 2024–2026)."""
    shutil.copytree(REPO_ROOT / "communes" / "kep", tmp_path / "communes" / "kep")
    for var, sub in (("CONGKHAI_COMMUNES", "communes"), ("CONGKHAI_DATA", "data"),
                     ("CONGKHAI_INBOX", "inbox"), ("CONGKHAI_ARCHIVE", "archive")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    for var in ("CONGKHAI_INDEX_URL", "GOTENBERG_URL", "CONGKHAI_ONLY_COMMUNES"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def edit_plan(env: Path, year: int, old: str, new: str) -> None:
    path = env / "communes" / "kep" / f"plan-{year}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def drop(env: Path, issued: dt.date, number: str, subject: str) -> None:
    spec = make_corpus.Spec("d.docx", "docx", number, "QĐ-UBND", issued, "QUYẾT ĐỊNH", [subject], "Đặng Minh Khôi")
    inbox = settings().inbox_dir("kep")
    inbox.mkdir(parents=True, exist_ok=True)
    make_corpus.write_docx(spec, inbox / f"qd-{number}.docx")
    t = time.time() - 120
    os.utime(inbox / f"qd-{number}.docx", (t, t))


@pytest.fixture(scope="module")
def converter():
    from congkhai.convert import get_converter

    with get_converter() as conv:
        yield conv


def _file_and_issue(env: Path, converter, issued: dt.date, dropped: dt.datetime, number: str, subject: str):
    from congkhai.pipeline.issuance import run_issuance

    drop(env, issued, number, subject)
    report = process_inbox("kep", settings(), now=dropped, options=FAST)
    assert len(report.new) == 1, (report.review, report.errors)
    case = report.cases[0]
    run = CommuneRun("kep", settings())
    done = run_issuance(run, [case.case_id], converter)
    assert not done["failed"] and done["filed"]
    folder = run.archive.find_case(case.case_id)
    sched = folder.manifest["schedule"]
    days = (D.fromisoformat(sched["posting_end"]) - D.fromisoformat(sched["posting_start"])).days
    return case, folder, days


@pytest.mark.slow
def test_a_new_years_decision_arriving_in_december_is_filed_under_its_own_years_plan(env, converter):
    """GIVEN the 2025 plan posting Q1-9 for 45 days (2024's: 30) and a decision dated 02/01/2025
    WHEN it is dropped on 30/12/2024 THEN it is classified Q1-9 of the 2025 plan, filed under
    2025/01/02, and its posting lasts the 2025 plan's 45 days."""
    edit_plan(env, 2025, Q19, q19_days(45))
    case, folder, days = _file_and_issue(
        env, converter, D(2025, 1, 2), dt.datetime(2024, 12, 30, 9, 0, tzinfo=TZ), "01",
        "Về việc phê duyệt phương án chuyển dịch cơ cấu kinh tế năm 2025")
    assert case.dropped == D(2024, 12, 30) and case.issued == D(2025, 1, 2)
    assert case.item == "Q1-9" and case.extra["plan_year"] == 2025
    assert folder.rel_path.startswith("2025/01/02/")
    assert 45 <= days < 50  # the drop year's plan would give 30


@pytest.mark.slow
def test_an_old_years_decision_dropped_in_january_is_filed_under_its_own_years_plan(env, converter):
    """GIVEN a 2027 plan (copied from 2026) posting Q1-9 for 60 days, 2026's for 30, and a decision dated
    28/12/2026 WHEN it is dropped on 04/01/2027 THEN it is filed under the 2026 plan and 2026/12/28, and
    posted (from the day it arrived) for the 2026 plan's 30 days."""
    src = (env / "communes" / "kep" / "plan-2026.yaml").read_text(encoding="utf-8")
    (env / "communes" / "kep" / "plan-2027.yaml").write_text(src.replace("2026", "2027"), encoding="utf-8")
    edit_plan(env, 2027, Q19, q19_days(60))
    case, folder, days = _file_and_issue(
        env, converter, D(2026, 12, 28), dt.datetime(2027, 1, 4, 9, 0, tzinfo=TZ), "215",
        "Về việc phê duyệt phương án chuyển dịch cơ cấu kinh tế năm 2027")
    assert case.dropped == D(2027, 1, 4) and case.item == "Q1-9" and case.extra["plan_year"] == 2026
    assert folder.rel_path.startswith("2026/12/28/")
    assert folder.manifest["schedule"]["posting_start"] == "2027-01-04"  # it could not be posted before
    assert 30 <= days < 35  # the 2027 plan would give 60


def test_a_case_keeps_the_plan_intake_classified_it_with(env):
    """GIVEN a case of 2023 (no 2023 plan: intake used the nearest, 2024, and recorded it) WHEN the
    pipeline looks up its item THEN it is the 2024 plan's, not none."""
    from congkhai.case import Case

    run = CommuneRun("kep", settings())
    case = Case(commune="kep", issued=D(2023, 12, 20), subject="Quy chế", item="1.2", extra={"plan_year": 2024})
    item, in_plan = run.item_of(case)
    assert in_plan and item is not None and item.code == "1.2"
    assert run.plan_of(case).year == 2024


def test_january_without_a_plan_alerts_once_and_does_not_fail(env):
    """GIVEN Kép without plan-2027.yaml WHEN the January job runs on 04/01/2027 THEN nothing of 2027 is
    made, the result says in Vietnamese what is missing and what to do, and it alerts (recorded in the
    commune's state); WHEN it runs again on 05/01 THEN the same message, no new alert; never raises."""
    s = settings()
    run = CommuneRun("kep", s)
    first = run_january(run, D(2027, 1, 4))
    assert first["plan_missing"] == "missing_plan" and first["alert"] is True
    msg = first["plan"]
    assert isinstance(msg, str) and unicodedata.is_normalized("NFC", msg)
    assert msg.startswith("Chưa có kế hoạch công khai năm 2027 của UBND thị trấn Kép")
    assert "plan-2027.yaml" in msg and "congkhai plan new --commune kep --year 2027" in msg
    assert "reposts" not in first and "plan_posting" not in first
    assert not (s.archive_dir("kep") / "2027").exists()
    state = s.state_dir("kep") / "january" / "plan-2027.json"
    assert json.loads(state.read_text(encoding="utf-8"))["alerted_on"] == "2027-01-04"

    again = run_january(CommuneRun("kep", s), D(2027, 1, 5))
    assert again["alert"] is False and again["alerted_on"] == "2027-01-04" and again["plan"] == msg


def test_january_with_a_broken_plan_says_why_once(env):
    """GIVEN a plan-2027.yaml that is not valid YAML WHEN the January job runs twice THEN it says the plan
    cannot be used (with the file's error), alerts once, never raises."""
    (env / "communes" / "kep" / "plan-2027.yaml").write_text("items: [\n", encoding="utf-8")
    s = settings()
    first = run_january(CommuneRun("kep", s), D(2027, 1, 4))
    assert first["alert"] is True and first["plan_missing"] == "bad_yaml"
    assert "Kế hoạch công khai năm 2027 của UBND thị trấn Kép chưa dùng được" in first["plan"]
    assert "plan-2027.yaml" in first["plan"]
    assert run_january(CommuneRun("kep", s), D(2027, 1, 6))["alert"] is False
