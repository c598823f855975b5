"""A province's January morning: N communes, the first working day of the year, Airflow against one process.

    .venv/bin/python bench/province.py --communes 20            # ~15 min on 2 cores
    .venv/bin/python bench/province.py --communes 20 --json     # one JSON line (the contract below)

Generates N communes (Kép's profile under another name, 5–15 residential groups each, drawn with a
fixed seed; the 2024 plan and a 2025 plan issued on 02/01/2025) and each one's 2024: two permanent
items posted (1.2 at the UBND and every cultural house, 1.5 at the UBND) and two Q4 cases (Q4-5, Q4-8),
their start minutes filed (one blank PDF page each: they are inputs here, not measured). The workload is
what 02/01/2025, the first working day of 2025, makes for every commune: ``congkhai_january`` (the 2025
plan, its posting minutes at the UBND and each cultural house and the group leaders' notice, the
re-posting minutes of the permanent items, the 2024 dossier) and ``congkhai_quarterly`` (the 2024-Q4
list and its posting minutes).

(a) **Airflow**: a private standalone with the LocalExecutor as ``make run`` configures it
(``bench/standalone.py``; converter pool = 2 instances, parallelism 4, no scheduled runs:
``USE_JOB_SCHEDULE=False``), both DAGs triggered for 02/01/2025 07:00 through the REST API; time from
the trigger to both runs finished. (b) **Raw**: the same functions (``january_for``, ``quarterly_for``)
for every commune in turn in this process with one warm converter (the same ``get_converter()``), on a
fresh copy of the same seeded data. Peak memory: the sum of the RSS of every process of each side
(LibreOffice included), sampled every 0.5 s.

``--json`` prints one line: ``{"communes", "pdfs", "airflow_seconds", "raw_seconds", ...}`` (extra keys
after those four).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

DAY = dt.date(2025, 1, 2)  # the first working day of 2025 (1 January is a holiday)
SEED_CASES = (  # item, issue date, number, code, subject
    ("1.2", dt.date(2024, 2, 20), "21", "QĐ-UBND", "Ban hành Quy chế thực hiện dân chủ trong công tác"),
    ("1.5", dt.date(2024, 3, 15), "35", "QĐ-UBND", "Ban hành Quy tắc ứng xử của cán bộ, công chức"),
    ("Q4-5", dt.date(2024, 11, 5), "88", "QĐ-UBND", "Phê duyệt kết quả rà soát hộ nghèo, hộ cận nghèo năm 2024"),
    ("Q4-8", dt.date(2024, 12, 10), "95", "TB-UBND", "Danh sách công dân đủ điều kiện nhập ngũ năm 2025"),
)


def _env(root: Path) -> dict[str, str]:
    return {"CONGKHAI_COMMUNES": str(root / "communes"), "CONGKHAI_DATA": str(root / "data"),
            "CONGKHAI_INBOX": str(root / "inbox"), "CONGKHAI_ARCHIVE": str(root / "archive")}


def make_communes(dest: Path, n: int, seed: int = 17) -> dict[str, int]:
    """N communes ``xa001``…: Kép's profile renamed, 5–15 groups; plans 2024 and 2025 (issued 02/01/2025)."""
    import yaml

    rng = random.Random(seed)
    src = REPO / "communes" / "kep"
    profile = yaml.safe_load((src / "commune.yaml").read_text(encoding="utf-8"))
    plan = (src / "plan-2024.yaml").read_text(encoding="utf-8")
    groups: dict[str, int] = {}
    for i in range(1, n + 1):
        code = f"xa{i:03d}"
        g = rng.randint(5, 15)
        groups[code] = g
        p = json.loads(json.dumps(profile, default=str))
        p["code"] = code
        for key in ("name", "body_short", "place"):
            p[key] = str(p[key]).replace("Kép", f"Thử {i:03d}")
        p["body_name_upper"] = str(p["body_name_upper"]).replace("KÉP", f"THỬ {i:03d}")
        p["groups"] = [{"code": f"tdp{k:02d}", "name": f"Tổ dân phố số {k}",
                        "cultural_house": f"Nhà văn hóa Tổ dân phố số {k}", "leader": f"Tổ trưởng số {k}"}
                       for k in range(1, g + 1)]
        d = dest / code
        d.mkdir(parents=True)
        (d / "commune.yaml").write_text(yaml.safe_dump(p, allow_unicode=True, sort_keys=False), encoding="utf-8")
        (d / "plan-2024.yaml").write_text(plan.replace("commune: kep", f"commune: {code}"), encoding="utf-8")
        p25 = plan.replace("commune: kep", f"commune: {code}").replace("2024", "2025")
        p25 = p25.replace("number: null", "number: \"01/KH-UBND\"", 1).replace("issued: null", "issued: 2025-01-02", 1)
        (d / "plan-2025.yaml").write_text(p25, encoding="utf-8")
    return groups


