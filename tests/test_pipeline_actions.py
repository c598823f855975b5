"""Operator actions: record the posting date, feedback, correct, cancel — with the real LibreOffice.

GIVEN a posted case of Kép (item Q1-8, 10 residential groups) WHEN an operator records an actual
posting date, feedback, a correction or a cancellation THEN the affected documents are made again
as new versions (the earlier ones stay), the new ones say what was recorded, nothing else changes,
and every action is in the case's history.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from congkhai.case import Case
from congkhai.config import settings
from congkhai.pipeline import actions
from congkhai.pipeline.calendar_jobs import run_daily
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.issuance import run_issuance

pytestmark = pytest.mark.slow


def text(p: Path) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(x.extract_text() or "" for x in PdfReader(p).pages)))


@pytest.fixture(scope="module")
def converter():
    from congkhai.convert import get_converter

    with get_converter() as conv:
        yield conv


@pytest.fixture
def posted(tmp_path, monkeypatch, converter):
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
    return run, case.case_id


def pdfs(run, cid, key):
    folder = run.archive.find_case(cid)
    return sorted((f for f in folder.manifest["files"] if f["key"] == key and f["path"].endswith(".pdf")),
                  key=lambda f: f["version"])


def test_record_posting_remakes_start_minutes_with_the_new_dates(posted, converter):
    run, cid = posted
    before = {k: len(pdfs(run, cid, k)) for k in ("posting_start_ubnd", "posting_start_group:tdp01")}
    r = actions.record_posting(run, cid, dt.date(2024, 4, 2), by="vp", converter=converter)
    assert {f["key"] for f in r["filed"]} >= {"posting_start_ubnd", "posting_start_group:tdp01"}
    for key, n in before.items():
        versions = pdfs(run, cid, key)
        assert len(versions) == n + 1 and versions[-1]["version"] == 2  # v1 stays
        folder = run.archive.find_case(cid)
        assert "ngày 02 tháng 4 năm 2024" in text(folder.path / versions[-1]["path"])
    folder = run.archive.find_case(cid)
    assert folder.manifest["schedule"]["posting_start"] == "2024-04-02"
    assert folder.manifest["schedule"]["late"] is True  # deadline was 1 April
    assert any(e["event"] == "posting_recorded" and e["by"] == "vp" for e in folder.manifest["history"])
    # the same action again makes nothing new
    assert not actions.record_posting(run, cid, dt.date(2024, 4, 2), converter=converter)["filed"]


def test_feedback_appears_in_the_end_minutes(posted, converter):
    run, cid = posted
    run_daily(run, dt.date(2024, 4, 26), converter)  # posting ended on 25 April: end minutes, case closed
    assert len(pdfs(run, cid, "posting_end")) == 1
    # The form's multi-line field: one opinion a line (blank lines dropped, a repeated line kept once).
    actions.record_feedback(run, cid, "Ông Nguyễn Văn Tám đề nghị công khai chi tiết khoản chi đường GTNT.\n\n"
                            "  Bà Lê Thị Hoa hỏi về kinh phí sửa nhà văn hóa.\n"
                            "Ông Nguyễn Văn Tám đề nghị công khai chi tiết khoản chi đường GTNT.",
                            dt.date(2024, 4, 26), converter=converter)
    versions = pdfs(run, cid, "posting_end")
    assert [f["version"] for f in versions] == [1, 2]
    folder = run.archive.find_case(cid)
    assert folder.case.feedback == ["Ông Nguyễn Văn Tám đề nghị công khai chi tiết khoản chi đường GTNT.",
                                    "Bà Lê Thị Hoa hỏi về kinh phí sửa nhà văn hóa."]
    assert "Nguyễn Văn Tám" in text(folder.path / versions[-1]["path"])
    assert "Lê Thị Hoa" in text(folder.path / versions[-1]["path"])
    assert "Nguyễn Văn Tám" not in text(folder.path / versions[0]["path"])


def test_correct_and_cancel(posted, converter):
    run, cid = posted
    actions.correct_case(run, cid, {"subject": "Dự toán ngân sách thị trấn năm 2024"}, dt.date(2024, 3, 27),
                         converter=converter)
    folder = run.archive.find_case(cid)
    latest = pdfs(run, cid, "posting_start_ubnd")[-1]
    assert "dự toán ngân sách thị trấn năm 2024" in text(folder.path / latest["path"]).lower()
    with pytest.raises(Exception, match="doc_number"):
        actions.correct_case(run, cid, {"doc_number": "16"}, dt.date(2024, 3, 27), converter=converter)
    actions.cancel_case(run, cid, "nhầm văn bản", by="vp")
    r = run_daily(run, dt.date(2024, 4, 26), converter)
    assert not r["filed"]  # a cancelled case gets nothing more
    assert run.archive.find_case(cid).case.status == "cancelled"
