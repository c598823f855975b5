"""Builders receive values: nothing below the pipeline loads configuration.

GIVEN a commune run whose profile, plan, calendar and register are loaded once
WHEN every loader of configuration is made to fail and the contexts of a full issuance (activity
plan, start minutes at the board and at every group, the notice), the daily documents (broadcast
report, end minutes), a quarterly list, a council report and the yearly plan are built
THEN they are all built: the builders only use the values they were given.
And the source of the document builders and of the schedule never calls a loader.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from pypdf import PdfWriter

from congkhai.case import Case
from congkhai.config import settings
from congkhai.pipeline.calendar_jobs import daily_specs
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.issuance import issuance_specs, spec
from congkhai.textutil import place_date_line

PACKAGE = Path(__file__).resolve().parent.parent / "plugins" / "congkhai"
LOADERS = ("load_commune", "load_plan", "load_plan_or_latest", "default_calendar")


def test_builders_call_no_loader():
    sources = [*sorted((PACKAGE / "documents").rglob("*.py")), PACKAGE / "schedule.py"]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for name in ("load_commune", "load_plan"):
            assert f"{name}(" not in text and f"import {name}" not in text, f"{path.name} calls {name}"


@pytest.fixture
def loaded_run(tmp_path, monkeypatch):
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    run = CommuneRun("kep", settings())
    _ = run.commune, run.calendar, run.register, run.plan(2024), run.plan(2023)  # loaded once, up front
    blank = tmp_path / "orig.pdf"
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.write(blank)
    cases = [
        Case(commune="kep", issued=dt.date(2024, 3, 1), subject="Giao dự toán ngân sách năm 2024", doc_number="15",
             doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q1-8", law_item=2, dropped=dt.date(2024, 3, 16)),
        Case(commune="kep", issued=dt.date(2024, 3, 4), subject="Hỗ trợ hộ gia đình bị thiệt hại do mưa đá",
             doc_number="19", doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item=None),  # not in the plan
    ]
    for c in cases:  # filed and posted (a start minute filed), so the daily documents are due later
        folder = run.archive.open_case(c)
        folder.add_original(blank)
        folder.add_file("posting_start_ubnd", blank, number=None, doc_date=c.issued, versioned_key="posting_start_ubnd")

    def refuse(*_a, **_k):
        raise AssertionError("configuration loaded below the pipeline")

    for name, module in list(sys.modules.items()):
        if name == "congkhai" or name.startswith("congkhai."):
            for loader in LOADERS:
                if hasattr(module, loader):
                    monkeypatch.setattr(module, loader, refuse)
    return run, cases


def test_full_issuance_builds_from_values_only(loaded_run):
    run, cases = loaded_run
    specs = []
    for c in cases:
        specs += issuance_specs(run, run.archive.find_case(c.case_id))
    kinds = {s.kind for s in specs}
    assert kinds == {"activity_plan", "posting_start_ubnd", "posting_start_group", "group_notice"}
    assert len([s for s in specs if s.kind == "posting_start_group"]) == 2 * len(run.commune.groups)
    daily, _ = daily_specs(run, dt.date(2024, 5, 31))
    assert {s.kind for s in daily} == {"broadcast_report", "posting_end"}
    scheduled = [run.scheduled(c) for c in cases]
    year = [
        spec(run, "quarterly_list", "quarterly_list:2024-Q1", "year:2024", "Q1", dt.date(2024, 4, 1), year=2024,
             quarter=1, cases=scheduled, item=None, schedule=None, date=dt.date(2024, 4, 1)),
        spec(run, "council_report", "council_report:2024-07-12", "year:2024", "HĐND", dt.date(2024, 7, 5),
             year=2024, cases=scheduled, item=None, schedule=None, date=dt.date(2024, 7, 5)),
        spec(run, "yearly_plan", "yearly_plan", "year:2024", "KH", dt.date(2024, 1, 2), year=2024,
             plan=run.plan(2024), item=None, schedule=None, date=dt.date(2024, 1, 2)),
    ]
    rows = year[0].context["rows"]
    assert [r["dates"] for r in rows] == ["Từ 18/03/2024 đến 17/04/2024", "Từ 05/03/2024 đến 04/04/2024"]
    # every document is filed under the date it prints (one rule: document_date), never read back from its text;
    # a date nobody recorded (a draft minute's) is a blank to fill in, and the document is filed under its
    # planned day
    for s in [*specs, *daily, *year]:
        if s.dated:
            assert s.context["place_date"] == place_date_line(run.commune.place, s.doc_date), (s.kind, s.doc_date)
        else:
            assert s.context["place_date"] == f"{run.commune.place}, ngày …… tháng …… năm ……", s.kind
            assert s.state == "draft" and s.title.startswith("DỰ THẢO - "), s.kind

