"""Crash tests of the disclosure pipeline: kill the process doing the work mid-run, run it again.

Level (a), always in CI: ``issuance_for_run`` (what the ``congkhai_issuance`` task calls) runs in a
subprocess — its own session, so the SIGKILL takes its LibreOffice instances down with it, like a
power cut — on a private archive holding one case whose item is posted at the UBND board and the
ten residential groups' cultural houses (12–13 documents). It is killed at a chosen point, then run
again to the end, and the archive must hold every expected document exactly once (one PDF per key,
no version 2, no orphan file), register numbers unique per (year, series) with one number per key,
and ``congkhai archive verify`` must pass.

Kill points: while LibreOffice converts (nothing filed yet); after some PDFs are filed; between
the copy of a PDF into the case folder and its manifest entry; with a temporary file of the
archive's atomic write on disk. The child reaches each point through a small wrapper (a marker
file and a pause, so the kill lands exactly there); the pipeline code itself is unchanged.

Level (b), marked ``slow`` and ``airflow``: the same on a private ``airflow standalone``
(``bench/standalone.py``): three documents dropped in the inbox, the whole standalone (scheduler,
task processes, LibreOffice) SIGKILLed while ``congkhai_issuance`` converts, restarted on the same
AIRFLOW_HOME; Airflow's heartbeat timeout and retries must finish the work.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
CLI = str(Path(PY).with_name("congkhai"))
SAMPLES = REPO / "samples" / "kep-2024"
#: A text PDF whose plan item is posted everywhere (board, 10 cultural houses, group leaders).
CASE_DOC = "KH ho ngheo.pdf"

# The child: optional wrappers that stop at a kill point (marker file + long sleep), then the
# pipeline exactly as the issuance task runs it.
CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    point = os.environ.get("CRASH_POINT", "")
    marker = Path(os.environ.get("CRASH_MARKER", "/nonexistent"))
    after = int(os.environ.get("CRASH_AFTER", "3"))

    def stop_here():
        marker.write_text(str(os.getpid()))
        time.sleep(120)

    if point:
        from congkhai.archive import fsutil, store
        from congkhai.convert import local
        seen = {"pdf": 0}
        if point == "converting":
            orig_cm = local.LocalConverter.convert_many
            def convert_many(self, jobs, on_result=None):
                jobs = list(jobs)
                def res(r):
                    marker.write_text("converting")  # a document is converted; others still are
                    if on_result: on_result(r)
                return orig_cm(self, jobs, res)
            local.LocalConverter.convert_many = convert_many
        elif point == "filed":
            orig_add = store.CaseFolder.add_file
            def add_file(self, kind, src, **kw):
                entry = orig_add(self, kind, src, **kw)
                if str(src).endswith(".pdf"):
                    seen["pdf"] += 1
                    if seen["pdf"] == after:
                        stop_here()
                return entry
            store.CaseFolder.add_file = add_file
        elif point == "copied":
            orig_copy = fsutil.atomic_copy
            def atomic_copy(src, dest):
                out = orig_copy(src, dest)
                if str(dest).endswith(".pdf"):
                    seen["pdf"] += 1
                    if seen["pdf"] == after:
                        stop_here()  # the PDF has its final name; the manifest does not list it yet
                return out
            fsutil.atomic_copy = atomic_copy
        elif point == "tempfile":
            orig_pub = fsutil._publish
            def _publish(tmp, dest):
                if str(dest).endswith(".pdf"):
                    seen["pdf"] += 1
                    if seen["pdf"] == after:
                        stop_here()  # written and fsync'ed under its temporary name only
                return orig_pub(tmp, dest)
            fsutil._publish = _publish

    from congkhai.pipeline.runner import issuance_for_run
    r = issuance_for_run(commune="kep")
    print("RESULT", len(r["filed"]), len(r["skipped"]), len(r["failed"]))
""")


# ------------------------------------------------------------------ invariants (shared with bench/)


