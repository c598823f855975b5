"""End to end: the real DAGs, the real LibreOffice, a few cases across the Q1/Q2 boundary of 2024.

GIVEN three issued documents of Kép (a submission, a letter on procedures, a letter on land
certificates) dropped on their issue dates in March 2024
WHEN `congkhai replay` drives the inbox, issuance, daily, quarterly and council DAGs day by day
through Airflow (dag.test in a private AIRFLOW_HOME) from 4 March to 8 April
THEN every expected PDF is in the archive, its text holds the case's number, date and subject, the
stored schedule is the one the schedule engine computes, end minutes and broadcast reports exist
where due, the Q1 list (made on 1 April) lists the cases, and re-running a DAG adds nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.airflow]

DOCS = {  # sample file -> (case_id, number notation, issue date dd/mm/yyyy, words of the subject, plan item)
    "TTr.docx": ("20240304-18-ttr-ubnd", "18/TTr-UBND", "04/03/2024", "chuyển dịch cơ cấu kinh tế", "Q1-9"),
    "cv120.pdf": ("20240312-120-ubnd-vp", "120/UBND-VP", "12/03/2024", "thủ tục hành chính", "1.7"),
    "cv135.docx": ("20240325-135-ubnd-dc", "135/UBND-ĐC", "25/03/2024", "Giấy chứng nhận quyền sử dụng đất", "N-13"),
}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def pdf_text(path: Path) -> str:
    return norm(" ".join(p.extract_text() or "" for p in PdfReader(path).pages))


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    inbox = tmp / "samples"
    inbox.mkdir()
    for name in DOCS:
        shutil.copy2(REPO / "samples" / "kep-2024" / name, inbox / name)
    archive = tmp / "archive"
    out = subprocess.run(
        [str(REPO / ".venv" / "bin" / "congkhai"), "replay", "--commune", "kep", "--year", "2024",
         "--inbox", str(inbox), "--archive", str(archive), "--from", "2024-03-04", "--to", "2024-04-08", "--report", str(tmp / "report.json")],
        capture_output=True, text=True, timeout=900, cwd=REPO,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads((tmp / "report.json").read_text(encoding="utf-8"))
    return report, archive / "kep", tmp


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def case_folder(root: Path, case_id: str) -> Path:
    for m in root.rglob("manifest.json"):
        if json.loads(m.read_text(encoding="utf-8")).get("case_id") == case_id:
            return m.parent
    raise AssertionError(f"no folder for {case_id}")


def latest_pdf(m: dict, folder: Path, key: str) -> Path:
    files = [f for f in m["files"] if f["key"] == key and f["path"].endswith(".pdf")]
    assert files, f"{folder.name}: no PDF for {key}"
    assert len(files) == 1, f"{folder.name}: {len(files)} versions of {key}"
    return folder / files[0]["path"]


def test_replay_ran_every_dag(replayed):
    report, _, _ = replayed
    assert report["dropped"] == 3
    assert not report["errors"] and not report["review"], report
    # every working day is either a daily run or a quiet day (nothing to make, nothing overdue: left out)
    assert report["runs"]["congkhai_daily"] + report["quiet_days"] >= 20
    assert report["runs"]["congkhai_daily"] >= 3  # broadcast reports and end minutes were due on some days
    assert report["runs"]["congkhai_quarterly"] == 1
    assert report["runs"]["congkhai_inbox"] == 3 and report["runs"]["congkhai_issuance"] == 3
    assert report["cases"] == 4  # three documents and the Q1 list (posted as item 1.8)


@pytest.mark.parametrize("name", list(DOCS))
def test_case_documents(replayed, name):
    _, root, _ = replayed
    case_id, notation, date, words, item = DOCS[name]
    folder = case_folder(root, case_id)
    m = manifest(folder)
    assert m["case"]["item"] == item
    from congkhai.commune import load_commune
    from congkhai.plan import load_plan

    plan_item = load_plan("kep", 2024).item(item)
    keys = ["posting_start_ubnd"]  # every item is posted at the UBND (board or one-stop desk)
    if plan_item.has("group_leaders"):
        keys.append("group_notice")
    if plan_item.has("cultural_house"):
        keys += [f"posting_start_group:{g.code}" for g in load_commune("kep").groups]
    made = {f["key"] for f in m["files"] if f["path"].endswith(".pdf")}
    assert set(keys) <= made, set(keys) - made
    for key in keys:
        text = pdf_text(latest_pdf(m, folder, key))
        assert notation in text and date in text, f"{key}: {notation} {date} not in its text"
        assert norm(words).lower() in text.lower(), f"{key}: subject not in its text"
    # the stored schedule is the engine's
    out = subprocess.run([str(REPO / ".venv/bin/congkhai"), "schedule", "--item", item, "--issued",
                          m["case"]["issued"], "--commune", "kep", "--json"], capture_output=True, text=True)
    expected = json.loads(out.stdout)
    for k, v in expected.items():
        assert m["schedule"][k] == v, (k, m["schedule"][k], v)
    # what is due by 8 April
    sched = expected
    if sched["broadcast_report_due"] and sched["broadcast_report_due"] <= "2024-04-08":
        text = pdf_text(latest_pdf(m, folder, "broadcast_report"))
        assert notation in text
    if sched["posting_end"] and sched["posting_end"] <= "2024-04-08":
        text = pdf_text(latest_pdf(m, folder, "posting_end"))
        assert notation in text
        assert m["case"]["status"] == "closed"
    else:
        assert not [f for f in m["files"] if f["kind"] == "posting_end"]


def test_quarterly_list_lists_the_cases(replayed):
    _, root, _ = replayed
    year = root / "2024" / "00_ca-nam"
    m = manifest(year)
    text = pdf_text(latest_pdf(m, year, "quarterly_list:2024-Q1"))
    assert "quý I năm 2024" in text
    for _, notation, _, _, _ in DOCS.values():
        assert notation in text, f"{notation} not in the Q1 list"


def test_numbers_unique(replayed):
    _, root, _ = replayed
    seen: dict[tuple, str] = {}
    for mpath in root.rglob("manifest.json"):
        for f in json.loads(mpath.read_text(encoding="utf-8"))["files"]:
            if f["kind"] == "original" or f["number"] is None or not f["path"].endswith(".pdf"):
                continue
            series = (f["doc_date"][:4], f["code"], f["number"])
            where = f"{mpath.parent.name}/{f['key']}"
            assert seen.setdefault(series, where) == where, f"number {series} used by {seen[series]} and {where}"


def test_archive_verifies(replayed):
    _, root, _ = replayed
    out = subprocess.run([str(REPO / ".venv/bin/congkhai"), "archive", "verify", "--archive", str(root.parent),
                          "--commune", "kep"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_rerun_adds_nothing(replayed):
    """Re-running issuance and a past daily run on the same archive files nothing new."""
    import os

    _, root, tmp = replayed
    before = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".index" not in p.parts)
    env = {**os.environ, "CONGKHAI_ARCHIVE": str(root.parent), "CONGKHAI_DATA": str(tmp / "archive.state"),
           "CONGKHAI_ONLY_COMMUNES": "kep"}
    code = (
        "import datetime as dt\n"
        "from congkhai.pipeline.runner import issuance_for_run, daily_for\n"
        f"for cid in {[v[0] for v in DOCS.values()]!r}:\n"
        "    r = issuance_for_run('kep', cid); assert not r['filed'], r['filed']\n"
        "r = daily_for('kep', dt.date(2024, 4, 8)); assert not r['filed'], r['filed']\n"
    )
    out = subprocess.run([str(REPO / ".venv/bin/python"), "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    after = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".index" not in p.parts)
    assert [p for p in after if not p.endswith("manifest.json")] == [p for p in before if not p.endswith("manifest.json")]