def seed(root: Path, n: int) -> dict[str, int]:
    """The communes and each one's 2024 cases, posted (their start minute filed)."""
    os.environ.update(_env(root))
    os.environ.pop("CONGKHAI_ONLY_COMMUNES", None)
    groups = make_communes(root / "communes", n)
    from pypdf import PdfWriter

    from congkhai.archive.store import Archive
    from congkhai.case import Case

    blank = root / "blank.pdf"
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.add_metadata({"/Title": "Biên bản niêm yết (bản có sẵn của năm 2024)", "/Author": "bench"})
    with blank.open("wb") as f:
        w.write(f)
    for code in groups:
        archive = Archive(root / "archive", code)
        for item, issued, number, doc_code, subject in SEED_CASES:
            case = Case(commune=code, issued=issued, subject=subject, doc_number=number, doc_code=doc_code,
                        item=item, doc_type="QUYẾT ĐỊNH")
            folder = archive.open_case(case)
            folder.add_file("posting_start_ubnd", blank, number=None, doc_date=issued,
                            versioned_key="posting_start_ubnd")
    return groups


def count_pdfs(archive: Path) -> int:
    n = 0
    for m in archive.rglob("manifest.json"):
        with contextlib.suppress(OSError, ValueError):
            n += sum(1 for f in json.loads(m.read_text(encoding="utf-8"))["files"]
                     if f["path"].lower().endswith(".pdf") and f["kind"] != "original")
    return n


class PeakRss:
    """Sum of the RSS of ``root`` (a pid) and all its descendants, sampled every 0.5 s; peak in MB."""

    def __init__(self, pids: Any) -> None:
        self.pids, self.peak, self._stop = pids, 0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self.pids():
                with contextlib.suppress(OSError, ValueError):
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            self.peak = max(self.peak, total)
            self._stop.wait(0.5)

    def __enter__(self) -> PeakRss:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()

    @property
    def mb(self) -> int:
        return self.peak // 1024


