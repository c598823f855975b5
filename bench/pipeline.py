"""Pipeline benchmark: Airflow against the same work done in one plain process (the limit).

    .venv/bin/python bench/pipeline.py                   # everything (~25 min on 2 cores)
    .venv/bin/python bench/pipeline.py --skip-replay     # latency only (~5 min)
    .venv/bin/python bench/pipeline.py --replay-json F   # reuse a `congkhai replay --json` output
    .venv/bin/python bench/pipeline.py --env AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME=0.2

(a) **Latency of one case with 10 residential groups** (board minute, 10 group minutes, the group
leaders' notice: 12 documents). Airflow: a private ``airflow standalone`` (``bench/standalone.py``),
the document dropped into its inbox, time until the case folder holds its last PDF (the archive is
polled every 0.2 s), with the REST API's task timings as a breakdown. Raw: the same case filed by
``process_inbox`` in this process, then ``issuance_specs`` + ``produce`` with one LocalConverter,
each time on a fresh copy of the archive — once including the converter's start ("cold"), and with
the converter already warm.

(b) **Throughput of the 2024 replay** (``congkhai replay``: the real DAGs through ``dag.test()``),
in PDFs per minute, against the same year done by the same domain functions in one plain process
(``process_inbox``, ``issuance_for_run``, ``daily_for``… day by day, one warm converter), and against
the time spent inside ``produce()`` there (render + convert + file of exactly the same documents).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
SAMPLES = REPO / "samples" / "kep-2024"
#: Text PDFs whose plan items are posted at the board, the 10 cultural houses and to the leaders.
LATENCY_DOCS = ["KH ho ngheo.pdf", "BC kiem toan.pdf", "QD phi le phi.pdf"]
#: The inbox trigger's stability window (``InboxTrigger``: size and mtime unchanged for 5 s, deliberate):
#: a file copied at once is "stable" this long after the drop.
STABLE_S = 5.0


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def archive_state(archive: Path) -> dict[str, dict[str, Any]]:
    """sha256 of each case's original → {"case": folder, "pdfs": generated PDFs listed}."""
    out: dict[str, dict[str, Any]] = {}
    for mpath in archive.rglob("manifest.json"):
        try:
            m = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being replaced right now
        if m.get("record") != "case":
            continue
        pdfs = sum(1 for f in m["files"] if f["path"].lower().endswith(".pdf") and f["kind"] != "original")
        for f in m["files"]:
            if f["kind"] == "original":
                out[f["sha256"]] = {"case": m.get("case_id"), "pdfs": pdfs}
    return out


# ------------------------------------------------------------------ (a) raw


def raw_latency(doc: Path, reps: int = 3) -> dict[str, Any]:
    """The same case made in this process: specs, then produce() cold (with converter start) and warm."""
    from congkhai.config import settings
    from congkhai.convert.local import LocalConverter
    from congkhai.intake.claim import IntakeOptions, process_inbox
    from congkhai.pipeline.context import CommuneRun
    from congkhai.pipeline.issuance import issuance_specs
    from congkhai.pipeline.produce import produce

    root = Path(tempfile.mkdtemp(prefix="bench-pipeline-raw-"))
    try:
        os.environ.update(CONGKHAI_DATA=str(root / "data"), CONGKHAI_ARCHIVE=str(root / "archive"),
                          CONGKHAI_INBOX=str(root / "inbox"), CONGKHAI_ONLY_COMMUNES="kep")
        s = settings()
        s.inbox_dir("kep").mkdir(parents=True)
        shutil.copyfile(doc, s.inbox_dir("kep") / doc.name)
        t = time.perf_counter()
        rep = process_inbox("kep", s, options=IntakeOptions(stable_seconds=0, settle_seconds=0))
        intake_s = time.perf_counter() - t
        case_id = rep.new[0]
        run = CommuneRun("kep", s)
        t = time.perf_counter()
        specs = issuance_specs(run, run.archive.find_case(case_id))
        specs_s = time.perf_counter() - t
        pristine = root / "pristine"
        shutil.copytree(s.archive_root, pristine)

        def fresh(i: int) -> CommuneRun:
            dest = root / f"archive-{i}"
            shutil.copytree(pristine, dest)
            return CommuneRun("kep", dataclasses.replace(s, archive_root=dest))

        cold, warm, conv_start = [], [], []
        for i in range(reps):
            r = fresh(i)
            t = time.perf_counter()
            conv = LocalConverter(instances=s.converter_instances)
            try:
                out = produce(r, specs, conv)
            finally:
                conv.close()
            cold.append(time.perf_counter() - t)
            assert len(out.filed) == len(specs), out.failed
        conv = LocalConverter(instances=s.converter_instances)
        try:
            t = time.perf_counter()
            conv.start()
            conv_start.append(time.perf_counter() - t)
            produce(fresh(100), specs[:2], conv)  # first conversions of a new instance are slower
            for i in range(reps):
                r = fresh(200 + i)
                t = time.perf_counter()
                out = produce(r, specs, conv)
                warm.append(time.perf_counter() - t)
                assert len(out.filed) == len(specs), out.failed
        finally:
            conv.close()
        return {"doc": doc.name, "documents": len(specs), "intake_s": intake_s, "specs_s": specs_s,
                "cold_s": cold, "warm_s": warm, "converter_start_s": conv_start,
                "cold": statistics.median(cold), "warm": statistics.median(warm)}
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ------------------------------------------------------------------ (a) Airflow


