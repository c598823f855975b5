"""Intake benchmark, raw-extraction half: how long reading the same documents takes in one process.

    .venv/bin/python bench/intake.py [--corpus DIR] [--repeat 3]

Builds (or reuses) the test corpus, then times ``inspect`` per document by kind (docx, pdf with
text, scans with OCR) and ``process_inbox`` over a copy of the corpus in a throw-away data dir
(claim + extract + classify + archive), printing medians, p95 and the ratio of the full intake to
the raw extraction of the same files.

The Airflow half (``--airflow``; ``--airflow-only`` skips the corpus part):

    .venv/bin/python bench/intake.py --airflow-only [--n 10] [--mode one|all|both]

starts a private ``airflow standalone`` (``bench/standalone.py``: port 8090, its own inbox and
archive), drops N sample documents of ``samples/kep-2024/`` (text PDFs and DOCX) into the inbox —
one at a time (``one``: each waits for its case), or all at once (``all``) — and measures from the
drop to "case created" (the case folder's ``manifest.json`` lists the original: the archive is
polled every 0.2 s), median and p95, beside ``inspect`` of the same files in one process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def raw_extraction(corpus: Path, expected: dict, repeat: int) -> dict[str, list[float]]:
    from congkhai.intake.extract import inspect
    from congkhai.plan import load_plan

    plan = load_plan("kep", 2024)
    times: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, exp in expected.items():
            kind = "scan" if exp["format"].startswith("scan") else exp["format"]
            t = time.perf_counter()
            inspect(corpus / name, plan=plan)
            times.setdefault(kind, []).append(time.perf_counter() - t)
    return times


def full_intake(corpus: Path, expected: dict) -> float:
    from congkhai.config import settings
    from congkhai.intake.claim import IntakeOptions, process_inbox

    with tempfile.TemporaryDirectory(prefix="bench-intake-") as td:
        os.environ["CONGKHAI_DATA"] = td
        s = settings()
        inbox = s.inbox_dir("kep")
        inbox.mkdir(parents=True)
        for name in expected:
            shutil.copyfile(corpus / name, inbox / name)
            os.utime(inbox / name, (time.time() - 60, time.time() - 60))
        t = time.perf_counter()
        r = process_inbox("kep", s, options=IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0))
        elapsed = time.perf_counter() - t
        print(f"process_inbox: {len(r.new)} cases, {len(r.versions)} versions, {len(r.review)} review, "
              f"{len(r.errors)} errors in {elapsed:.2f} s")
        return elapsed


SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "kep-2024"
#: Dropped first and not measured (see standalone.warm_up); not among the first text samples.
WARM_UP = "thong bao.pdf"


def sample_files(n: int) -> list[Path]:
    """N text documents of the samples (PDF with a text layer, DOCX), in a stable order."""
    import subprocess

    out = []
    for p in sorted(SAMPLES.iterdir()):
        if p.name == WARM_UP:
            continue
        if p.suffix.lower() == ".docx":
            out.append(p)
        elif p.suffix.lower() == ".pdf":
            txt = subprocess.run(["pdftotext", "-l", "1", str(p), "-"], capture_output=True, text=True).stdout
            if len(txt.strip()) > 50:
                out.append(p)
    return out[:n]


def raw_inspect(files: list[Path], repeat: int = 3) -> dict[str, float]:
    """``inspect`` (read + classify) of each file in this process: per-file medians, then their stats."""
    from congkhai.intake.extract import inspect
    from congkhai.plan import load_plan

    plan = load_plan("kep", 2024)
    inspect(files[0], plan=plan)  # imports and caches out of the timing
    per = []
    for f in files:
        ts = []
        for _ in range(repeat):
            t = time.perf_counter()
            inspect(f, plan=plan)
            ts.append(time.perf_counter() - t)
        per.append(statistics.median(ts))
    return {"median": statistics.median(per), "p95": pct(per, 0.95), "total": sum(per)}


def _originals(archive: Path) -> dict[str, str]:
    """sha256 of every original filed in the archive → its case id."""
    import json

    out = {}
    for mpath in archive.rglob("manifest.json"):
        try:
            m = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for f in m.get("files", []):
            if f.get("kind") == "original":
                out[f["sha256"]] = m.get("case_id")
    return out


def airflow_intake(files: list[Path], modes: list[str], timeout: float = 120,
                   extra_env: dict[str, str] | None = None) -> dict[str, dict]:
    """Drop → case created on a private standalone Airflow, per mode; seconds per file (None: no case)."""
    import hashlib

    from standalone import Standalone, warm_up

    results: dict[str, dict] = {}
    af = Standalone(extra_env=extra_env)
    try:
        t = time.monotonic()
        af.start()
        af.wait_dags(["congkhai_inbox", "congkhai_issuance"])
        print(f"standalone ready in {time.monotonic() - t:.0f} s ({af.root})", flush=True)
        first = warm_up(af, SAMPLES / WARM_UP)
        results["first_drop_after_start"] = {"seconds": first}
        print(f"first drop after the start (warm-up, {WARM_UP}, not counted): case after {first:.1f} s", flush=True)
        shas = {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
        for mode in modes:
            lat: dict[str, float | None] = {}
            batches = [[f] for f in files] if mode == "one" else [files]
            for batch in batches:
                t0 = time.monotonic()
                for f in batch:
                    shutil.copyfile(f, af.inbox / f.name)
                dropped = {f: time.monotonic() for f in batch}
                left = set(batch)
                while left and time.monotonic() - t0 < timeout:
                    # which files have left the inbox and processing area, *then* what the archive holds:
                    # gone from both and not archived means set aside (errors / review / duplicate)
                    gone = {f for f in left if not (af.inbox / f.name).exists() and not _in_processing(af, f.name)}
                    seen = _originals(af.archive_root)
                    now = time.monotonic()
                    for f in list(left):
                        if shas[f] in seen:
                            lat[f.name] = now - dropped[f]
                            left.discard(f)
                        elif f in gone:
                            lat[f.name] = None
                            left.discard(f)
                    time.sleep(0.2)
                for f in left:
                    lat[f.name] = None
            ok = [v for v in lat.values() if v is not None]
            results[mode] = {"per_file": lat, "cases": len(ok),
                             "median": statistics.median(ok) if ok else None,
                             "p95": pct(ok, 0.95) if ok else None, "max": max(ok) if ok else None}
            r = results[mode]
            print(f"airflow, drop {'one at a time' if mode == 'one' else 'all at once'}: {r['cases']}/{len(files)} "
                  f"cases; drop → case created median {r['median'] and round(r['median'], 1)} s, p95 "
                  f"{r['p95'] and round(r['p95'], 1)} s, max {r['max'] and round(r['max'], 1)} s", flush=True)
            for name, v in lat.items():
                print(f"    {name}: {'no case' if v is None else f'{v:.1f} s'}")
            if mode != modes[-1]:
                _reset_archive(af)
        return results
    finally:
        af.close()


def _in_processing(af, name: str) -> bool:
    proc = af.data / "processing" / "kep"
    return proc.is_dir() and any(p.name == name for p in proc.rglob("*"))


def _reset_archive(af) -> None:
    """Between modes: wait for the pipeline to go quiet, then forget every case (same bytes again)."""
    time.sleep(60)
    for d in (af.archive_root, af.data / "state", af.data / "errors", af.data / "review"):
        shutil.rmtree(d, ignore_errors=True)
    af.archive_root.mkdir(parents=True, exist_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "congkhai-bench-corpus")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--airflow", action="store_true", help="also the Airflow half (private standalone)")
    ap.add_argument("--airflow-only", action="store_true", help="only the Airflow half")
    ap.add_argument("--n", type=int, default=10, help="documents dropped (Airflow half)")
    ap.add_argument("--mode", choices=["one", "all", "both"], default="both")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the standalone (experiments)")
    a = ap.parse_args()
    if a.airflow or a.airflow_only:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        files = sample_files(a.n)
        raw = raw_inspect(files, a.repeat)
        print(f"raw inspect of the same {len(files)} files, one process: median {raw['median'] * 1000:.0f} ms, "
              f"p95 {raw['p95'] * 1000:.0f} ms, all {raw['total']:.2f} s", flush=True)
        modes = ["one", "all"] if a.mode == "both" else [a.mode]
        res = airflow_intake(files, modes, extra_env=dict(kv.split("=", 1) for kv in a.env))
        for mode, r in res.items():
            if r.get("median"):
                print(f"ratio ({mode}) drop → case median / raw inspect median: {r['median'] / raw['median']:.0f}x "
                      f"(goal: a complete file picked up within 15 s: p95 {r['p95']:.1f} s "
                      f"{'meets' if r['p95'] <= 15 else 'misses'} it)")
        if a.airflow_only:
            return
    from corpus import make_corpus

    expected = make_corpus.build(a.corpus)
    times = raw_extraction(a.corpus, expected, a.repeat)
    total_raw = 0.0
    for kind, ts in sorted(times.items()):
        per = statistics.median(ts)
        total_raw += per * (len(ts) / a.repeat)
        print(f"inspect {kind:5}: n={len(ts) // a.repeat:2}  median {per * 1000:7.1f} ms  p95 {pct(ts, 0.95) * 1000:7.1f} ms")
    print(f"raw extraction of the whole corpus (medians summed): {total_raw:.2f} s")
    full = full_intake(a.corpus, expected)
    print(f"ratio full intake / raw extraction: {full / total_raw:.2f}")


if __name__ == "__main__":
    main()
