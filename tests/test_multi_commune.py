"""Several communes in one installation: configuration only, and their data never mix.

GIVEN two communes (kep and the made-up demo-xa) configured side by side, each receiving the same
issued document WHEN intake, issuance and the daily job run through the pipeline functions (real
LibreOffice) THEN each commune has its own case, documents naming its own People's Committee, no number
invented for a draft, its own register counting from 1, its own archive tree; AND removing one commune's folder from the
configuration leaves every file of both communes untouched while the other keeps working.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import REPO

pytestmark = pytest.mark.slow

DOC = REPO / "samples" / "kep-2024" / "QD phi le phi.pdf"
COMMUNES = ("kep", "demo-xa")
NAME = {"kep": "Kép", "demo-xa": "Tân Hòa"}


@pytest.fixture
def install(tmp_path, monkeypatch):
    communes = tmp_path / "communes"
    for code in COMMUNES:
        shutil.copytree(REPO / "communes" / code, communes / code)
    for var, sub in (("CONGKHAI_COMMUNES", "communes"), ("CONGKHAI_DATA", "data"),
                     ("CONGKHAI_INBOX", "inbox"), ("CONGKHAI_ARCHIVE", "archive")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.setenv("CONGKHAI_SHARED_CONVERTER", "1")
    monkeypatch.setenv("CONGKHAI_CONVERTERS", "1")
    monkeypatch.setenv("CONGKHAI_INTAKE_STABLE_SECONDS", "0")
    for var in ("CONGKHAI_INDEX_URL", "GOTENBERG_URL", "CONGKHAI_ONLY_COMMUNES"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def _snapshot(*roots: Path) -> dict[str, str]:
    out = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file() and ".index" not in p.parts and "index" not in p.name:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _text(pdf: Path) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(pdf).pages)


def test_two_communes_stay_separate_through_the_pipeline(install):
    from congkhai.config import list_communes, settings
    from congkhai.documents.register import Register
    from congkhai.intake.claim import process_inbox
    from congkhai.pipeline.context import CommuneRun
    from congkhai.pipeline.runner import daily_for, issuance_for_run

    s = settings()
    assert list_communes() == sorted(COMMUNES)
    old = time.time() - 3600
    for code in COMMUNES:
        s.inbox_dir(code).mkdir(parents=True)
        shutil.copy2(DOC, s.inbox_dir(code) / DOC.name)
        os.utime(s.inbox_dir(code) / DOC.name, (old, old))
        if code != "kep":  # Kép's decision in another commune's inbox: staff confirm whose it is
            (s.inbox_dir(code) / f"{DOC.stem}.yaml").write_text("issuer: UBND thị trấn Kép\n", encoding="utf-8")
        report = process_inbox(code, s)
        assert len(report.cases) == 1, (code, report.errors, report.review)

    issued = issuance_for_run()  # every commune with pending cases, as the issuance DAG does
    assert not issued["failed"]
    cases = {}
    for code in COMMUNES:
        run = CommuneRun(code, s)
        folders = run.case_folders()
        assert len(folders) == 1
        case = folders[0].case
        assert case.commune == code
        sched = run.schedule_of(case)
        due = max(d for d in (sched.posting_end, sched.broadcast_report_due) if d)
        daily = daily_for(code, due)
        assert not daily["failed"]
        cases[code] = (run, run.case_folders()[0])  # reloaded: the daily documents are in it

    for code, (run, folder) in cases.items():
        other = next(c for c in COMMUNES if c != code)
        # the archive tree of a commune holds only its own files
        assert folder.path.is_relative_to(s.archive_dir(code))
        pdfs = {f["key"]: folder.path / f["path"] for f in folder.manifest["files"]
                if f["path"].endswith(".pdf") and f["kind"] != "original"}
        assert "posting_start_ubnd" in pdfs and "posting_end" in pdfs
        assert ("broadcast_report" in pdfs) == run.commune.has_radio  # kep has radio, demo-xa has none
        groups = {k for k in pdfs if k.startswith("posting_start_group:")}
        assert groups == {f"posting_start_group:{g.code}" for g in run.commune.groups}
        text = _text(pdfs["posting_start_ubnd"])
        # The minute is the commune's own: its header, place-and-date line, attendees and recipients.
        # (The document it cites may come from another body: both test inboxes get Kép's samples.)
        cited = text.index("Tiến hành niêm yết")
        own = text[:cited] + text[text.index("Nơi nhận"):]
        assert NAME[code] in own and NAME[other] not in own
        # the clerk numbers documents (numbering: clerk): a draft nobody issued takes no number
        assert Register(code, settings=s).issued() == [], code
    # each commune has its own register (state/<commune>/register.sqlite), counting from 1 independently
    first = {c: Register(c, settings=s).number_for(2024, "BB", "same-document/posting_start_ubnd/") for c in COMMUNES}
    assert first == {"kep": 1, "demo-xa": 1}
    assert all((s.state_dir(c) / "register.sqlite").is_file() for c in COMMUNES)

    # removing a commune = removing its configuration folder: nothing of either commune's data moves
    before = _snapshot(s.archive_root, s.data_dir / "state")
    shutil.rmtree(s.communes_dir / "demo-xa")
    assert list_communes() == ["kep"]
    again = issuance_for_run()
    assert not again["filed"] and not again["failed"]
    kep_run = cases["kep"][0]
    assert not daily_for("kep", kep_run.schedule_of(cases["kep"][1].case).posting_end)["filed"]
    assert _snapshot(s.archive_root, s.data_dir / "state") == before
    assert (s.archive_dir("demo-xa")).is_dir() and (s.state_dir("demo-xa") / "register.sqlite").is_file()


def test_dags_are_not_per_commune():
    """No DAG names a commune: the calendar DAGs map over list_communes(); commune is a run parameter."""
    for path in sorted((REPO / "dags").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # a form's example default (Param("kep", ...): the commune is then a run parameter) is allowed
        defaults = {id(n.args[0]) for n in ast.walk(tree) if isinstance(n, ast.Call)
                    and getattr(n.func, "id", None) == "Param" and n.args}
        literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    and id(n) not in defaults}
        dag_ids = {kw.value.value for n in ast.walk(tree) if isinstance(n, ast.Call)
                   for kw in n.keywords if kw.arg == "dag_id" and isinstance(kw.value, ast.Constant)}
        for code in os.listdir(REPO / "communes"):
            assert not any(code in d for d in dag_ids), f"{path.name}: a DAG per commune ({code})"
            assert code not in literals, f"{path.name} names {code}"
    for name in ("congkhai_daily", "congkhai_quarterly", "congkhai_january", "congkhai_council"):
        src = (REPO / "dags" / f"{name}.py").read_text(encoding="utf-8")
        assert ("all_communes()" in src or "communes_task()" in src) and ".expand(commune=" in src
    from congkhai.airflow import dagkit

    assert "list_communes" in Path(dagkit.__file__).read_text(encoding="utf-8")