def _ts(s: str | None) -> float | None:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() if s else None


def airflow_latency(docs: list[Path], expected: int, extra_env: dict[str, str] | None = None,
                    timeout: float = 240) -> dict[str, Any]:
    """Drop each document (one after the other) on a private standalone; time to case and to last PDF."""
    from standalone import Standalone, warm_up

    af = Standalone(extra_env=extra_env)
    rows: list[dict[str, Any]] = []
    try:
        t = time.monotonic()
        af.start()
        af.wait_dags(["congkhai_inbox", "congkhai_issuance"])
        startup = time.monotonic() - t
        first = warm_up(af, SAMPLES / "thong bao.pdf")
        wsha = _sha(SAMPLES / "thong bao.pdf")
        t = time.monotonic()
        while time.monotonic() - t < timeout and (archive_state(af.archive_root).get(wsha) or {}).get("pdfs", 0) < expected:
            time.sleep(0.5)
        print(f"  warm-up drop (first after the start, not counted): case after {first:.1f} s, its PDFs "
              f"{time.monotonic() - t:.1f} s later", flush=True)
        time.sleep(3)
        for doc in docs:
            sha = _sha(doc)
            t0, w0 = time.monotonic(), time.time()
            shutil.copyfile(doc, af.inbox / doc.name)
            case_t = last_t = None
            n = 0
            while time.monotonic() - t0 < timeout:
                st = archive_state(af.archive_root).get(sha)
                if st and case_t is None:
                    case_t = time.monotonic() - t0
                if st:
                    n = st["pdfs"]
                    if n >= expected:
                        last_t = time.monotonic() - t0
                        break
                time.sleep(0.2)
            row = {"doc": doc.name, "case_s": case_t, "last_pdf_s": last_t, "pdfs": n,
                   "last_pdf_from_stable_s": last_t - STABLE_S if last_t else None}
            row.update(_breakdown(af, w0))
            rows.append(row)
            print(f"  {doc.name}: case {case_t and round(case_t, 1)} s, last PDF {last_t and round(last_t, 1)} s "
                  f"({n} PDFs) {json.dumps({k: v for k, v in row.items() if k.endswith('_at') or k.endswith('_dur')})}",
                  flush=True)
        return {"startup_s": startup, "rows": rows, "env": extra_env or {}}
    finally:
        af.close()


def _breakdown(af: Any, w0: float) -> dict[str, Any]:
    """Seconds after the drop at which each step of the inbox and issuance runs started / lasted."""
    out: dict[str, Any] = {}
    try:
        for dag_id, short in (("congkhai_inbox", "inbox"), ("congkhai_issuance", "issuance")):
            runs = [r for r in af.runs(dag_id) if (_ts(r.get("run_after")) or 0) >= w0 - 1
                    or (_ts(r.get("start_date")) or 0) >= w0]
            if not runs:
                continue
            r = runs[0]
            out[f"{short}_run_at"] = round((_ts(r.get("queued_at")) or _ts(r["run_after"])) - w0, 1)
            for ti in af.task_instances(dag_id, r["dag_run_id"]):
                name = ti["task_id"].split(".")[-1][:20]
                if ti.get("map_index", -1) > 0:
                    continue
                st, en = _ts(ti.get("start_date")), _ts(ti.get("end_date"))
                if st:
                    out[f"{short}.{name}_at"] = round(st - w0, 1)
                if st and en:
                    out[f"{short}.{name}_dur"] = round(en - st, 1)
    except Exception as err:  # noqa: BLE001 - the breakdown is a bonus; the timing stands without it
        out["breakdown_error"] = str(err)[:200]
    return out


# ------------------------------------------------------------------ (b) replay


