"""Benchmark: archive retrieval at 10 years x 3,000 cases, index vs a plain os.walk + grep.

Builds a synthetic archive with the real Archive API (fsync off: the tree is thrown away), with a
real text PDF per filed document, rebuilds the index once (timed), then times ``find`` by day,
by 7-day range, by month, and by text (a selective and a common query), reporting median and p95
beside the same queries answered by walking the tree and reading every manifest.json (the baseline
reads subjects and dates only; it does not even open the PDFs, so it flatters the baseline).

Each query is timed the way its callers run it: the page (50 results + the total), the CLI's
default (200 + the total) and ``--all`` (every matching entry built, for reference).

    .venv/bin/python bench/archive.py                      # 10 years x 3,000 cases (several minutes)
    .venv/bin/python bench/archive.py --years 1 --cases 300 --queries 20   # a quick run
    .venv/bin/python bench/archive.py --dir /tmp/a     # keep the tree; a second run skips the build

Goal (issue 8): p95 < 100 ms for any query at full size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from congkhai.archive import Archive, fsutil, reindex
from congkhai.archive.find import find_page
from congkhai.case import Case
from congkhai.textutil import fold, slug

TOPICS = [
    "Phê duyệt danh sách hộ nghèo, hộ cận nghèo", "Giao dự toán thu, chi ngân sách", "Quyết toán ngân sách",
    "Kế hoạch sử dụng đất", "Thu hồi đất, bồi thường, hỗ trợ tái định cư", "Quỹ phòng, chống thiên tai",
    "Vận động đóng góp xây dựng đường giao thông", "Danh sách gọi công dân nhập ngũ",
    "Kết quả thanh tra, giải quyết khiếu nại", "Phí, lệ phí thu tại xã", "Thủ tục hành chính mới ban hành",
    "Quy chế thực hiện dân chủ", "Trợ cấp xã hội hằng tháng cho người cao tuổi", "Hỗ trợ khắc phục hậu quả bão lũ",
    "Kế hoạch phát triển kinh tế - xã hội", "Tài sản công được giao quản lý", "Lấy ý kiến Nhân dân về quy hoạch",
    "Bảo hiểm y tế cho hộ cận nghèo", "Nâng cấp nhà văn hóa", "Chương trình mục tiêu quốc gia nông thôn mới",
]
GROUPS = ["Đồng Quan", "Đồng Sơn", "Tân Mỹ", "Đông Lân", "Kép 1", "Kép 2", "Hạ", "Trung", "Thượng", "Tiền Phong",
          "Bãi Ổi", "Dốc Đỏ", "Ga", "Chợ", "Trường", "Lân Thịnh", "Mỹ Cầu", "Hòa Bình", "Đầm Đùng", "Đại Phú"]


def text_pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with extractable text (Helvetica, ASCII: diacritics folded away).

    LibreOffice would take ~0.3 s per file (25 hours for this archive); pypdf extracts this text the
    same way, which is what the index measures.
    """
    content = "BT /F1 11 Tf 72 780 Td 14 TL " + " ".join(
        "(" + fold(x).replace("\\", "").replace("(", "").replace(")", "") + ") '" for x in lines) + " ET"
    stream = zlib.compress(content.encode("ascii", "replace"))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def build(root: Path, years: int, cases: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    fsutil.DURABLE = False
    archive = Archive(root, "kep", index=False)
    tmp = root.parent / "src"
    tmp.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    first = 2024 - years + 1
    n_files = 0
    for year in range(first, 2025):
        days = [dt.date(year, 1, 1) + dt.timedelta(d) for d in range(365)]
        days = [d for d in days if d.weekday() < 5]
        for i in range(cases):
            issued = rng.choice(days)
            topic, group = rng.choice(TOPICS), rng.choice(GROUPS)
            subject = f"{topic} năm {year}, tổ dân phố {group}"
            c = Case(commune="kep", issued=issued, subject=subject, doc_number=str(i + 1), doc_code="QĐ-UBND",
                     doc_type="QUYẾT ĐỊNH", item=f"Q{(issued.month - 1) // 3 + 1}-{rng.randint(1, 14)}",
                     law_item=rng.randint(1, 14))
            folder = archive.open_case(c)
            body = [subject, f"So {i + 1}/QD-UBND ngay {issued:%d/%m/%Y}", f"Ma so {slug(group)}-{i}"]
            src = tmp / "orig.pdf"
            src.write_bytes(text_pdf(["QUYET DINH", *body]))
            folder.add_original(src)
            start = issued + dt.timedelta(days=rng.randint(1, 5))
            src.write_bytes(text_pdf(["BIEN BAN NIEM YET", *body, f"Niem yet tu ngay {start:%d/%m/%Y}"]))
            folder.add_file("posting_start_ubnd", src, number=i + 1, doc_date=start,
                            versioned_key="posting_start_ubnd")
            end = start + dt.timedelta(days=30)
            src.write_bytes(text_pdf(["BIEN BAN KET THUC", *body, f"Ket thuc ngay {end:%d/%m/%Y}"]))
            folder.add_file("posting_end", src, number=i + 1, doc_date=end, versioned_key="posting_end")
            n_files += 3
        yf = archive.year_folder(year)
        for q in range(1, 5):
            src = tmp / "q.pdf"
            src.write_bytes(text_pdf([f"DANH MUC THONG TIN DA CONG KHAI QUY {q} NAM {year}"]))
            yf.add_file("quarterly_list", src, number=q, doc_date=dt.date(year, 3 * q - 2, 2) if q > 1 else
                        dt.date(year, 12, 31), versioned_key=f"quarterly_list:{year}-Q{q}")
            n_files += 1
    build_s = time.perf_counter() - t0
    fsutil.DURABLE = True
    t0 = time.perf_counter()
    stats = reindex(root, "kep")
    reindex_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    reindex(root, "kep")
    reindex_warm = time.perf_counter() - t0
    return {"build_s": build_s, "files": n_files, "entries": stats["entries"], "reindex_cold_s": reindex_cold,
            "reindex_warm_s": reindex_warm}


# -- the baseline: walk the tree and read each manifest -------------------------------------------
def walk_manifests(root: Path) -> list[dict]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        if "manifest.json" in filenames:
            with open(os.path.join(dirpath, "manifest.json"), encoding="utf-8") as f:
                out.append(json.load(f))
    return out


def baseline_dates(root: Path, lo: str, hi: str) -> int:
    hits = 0
    for m in walk_manifests(root):
        days = [m.get("IssuedDate")] + [f.get("doc_date") for f in m["files"]]
        hits += any(d and lo <= d <= hi for d in days)
    return hits


def baseline_text(root: Path, text: str) -> int:
    words = fold(text).split()
    hits = 0
    for m in walk_manifests(root):
        hay = fold(" ".join([m.get("Subject") or ""] + [f.get("title") or "" for f in m["files"]]))
        hits += all(w in hay for w in words)
    return hits


def timed(fn: Callable[[], object], n: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times, result


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--cases", type=int, default=3000, help="cases per year")
    ap.add_argument("--queries", type=int, default=100, help="queries per kind (index)")
    ap.add_argument("--baseline-queries", type=int, default=5, help="queries per kind (os.walk baseline)")
    ap.add_argument("--dir", type=Path, help="build here and keep it (default: a temp dir, removed)")
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="congkhai-bench-archive-"))
    root = base / "archive"
    try:
        if not (root / "kep").is_dir():
            print(f"building {args.years} years x {args.cases} cases in {root} …", flush=True)
            info = build(root, args.years, args.cases, args.seed)
            print(f"built: {info['entries']} entries, {info['files']} files in {info['build_s']:.0f} s; "
                  f"reindex {info['reindex_cold_s']:.1f} s cold (pypdf on every PDF), "
                  f"{info['reindex_warm_s']:.1f} s warm (text cache)")
        rng = random.Random(args.seed + 1)
        first = 2024 - args.years + 1
        day = lambda: dt.date(rng.randint(first, 2024), rng.randint(1, 12), rng.randint(1, 28))  # noqa: E731
        kinds: dict[str, Callable[[], tuple[str, str | None, str | None, str | None]]] = {
            "day": lambda: ("on", day().isoformat(), None, None),
            "range 7 days": lambda: ("range", (d := day()).isoformat(), (d + dt.timedelta(6)).isoformat(), None),
            "range 1 month": lambda: ("range", (d := day()).replace(day=1).isoformat(),
                                      (d.replace(day=28)).isoformat(), None),
            "text selective": lambda: ("text", None, None, f"{rng.choice(TOPICS).split(',')[0]} "
                                       f"to dan pho {fold(rng.choice(GROUPS))} nam {rng.randint(first, 2024)}"),
            "text common": lambda: ("text", None, None, rng.choice(["ho ngheo", "ngan sach", "dat dai",
                                                                     "Đường giao thông"])),
        }
        # Each query as its callers run it: the page (50 a page + the total), the CLI default (200 +
        # the total on stderr), and --all (every entry built: the cost the limit avoids).
        modes = {"page 50": (50, True), "cli 200": (200, True), "all": (None, False)}
        print(f"\n{'query':16} {'n':>4} {'hits':>6} | " + " | ".join(f"{m:>7} med {'p95':>6}" for m in modes)
              + f" | {'walk median ms':>15} {'ratio':>7}")
        worst: dict[str, float] = dict.fromkeys(modes, 0.0)
        for name, gen in kinds.items():
            qs = [gen() for _ in range(args.queries)]
            stats, hits = {}, []
            for mode, (limit, with_total) in modes.items():
                times = []
                for kind, a, b, text in qs:
                    kw: dict = ({"on": a} if kind == "on" else {"date_from": a, "date_to": b} if kind == "range"
                                else {"text": text})
                    t0 = time.perf_counter()
                    r, total = find_page(root, "kep", **kw, limit=limit, with_total=with_total)
                    times.append((time.perf_counter() - t0) * 1000)
                    if mode == "all":
                        hits.append(len(r))
                stats[mode] = (statistics.median(times), pct(times, 0.95))
                worst[mode] = max(worst[mode], stats[mode][1])
            btimes = []
            for kind, a, b, text in qs[: args.baseline_queries]:
                t0 = time.perf_counter()
                if kind == "on":
                    baseline_dates(root, a or "", a or "")
                elif kind == "range":
                    baseline_dates(root, a or "", b or "")
                else:
                    baseline_text(root, text or "")
                btimes.append((time.perf_counter() - t0) * 1000)
            bmed = statistics.median(btimes)
            print(f"{name:16} {len(qs):4} {statistics.median(hits):6.0f} | "
                  + " | ".join(f"{stats[m][0]:11.1f} {stats[m][1]:6.1f}" for m in modes)
                  + f" | {bmed:15.0f} {bmed / stats['cli 200'][0]:6.0f}x")
        for m in modes:
            goal = "" if m == "all" else f" (goal < 100 ms: {'met' if worst[m] < 100 else 'NOT met'})"
            print(f"worst p95, {m:7}: {worst[m]:6.1f} ms{goal}")
        print("ratio: walk median / index median (cli 200)")
    finally:
        if not args.dir:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