@contextlib.contextmanager
def shared_converter(instances: int):
    """``congkhai converter serve`` on a free loopback port, as ``make run`` starts it (its own process
    group); yields ``(url, pids)`` where ``pids()`` lists its processes (LibreOffice included)."""
    import signal
    import socket
    import subprocess

    from standalone import _descendants

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    cli = str(Path(sys.executable).with_name("congkhai"))
    proc = subprocess.Popen([cli, "converter", "serve", "--port", str(port), "--instances", str(instances)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        t0 = time.monotonic()
        while subprocess.run([cli, "converter", "health", "--url", url], capture_output=True).returncode != 0:
            if proc.poll() is not None or time.monotonic() - t0 > 90:
                raise RuntimeError("the shared converter did not start")
            time.sleep(0.5)
        yield url, lambda: [proc.pid, *_descendants(proc.pid)]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def run_airflow(root: Path, converters: int, service: tuple[str, Any] | None = None) -> dict[str, Any]:
    from standalone import Standalone, _descendants

    class Province(Standalone):
        def env(self) -> dict[str, str]:
            env = super().env()
            env.pop("CONGKHAI_ONLY_COMMUNES", None)
            return env

    af = Province(root / "af", converters=converters, extra_env={
        **_env(root), "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        **({"CONGKHAI_CONVERTER_URL": service[0]} if service else {}),
    })
    try:
        af.start()
        af.wait_dags(["congkhai_january", "congkhai_quarterly"])
        when = dt.datetime(DAY.year, DAY.month, DAY.day, 0, 0, tzinfo=dt.UTC).isoformat()  # 07:00 in Vietnam
        with PeakRss(lambda: [af.pgid, *_descendants(af.pgid), *(service[1]() if service else [])]) as rss:
            t0 = time.monotonic()
            runs = {d: af.api("POST", f"/dags/{d}/dagRuns", {"logical_date": when})["dag_run_id"]
                    for d in ("congkhai_january", "congkhai_quarterly")}
            states: dict[str, str] = {}
            while len(states) < len(runs):
                time.sleep(1)
                for d, rid in runs.items():
                    from urllib.parse import quote

                    st = af.api("GET", f"/dags/{d}/dagRuns/{quote(rid, safe='')}")["state"]
                    if st in ("success", "failed"):
                        states.setdefault(d, st)
                if time.monotonic() - t0 > 4 * 3600:
                    raise TimeoutError(f"runs not finished: {runs}")
            seconds = time.monotonic() - t0
        return {"seconds": seconds, "states": states, "peak_mb": rss.mb}
    finally:
        af.stop()


def run_raw(root: Path, converters: int, service: tuple[str, Any] | None = None) -> dict[str, Any]:
    os.environ.update(_env(root))
    os.environ.update(CONGKHAI_SHARED_CONVERTER="1", CONGKHAI_CONVERTERS=str(converters))
    if service:
        os.environ["CONGKHAI_CONVERTER_URL"] = service[0]
    from congkhai.config import list_communes
    from congkhai.pipeline import runner

    with PeakRss(lambda: [os.getpid(), *__import__("standalone")._descendants(os.getpid()),
                          *(service[1]() if service else [])]) as rss:
        t0 = time.monotonic()
        failed = []
        for code in list_communes():
            for job in (runner.january_for, runner.quarterly_for):
                try:
                    job(code, DAY)
                except Exception as err:  # noqa: BLE001 - counted; the bench goes on
                    failed.append(f"{code} {job.__name__}: {err}")
        runner.close_shared()
        seconds = time.monotonic() - t0
    return {"seconds": seconds, "failed": failed, "peak_mb": rss.mb}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--communes", type=int, default=20)
    ap.add_argument("--converters", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    ap.add_argument("--skip-airflow", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders")
    ap.add_argument("--shared-converter", action="store_true",
                    help="both sides convert through one `congkhai converter serve` (as make run does)")
    a = ap.parse_args()
    say = (lambda *x: print(*x, file=sys.stderr, flush=True)) if a.json else (lambda *x: print(*x, flush=True))
    base = Path(tempfile.mkdtemp(prefix="congkhai-bench-province-"))
    try:
        t = time.monotonic()
        groups = seed(base / "seed", a.communes)
        seeded = count_pdfs(base / "seed" / "archive")
        say(f"seeded {a.communes} communes ({sum(groups.values())} groups) in {time.monotonic() - t:.0f} s")
        for side in ("airflow", "raw"):
            shutil.copytree(base / "seed", base / side)
        load = [os.getloadavg()[0]]
        af: dict[str, Any] = {"seconds": None, "states": {}, "peak_mb": None}
        with shared_converter(a.converters) if a.shared_converter else contextlib.nullcontext() as service:
            if not a.skip_airflow:
                af = run_airflow(base / "airflow", a.converters, service)
                say(f"airflow: {af}")
            load.append(os.getloadavg()[0])
            raw = run_raw(base / "raw", a.converters, service)
        load.append(os.getloadavg()[0])
        say(f"raw: {raw['seconds']:.0f} s, peak {raw['peak_mb']} MB, failed {raw['failed'][:3]}")
        pdfs = count_pdfs(base / "raw" / "archive") - seeded
        af_pdfs = count_pdfs(base / "airflow" / "archive") - seeded if not a.skip_airflow else None
        out = {"communes": a.communes, "pdfs": pdfs,
               "airflow_seconds": round(af["seconds"], 1) if af["seconds"] else None,
               "raw_seconds": round(raw["seconds"], 1),
               "ratio": round(af["seconds"] / raw["seconds"], 2) if af["seconds"] else None,
               "airflow_pdfs": af_pdfs, "airflow_states": af["states"],
               "airflow_pdfs_per_min": round(af_pdfs / af["seconds"] * 60, 1) if af["seconds"] else None,
               "raw_pdfs_per_min": round(pdfs / raw["seconds"] * 60, 1),
               "airflow_peak_mb": af["peak_mb"], "raw_peak_mb": raw["peak_mb"], "groups": sum(groups.values()),
               "raw_failed": len(raw["failed"]), "load": [round(x, 1) for x in load], "cores": os.cpu_count(),
               "shared_converter": a.shared_converter}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    finally:
        if not a.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
