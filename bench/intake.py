"""Intake benchmark, raw-extraction half: how long reading the same documents takes in one process.

    .venv/bin/python bench/intake.py [--corpus DIR] [--repeat 3]

Builds (or reuses) the test corpus, then times ``inspect`` per document by kind (docx, pdf with
text, scans with OCR) and ``process_inbox`` over a copy of the corpus in a throw-away data dir
(claim + extract + classify + archive), printing medians, p95 and the ratio of the full intake to
the raw extraction of the same files. The Airflow half (drop → case created on a running
standalone Airflow) is added by the DAG's owner on top of ``raw_extraction``.
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


def main() -> None:
    from corpus import make_corpus

    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "congkhai-bench-corpus")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
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
