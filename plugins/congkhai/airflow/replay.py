"""Replay a commune's year through the real DAGs (``dag.test()`` runs in a private AIRFLOW_HOME).

Each document of the replay inbox is dropped into the commune's inbox on its day (the folder's
arrival log ``replay.yaml``, else its sidecar's ``dropped:`` date, else its extracted issue date); on each day the calendar DAGs run as the
scheduler would run them (daily on working days, January and quarterly on their first working
day, the council DAG on its report days), then the inbox and issuance DAGs take that day's drops.
Everything goes through Airflow: the same DAG files, tasks, XComs and retries as production.

The environment (AIRFLOW_HOME, congkhai folders) is set before Airflow is imported: call
:func:`replay` in a process that has not imported Airflow yet (the ``congkhai replay`` command).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TZ = "Asia/Ho_Chi_Minh"
DOC_SUFFIXES = {".pdf", ".docx", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}


@dataclass
class ReplayReport:
    commune: str
    year: int
    archive: str
    dropped: int = 0
    undated: list[str] = field(default_factory=list)
    runs: Counter = field(default_factory=Counter)
    quiet_days: int = 0  # working days whose daily run was left out: nothing to make, nothing overdue
    failed_runs: list[str] = field(default_factory=list)
    cases: int = 0
    documents: Counter = field(default_factory=Counter)
    late: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    seconds: float = 0.0
    run_seconds: Counter = field(default_factory=Counter)  # wall seconds spent in each DAG's runs
    other_seconds: dict[str, float] = field(default_factory=dict)  # set-up, drop days, quiet-day checks
    answers_recorded: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"commune": self.commune, "year": self.year, "archive": self.archive, "dropped": self.dropped,
                "undated": self.undated, "runs": dict(self.runs), "quiet_days": self.quiet_days,
                "failed_runs": self.failed_runs,
                "cases": self.cases, "documents": dict(self.documents), "pdfs": sum(self.documents.values()),
                "late": self.late, "errors": self.errors, "review": self.review, "seconds": round(self.seconds, 1),
                "answers_recorded": len(self.answers_recorded),
                "run_seconds": {k: round(v, 1) for k, v in self.run_seconds.items()},
                "other_seconds": {k: round(v, 1) for k, v in self.other_seconds.items()}}


def _set_env(archive: Path, data: Path, airflow_home: Path, repo: Path) -> None:
    os.environ.update({
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(repo / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(repo / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home}/airflow.db",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": TZ,
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING"),
        "CONGKHAI_ARCHIVE": str(archive),
        "CONGKHAI_DATA": str(data),
        "CONGKHAI_SHARED_CONVERTER": "1",
        "CONGKHAI_INTAKE_STABLE_SECONDS": "0",
        "CONGKHAI_INTAKE_SETTLE_SECONDS": "0",
    })
    os.environ.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", "replay-" + "x" * 64)


#: The replay folder's arrival log (optional): ``dropped: {file name: date}``. Read by the replay only.
ARRIVALS = "replay.yaml"


def read_arrivals(inbox: Path) -> dict[str, dt.date]:
    """The replay folder's arrival log, validated; {} when there is none."""
    import yaml
    from pydantic import BaseModel, ConfigDict, ValidationError

    class Arrivals(BaseModel):
        model_config = ConfigDict(extra="forbid")
        dropped: dict[str, dt.date] = {}

    path = inbox / ARRIVALS
    if not path.is_file():
        return {}
    try:
        return Arrivals.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {}).dropped
    except (yaml.YAMLError, ValidationError, ValueError) as err:  # a bad YAML date raises ValueError
        raise ValueError(f"{path}: sổ văn bản đến không hợp lệ / invalid arrival log: {err}") from None


