"""Issue 14's acceptance through the real DAGs: a replay without answers leaves drafts only; a replay
with an answers file makes finals carrying exactly the recorded facts.

GIVEN Kép's submission 18/TTr-UBND (04/03/2024, item Q1-9: posted 30 days, broadcast 3 days)
WHEN ``congkhai replay`` drives the real DAGs from 4 March to 8 April 2024, once without answers (Kép's
profile as shipped) and once with an answers file (Kép's profile with its sample names taken as real,
as a commune's is once filled in)
THEN without answers every posting minute, broadcast report and end minute is a draft: DỰ THẢO,
no clock time, no claim about feedback, no number; with answers the same documents are finals with
the recorded time, people, groups, sessions, feedback and the clerk's number, and no DỰ THẢO.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.airflow]

ANSWERS = """\
"18/TTr-UBND":
  posting:
    at: "2024-03-05 14:30"
    by: "Lê Thị Hoa"
    witnesses: ["Nguyễn Văn Bình"]
    groups: [tdp01, tdp02]
  broadcast:
    days: ["2024-03-05", "2024-03-06", "2024-03-07"]
    sessions: ["06:30", "17:15"]
  end:
    feedback: ["Ông Nguyễn Văn Bình hỏi về mức thu phí chợ."]
  numbers:
    posting_start_ubnd: 31
"""
KINDS = ("posting_start_ubnd", "posting_start_group", "broadcast_report", "posting_end")


def text(p: Path) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(x.extract_text() or "" for x in PdfReader(p).pages)))


def replay(tmp: Path, name: str, *, answers: Path | None = None, communes: Path | None = None) -> Path:
    inbox = tmp / f"{name}-samples"
    inbox.mkdir()
    shutil.copy2(REPO / "samples" / "kep-2024" / "TTr.docx", inbox / "TTr.docx")
    archive = tmp / f"{name}-archive"
    cmd = [str(REPO / ".venv" / "bin" / "congkhai"), "replay", "--commune", "kep", "--year", "2024", "--inbox",
           str(inbox), "--archive", str(archive), "--from", "2024-03-04", "--to", "2024-04-08"]
    if answers is not None:
        cmd += ["--answers", str(answers)]
    env = dict(os.environ)
    if communes is not None:
        env["CONGKHAI_COMMUNES"] = str(communes)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=REPO, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    (folder,) = [m.parent for m in (archive / "kep").rglob("manifest.json")
                 if json.loads(m.read_text(encoding="utf-8")).get("case_id") == "20240304-18-ttr-ubnd"]
    return folder


def newest(folder: Path) -> dict[str, dict]:
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    out: dict[str, dict] = {}
    for f in m["files"]:
        if f["path"].endswith(".pdf") and f["kind"] in KINDS:
            if f["key"] not in out or f["version"] > out[f["key"]]["version"]:
                out[f["key"]] = f
    return out


def test_without_answers_every_fact_document_is_a_draft(tmp_path: Path) -> None:
    folder = replay(tmp_path, "drafts")
    docs = newest(folder)
    assert {f["kind"] for f in docs.values()} == set(KINDS), sorted(docs)
    for key, f in docs.items():
        t = text(folder / f["path"])
        assert f.get("state") == "draft", key
        assert "DỰ THẢO" in t, key
        assert not re.search(r"\d{1,2} giờ \d{2}", t), (key, re.search(r".{40}\d{1,2} giờ \d{2}.{20}", t))
        assert "không nhận được ý kiến" not in t.lower(), key
        assert not re.search(r"Số: ?\d+/BB-UBND", t), key
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["case"].get("evidence") in ({}, None)


def test_with_answers_the_documents_carry_exactly_the_recorded_facts(tmp_path: Path) -> None:
    communes = tmp_path / "communes"
    shutil.copytree(REPO / "communes", communes)
    profile = communes / "kep" / "commune.yaml"
    profile.write_text(re.sub(r"(?m)^\s*(\w+_)?sample: true\s*$\n?", "", profile.read_text(encoding="utf-8")),
                       encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    folder = replay(tmp_path, "finals", answers=answers, communes=communes)
    docs = newest(folder)
    ubnd = text(folder / docs["posting_start_ubnd"]["path"])
    assert docs["posting_start_ubnd"]["state"] == "final"
    assert "DỰ THẢO" not in ubnd and "14 giờ 30" in ubnd and "Lê Thị Hoa" in ubnd and "Nguyễn Văn Bình" in ubnd
    assert re.search(r"Số: ?31/BB-UBND", ubnd), ubnd[:400]
    groups = {k.split(":", 1)[1]: f for k, f in docs.items() if k.startswith("posting_start_group:")}
    assert {g for g, f in groups.items() if f["state"] == "final"} == {"tdp01", "tdp02"}
    radio = text(folder / docs["broadcast_report"]["path"])
    assert docs["broadcast_report"]["state"] == "final" and "DỰ THẢO" not in radio
    assert "06 giờ 30" in radio and "17 giờ 15" in radio
    end = text(folder / docs["posting_end"]["path"])
    assert docs["posting_end"]["state"] == "final" and "DỰ THẢO" not in end
    assert "mức thu phí chợ" in end and "không nhận được ý kiến" not in end.lower()
    ev = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["case"]["evidence"]
    assert set(ev) == {"posting", "broadcast", "end", "numbers"} and all(v["by"] == "replay" for v in ev.values())