def check_invariants(archive_root: Path, data_dir: Path, commune: str = "kep", *,
                     cases: list[str] | None = None) -> dict:
    """Every case folder: each expected key exactly one PDF (version 1), no orphan PDFs; register
    numbers unique per (year, series) and one per key; ``congkhai archive verify`` passes.

    Returns a summary; raises AssertionError with what is wrong.
    """
    import yaml

    groups = [g["code"] for g in yaml.safe_load((REPO / "communes" / commune / "commune.yaml").read_text(
        encoding="utf-8"))["groups"]]
    problems: list[str] = []
    summary: dict = {"cases": 0, "pdfs": 0}
    cdir = archive_root / commune
    for mpath in sorted(cdir.rglob("manifest.json")):
        m = json.loads(mpath.read_text(encoding="utf-8"))
        if m.get("record") != "case":
            continue  # the year folder (yearly plan, quarterly lists): not a case
        cid = m.get("case_id")
        if cases is not None and cid not in cases:
            continue
        summary["cases"] += 1
        pdfs = [f for f in m["files"] if f["path"].lower().endswith(".pdf") and f["kind"] != "original"]
        summary["pdfs"] += len(pdfs)
        by_key = collections.Counter(f["key"] for f in pdfs)
        expected = {"posting_start_ubnd", "group_notice"} | {f"posting_start_group:{g}" for g in groups}
        for k in sorted(expected - set(by_key)):
            problems.append(f"{mpath.parent.name}: missing {k}")
        for k, n in sorted(by_key.items()):
            if n != 1:
                problems.append(f"{mpath.parent.name}: {n} PDFs for {k}")
        for f in pdfs:
            if f["version"] != 1:
                problems.append(f"{mpath.parent.name}: {f['path']} is version {f['version']}")
        listed = {f["path"] for f in m["files"]}
        for p in sorted(mpath.parent.iterdir()):
            if p.name != "manifest.json" and p.name not in listed:
                problems.append(f"{mpath.parent.name}: unlisted file {p.name}")
    # the register: one number per key, numbers unique per (year, series)
    reg = data_dir / "state" / commune / "register.sqlite"
    if reg.exists():
        import sqlite3

        con = sqlite3.connect(reg)
        rows = con.execute("SELECT year, series, number, key FROM numbers").fetchall()
        con.close()
        per_num = collections.Counter((y, s, n) for y, s, n, _ in rows)
        per_key = collections.Counter((y, s, k) for y, s, _, k in rows)
        problems += [f"register: number {k} given {n} times" for k, n in per_num.items() if n > 1]
        problems += [f"register: key {k} has {n} numbers" for k, n in per_key.items() if n > 1]
        summary["numbers"] = len(rows)
    r = subprocess.run([CLI, "archive", "verify", "--archive", str(archive_root), "--commune", commune, "--json"],
                       capture_output=True, text=True, env={**os.environ, "CONGKHAI_ARCHIVE": str(archive_root)})
    if r.returncode != 0:
        try:
            rep = json.loads(r.stdout)
            problems.append("archive verify: " + json.dumps({k: v for k, v in rep.items() if v and k != "checked"},
                                                            ensure_ascii=False))
        except ValueError:
            problems.append(f"archive verify exit {r.returncode}: {r.stdout[-500:]} {r.stderr[-500:]}")
    assert not problems, "\n".join(problems)
    return summary