def drop_dates(inbox: Path, year: int) -> tuple[dict[dt.date, list[Path]], list[str]]:
    """Each document's drop day: the folder's arrival log (``replay.yaml``), else its sidecar's
    ``dropped:``, else its extracted issue date (reading a scan for it means OCR: seconds per page)."""
    import yaml

    from congkhai.intake.extract import inspect

    arrivals = read_arrivals(inbox)
    by_day: dict[dt.date, list[Path]] = {}
    undated: list[str] = []
    for p in sorted(inbox.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in DOC_SUFFIXES:
            continue
        day = arrivals.get(p.relative_to(inbox).as_posix())
        side = p.with_suffix(".yaml")
        if day is None and side.is_file():
            meta = yaml.safe_load(side.read_text(encoding="utf-8")) or {}
            if meta.get("dropped"):
                day = meta["dropped"] if isinstance(meta["dropped"], dt.date) else dt.date.fromisoformat(
                    str(meta["dropped"]))
        if day is None:
            try:
                info = inspect(p, classify=False)
                day = dt.date.fromisoformat(info.issued) if isinstance(info.issued, str) else info.issued
            except Exception:  # noqa: BLE001 - unreadable: dropped on the first day, intake sets it aside
                day = None
        if day is None:
            undated.append(p.name)
            day = dt.date(year, 1, 2)
        if day.year == year:
            by_day.setdefault(day, []).append(p)
    return by_day, undated


def _drop(files: list[Path], src_root: Path, inbox: Path) -> None:
    old = time.time() - 3600
    for p in files:
        rel = p.relative_to(src_root)
        dest = inbox / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        side = p.with_suffix(".yaml")
        if side.is_file():
            shutil.copy2(side, dest.with_suffix(".yaml"))
            os.utime(dest.with_suffix(".yaml"), (old, old))
        shutil.copy2(p, dest)
        os.utime(dest, (old, old))


def _memory_dir() -> str | None:
    """Where the replay's throw-away Airflow home goes: ``/dev/shm`` (memory) when it has room, so that
    the metadata DB's commits — dozens per task instance — do not wait for the disk (about 5 % of a
    replay measured); else the usual temporary folder. Containers often give /dev/shm only 64 MB."""
    try:
        if os.access("/dev/shm", os.W_OK) and shutil.disk_usage("/dev/shm").free >= 512 * 2**20:
            return "/dev/shm"
    except OSError:
        pass
    return None


def parse_once() -> Any:
    """Make ``dag.test()`` parse the DAG folder once per replay instead of once per run.

    Airflow 3's ``dag.test()`` parses its whole bundle (every DAG file) and syncs it to the metadata DB
    on every call, so that the targets of ``TriggerDagRunOperator`` exist (apache/airflow#64884). The DAG
    files do not change during a replay: the first parse is kept and synced once (the sync is
    idempotent per DAG hash), which saves about 0.5 s per run — a third of a no-op day. Returns the
    function that puts Airflow's own back."""
    from airflow.dag_processing import dagbag as mod

    real_bag, real_sync = mod.BundleDagBag, mod.sync_bag_to_db
    bags: dict[tuple[str, str], Any] = {}
    synced: set[tuple[int, str, Any]] = set()

    def bundle_bag(*args: Any, **kwargs: Any) -> Any:
        key = (str(kwargs.get("dag_folder")), str(kwargs.get("bundle_name")))
        if args or key not in bags:
            bag = real_bag(*args, **kwargs)
            if args:
                return bag
            bags[key] = bag
        return bags[key]

    def sync_once(dagbag: Any, bundle_name: str, bundle_version: Any = None, *args: Any, **kwargs: Any) -> Any:
        key = (id(dagbag), bundle_name, bundle_version)
        if key in synced:
            return None
        out = real_sync(dagbag, bundle_name, bundle_version, *args, **kwargs)
        synced.add(key)
        return out

    mod.BundleDagBag, mod.sync_bag_to_db = bundle_bag, sync_once

    def restore() -> None:
        mod.BundleDagBag, mod.sync_bag_to_db = real_bag, real_sync

    return restore


def replay(commune: str, year: int, inbox: Path, archive: Path, *, data: Path | None = None,
           date_from: dt.date | None = None, date_to: dt.date | None = None, repo: Path | None = None,
           verbose: bool = False, answers: Path | None = None, every_day: bool = False) -> ReplayReport:
    """Replay ``year`` (or ``date_from``..``date_to``) of ``commune`` into ``archive``.

    A working day on which the daily DAG would make nothing, close nothing and find nothing overdue
    (``calendar_jobs.daily_work`` empty, no overdue case: the same functions its tasks call) is a *quiet
    day*: its ``dag.test()`` is left out — it would only print the waiting list — unless ``every_day``.
    The archive is the same either way; ``quiet_days`` counts them.

    Without ``answers`` every required action stays unanswered and the archive holds drafts; with an
    answers file (``congkhai.evidence``), each answered section is recorded on its day, before that
    day's DAG runs, through the same function as the Airflow required action."""
    from congkhai.config import REPO_ROOT

    repo = repo or REPO_ROOT
    archive = archive.resolve()
    data = (data or archive.with_name(archive.name + ".state")).resolve()
    home = Path(tempfile.mkdtemp(prefix="congkhai-replay-airflow-", dir=_memory_dir()))
    _set_env(archive, data, home, repo)
    os.environ["CONGKHAI_ONLY_COMMUNES"] = commune
    t0 = time.monotonic()

    import pendulum

    from congkhai.airflow.timetable import WorkingDayTimetable
    from congkhai.config import settings
    from congkhai.pipeline.answers import apply_due_answers
    from congkhai.pipeline.calendar_jobs import council_report_day, daily_work, deadline_check
    from congkhai.pipeline.context import CommuneRun
    from congkhai.pipeline.runner import close_shared, converter

    report = ReplayReport(commune, year, str(archive))
    recorded_answers = {}
    if answers is not None:
        from congkhai.evidence import load_answers

        recorded_answers = load_answers(answers)
    t = time.monotonic()
    by_day, report.undated = drop_dates(inbox, year)
    report.other_seconds["drop_dates"] = time.monotonic() - t
    day = date_from or dt.date(year, 1, 1)
    last = date_to or dt.date(year, 12, 31)
    report.dropped = sum(len(v) for d, v in by_day.items() if day <= d <= last)

    from airflow.dag_processing.dagbag import DagBag
    from airflow.utils import db

    t = time.monotonic()
    db.resetdb()
    report.other_seconds["resetdb"] = time.monotonic() - t
    t = time.monotonic()
    bag = DagBag(dag_folder=str(repo / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    report.other_seconds["parse_dags"] = time.monotonic() - t
    dags = {d: bag.get_dag(d) for d in ("congkhai_daily", "congkhai_january", "congkhai_quarterly",
                                         "congkhai_council", "congkhai_inbox", "congkhai_issuance",
                                         "congkhai_dossier")}
    s = settings()
    inbox_dir = s.inbox_dir(commune)
    inbox_dir.mkdir(parents=True, exist_ok=True)
    run = CommuneRun(commune, s)
    daily = WorkingDayTimetable()
    jan = WorkingDayTimetable(months=(1,), first_only=True)
    quarterly = WorkingDayTimetable(months=(1, 4, 7, 10), first_only=True)
    council_days = {council_report_day(run, sd) for sd in run.commune.sessions(year)}

    def at(day: dt.date, hhmm: str) -> Any:
        h, m = hhmm.split(":")
        return pendulum.datetime(day.year, day.month, day.day, int(h), int(m), tz=TZ)

    def run_dag(dag_id: str, when: Any, conf: dict | None = None) -> None:
        t = time.monotonic()
        dr = dags[dag_id].test(logical_date=when, run_conf=conf)
        report.run_seconds[dag_id] += time.monotonic() - t
        report.runs[dag_id] += 1
        state = str(getattr(dr, "state", ""))
        if "success" not in state:
            report.failed_runs.append(f"{dag_id} {when.date()} {state}")
        if verbose:
            print(f"{when:%Y-%m-%d %H:%M} {dag_id}: {state}", flush=True)

    restore = parse_once()
    try:
        while day <= last:
            if recorded_answers:
                with converter() as conv:
                    done = apply_due_answers(run, recorded_answers, day, conv)
                report.answers_recorded += done
                if verbose:
                    for d in done:
                        print(f"{day} answer {d['section']} recorded for {d['case_id']}", flush=True)
            if daily.next_run_day(day) == day:
                t = time.monotonic()
                quiet = not (every_day or daily_work(run, day) or deadline_check(run, day)["overdue"])
                report.other_seconds["quiet_day_checks"] = report.other_seconds.get("quiet_day_checks", 0.0) + (
                    time.monotonic() - t)
                if quiet:
                    report.quiet_days += 1
                else:
                    run_dag("congkhai_daily", at(day, "07:00"))
            if jan.next_run_day(day) == day:
                run_dag("congkhai_january", at(day, "07:15"))
            if quarterly.next_run_day(day) == day:
                run_dag("congkhai_quarterly", at(day, "07:30"))
            if day in council_days:  # the DAG runs every working day but only acts on these
                run_dag("congkhai_council", at(day, "07:45"))
            if by_day.get(day):
                _drop(by_day[day], inbox, inbox_dir)
                run_dag("congkhai_inbox", at(day, "08:00"))
                run_dag("congkhai_issuance", at(day, "08:05"))
            day += dt.timedelta(days=1)
        if (run.archive.commune_dir / f"{year:04d}").is_dir():
            run_dag("congkhai_dossier", at(last, "18:00"), {"commune": commune, "year": year})
    finally:
        restore()
        close_shared()

    # -- summary from the archive itself
    for folder in run.archive.iter_folders():
        m = folder.manifest
        if not folder.is_year:
            report.cases += 1
            sched = m.get("schedule") or {}
            if sched.get("late"):
                report.late.append(f"{folder.case_id} (hạn {sched.get('deadline')}, niêm yết {sched.get('posting_start')})")
        for f in m["files"]:
            if f["path"].lower().endswith(".pdf"):
                report.documents[f["kind"]] += 1
    report.errors = sorted(p.name for p in s.errors_dir(commune).glob("*") if p.suffix != ".txt") \
        if s.errors_dir(commune).is_dir() else []
    report.review = sorted(p.name for p in s.review_dir(commune).glob("*") if p.suffix not in (".txt", ".yaml")) \
        if s.review_dir(commune).is_dir() else []
    report.seconds = time.monotonic() - t0
    shutil.rmtree(home, ignore_errors=True)
    return report
