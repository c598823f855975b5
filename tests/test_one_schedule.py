"""One schedule: the minutes, the quarterly list and the council report print the same dates.

GIVEN two cases of Kép (2024):
  - A: a budget decision (item Q1-8) issued Friday 01/03/2024 but dropped only on Saturday 16/03 —
    it cannot have been posted before the office had it: posted Monday 18/03, past its deadline
    (Friday 08/03), so it is late; its 30 days end on Wednesday 17/04;
  - B: a budget report (item Q2-2) issued Friday 26/04/2024 and dropped the same day — the days
    off 27/04–01/05 put its posting on Thursday 02/05 (not Monday 29/04, as a weekends-only count
    would); its 30 days end on Saturday 01/06, moved to Monday 03/06; not late;
  - C: a cover letter (công văn 88/UBND-VP, Friday 10/05/2024, dropped only on 20/05) asking to post at
    the People's Committee and TDP 4 from 15/05 to the end of 14/06/2024: its period is the schedule
    (neither the late-drop day nor the item's 30 days);
WHEN the issuance, the posting day recorded by a person (the start minutes are drafts until then: a
posting day is a fact nobody but a person can give), the Q1 and Q2 quarterly lists (1 April, 1 July)
and the report before the People's Council session of 12/07 (made on 05/07) are produced through the
pipeline functions, with real rendering and the real LibreOffice
THEN the start minutes (PDF text), the list rows (DOCX table cells, and the PDF text) and the council
report (PDF text) show the same posting dates, and the council report names A — and only A — as late;
C's draft minutes print the letter's period before anybody records a posting.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader, PdfWriter

from congkhai.case import Case
from congkhai.config import settings
from congkhai.pipeline import actions
from congkhai.pipeline.calendar_jobs import run_council, run_quarterly
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.issuance import run_issuance

pytestmark = pytest.mark.slow

LATE = Case(commune="kep", issued=dt.date(2024, 3, 1), subject="Giao dự toán ngân sách thị trấn năm 2024",
            doc_number="15", doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q1-8", law_item=2,
            dropped=dt.date(2024, 3, 16))
HOLIDAY = Case(commune="kep", issued=dt.date(2024, 4, 26),
               subject="Tình hình thực hiện dự toán ngân sách thị trấn quý I năm 2024", doc_number="62",
               doc_code="BC-UBND", doc_type="BÁO CÁO", item="Q2-2", law_item=2, dropped=dt.date(2024, 4, 26))
LETTER = Case(commune="kep", issued=dt.date(2024, 5, 10), subject="V/v niêm yết công khai thông báo thu hồi đất",
              doc_number="88", doc_code="UBND-VP", doc_type="CÔNG VĂN", item="N-2", law_item=3,
              dropped=dt.date(2024, 5, 20),
              posting_request={"places": {"hq": True, "groups": ["tdp04"]}, "start": "2024-05-15",
                               "end": "2024-06-14", "roles": ["dia_chinh"]})
#: case -> (posting start, posting end, late)
EXPECTED = {
    LATE.case_id: (dt.date(2024, 3, 18), dt.date(2024, 4, 17), True),
    HOLIDAY.case_id: (dt.date(2024, 5, 2), dt.date(2024, 6, 3), False),
    LETTER.case_id: (dt.date(2024, 5, 15), dt.date(2024, 6, 14), False),
}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pdf_text(path: Path) -> str:
    return norm(" ".join(p.extract_text() or "" for p in PdfReader(path).pages))


def words(d: dt.date) -> str:
    """``ngày 18 tháng 3 năm 2024`` (leading zero for days < 10 and months 1-2)."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def dmy(d: dt.date) -> str:
    return f"{d:%d/%m/%Y}"


@pytest.fixture(scope="module")
def converter():
    from congkhai.convert import get_converter

    with get_converter() as conv:
        yield conv


