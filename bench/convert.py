"""Benchmark: our warm LibreOffice pool against cold and batched ``soffice --convert-to``.

The same set of rendered Vietnamese documents (mixed kinds: one-page minutes, plans with a
table, two-page reports; tests/docgen.py) is converted to PDF/A-2b by:

1. cold ``soffice --convert-to`` per file (the baseline: what a naive script does);
2. one ``soffice --convert-to`` call for the whole set (best raw LibreOffice batch, best of 2);
3. our LocalConverter with 1 and with 2 instances, warm (started before timing, as in a run),
   every PDF verified (text, pages, PDF/A claims, metadata) as in production.

The methods are interleaved in rounds (best batch of 3 rounds) so that load from other
processes on a shared machine falls on all of them alike.

Then, per **task** (what an Airflow task does: convert one case's ``--task-docs`` documents, then
end), in the same run and interleaved the same way:

a. the host's shared converter (``congkhai converter serve``, started once, warm; the task only
   sends requests: ``ServiceConverter``);
b. a per-process pool started by the task (``LocalConverter(2)``: start, convert, close — the
   behaviour before the shared converter);
c. one cold ``soffice --convert-to`` call for the task's documents;

each alone, and two tasks at once (two Celery workers on one host), with the LibreOffice memory
(PSS of every ``soffice.bin``) each way holds.

Prints per-document times (cold: median per file; batches: wall time / N, plus the median
latency of one job) and the ratios measured in this same run.

    .venv/bin/python bench/convert.py [--n 40] [--cold N] [--tasks 6] [--task-docs 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from congkhai.convert import ConvertJob, PdfMetadata, verify_pdf  # noqa: E402
from congkhai.convert.local import LocalConverter  # noqa: E402
from congkhai.convert.service import ServiceConverter  # noqa: E402
from tests.docgen import sample_set  # noqa: E402

PDFA = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


def soffice(files: list[Path], outdir: Path, profile: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", PDFA, "--outdir", str(outdir), *map(str, files)],
        check=True, capture_output=True, timeout=600,
    )
    elapsed = time.perf_counter() - t0
    for f in files:  # it exits 0 on failure: check what it wrote
        pdf = outdir / f"{f.stem}.pdf"
        if not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF-"):
            raise SystemExit(f"soffice produced no PDF for {f.name}")
    return elapsed


def office_pss_mb(root_pid: int | None = None) -> float:
    """PSS (MB) of every soffice.bin (under ``root_pid`` when given): what the instances really cost."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        pid = int(stat.parent.name)
        try:
            if stat.read_text().split("(", 1)[1].split(")")[0] != "soffice.bin":
                continue
            if root_pid is not None and root_pid not in _ancestors(pid):
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1024


def _ancestors(pid: int) -> list[int]:
    out = []
    while pid > 1:
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
        out.append(pid)
    return out


def _task_jobs(docs, out: Path) -> list[ConvertJob]:
    return [ConvertJob(d.path, out / f"{d.path.stem}.pdf",
                       metadata=PdfMetadata(d.title, "Hồ sơ công khai", "UBND thị trấn Kép"),
                       expect_text=d.expect_text, expect_pages=d.pages) for d in docs]


def _check(results) -> None:
    bad = [r for r in results if not r.ok]
    if bad:
        raise SystemExit(f"{len(bad)} failed: {bad[0].error}")


