"""Answers recorded on their day: the replay's ``--answers`` path (``pipeline.answers``) stores each
section through ``actions.record_evidence`` — the same function as the Airflow required action.

GIVEN a filed Kép case (15/QĐ-UBND, item Q1-8) and an answers file in the contract format
WHEN the days pass THEN each section is recorded on its own day (posting on the day it happened, the
broadcast after its last day, the end at the posting end), with who and when, exactly once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from congkhai.case import Case
from congkhai.config import settings
from congkhai.errors import UsageError
from congkhai.evidence import load_answers
from congkhai.pipeline.answers import apply_due_answers
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.issuance import run_issuance

pytestmark = pytest.mark.slow

ANSWERS = """\
"15/QĐ-UBND":
  posting:
    at: "2024-03-26 14:30"
    by: "Lê Thị Hoa"
    witnesses: ["Nguyễn Văn Bình"]
    groups: all
  broadcast:
    days: ["2024-03-26", "2024-03-27", "2024-03-28"]
    sessions: ["06:30", "17:15"]
  end:
    feedback: []
  numbers:
    posting_start_ubnd: 31
"""


@pytest.fixture(scope="module")
def converter():
    from congkhai.convert import get_converter

    with get_converter() as conv:
        yield conv


def test_answers_are_recorded_on_their_day_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, converter) -> None:
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    run = CommuneRun("kep", settings())
    case = Case(commune="kep", issued=dt.date(2024, 3, 25), subject="Dự toán ngân sách năm 2024", doc_number="15",
                doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q1-8", law_item=2)
    orig = tmp_path / "orig.pdf"
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.write(orig)
    run.archive.open_case(case).add_original(orig)
    run_issuance(run, [case.case_id], converter)
    f = tmp_path / "answers.yaml"
    f.write_text(ANSWERS, encoding="utf-8")
    answers = load_answers(f)

    assert apply_due_answers(run, answers, dt.date(2024, 3, 25), converter) == []
    done = apply_due_answers(run, answers, dt.date(2024, 3, 26), converter)
    assert {d["section"] for d in done} == {"posting", "numbers"}
    # Kép's profile holds sample people: the facts are recorded, a final is refused in Vietnamese
    for d in done:
        assert "error" not in d or "dữ liệu mẫu" in d["error"], d
    ev = run.archive.find_case(case.case_id).case.evidence
    assert ev["posting"]["by"] == "replay" and ev["posting"]["value"]["by"] == "Lê Thị Hoa"
    assert ev["posting"]["value"]["at"] == "2024-03-26T14:30:00"
    assert ev["posting"]["at"].startswith("2024-03-26T17:00:00")
    assert ev["numbers"]["value"] == {"posting_start_ubnd": 31}
    assert [d["section"] for d in apply_due_answers(run, answers, dt.date(2024, 3, 28), converter)] == ["broadcast"]
    end = run.schedule_of(run.archive.find_case(case.case_id).case).posting_end
    assert apply_due_answers(run, answers, end - dt.timedelta(days=1), converter) == []
    assert [d["section"] for d in apply_due_answers(run, answers, end, converter)] == ["end"]
    folder = run.archive.find_case(case.case_id)
    assert folder.case.evidence["end"]["value"]["feedback"] == []
    assert folder.case.posted == dt.date(2024, 3, 26)
    # a re-run records nothing again
    assert apply_due_answers(run, answers, end + dt.timedelta(days=30), converter) == []
    assert sum(e["event"] == "evidence" for e in folder.manifest["history"]) == 4


def test_a_bad_answers_file_is_refused_in_vietnamese(tmp_path: Path) -> None:
    f = tmp_path / "a.yaml"
    f.write_text('"15/QĐ-UBND":\n  posting: {at: "hôm qua", by: ""}\n  end: {feedback: "không"}\n', encoding="utf-8")
    with pytest.raises(UsageError) as err:
        load_answers(f)
    assert "không hợp lệ" in err.value.message_vi and "posting" in err.value.message_vi
    f.write_text("a: &x [1]\nb: *x\n", encoding="utf-8")
    with pytest.raises(UsageError):
        load_answers(f)
