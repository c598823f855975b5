"""Benchmark: our warm LibreOffice pool against cold and batched ``soffice --convert-to``.

The same set of rendered Vietnamese documents (mixed kinds: one-page minutes, plans with a
table, two-page reports; tests/docgen.py) is converted to PDF/A-2b by:

1. cold ``soffice --convert-to`` per file (the baseline: what a naive script does);
2. one ``soffice --convert-to`` call for the whole set (best raw LibreOffice batch, best of 2);
3. our LocalConverter with 1 and with 2 instances, warm (started before timing, as in a run),
   every PDF verified (text, pages, PDF/A claims, metadata) as in production.

The methods are interleaved in rounds (best batch of 3 rounds) so that load from other
processes on a shared machine falls on all of them alike.

Prints per-document times (cold: median per file; batches: wall time / N, plus the median
latency of one job) and the ratios measured in this same run.

    .venv/bin/python bench/convert.py [--n 40] [--cold N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from congkhai.convert import ConvertJob, PdfMetadata, verify_pdf  # noqa: E402
from congkhai.convert.local import LocalConverter  # noqa: E402
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="number of documents (>= 40 for the report)")
    ap.add_argument("--cold", type=int, default=0, help="cold runs on the first N files only (0: all)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (best batch of these)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="congkhai-bench-"))
    try:
        docs = sample_set(work / "docx", args.n)
        files = [d.path for d in docs]
        kinds = sorted({d.kind for d in docs})
        print(f"{len(docs)} documents ({len(kinds)} kinds, {sum(d.pages for d in docs)} pages), PDF/A-2b")

        # Rounds interleave every method, so that load from other processes on the machine
        # falls on all of them alike: each round runs a third of the cold files, one raw
        # batch, and one batch on each of our pools (kept warm between rounds, as in a run).
        profile = work / "profile-cold"
        soffice(files[:1], work / "warmup", profile)  # creates the profile: not counted
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