# ------------------------------------------------------------------ level (a)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A data dir + archive with one case filed by intake (pending for the pipeline), made once."""
    root = tmp_path_factory.mktemp("crash-pristine")
    env = _env(root)
    inbox = root / "inbox" / "kep"
    inbox.mkdir(parents=True)
    shutil.copyfile(SAMPLES / CASE_DOC, inbox / CASE_DOC)
    code = ("from congkhai.intake.claim import process_inbox, IntakeOptions\n"
            "r = process_inbox('kep', options=IntakeOptions(stable_seconds=0, settle_seconds=0))\n"
            "print('NEW', len(r.new), [c.item for c in r.cases])\n")
    r = subprocess.run([PY, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "NEW 1" in r.stdout, r.stdout + r.stderr
    return root


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGKHAI_")}
    env.update(CONGKHAI_DATA=str(root / "data"), CONGKHAI_INBOX=str(root / "inbox"),
               CONGKHAI_ARCHIVE=str(root / "archive"), CONGKHAI_ONLY_COMMUNES="kep", CONGKHAI_CONVERTERS="2")
    return env


def _run_child(env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PY, "-c", CHILD], env=env, capture_output=True, text=True, timeout=timeout,
                          start_new_session=True)


def _orphans(tag: str) -> list[int]:
    """Processes still running whose command line names ``tag`` (the killed child's private TMPDIR)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if tag in (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    out.append(int(d.name))
            except OSError:
                continue
    return out


def _reap(tag: str) -> list[int]:
    """Kill (by pid) what the killed child left running: its LibreOffice instances, if any."""
    found = _orphans(tag)
    for pid in found:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return found


def _killed_run(env: dict[str, str], marker: Path, settle: float = 0.0, timeout: float = 120) -> str:
    """Start the child, wait for its marker, SIGKILL its whole session. Returns how it ended."""
    p = subprocess.Popen([PY, "-c", CHILD], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    try:
        t0 = time.monotonic()
        while not marker.exists():
            if p.poll() is not None:
                return "finished before the kill point: " + (p.stdout.read().decode(errors="replace")[-2000:]
                                                              if p.stdout else "")
            if time.monotonic() - t0 > timeout:
                raise TimeoutError("kill point not reached")
            time.sleep(0.02)
        time.sleep(settle)
        return "killed"
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait(timeout=30)
        # LibreOffice children are in the same session: nothing of the killed run may survive
        for _ in range(100):
            if subprocess.run(["pgrep", "-s", str(p.pid)], capture_output=True).returncode != 0:
                break
            time.sleep(0.05)


def _pdfs_listed(archive: Path) -> int:
    n = 0
    for mpath in archive.rglob("manifest.json"):
        m = json.loads(mpath.read_text(encoding="utf-8"))
        n += sum(1 for f in m["files"] if f["path"].endswith(".pdf") and f["kind"] != "original")
    return n


#: Crash points: mid-conversion, after a PDF is filed, after a PDF is published under its final name but
#: before the manifest lists it (the rerun adopts it), and mid-write of a temporary file (removed on the
#: next write in that folder; `archive verify` never counts it as part of the record).
POINTS = ["converting", "filed", "copied", "tempfile"]


@pytest.mark.parametrize("point", POINTS)
def test_issuance_killed_then_rerun(pristine: Path, tmp_path: Path, point: str) -> None:
    root = tmp_path / "w"
    shutil.copytree(pristine, root, symlinks=True)
    env = _env(root)
    marker = tmp_path / "marker"
    own_tmp = tmp_path / "child-tmp"  # the killed child's LibreOffice profiles live here: found by name
    own_tmp.mkdir()
    try:
        ended = _killed_run({**env, "CRASH_POINT": point, "CRASH_MARKER": str(marker), "CRASH_AFTER": "3",
                             "TMPDIR": str(own_tmp)}, marker, settle=0.3 if point == "converting" else 0.0)
    finally:
        # the converter's bridge ends its LibreOffice when its parent dies: give it 3 s, then reap the rest
        _wait(lambda: not _orphans(str(own_tmp)), 3, 0.1)
        leaked = _reap(str(own_tmp))
    assert ended == "killed", ended
    if leaked:
        print(f"LibreOffice processes left by the killed run (reaped): {leaked}")
    before = _pdfs_listed(root / "archive")
    if point == "converting":
        # killed while the others still convert: produce() files each PDF as it comes back, so the
        # first one or two may be filed already, never the whole case (12 documents)
        assert before < 12
    elif point in ("filed",):
        assert before == 3
    else:
        assert before == 2
    # the case is still pending: the rerun (what Airflow's retry does) finishes it
    r = _run_child(env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    summary = check_invariants(root / "archive", root / "data")
    assert summary["cases"] == 1 and summary["pdfs"] >= 12
    # and a third run makes nothing new
    r = _run_child(env)
    assert r.returncode == 0 and "RESULT 0 " in r.stdout, r.stdout + r.stderr[-2000:]
    assert check_invariants(root / "archive", root / "data") == summary


# ------------------------------------------------------------------ level (b): a real standalone Airflow

#: Crash-recovery settings of the private standalone: the scheduler notices the dead scheduler job
#: (10 s without heartbeat) and resets its orphaned task within 15 s, instead of the defaults' 5 min.
RECOVERY_ENV = {
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": "10",
    "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "15",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    "CONGKHAI_RETRY_DELAY": "5",  # the same retries, sooner (production: 30 s, doubled at each try)
}
AIRFLOW_DOCS = ["KH ho ngheo.pdf", "BC kiem toan.pdf", "QD phi le phi.pdf"]


def _wait(cond, timeout: float, step: float = 0.5):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return None


@pytest.mark.slow
@pytest.mark.airflow
def test_standalone_power_cut_during_issuance(tmp_path: Path) -> None:
    """Drop 3 documents; SIGKILL the whole standalone (scheduler, task, LibreOffice) while
    congkhai_issuance converts; restart on the same AIRFLOW_HOME; Airflow's retry finishes."""
    sys.path.insert(0, str(REPO / "bench"))
    from standalone import Standalone

    af = Standalone(tmp_path / "af", extra_env=RECOVERY_ENV, keep=True)
    try:
        af.start()
        af.wait_dags(["congkhai_inbox", "congkhai_issuance"])
        time.sleep(5)
        for name in AIRFLOW_DOCS:
            shutil.copyfile(SAMPLES / name, af.inbox / name)
        # the kill point: the issuance task's LibreOffice instances are converting
        converting = _wait(lambda: any("soffice" in c for c in af.processes().values()) and
                           any(r["state"] == "running" for r in af.runs("congkhai_issuance")), 150, 0.2)
        assert converting, "congkhai_issuance never started converting"
        time.sleep(1.5)
        filed_before = _pdfs_listed(af.archive_root)
        af.kill_group()
        assert filed_before < 3 * 12, "the run had finished before the kill: nothing was interrupted"
        af.start()
        done = _wait(lambda: _pdfs_listed(af.archive_root) >= 3 * 12 and
                     all(r["state"] in ("success", "failed") for r in af.runs("congkhai_issuance")), 240, 2)
        runs = af.runs("congkhai_issuance")
        assert done, f"not finished after the restart: {_pdfs_listed(af.archive_root)} PDFs; runs {runs}"
        assert any(r["state"] == "success" for r in runs), runs
        for r in runs:  # shown with -s: how Airflow recovered
            tis = af.task_instances("congkhai_issuance", r["dag_run_id"])
            print(f"issuance run {r['dag_run_id']}: {r['state']}; "
                  + ", ".join(f"{t['task_id']} try {t['try_number']} {t['state']}" for t in tis))
        print(f"PDFs filed before the kill: {filed_before}; after recovery: {_pdfs_listed(af.archive_root)}")
        assert not list((af.data / "state" / "kep" / "pending").glob("*.json")), "a case is still pending"
    finally:
        af.stop()
    summary = check_invariants(af.archive_root, af.data)
    assert summary["cases"] == 3 and summary["pdfs"] >= 36
    shutil.rmtree(af.root, ignore_errors=True)
