"""A person confirms a posting in a real Airflow (issue 14), from the drop to the recorded fact.

GIVEN a private ``airflow standalone`` (``bench/standalone.py``: scheduler, triggerer, dag-processor,
api-server, LocalExecutor) with ``CONGKHAI_EVIDENCE_ASK_NOW=1`` (every required action is asked at
once instead of on its day: no sleeping in a test)
and Kép's profile with its sample names taken as real (a final never prints a placeholder)
WHEN one sample document is dropped in the inbox
THEN intake files its case, issuance makes its posting documents and starts the case's
``congkhai_evidence`` run; its *Xác nhận niêm yết* request is listed by the REST API
(``GET /api/v2/dags/congkhai_evidence/dagRuns/~/hitlDetails``), pre-filled from the schedule (the
posting day, every group, the responsible civil servant, no time); answered with a real token of the user ``admin``
(``PATCH …/taskInstances/ask_posting/-1/hitlDetails``), the case manifest holds ``evidence.posting``
with the user, the response time and the answered facts, and a new version of the posting minutes
at the UBND board is filed. With Debian's Chromium, the Required actions page with the posting form
open is photographed (``CONGKHAI_EVIDENCE_SCREENSHOT``, e.g. ``docs/evidence-required-action.png``;
else the test's temp dir) and shows the form's Vietnamese fields.

Port: ``CONGKHAI_EVIDENCE_TEST_PORT`` (default 8096; log servers on 9195/9196).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.airflow]

PORT = int(os.environ.get("CONGKHAI_EVIDENCE_TEST_PORT", "8096"))
DOC = REPO / "samples" / "kep-2024" / "KH ho ngheo.pdf"  # 175/KH-UBND of 15/10/2024, plan item Q4-4
CASE_ID = "20241015-175-kh-ubnd"
RUN_ID = f"kep__{CASE_ID}"
CHROMIUM = Path("/usr/bin/chromium")
EXTRA_ENV = {
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "9195",
    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "9196",
    "CONGKHAI_EVIDENCE_ASK_NOW": "1",
}


def _wait(what: str, cond, timeout: float, step: float = 0.5):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _manifest(archive_root: Path) -> dict | None:
    for m in archive_root.rglob("manifest.json"):
        data = json.loads(m.read_text(encoding="utf-8"))
        if data.get("case_id") == CASE_ID:
            return data
    return None


def _pdf_versions(m: dict, key: str) -> list[int]:
    return sorted(f["version"] for f in m["files"] if f["key"] == key and f["path"].endswith(".pdf"))


def _screenshot(af, password: str, path: Path) -> list[str]:
    """Log in as admin and open the posting request on the task's Required actions page; return the
    form's labels the page shows."""
    from playwright.sync_api import sync_playwright

    from tests.test_archive_browser import CHROMIUM_ARGS

    labels = ["Ngày niêm yết", "Giờ niêm yết (bắt buộc)", "Người niêm yết", "Người chứng kiến"]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            ctx = b.new_context(viewport={"width": 1360, "height": 1400}, locale="vi-VN")
            ctx.set_default_timeout(60_000)
            page = ctx.new_page()
            page.goto(f"{af.base_url}/")
            page.wait_for_url("**/auth/login**")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", password)
            page.keyboard.press("Enter")
            page.wait_for_url(lambda url: "/auth/login" not in url)
            page.goto(f"{af.base_url}/dags/congkhai_evidence/runs/{quote(RUN_ID, safe='')}/tasks/ask_posting/"
                      "required_actions?map_index=-1")
            page.get_by_text("Giờ niêm yết (bắt buộc)").first.wait_for()
            page.wait_for_timeout(1000)
            page.screenshot(path=str(path), full_page=True)
            text = page.inner_text("body")
            return [label for label in labels if label in text]
        finally:
            b.close()