def per_task(docs, work: Path, tasks: int, profile: Path) -> None:
    """Section (a)-(c) of the module docstring: one case's documents per task."""
    ready = work / "service.ready"
    t0 = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k not in ("CONGKHAI_CONVERTER_URL", "GOTENBERG_URL")}
    svc = subprocess.Popen([sys.executable, "-m", "congkhai.cli", "converter", "serve", "--port", "0",
                            "--work-dir", str(work / "service"), "--ready-file", str(ready)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        while not ready.is_file():
            if svc.poll() is not None or time.perf_counter() - t0 > 120:
                raise SystemExit("the shared converter did not start")
            time.sleep(0.05)
        svc_start = time.perf_counter() - t0
        url = ready.read_text().strip()
        files = [d.path for d in docs]
        one: dict[str, list[float]] = {"service": [], "pool": [], "soffice": []}
        two: dict[str, list[float]] = {"service": [], "pool": []}
        pool_mem: list[float] = []

        def service_task(out: Path) -> float:
            t = time.perf_counter()
            with ServiceConverter(url, instances=2) as conv:
                _check(conv.convert_many(_task_jobs(docs, out)))
            return time.perf_counter() - t

        def pool_task(out: Path, measure: bool = False) -> float:
            t = time.perf_counter()
            with LocalConverter(2) as conv:  # what a task did: start its own pool, convert, close
                results = conv.convert_many(_task_jobs(docs, out))
                if measure:
                    pool_mem.append(office_pss_mb(os.getpid()))
                _check(results)
            return time.perf_counter() - t

        def pair(fn, out: Path) -> float:
            t = time.perf_counter()
            threads = [threading.Thread(target=fn, args=(out / str(i),)) for i in (1, 2)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            return time.perf_counter() - t

        for rnd in range(tasks):
            one["service"].append(service_task(work / f"t-svc-{rnd}"))
            one["pool"].append(pool_task(work / f"t-pool-{rnd}", measure=True))
            one["soffice"].append(soffice(files, work / f"t-cold-{rnd}", profile))
            two["service"].append(pair(service_task, work / f"p-svc-{rnd}"))
            two["pool"].append(pair(pool_task, work / f"p-pool-{rnd}"))
        svc_mem = office_pss_mb(svc.pid)  # after work: LibreOffice grows with its first documents
    finally:
        svc.terminate()
        svc.wait(30)
    med = {k: statistics.median(v) for k, v in one.items()}
    med2 = {k: statistics.median(v) for k, v in two.items()}
    n = len(docs)
    print()
    print(f"per task: {n} documents (one case), median of {tasks} interleaved rounds")
    print(f"  shared converter (warm)  : {med['service']:.2f} s/task ({med['service'] / n:.3f} s/doc); "
          f"started once in {svc_start:.1f} s, LibreOffice PSS {svc_mem:.0f} MB for the host")
    print(f"  per-task pool of 2       : {med['pool']:.2f} s/task ({med['pool'] / n:.3f} s/doc) incl. its start; "
          f"LibreOffice PSS {statistics.median(pool_mem):.0f} MB per running task")
    print(f"  one cold soffice call    : {med['soffice']:.2f} s/task ({med['soffice'] / n:.3f} s/doc)")
    print(f"  two tasks at once        : shared {med2['service']:.2f} s, per-task pools {med2['pool']:.2f} s "
          f"(wall for both)")
    print(f"  => shared vs per-task pool: {med['pool'] / med['service']:.2f}x faster alone, "
          f"{med2['pool'] / med2['service']:.2f}x with two tasks; vs cold soffice {med['soffice'] / med['service']:.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="number of documents (>= 40 for the report)")
    ap.add_argument("--cold", type=int, default=0, help="cold runs on the first N files only (0: all)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (best batch of these)")
    ap.add_argument("--tasks", type=int, default=6, help="rounds of the per-task comparison (0: skip it)")
    ap.add_argument("--task-docs", type=int, default=10, help="documents per task (one case)")
    ap.add_argument("--skip-batch", action="store_true", help="only the per-task comparison")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="congkhai-bench-"))
    try:
        docs = sample_set(work / "docx", args.n)
        files = [d.path for d in docs]
        kinds = sorted({d.kind for d in docs})
        print(f"{len(docs)} documents ({len(kinds)} kinds, {sum(d.pages for d in docs)} pages), PDF/A-2b")

        profile = work / "profile-cold"
        soffice(files[:1], work / "warmup", profile)  # creates the profile: not counted
        if args.tasks:
            per_task(docs[: args.task_docs], work, args.tasks, profile)
        if args.skip_batch:
            return
        # Rounds interleave every method, so that load from other processes on the machine
        # falls on all of them alike: each round runs a third of the cold files, one raw
        # batch, and one batch on each of our pools (kept warm between rounds, as in a run).
        cold_files = files[: args.cold] if args.cold else files
        cold: list[float] = []
        raw: list[float] = []
        walls: dict[int, list[float]] = {1: [], 2: []}
        lat: dict[int, list[float]] = {1: [], 2: []}
        starts: dict[int, float] = {}
        pools = {n: LocalConverter(n) for n in (1, 2)}
        try:
            for n, conv in pools.items():
                t0 = time.perf_counter()
                conv.start()
                starts[n] = time.perf_counter() - t0
            for rnd in range(args.rounds):
                cold += [soffice([f], work / "cold", profile) for f in cold_files[rnd :: args.rounds]]
                raw.append(soffice(files, work / f"raw{rnd}", profile))
                for n, conv in pools.items():
                    jobs = [ConvertJob(d.path, work / f"ours{n}-{rnd}" / f"{d.path.stem}.pdf",
                                       metadata=PdfMetadata(d.title, "Hồ sơ công khai", "UBND thị trấn Kép"),
                                       expect_text=d.expect_text, expect_pages=d.pages) for d in docs]
                    t0 = time.perf_counter()
                    results = conv.convert_many(jobs)
                    walls[n].append(time.perf_counter() - t0)
                    bad = [r for r in results if not r.ok]
                    if bad:
                        raise SystemExit(f"{len(bad)} failed: {bad[0].error}")
                    lat[n] += [r.seconds for r in results]
        finally:
            for conv in pools.values():
                conv.close()
        verify_pdf(work / "ours2-0" / f"{files[0].stem}.pdf", expect_text=docs[0].expect_text)

        cold_med = statistics.median(cold)
        raw_best = min(raw) / len(files)
        ours = {n: min(w) / len(docs) for n, w in walls.items()}
        print(f"cold soffice per file      : median {cold_med:.3f} s/doc over {len(cold)} files")
        print(f"one soffice for the set    : {raw_best:.3f} s/doc (best of {len(raw)}: "
              f"{', '.join(f'{r:.1f}' for r in raw)} s for {len(files)})")
        for n in (1, 2):
            print(f"ours, {n} instance{'s' if n > 1 else ' '}         : {ours[n]:.3f} s/doc (best of "
                  f"{len(walls[n])}: {', '.join(f'{w:.1f}' for w in walls[n])} s; job latency median "
                  f"{statistics.median(lat[n]):.3f} s; pool start {starts[n]:.2f} s; every PDF verified)")
        print()
        print(f"speed-up vs cold per file  : 1 instance {cold_med / ours[1]:.1f}x, "
              f"2 instances {cold_med / ours[2]:.1f}x   (goal >= 7x with 2)")
        print(f"vs best raw soffice batch  : 1 instance {ours[1] / raw_best:.2f}x, "
              f"2 instances {ours[2] / raw_best:.2f}x the time   (goal <= 1.2x with 2)")
        print(f"(a fresh run with 2 instances pays the pool start once: {starts[2]:.1f} s + "
              f"{ours[2] * len(docs):.1f} s for {len(docs)} docs; the raw batch {min(raw):.1f} s includes its start)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