def airflow_replay(archive: Path, json_path: Path | None) -> dict[str, Any]:
    """The replay through the real DAGs (or a saved output of it): seconds and PDFs."""
    if json_path is None:
        shutil.rmtree(archive, ignore_errors=True)
        shutil.rmtree(archive.with_name(archive.name + ".state"), ignore_errors=True)
        json_path = archive.with_name("replay.json")
        with open(json_path, "w") as out:
            subprocess.run([str(REPO / ".venv" / "bin" / "congkhai"), "replay", "--year", "2024", "--inbox",
                            str(SAMPLES), "--archive", str(archive), "--json"], stdout=out,
                           stderr=subprocess.DEVNULL, check=True, cwd=REPO)
    text = json_path.read_text(encoding="utf-8", errors="replace")
    import re

    starts = [m.start(1) for m in re.finditer(r'(?:^|\n)(\{\s*"commune")', text)]
    rep = json.JSONDecoder().raw_decode(text[starts[-1]:])[0]
    # generated PDFs only: the originals dropped as PDF are counted by the replay's summary too
    return {"seconds": rep["seconds"], "pdfs": rep["pdfs"] - rep["documents"].get("original", 0), "runs": rep["runs"], "cases": rep["cases"],
            "failed_runs": rep["failed_runs"]}


