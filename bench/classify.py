"""Classification measured on a corpus of documents (issue 15, point 5).

    .venv/bin/python bench/classify.py                 # real + synthetic, docx / text PDF / 10 scans
    .venv/bin/python bench/classify.py --kind real --no-scans
    .venv/bin/python bench/classify.py --fields        # straight from the records' fields (no reading)

Renders every record of ``tests/classify_corpus/`` (real.yaml: real public documents with their
source; synthetic.yaml: written for the project, reported apart) into a document — a .docx, a text
PDF (one LibreOffice run) or a scan (page 1 rasterised, skewed, speckled; OCR'd by the intake, ~7 s
each) — in a throw-away folder (``--out DIR`` keeps them), reads each with ``inspect`` and classifies
it against Kép's plan of its year (the nearest plan for a year without one).

Prints, per kind and per split (the fixed tuning / held-out split by a hash of the source), the
accuracy of the law category (Điều 11 khoản) and of the plan item, the share filed without review,
and for every wrong answer whether the document goes to review or has the right answer as
runner-up (the goal: law ≥ 90 %, item ≥ 80 %, every wrong one in review or with a right runner-up).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from classify_corpus import corpus as C  # noqa: E402

GOAL_LAW, GOAL_ITEM = 0.90, 0.80


def _flag(o: C.Outcome, what: str) -> str:
    if o.review:
        return "review"
    if (o.law_runner_up if what == "law" else o.item_runner_up):
        return "runner-up"
    return "NOT COVERED"


def report(title: str, outcomes: list[C.Outcome]) -> dict:
    s = C.summary(outcomes)
    if not s["n"]:
        return s
    ok = s["law_acc"] >= GOAL_LAW and s["item_acc"] >= GOAL_ITEM and not s["uncovered"]
    print(f"\n{title}: {s['n']} documents — law category {s['law_acc']:.0%}, plan item {s['item_acc']:.0%} "
          f"(of those with an item: {s['item_acc_with_item']:.0%}), filed without review {s['auto_filed']:.0%}"
          f" — goals {'met' if ok else 'NOT met'}")
    for o in outcomes:
        r = o.record
        bad = []
        if not o.law_right:
            bad.append(f"law {r.expected_law}→{o.law} [{_flag(o, 'law')}]")
        if not o.item_right:
            bad.append(f"item {r.expected_item}→{o.item} [{_flag(o, 'item')}]")
        if bad:
            cands = ", ".join(c for c, _ in o.candidates[:3])
            print(f"  {r.id} ({o.fmt}, conf {o.confidence:.2f}, plan {o.plan_year}, candidates {cands}): "
                  f"{'; '.join(bad)} — {(o.read_subject or '')[:70]}")
    return s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", choices=("real", "synthetic", "all"), default="all")
    ap.add_argument("--fields", action="store_true", help="classify the records' fields, render nothing")
    ap.add_argument("--no-scans", action="store_true", help="no scans (docx and text PDF only)")
    ap.add_argument("--scans", type=int, default=C.SCANS, help="how many records become scans")
    ap.add_argument("--out", type=Path, help="keep the rendered documents in this folder")
    args = ap.parse_args(argv)

    records = C.load(args.kind)
    print(f"{len(records)} records: " + ", ".join(
        f"{k} {sum(r.kind == k for r in records)}" for k in ("real", "synthetic") if any(r.kind == k for r in records)))
    t0 = time.perf_counter()
    if args.fields:
        outcomes = C.measure(records)
    else:
        fmts = C.formats(records, 0 if args.no_scans else args.scans)
        with tempfile.TemporaryDirectory(prefix="bench-classify-") as td:
            out = args.out or Path(td)
            files = C.build(out, records, fmts)
            t1 = time.perf_counter()
            print(f"rendered in {t1 - t0:.0f} s: " + ", ".join(
                f"{f} {sum(v == f for v in fmts.values())}" for f in ("docx", "pdf", "scan")))
            outcomes = C.measure(records, files, fmts)
            print(f"read and classified in {time.perf_counter() - t1:.0f} s")
    for kind in ("real", "synthetic"):
        mine = [o for o in outcomes if o.record.kind == kind]
        if not mine:
            continue
        for split in ("tuning", "holdout"):
            report(f"{kind} / {split}", [o for o in mine if o.record.split == split])
        if kind == "real":
            commune = [o for o in mine if o.record.level == "commune"]
            report("real / commune-level only (both splits)", commune)
    if not args.fields:
        print("\nby format (all kinds, both splits):")
        for f in ("docx", "pdf", "scan"):
            sel = [o for o in outcomes if o.fmt == f]
            if sel:
                s = C.summary(sel)
                print(f"  {f:5} {s['n']:3}: law {s['law_acc']:.0%}, item {s['item_acc']:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