@pytest.fixture(scope="module")
def produced(tmp_path_factory, converter):
    tmp = tmp_path_factory.mktemp("one-schedule")
    mp = pytest.MonkeyPatch()
    mp.setenv("CONGKHAI_DATA", str(tmp / "data"))
    mp.setenv("CONGKHAI_ARCHIVE", str(tmp / "archive"))
    try:
        run = CommuneRun("kep", settings())
        blank = tmp / "orig.pdf"
        w = PdfWriter()
        w.add_blank_page(595, 842)
        w.write(blank)
        for case in (LATE, HOLIDAY, LETTER):
            run.archive.open_case(case).add_original(blank)
        issued = run_issuance(run, [LATE.case_id, HOLIDAY.case_id, LETTER.case_id], converter)
        assert not issued["failed"], issued["failed"]
        for case in (LATE, HOLIDAY):  # the day a person says it was posted: the schedule's own posting day
            actions.record_posting(run, case.case_id, EXPECTED[case.case_id][0], by="vp", converter=converter)
        q1 = run_quarterly(run, dt.date(2024, 4, 1), converter)
        q2 = run_quarterly(run, dt.date(2024, 7, 1), converter)
        council = run_council(run, dt.date(2024, 7, 5), converter)
        for r in (q1, q2, council):  # a run that made nothing says why under "skipped"
            assert not isinstance(r.get("skipped"), str) and not r.get("failed"), r
        yield run
    finally:
        mp.undo()


def latest(folder, key: str, ext: str = "pdf") -> Path:
    entry = folder.latest(key, ext)
    assert entry is not None, f"{folder.rel_path}: no {ext} for {key}"
    return entry.abs_path


def test_the_schedule_is_the_expected_one(produced):
    run = produced
    for case in (LATE, HOLIDAY, LETTER):
        s = run.schedule_of(case)
        assert s is not None
        assert (s.posting_start, s.posting_end, s.late) == EXPECTED[case.case_id], case.case_id
        stored = run.archive.find_case(case.case_id).manifest["schedule"]
        assert stored["posting_start"] == s.posting_start.isoformat() and stored["late"] is s.late


@pytest.mark.parametrize("case", [LATE, HOLIDAY], ids=["late-drop", "holiday"])
def test_minutes_print_the_schedule(produced, case):
    start, end, _ = EXPECTED[case.case_id]
    folder = produced.archive.find_case(case.case_id)
    for key in ("posting_start_ubnd", "posting_start_group:tdp01"):
        text = pdf_text(latest(folder, key))
        assert f"Kép, {words(start)}" in text, f"{key}: not dated {words(start)}"
        assert f"từ {words(start)} đến hết {words(end)}" in text, f"{key}: period not {start}–{end}"
        if EXPECTED[case.case_id][2]:  # a late posting says so plainly
            assert "Văn bản được niêm yết chậm 06 ngày làm việc so với thời hạn công khai (chậm nhất ngày " \
                   "08/03/2024)" in text, key
    notice = pdf_text(latest(folder, "group_notice"))
    assert f"từ {words(start)} đến hết {words(end)}" in notice


@pytest.mark.parametrize("case, quarter", [(LATE, "2024-Q1"), (HOLIDAY, "2024-Q2"), (LETTER, "2024-Q2")],
                         ids=["late-drop", "holiday", "letter"])
def test_quarterly_list_row_prints_the_schedule(produced, case, quarter):
    start, end, _ = EXPECTED[case.case_id]
    year = produced.archive.year_folder(2024)
    doc = Document(str(latest(year, f"quarterly_list:{quarter}", "docx")))
    rows = [[norm(c.text) for c in r.cells] for t in doc.tables for r in t.rows]
    mine = [r for r in rows if any(case.number_notation in c for c in r)]
    assert len(mine) == 1, (case.number_notation, rows)
    assert f"Từ {dmy(start)} đến {dmy(end)}" in mine[0], mine[0]
    assert f"Từ {dmy(start)} đến {dmy(end)}" in pdf_text(latest(year, f"quarterly_list:{quarter}"))