def plain_year(year: int = 2024) -> dict[str, Any]:
    """The same year, same functions, same days, in this process with one warm converter."""
    root = Path(tempfile.mkdtemp(prefix="bench-pipeline-year-"))
    os.environ.update(CONGKHAI_DATA=str(root / "data"), CONGKHAI_ARCHIVE=str(root / "archive"),
                      CONGKHAI_INBOX=str(root / "inbox"), CONGKHAI_ONLY_COMMUNES="kep",
                      CONGKHAI_SHARED_CONVERTER="1", CONGKHAI_INTAKE_STABLE_SECONDS="0",
                      CONGKHAI_INTAKE_SETTLE_SECONDS="0")
    import pendulum

    from congkhai.airflow import replay as rp
    from congkhai.airflow.timetable import WorkingDayTimetable
    from congkhai.config import settings
    from congkhai.convert.local import LocalConverter
    from congkhai.intake.claim import process_inbox
    from congkhai.pipeline import calendar_jobs, issuance, runner
    from congkhai.pipeline import produce as produce_mod
    from congkhai.pipeline.context import CommuneRun

    spent = {"produce": 0.0, "convert": 0.0, "convert_docs": 0}
    orig_produce, orig_convert = produce_mod.produce, LocalConverter.convert_many

    def timed_produce(*a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return orig_produce(*a, **kw)
        finally:
            spent["produce"] += time.perf_counter() - t

    def timed_convert(self: Any, jobs: Any, *a: Any, **kw: Any) -> Any:
        jobs = list(jobs)
        t = time.perf_counter()
        try:
            return orig_convert(self, jobs, *a, **kw)
        finally:
            spent["convert"] += time.perf_counter() - t
            spent["convert_docs"] += len(jobs)

    for mod in (produce_mod, issuance, calendar_jobs):
        if hasattr(mod, "produce"):
            mod.produce = timed_produce
    LocalConverter.convert_many = timed_convert
    try:
        t0 = time.perf_counter()
        s = settings()
        run = CommuneRun("kep", s)
        by_day, _ = rp.drop_dates(SAMPLES, year)
        inbox_dir = s.inbox_dir("kep")
        inbox_dir.mkdir(parents=True, exist_ok=True)
        daily = WorkingDayTimetable()
        jan = WorkingDayTimetable(months=(1,), first_only=True)
        quarterly = WorkingDayTimetable(months=(1, 4, 7, 10), first_only=True)
        council_days = {calendar_jobs.council_report_day(run, sd) for sd in run.commune.sessions(year)}
        day = dt.date(year, 1, 1)
        while day.year == year:
            if daily.next_run_day(day) == day:
                runner.daily_for("kep", day)
            if jan.next_run_day(day) == day:
                runner.january_for("kep", day)
            if quarterly.next_run_day(day) == day:
                runner.quarterly_for("kep", day)
            if day in council_days:
                runner.council_for("kep", day)
            if by_day.get(day):
                rp._drop(by_day[day], SAMPLES, inbox_dir)
                process_inbox("kep", s, now=pendulum.datetime(day.year, day.month, day.day, 8, 0, tz=rp.TZ))
                runner.issuance_for_run()
            day += dt.timedelta(days=1)
        runner.close_shared()
        seconds = time.perf_counter() - t0
        pdfs = sum(st["pdfs"] for st in archive_state(s.archive_root).values())
        year_pdfs = 0
        for mpath in s.archive_root.rglob("manifest.json"):
            m = json.loads(mpath.read_text(encoding="utf-8"))
            if m.get("record") != "case":
                year_pdfs += sum(1 for f in m["files"] if f["path"].lower().endswith(".pdf"))
        return {"seconds": seconds, "pdfs": pdfs + year_pdfs, **spent}
    finally:
        produce_mod.produce = orig_produce
        for mod in (issuance, calendar_jobs):
            if hasattr(mod, "produce"):
                mod.produce = orig_produce
        LocalConverter.convert_many = orig_convert
        shutil.rmtree(root, ignore_errors=True)


# ------------------------------------------------------------------ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--skip-replay", action="store_true")
    ap.add_argument("--replay-json", type=Path, help="a saved `congkhai replay --json` output (skips the rerun)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--docs", type=int, default=len(LATENCY_DOCS), help="documents dropped on the standalone")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the standalone (experiments)")
    a = ap.parse_args()
    extra = dict(kv.split("=", 1) for kv in a.env)
    report: dict[str, Any] = {}
    if not a.skip_latency:
        print("== (a) one case, 10 residential groups", flush=True)
        raw = raw_latency(SAMPLES / LATENCY_DOCS[0], a.reps)
        report["raw"] = raw
        print(f"raw, one process: {raw['documents']} documents; specs {raw['specs_s']:.2f} s; produce cold "
              f"(incl. LibreOffice start) {raw['cold']:.2f} s {[round(x, 2) for x in raw['cold_s']]}; warm "
              f"{raw['warm']:.2f} s {[round(x, 2) for x in raw['warm_s']]}; converter start "
              f"{raw['converter_start_s'][0]:.2f} s; intake of the file {raw['intake_s']:.2f} s", flush=True)
        af = airflow_latency([SAMPLES / d for d in LATENCY_DOCS[: a.docs]], raw["documents"], extra)
        report["airflow"] = af
        lasts = [r["last_pdf_s"] for r in af["rows"] if r["last_pdf_s"]]
        cases = [r["case_s"] for r in af["rows"] if r["case_s"]]
        if lasts:
            med = statistics.median(lasts)
            issue = statistics.median([r["last_pdf_s"] - r["case_s"] for r in af["rows"] if r["last_pdf_s"]])
            raw_case = raw["warm"] + raw["specs_s"]
            print(f"airflow standalone (ready in {af['startup_s']:.0f} s): drop → case median {statistics.median(cases):.1f} s; "
                  f"drop → last PDF median {med:.1f} s (from the file stable, {STABLE_S:.0f} s after the drop: "
                  f"{med - STABLE_S:.1f} s); case → last PDF median {issue:.1f} s")
            print(f"ratio drop→last PDF / raw (specs+produce warm {raw_case:.2f} s): {med / raw_case:.1f}x; "
                  f"/ raw cold {raw['cold'] + raw['specs_s']:.2f} s: {med / (raw['cold'] + raw['specs_s']):.1f}x; "
                  f"case→last PDF / raw warm: {issue / raw_case:.1f}x; / raw cold: "
                  f"{issue / (raw['cold'] + raw['specs_s']):.1f}x", flush=True)
    if not a.skip_replay:
        print("== (b) the 2024 replay", flush=True)
        out = Path(tempfile.gettempdir()) / "congkhai-bench-replay" / "archive"
        out.parent.mkdir(parents=True, exist_ok=True)
        rep = airflow_replay(out, a.replay_json)
        report["replay"] = rep
        plain = plain_year()
        report["plain"] = plain
        per_min = lambda n, s: n / s * 60  # noqa: E731
        print(f"replay through Airflow (dag.test): {rep['pdfs']} PDFs in {rep['seconds']:.0f} s = "
              f"{per_min(rep['pdfs'], rep['seconds']):.1f} PDFs/min; runs {rep['runs']}; failed {rep['failed_runs']}")
        print(f"plain process, same functions and days: {plain['pdfs']} PDFs in {plain['seconds']:.0f} s = "
              f"{per_min(plain['pdfs'], plain['seconds']):.1f} PDFs/min; inside produce() {plain['produce']:.0f} s = "
              f"{per_min(plain['pdfs'], plain['produce']):.1f} PDFs/min; inside convert_many {plain['convert']:.0f} s "
              f"for {plain['convert_docs']} documents")
        print(f"ratio replay time / plain process: {rep['seconds'] / plain['seconds']:.2f}x; "
              f"replay / produce() only: {rep['seconds'] / plain['produce']:.2f}x", flush=True)
    out_json = Path(tempfile.gettempdir()) / "congkhai-bench-pipeline.json"
    out_json.write_text(json.dumps(report, indent=1, default=str))
    print(f"(all figures: {out_json})")


if __name__ == "__main__":
    main()
