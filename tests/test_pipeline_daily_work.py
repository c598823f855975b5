"""The daily job's cheap first look and the one-task inbox (issue 17, items 2 and 6).

GIVEN a posted case WHEN ``daily_work`` looks at a day THEN it names exactly the documents
``run_daily`` would make that day (same keys as ``daily_specs``) and the case to close, without
rendering anything; nothing on the other days. GIVEN two communes, one whose inbox cannot be read WHEN
the inbox task takes both THEN the other's document is filed and pending, the error is raised after it,
and the retry announces the case.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture
def env(tmp_path, monkeypatch) -> Path:
    communes = tmp_path / "communes"
    for code in ("kep", "demo-xa"):
        shutil.copytree(REPO / "communes" / code, communes / code)
    for var, sub in (("CONGKHAI_COMMUNES", "communes"), ("CONGKHAI_DATA", "data"),
                     ("CONGKHAI_INBOX", "inbox"), ("CONGKHAI_ARCHIVE", "archive")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.setenv("CONGKHAI_INTAKE_STABLE_SECONDS", "0")
    monkeypatch.setenv("CONGKHAI_INTAKE_SETTLE_SECONDS", "0")
    for var in ("CONGKHAI_INDEX_URL", "CONGKHAI_ONLY_COMMUNES"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def _pdf(tmp: Path) -> Path:
    from pypdf import PdfWriter

    pdf = tmp / "blank.pdf"
    w = PdfWriter()
    w.add_blank_page(595, 842)
    with pdf.open("wb") as f:
        w.write(f)
    return pdf


def test_daily_work_names_what_run_daily_would_make(env):
    """GIVEN Kép's Q1-9 submission issued 04/03/2024 (30 days' posting, 3 broadcast days), its board minute
    filed WHEN daily_work looks at each working day to the end of May THEN it lists the broadcast report on
    the days it is due and the end minute and the closing from the posting's end, exactly the keys
    daily_specs builds; once they are filed (and the case closed) nothing is left."""
    from congkhai.archive.store import Archive
    from congkhai.case import Case
    from congkhai.pipeline.calendar_jobs import daily_specs, daily_work
    from congkhai.pipeline.context import CommuneRun

    case = Case(commune="kep", issued=dt.date(2024, 3, 4), subject="Chuyển dịch cơ cấu kinh tế", doc_number="18",
                doc_code="TTr-UBND", item="Q1-9")
    folder = Archive(env / "archive", "kep").open_case(case)
    blank = _pdf(env)
    folder.add_file("posting_start_ubnd", blank, number=None, doc_date=None, versioned_key="posting_start_ubnd")
    run = CommuneRun("kep")
    schedule = run.schedule_of(case)
    cid = case.case_id

    seen: dict[dt.date, list[str]] = {}
    day = dt.date(2024, 3, 4)
    while day <= dt.date(2024, 5, 31):
        if run.calendar.is_working_day(day):
            work = daily_work(run, day)
            specs, closing = daily_specs(run, day)
            assert sorted(w for w in work if not w.endswith("/close")) == sorted(f"{cid}/{s.key}" for s in specs), day
            assert [w for w in work if w.endswith("/close")] == [f"{c}/close" for c in closing], day
            if work:
                seen[day] = work
        day += dt.timedelta(days=1)
    first = min(seen)
    assert first == schedule.broadcast_report_due and seen[first] == [f"{cid}/broadcast_report"]
    ends = [d for d in seen if f"{cid}/posting_end" in seen[d]]
    assert ends and min(ends) == schedule.posting_end and f"{cid}/close" in seen[min(ends)]

    for key, kind in (("broadcast_report", "broadcast_report"), ("posting_end", "posting_end")):
        folder.add_file(kind, blank, number=None, doc_date=None, versioned_key=key)
    case.status = "closed"
    folder.update_case(case)
    assert daily_work(run, dt.date(2024, 5, 31)) == []


def test_one_inbox_task_one_commune_failing_does_not_stop_the_others(env):
    """GIVEN demo-xa's state folder unusable (a file where the folder should be) and a decision dropped in
    both inboxes
    WHEN the inbox task takes both THEN Kép's case is filed and pending, then demo-xa's error is raised;
    WHEN it is retried after the fix THEN Kép's case is announced (nothing pending is lost)."""
    from congkhai.intake.claim import pending_cases
    from congkhai.pipeline.runner import take_inboxes

    state = env / "data" / "state" / "demo-xa"
    state.parent.mkdir(parents=True)
    state.write_text("not a folder", encoding="utf-8")
    for code in ("demo-xa", "kep"):
        (env / "inbox" / code).mkdir(parents=True)
        shutil.copy2(REPO / "samples" / "kep-2024" / "QD phi le phi.pdf", env / "inbox" / code / "QD phi le phi.pdf")
    now = dt.datetime(2024, 3, 25, 8, 0, tzinfo=dt.UTC)
    lines: list[str] = []
    with pytest.raises(OSError):
        take_inboxes(["demo-xa", "kep"], now=now, echo=lines.append)
    (case,) = pending_cases("kep")
    assert any(line.startswith("!! demo-xa") for line in lines)
    assert not (env / "inbox" / "kep" / "QD phi le phi.pdf").exists()

    state.unlink()
    taken = take_inboxes(["demo-xa", "kep"], now=now)
    assert ("kep", case.case_id) in [(c["commune"], c["case_id"]) for c in taken["cases"]]