def test_posting_confirmed_through_required_actions(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from standalone import PASSWORD, Standalone

    # Kép's profile with its sample names taken as real: a final is never made with a placeholder.
    communes = tmp_path / "communes"
    shutil.copytree(REPO / "communes" / "kep", communes / "kep")
    profile = communes / "kep" / "commune.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("sample: true", "sample: false"), encoding="utf-8")
    af = Standalone(tmp_path / "af", port=PORT, extra_env={**EXTRA_ENV, "CONGKHAI_COMMUNES": str(communes)}, keep=True)
    times: dict[str, float] = {}
    t0 = time.monotonic()
    try:
        af.start()
        times["airflow healthy"] = time.monotonic() - t0
        af.wait_dags(["congkhai_inbox", "congkhai_issuance", "congkhai_evidence"])
        shutil.copyfile(DOC, af.inbox / DOC.name)
        t_drop = time.monotonic()

        m = _wait("the posting minutes", lambda: (x := _manifest(af.archive_root)) and
                  _pdf_versions(x, "posting_start_ubnd") and x, 240)
        times["case and posting documents filed"] = time.monotonic() - t_drop
        assert _pdf_versions(m, "posting_start_ubnd") == [1]

        def posting_request():
            rows = af.api("GET", "/dags/congkhai_evidence/dagRuns/~/hitlDetails?response_received=false")
            return next((d for d in rows["hitl_details"] if d["task_instance"]["task_id"] == "ask_posting"
                         and d["task_instance"]["state"] == "awaiting_input"), None)

        req = _wait("the posting request in the REST API", posting_request, 180)
        times["posting asked"] = time.monotonic() - t_drop
        ti = req["task_instance"]
        assert (ti["dag_run_id"], ti["map_index"]) == (RUN_ID, -1)
        assert req["subject"].startswith("Xác nhận niêm yết: 175/KH-UBND — Rà soát hộ nghèo")
        form = {k: v["value"] for k, v in req["params"].items()}
        schedule = m["schedule"]
        assert form["posted_on"] == schedule["posting_start"]  # the schedule's posting day, one click
        assert form["posted_time"] is None  # never invented: the person gives it
        assert form["posted_by"] == "Hoàng Thị Mẫu"  # the civil servant of Điều 11 item 7 in the profile
        assert form["groups"] == [f"tdp{i:02d}" for i in range(1, 11)]
        assert req["options"] == ["OK"] and req["defaults"] is None  # nothing is answered by default

        if CHROMIUM.exists():
            shot = Path(os.environ.get("CONGKHAI_EVIDENCE_SCREENSHOT") or tmp_path / "evidence-required-action.png")
            shown = _screenshot(af, PASSWORD, shot)
            assert shot.stat().st_size > 10_000
            assert shown == ["Ngày niêm yết", "Giờ niêm yết (bắt buộc)", "Người niêm yết", "Người chứng kiến"], shown
            times["screenshot taken"] = time.monotonic() - t_drop

        answer = {**form, "posted_time": "14:30", "witnesses": ["Nguyễn Văn An, Tổ trưởng Tổ dân phố số 1"]}
        resp = af.api("PATCH", f"/dags/congkhai_evidence/dagRuns/{RUN_ID}/taskInstances/ask_posting/-1/hitlDetails",
                      {"chosen_options": ["OK"], "params_input": answer})
        t_answer = time.monotonic()
        assert resp["responded_by"] == {"id": "admin", "name": "admin"}

        def recorded():
            tis = {t["task_id"]: t["state"] for t in af.task_instances("congkhai_evidence", RUN_ID)}
            assert tis.get("record_posting") != "failed", tis
            x = _manifest(af.archive_root)
            return tis.get("record_posting") == "success" and x

        m = _wait("record_posting", recorded, 180)
        times["answer recorded, documents remade"] = time.monotonic() - t_answer
    finally:
        af.stop()
    times["total"] = time.monotonic() - t0
    print("evidence standalone (s): " + ", ".join(f"{k} {v:.1f}" for k, v in times.items()))

    ev = m["case"]["evidence"]["posting"]
    assert ev["by"] == "admin"
    assert ev["value"] == {"at": f"{form['posted_on']}T14:30:00", "by": "Hoàng Thị Mẫu",
                           "witnesses": ["Nguyễn Văn An, Tổ trưởng Tổ dân phố số 1"], "groups": "all"}
    at = dt.datetime.fromisoformat(ev["at"])
    assert at.utcoffset() == dt.timedelta(hours=7)
    assert abs(at - dt.datetime.fromisoformat(resp["responded_at"].replace("Z", "+00:00"))) < dt.timedelta(seconds=2)
    assert any(h["event"] == "evidence" and h["section"] == "posting" and h["by"] == "admin" for h in m["history"])
    assert _pdf_versions(m, "posting_start_ubnd") == [1, 2], "no new version of the posting minutes"
    # v1 was the draft made at issuance; v2, made from the answer, is the final: the recorded facts, no mark
    from pypdf import PdfReader

    folder = next(p.parent for p in af.archive_root.rglob("manifest.json")
                  if json.loads(p.read_text(encoding="utf-8")).get("case_id") == CASE_ID)
    v1, v2 = sorted((f for f in m["files"] if f["key"] == "posting_start_ubnd" and f["path"].endswith(".pdf")),
                    key=lambda f: f["version"])
    assert (v1.get("state"), v2.get("state")) == ("draft", "final")
    final = " ".join(" ".join((pg.extract_text() or "").split()) for pg in PdfReader(folder / v2["path"]).pages)
    assert "DỰ THẢO" not in final and "14 giờ 30" in final and "Nguyễn Văn An" in final, final[:600]
    shutil.rmtree(af.root, ignore_errors=True)