def test_council_report_counts_and_names_the_late_case(produced):
    year = produced.archive.year_folder(2024)
    text = pdf_text(latest(year, "council_report:2024-07-12"))
    assert "Có 01 nội dung công khai chậm" in text, text
    start, _, _ = EXPECTED[LATE.case_id]
    assert LATE.number_notation in text and f"niêm yết từ {dmy(start)}" in text
    assert "Không có nội dung công khai chậm" not in text
    late_part = text.split("công khai chậm", 1)[1].split("IV.", 1)[0]
    assert HOLIDAY.number_notation not in late_part and LETTER.number_notation not in late_part
    assert LETTER.number_notation in text


def test_a_letters_period_is_printed_before_any_posting_is_recorded(produced):
    """C: nobody recorded its posting; its draft minutes print the letter's period (a fact a source
    document states), at the places it lists only."""
    start, end, _ = EXPECTED[LETTER.case_id]
    folder = produced.archive.find_case(LETTER.case_id)
    period = f"từ {words(start)} đến hết {words(end)} (theo Công văn số 88/UBND-VP ngày 10/05/2024)"
    for key in ("posting_start_ubnd", "posting_start_group:tdp04", "group_notice"):
        text = pdf_text(latest(folder, key))
        assert period in text, key
        assert "DỰ THẢO" in text, key
        if key != "group_notice":  # a minute is dated the day a person records the posting (the notice: its start)
            assert "Kép, ngày …… tháng …… năm ……" in text, key
    assert {f["key"] for f in folder.manifest["files"] if f["key"].startswith("posting_start_group")} == {
        "posting_start_group:tdp04"}


@pytest.mark.parametrize("kind", ["activity_plan", "posting_start_ubnd", "posting_start_group", "broadcast_report",
                                  "posting_end", "group_notice"])
def test_no_schedule_prints_blanks_not_dates(kind):
    """GIVEN a case without a schedule (no plan item) WHEN any of its documents is built THEN its
    dates are dotted blanks to fill in by hand: no date but the case's own issue date is printed."""
    from congkhai.commune import load_commune
    from congkhai.documents.context import BLANK_DATE_WORDS, build_context

    kep = load_commune("kep")
    case = Case(commune="kep", issued=dt.date(2024, 3, 1), subject="Việc khác", doc_number="7",
                doc_code="TB-UBND", doc_type="THÔNG BÁO")
    ctx = build_context(kind, kep, case=case, item=None, schedule=None, number=None)
    printed = norm(" ".join(str(v) for v in ctx.values()))
    dates = set(re.findall(r"ngày \d\d tháng \d\d? năm 2024|\d\d/\d\d/2024", printed))  # not the law's
    assert dates <= {"ngày 01 tháng 3 năm 2024", "01/03/2024"}, dates
    if kind != "activity_plan":  # the plan is dated with the document it discloses
        assert ctx["place_date"] == f"Kép, {BLANK_DATE_WORDS}"
    assert BLANK_DATE_WORDS in printed or "……/……/……" in printed


def test_lists_print_blanks_for_a_case_without_schedule():
    from congkhai.commune import load_commune
    from congkhai.documents.context import council_report, quarterly_list
    from congkhai.schedule import ScheduledCase

    kep = load_commune("kep")
    case = Case(commune="kep", issued=dt.date(2024, 3, 1), subject="Việc khác", doc_number="7", doc_code="TB-UBND")
    sc = ScheduledCase(case=case, item=None, schedule=None)
    row = quarterly_list(kep, 2024, 1, [sc], date=dt.date(2024, 4, 1), number=None)["rows"][0]
    assert row["dates"] == "Từ ……/……/…… đến ……/……/……"
    report = council_report(kep, 2024, [sc], date=dt.date(2024, 7, 5), number=None)
    assert "Không có nội dung công khai chậm" in report["shortcomings"][0]
    assert "chưa xác định được thời hạn" in report["shortcomings"][1]
