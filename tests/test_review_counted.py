"""Documents waiting for a person count (issue 13, point 2).

GIVEN Kép in 2024: a budget decision issued and posted on time in Q1 (a case), and a plan of 06/05/2024
(60/KH-UBND) that intake set aside in ``review/`` because its plan item is uncertain — no case, so it is
not disclosed, but intake's note beside it says what was read (number, date, type, subject)
WHEN the quarterly lists (1 April, 1 July, 1 October) and the report before the People's Council session
of 12/07 (made on 05/07) are made through the pipeline functions, with the real LibreOffice
THEN the Q2 list exists although no case was issued in Q2, and says the plan is waiting for a person and
not disclosed, past its deadline; the council report counts it, names it, and does not claim "Không có
nội dung công khai chậm"; the Q1 list does not mention it (issued in Q2), the Q3 list is not made.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader, PdfWriter

from congkhai.case import Case
from congkhai.commune import load_commune
from congkhai.config import settings
from congkhai.documents.context import WaitingDocument, council_report, quarterly_list
from congkhai.intake.claim import IntakeOptions, process_inbox
from congkhai.pipeline import actions
from congkhai.pipeline.calendar_jobs import read_review_note, run_council, run_quarterly, waiting_documents
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.issuance import run_issuance
from congkhai.schedule import ScheduledCase

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "kep-2024"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: Every document goes to review: as when the classifier is unsure of its plan item.
UNSURE = IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=1.01)
ON_TIME = Case(commune="kep", issued=dt.date(2024, 3, 1), subject="Giao dự toán ngân sách thị trấn năm 2024",
               doc_number="15", doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q1-8", law_item=2,
               dropped=dt.date(2024, 3, 1))
WAITING = "Kế hoạch số 60/KH-UBND ngày 06/05/2024 (Lấy ý kiến Nhân dân về dự thảo quy hoạch chi tiết khu dân cư số 2"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pdf_text(path: Path) -> str:
    return flat(" ".join(p.extract_text() or "" for p in PdfReader(path).pages))


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from congkhai.convert import get_converter

    tmp = tmp_path_factory.mktemp("review-counted")
    mp = pytest.MonkeyPatch()
    mp.setenv("CONGKHAI_DATA", str(tmp / "data"))
    mp.setenv("CONGKHAI_ARCHIVE", str(tmp / "archive"))
    for var in ("CONGKHAI_INBOX", "CONGKHAI_INDEX_URL", "CONGKHAI_COMMUNES"):
        mp.delenv(var, raising=False)
    try:
        with get_converter() as conv:
            s = settings()
            run = CommuneRun("kep", s)
            blank = tmp / "orig.pdf"
            w = PdfWriter()
            w.add_blank_page(595, 842)
            w.write(blank)
            run.archive.open_case(ON_TIME).add_original(blank)
            assert not run_issuance(run, [ON_TIME.case_id], conv)["failed"]
            actions.record_posting(run, ON_TIME.case_id, dt.date(2024, 3, 4), by="vp", converter=conv)
            results = {"q1": run_quarterly(run, dt.date(2024, 4, 1), conv)}
            inbox = s.inbox_dir("kep")
            inbox.mkdir(parents=True)
            doc = inbox / "KH lay y kien.pdf"
            doc.write_bytes((SAMPLES / "KH lay y kien.pdf").read_bytes())
            t = time.time() - 120
            os.utime(doc, (t, t))
            report = process_inbox("kep", s, now=dt.datetime(2024, 5, 6, 9, 0, tzinfo=TZ), options=UNSURE)
            assert len(report.review) == 1 and not report.new, (report.review, report.new)
            results["q2"] = run_quarterly(run, dt.date(2024, 7, 1), conv)
            results["council"] = run_council(run, dt.date(2024, 7, 5), conv)
            results["q3"] = run_quarterly(run, dt.date(2024, 10, 1), conv)
            yield run, results
    finally:
        mp.undo()


def year_text(run: CommuneRun, key: str) -> str:
    entry = run.archive.year_folder(2024).latest(key, "pdf")
    assert entry is not None, f"no {key}"
    return pdf_text(entry.abs_path)


@pytest.mark.slow
def test_the_waiting_document_is_read_from_its_note(year):
    run, _ = year
    (w,) = waiting_documents(run)
    assert (w.name, w.number, w.issued, w.doc_type) == ("KH lay y kien.pdf", "60/KH-UBND", dt.date(2024, 5, 6),
                                                        "KẾ HOẠCH")
    assert w.subject.startswith("Lấy ý kiến Nhân dân về dự thảo quy hoạch")
    # its deadline is the schedule's (a document in no plan item: 05 working days)
    assert w.deadline == run.schedule_of(Case(commune="kep", issued=w.issued, subject="")).deadline
    assert w.deadline == dt.date(2024, 5, 13)


@pytest.mark.slow
def test_a_quarter_with_a_waiting_document_gets_its_list(year):
    run, results = year
    assert results["q2"].get("skipped") is None and not results["q2"]["list"]["failed"], results["q2"]
    text = year_text(run, "quarterly_list:2024-Q2")
    assert "quý II năm 2024 (từ 01/04/2024 đến 30/06/2024): không có nội dung nào đã được công khai." in text
    assert "có 01 văn bản đang chờ xác nhận, chưa được công khai: " + WAITING in text
    assert "đã quá thời hạn công khai (chậm nhất ngày 13/05/2024)" in text


@pytest.mark.slow
def test_other_quarters_are_not_told_about_it(year):
    run, results = year
    q1 = year_text(run, "quarterly_list:2024-Q1")
    assert ON_TIME.number_notation in q1 and "chờ xác nhận" not in q1  # made before it was dropped, Q1 anyway
    assert "none waiting in review/" in results["q3"]["skipped"]


@pytest.mark.slow
def test_the_council_report_counts_what_waits(year):
    run, results = year
    assert not results["council"]["failed"], results["council"]
    text = year_text(run, "council_report:2024-07-12")
    assert "Giao dự toán ngân sách thị trấn năm 2024 (15/QĐ-UBND, ngày 01/03/2024)" in text  # disclosed, on time
    assert "Số văn bản đang chờ xác nhận, chưa được công khai: 01 văn bản." in text
    assert "Có 01 văn bản đang chờ xác nhận, chưa được công khai: " + WAITING in text
    assert "Không có nội dung công khai chậm" not in text and "không có nội dung công khai chậm" not in text


# ------------------------------------------------------------------ the note, the builders


def note(tmp: Path, name: str, text: str | None) -> Path:
    doc = tmp / name
    doc.write_bytes(b"%PDF-1.4")
    if text is not None:
        (tmp / f"{name}.txt").write_text(text, encoding="utf-8")
    return doc


def test_the_note_gives_what_was_read_and_nothing_more(tmp_path):
    full = note(tmp_path, "a.pdf", "Văn bản cần người xác nhận\n\nĐã đọc được: số 12/TB-UBND, ngày 01/04/2024, "
                                   "loại THÔNG BÁO\nCơ quan ban hành: ?\nTrích yếu: Về việc tổ chức\n\n"
                                   "---- English ----\nTrích yếu: not this one\n")
    assert read_review_note(full) == {"number": "12/TB-UBND", "issued": dt.date(2024, 4, 1),
                                      "doc_type": "THÔNG BÁO", "subject": "Về việc tổ chức"}
    unread = note(tmp_path, "b.pdf", "Văn bản cần người xác nhận\n\nĐã đọc được: số ?/?, ngày ?, loại ?\n"
                                     "Trích yếu: ?\n")
    assert read_review_note(unread) == {"number": None, "issued": None, "doc_type": None, "subject": None}
    assert read_review_note(note(tmp_path, "c.pdf", None))["issued"] is None  # no note: it waits, nothing read
    scan = note(tmp_path, "d.pdf", "Bản quét có chữ ký chưa khớp văn bản nào trong hồ sơ\n\nĐã đọc được: số 1/BB-UBND,"
                                   " ngày 01/04/2024, loại BIÊN BẢN\n")
    assert read_review_note(scan) is None  # a signed copy of a generated document: no content of its own


def test_an_unread_date_waits_in_every_list_and_report():
    kep = load_commune("kep")
    w = WaitingDocument(name="scan.png")
    assert w.describe() == "Văn bản (chưa đọc được ngày ban hành)"
    ctx = quarterly_list(kep, 2024, 3, [], date=dt.date(2024, 10, 1), number=None, waiting=[w])
    assert "có 01 văn bản đang chờ xác nhận, chưa được công khai: Văn bản (chưa đọc được ngày ban hành)" \
        in ctx["closing"]
    report = council_report(kep, 2024, [], date=dt.date(2024, 7, 5), number=None, waiting=[w])
    assert report["shortcomings"][-1] == "Chưa có nội dung nào được công khai trong kỳ."
    assert "Có 01 văn bản đang chờ xác nhận" in report["shortcomings"][0]


def test_no_late_claim_while_a_document_waits():
    """GIVEN one case disclosed on time and one document waiting WHEN the council report is built THEN it
    names the waiting document and states only that the disclosed ones were on time."""
    kep = load_commune("kep")
    case = Case(commune="kep", issued=dt.date(2024, 3, 1), subject="Việc khác", doc_number="7", doc_code="TB-UBND")
    waiting = WaitingDocument(name="x.pdf", issued=dt.date(2024, 6, 3), number="9/TB-UBND", doc_type="THÔNG BÁO",
                              subject="Về việc A", deadline=dt.date(2024, 6, 10))
    report = council_report(kep, 2024, [ScheduledCase(case=case, item=None, schedule=None)], date=dt.date(2024, 7, 5),
                            number=None, waiting=[waiting])
    text = " ".join(report["shortcomings"])
    assert "không có nội dung công khai chậm" not in text.lower()
    assert ("Thông báo số 9/TB-UBND ngày 03/06/2024 (Về việc A), đã quá thời hạn công khai (chậm nhất ngày "
            "10/06/2024)") in text
    assert "Số văn bản đang chờ xác nhận, chưa được công khai: 01 văn bản." in report["results"]
    later = council_report(kep, 2024, [], date=dt.date(2024, 5, 31), number=None, waiting=[waiting])
    assert not any("chờ xác nhận" in r for r in later["results"])  # issued after the period: not this report's
