"""Scale check: the congkhai pipeline on PostgreSQL + Redis + CeleryExecutor, several communes at once.

Everything runs on loopback from a private temp dir and is stopped (by PID) at the end:

1. PostgreSQL (Debian's ``initdb``/``pg_ctl``, port 55432) with two databases per phase (Airflow's
   metadata and the archive index ``congkhai``), Redis (``redis-server``, port 56379).
2. Per phase, a fresh Airflow (private AIRFLOW_HOME, CeleryExecutor): scheduler, dag-processor,
   triggerer, api-server on 127.0.0.1:8095 and N ``airflow celery worker`` (log ports 8893+), and
   the host's shared converter (``congkhai converter serve`` on 127.0.0.1:58785, one warm LibreOffice
   per core, ``CONGKHAI_CONVERTER_URL`` for every worker) — or, with ``--converter task``, a
   LibreOffice pool started by each conversion task (the behaviour before the shared converter).
3. Three communes (kep, demo-xa and a made-up third derived from demo-xa) get one quarter's sample
   documents dropped in their inboxes; ``congkhai_inbox`` (watcher + one REST trigger) and
   ``congkhai_issuance`` take them; then ``congkhai_daily`` runs over the quarter's last working days
   and ``congkhai_quarterly`` on the next quarter's first working day (runs triggered with their
   logical dates through the REST API, not ``airflow backfill create``: see ``catch_up``).
4. The archive is checked like the single-machine tests check it (every document due is there,
   none twice, numbers unique per commune/year/series, communes separate).

Phases: ``w1`` (1 worker) and ``w2`` (2 workers) measure the wall time; ``faults`` (2 workers)
SIGKILLs a worker's whole process tree while a conversion task runs, stops PostgreSQL for 30 s in
the middle of the backfill, and expects the runs to recover through Airflow's retries (components
that die are restarted, as compose's restart policy would). Results: a table on stdout and JSON
(``--json``). Run ``scripts/scale-check --help``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv" / "bin"
PG_PORT, REDIS_PORT, API_PORT, CONVERTER_PORT = 55432, 56379, 8095, 58785
LOG_PORT, TRIGGER_LOG_PORT, WORKER_LOG_PORT0 = 8893, 8894, 8895
TZ = "Asia/Ho_Chi_Minh"
#: The times of dags/congkhai_daily.py's and dags/congkhai_quarterly.py's WorkingDayTimetable.
DAILY_AT, QUARTERLY_AT = "07:00", "07:30"


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ------------------------------------------------------------------------------------ packages

def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def ensure_packages() -> None:
    """PostgreSQL and Redis from Debian, the celery provider in the venv (only when missing)."""
    missing = [p for p, ok in (("postgresql", pg_bin() is not None),
                               ("redis-server", shutil.which("redis-server") is not None)) if not ok]
    if missing:
        say(f"apt-get install {' '.join(missing)}")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", *missing], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    try:
        import airflow.providers.celery  # noqa: F401
    except ImportError:
        say("pip install apache-airflow-providers-celery==3.26.0")
        subprocess.run([str(VENV / "pip"), "install", "-q", "apache-airflow-providers-celery==3.26.0"], check=True)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


# ------------------------------------------------------------------------------------ processes

def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from /proc), so a kill can reach LibreOffice children too."""
    children: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children[int(fields[1])].append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Proc:
    """One long-running process this script started (its own session, its own log file)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.restarts = 0
        self.popen: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        fh = open(self.log, "ab")  # noqa: SIM115 - owned by the child
        self.popen = subprocess.Popen(self.argv, env=self.env, stdout=fh, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True, cwd=str(REPO))
        fh.close()

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill_tree(self, sig: int = signal.SIGKILL) -> list[int]:
        """Signal the process and every descendant (by PID), as a machine loss would."""
        pids = [self.pid, *descendants(self.pid)]
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        if self.popen is not None:
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                pass
        return pids

    def stop(self, timeout: float = 25) -> None:
        if self.popen is None:
            return
        tree = [self.pid, *descendants(self.pid)]
        if self.running():
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        for p in tree:  # leftovers (task processes, LibreOffice) of this component only
            if alive(p):
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.popen.poll() is None:
            self.popen.wait(5)


# ------------------------------------------------------------------------------------ services

class Postgres:
    """A private PostgreSQL cluster on 127.0.0.1:PG_PORT (trust auth on loopback; it lives in a temp dir)."""

    def __init__(self, root: Path, port: int) -> None:
        self.bin = pg_bin()
        if self.bin is None:
            raise SystemExit("PostgreSQL is not installed")
        self.dir, self.sock, self.port, self.log = root / "pg", root / "pgsock", port, root / "pg.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as Debian's postgres user
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.sock.mkdir(parents=True, exist_ok=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        for p in (self.dir, self.sock, root):
            if self.as_user:
                shutil.chown(p, "postgres") if p != root else os.chmod(p, 0o755)
        if self.as_user:
            self.log.touch()
            shutil.chown(self.log, "postgres")
        self._run("initdb", "-D", str(self.dir), "-U", "congkhai", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, str(self.bin / tool), *args], check=check,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.dir), "-l", str(self.log), "-o", opts, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.dir), "-m", mode, "-w", "stop", check=False)

    def pid(self) -> int | None:
        pidfile = self.dir / "postmaster.pid"
        return int(pidfile.read_text().split()[0]) if pidfile.exists() else None

    def recreate(self, db: str) -> None:
        common = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "congkhai"]
        subprocess.run([str(self.bin / "dropdb"), *common, "--if-exists", "--force", db], check=True)
        subprocess.run([str(self.bin / "createdb"), *common, db], check=True)

    def url(self, db: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://congkhai@127.0.0.1:{self.port}/{db}"


# ------------------------------------------------------------------------------------ communes

def prepare_communes(dest: Path, count: int) -> list[str]:
    """kep, demo-xa, then made-up communes derived from demo-xa (own code and name)."""
    dest.mkdir(parents=True, exist_ok=True)
    codes = []
    for code in ("kep", "demo-xa")[:count]:
        shutil.copytree(REPO / "communes" / code, dest / code)
        codes.append(code)
    names = ["Tân Sơn", "Tân Lập", "Tân Phú", "Tân Mỹ", "Tân An", "Tân Bình", "Tân Tiến", "Tân Thành"]
    for i in range(max(0, count - 2)):
        code = f"demo-xa-{chr(ord('b') + i)}"
        name = names[i % len(names)] + ("" if i < len(names) else f" {i}")
        (dest / code).mkdir()
        for f in (REPO / "communes" / "demo-xa").glob("*.yaml"):
            text = f.read_text(encoding="utf-8").replace("Tân Hòa", name)
            text = text.replace("code: demo-xa\n", f"code: {code}\n").replace("commune: demo-xa\n",
                                                                              f"commune: {code}\n")
            (dest / code / f.name).write_text(text, encoding="utf-8")
        codes.append(code)
    return codes


def quarter_documents(year: int, quarter: int, max_docs: int | None) -> list[tuple[Path, dt.date]]:
    """The sample documents of Kép issued (or dropped) in that quarter, oldest first, with their drop day
    (as ``congkhai replay`` drops them: the sidecar's ``dropped:``, else the issue date)."""
    from congkhai.airflow.replay import drop_dates

    by_day, _ = drop_dates(REPO / "samples" / "kep-2024", year)
    first, last = quarter_bounds(year, quarter)
    docs = [(p, d) for d in sorted(by_day) if first <= d <= last for p in by_day[d]]
    return docs[:max_docs] if max_docs else docs


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    nxt = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, nxt - dt.timedelta(days=1)


#: The samples are Kép's documents. Dropped into another commune's inbox they go to review ("issued by
#: another body", intake/origin.py) unless staff confirm with ``issuer:`` in a sidecar, which is
#: what the check does for the other communes, so that every commune has the same workload.
SAMPLE_ISSUER = "thị trấn Kép (mẫu dùng cho kiểm tra tải)"


def drop(docs: list[tuple[Path, dt.date]], inbox: Path, confirm_issuer: bool = False) -> None:
    """Copy the documents with an old mtime (they are stable at once), each with a sidecar giving its
    drop day in the sample year (``dropped:``, what ``congkhai replay`` does): dropped today, more than
    a working day after its issue, a document counts as posted from today (``CommuneRun.posting_day``)
    and nothing of its would be due on the quarter's days the daily DAG runs for."""
    import yaml

    old = time.time() - 3600
    inbox.mkdir(parents=True, exist_ok=True)
    for p, day in docs:
        shutil.copy2(p, inbox / p.name)
        os.utime(inbox / p.name, (old, old))
        sidecar = p.with_suffix(".yaml")
        data = (yaml.safe_load(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else None) or {}
        data.setdefault("dropped", day.isoformat())
        if confirm_issuer:
            data["issuer"] = SAMPLE_ISSUER
        (inbox / sidecar.name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        os.utime(inbox / sidecar.name, (old, old))


# ------------------------------------------------------------------------------------ Airflow

class Stack:
    """One Airflow deployment (fresh metadata DB and congkhai folders) on the shared PG and Redis."""

    def __init__(self, root: Path, pg: Postgres, communes: list[str], args: argparse.Namespace, tag: str) -> None:
        self.root, self.pg, self.communes, self.args, self.tag = root / tag, pg, communes, args, tag
        self.home = self.root / "airflow"
        self.data = self.root / "data"
        self.procs: dict[str, Proc] = {}
        self.workers: list[str] = []
        self.home.mkdir(parents=True)
        self.password = secrets.token_urlsafe(12)
        (self.home / "passwords.json").write_text(json.dumps({"admin": self.password}))
        self.token: str | None = None
        self.env = self._env()

    def _env(self) -> dict[str, str]:
        a = self.args
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CONGKHAI_", "GOTENBERG"))}
        env.update({
            "PATH": f"{VENV}:{env.get('PATH', '/usr/bin:/bin')}",
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": TZ,
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__PARALLELISM": "16",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.pg.url("airflow"),
            # psycopg 3 does async too: no asyncpg needed (Airflow would derive an asyncpg URL).
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": self.pg.url("airflow", "postgresql+psycopg_async"),
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{self.args.redis_port}/0",
            # Redis, not PostgreSQL, holds Celery's task states: during a database outage a worker can
            # still record that a task failed to start, and Airflow retries it (with the database
            # backend the message is consumed, nothing is recorded and the task stays "queued").
            "AIRFLOW__CELERY__RESULT_BACKEND": f"redis://127.0.0.1:{self.args.redis_port}/1",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(a.concurrency),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.home / "passwords.json"),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(API_PORT),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{API_PORT}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{API_PORT}/execution/",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(64),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(LOG_PORT),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(TRIGGER_LOG_PORT),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            # A task whose worker vanished is failed (then retried) after 60 s instead of 5 min.
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "60",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
            # A task whose Celery message was consumed while PostgreSQL was down (the worker cannot
            # record it in the result backend) stays "queued": requeue it after 2 min, not 10.
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "120",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            "CONGKHAI_COMMUNES": str(self.args.communes_dir),
            "CONGKHAI_DATA": str(self.data),
            "CONGKHAI_INBOX": str(self.root / "inbox"),
            "CONGKHAI_ARCHIVE": str(self.root / "archive"),
            "CONGKHAI_CONVERTERS": str(a.converters),
            "CONGKHAI_INDEX_URL": self.pg.url("congkhai", "postgresql"),
        })
        if a.converter == "service":
            env["CONGKHAI_CONVERTER_URL"] = f"http://127.0.0.1:{CONVERTER_PORT}"
        return env

    def airflow(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cp = subprocess.run([str(VENV / "airflow"), *args], env=self.env, cwd=str(REPO),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if check and cp.returncode:
            raise SystemExit(f"[{self.tag}] airflow {' '.join(args)} failed:\n{cp.stdout[-3000:]}")
        return cp

    def init(self) -> None:
        self.pg.recreate("airflow")
        self.pg.recreate("congkhai")
        say(f"[{self.tag}] airflow db migrate")
        self.airflow("db", "migrate")
        pool = str(self.args.pool or self.args.converters * len(self.workers_planned()))
        self.airflow("pools", "set", "congkhai_converter", pool, "PDF converters (LibreOffice instances)")

    def workers_planned(self) -> list[int]:
        return list(range(self.args.max_workers))

    def start(self, n_workers: int) -> None:
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        af = str(VENV / "airflow")
        if self.args.converter == "service":
            self.start_converter()
        for name in ("scheduler", "dag-processor", "triggerer", "api-server"):
            self.procs[name] = Proc(name, [af, name], self.env, logs / f"{name}.log")
        for i in range(n_workers):
            self.add_worker(i)

    def start_converter(self) -> None:
        """The host's shared converter, as `make run` starts it (restarted by supervise() if it dies)."""
        import httpx

        argv = [str(VENV / "congkhai"), "converter", "serve", "--port", str(CONVERTER_PORT),
                "--instances", str(self.args.service_instances), "--work-dir", str(self.root / "converter")]
        self.procs["converter"] = Proc("converter", argv, self.env, self.root / "logs" / "converter.log")
        t0 = time.monotonic()
        while time.monotonic() - t0 < 90:
            try:
                if httpx.get(f"{self.env['CONGKHAI_CONVERTER_URL']}/health", timeout=3).json()["status"] == "up":
                    say(f"[{self.tag}] shared converter up in {time.monotonic() - t0:.1f} s "
                        f"({self.args.service_instances} LibreOffice)")
                    return
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            if not self.procs["converter"].running():
                raise SystemExit(f"[{self.tag}] the shared converter exited: see {self.root}/logs/converter.log")
            time.sleep(0.5)
        raise SystemExit(f"[{self.tag}] the shared converter is not up after 90 s")

    def add_worker(self, i: int) -> None:
        name = f"worker{i + 1}"
        env = {**self.env, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(WORKER_LOG_PORT0 + i)}
        argv = [str(VENV / "airflow"), "celery", "worker", "--concurrency", str(self.args.concurrency),
                "--celery-hostname", f"{name}-{self.tag}@%h"]
        self.procs[name] = Proc(name, argv, env, self.root / "logs" / f"{name}.log")
        self.workers.append(name)

    def supervise(self) -> None:
        """Restart a component that exited (what compose's restart policy does)."""
        for p in self.procs.values():
            if not p.running():
                p.restarts += 1
                say(f"[{self.tag}] {p.name} exited (rc {p.popen.returncode if p.popen else '?'}): restarting")
                p.start()

    def stop(self) -> None:
        for name in [*self.workers, "triggerer", "dag-processor", "scheduler", "api-server", "converter"]:
            if name in self.procs:
                self.procs[name].stop()

    # -- REST API
    def api(self, method: str, path: str, **kw: Any) -> Any:
        import httpx

        base = f"http://127.0.0.1:{API_PORT}"
        for attempt in range(30):
            try:
                if self.token is None:
                    r = httpx.post(f"{base}/auth/token", json={"username": "admin", "password": self.password},
                                   timeout=20)
                    r.raise_for_status()
                    self.token = r.json()["access_token"]
                r = httpx.request(method, base + path, headers={"Authorization": f"Bearer {self.token}"},
                                  timeout=30, **kw)
                if r.status_code == 401:
                    self.token = None
                    continue
                if r.status_code >= 500:
                    raise httpx.HTTPStatusError("server error", request=r.request, response=r)
                r.raise_for_status()
                return r.json()
            except (httpx.HTTPError, KeyError):
                if attempt == 29:
                    raise
                time.sleep(2)
        raise RuntimeError("unreachable")

    def wait_ready(self, timeout: float = 240) -> None:
        import httpx

        t0 = time.monotonic()
        want = {"congkhai_inbox", "congkhai_issuance", "congkhai_daily", "congkhai_quarterly"}
        while time.monotonic() - t0 < timeout:
            self.supervise()
            try:
                httpx.get(f"http://127.0.0.1:{API_PORT}/api/v2/monitor/health", timeout=5).raise_for_status()
                dags = self.api("GET", "/api/v2/dags", params={"dag_id_pattern": "congkhai", "limit": 100})
                have = {d["dag_id"] for d in dags["dags"] if not d["is_paused"]}
                if want <= have:
                    return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            time.sleep(3)
        raise SystemExit(f"[{self.tag}] Airflow not ready after {timeout} s: see {self.root}/logs")

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"limit": 500})["dag_runs"]

    def running_tis(self, dag_id: str) -> list[dict[str, Any]]:
        return self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/~/taskInstances",
                        params={"state": "running", "limit": 100})["task_instances"]

    def trigger(self, dag_id: str) -> None:
        self.api("POST", f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None})

    # -- congkhai state
    def settings(self) -> Any:
        from congkhai.config import Settings

        return Settings(communes_dir=Path(self.env["CONGKHAI_COMMUNES"]), data_dir=self.data,
                        inbox_root=self.root / "inbox", archive_root=self.root / "archive",
                        templates_dir=REPO / "templates_docx", gotenberg_url=None,
                        converter_instances=self.args.converters, index_url=None,
                        # the workers number documents in PostgreSQL (their CONGKHAI_INDEX_URL): check that
                        state_url=self.env.get("CONGKHAI_INDEX_URL"))


def wait_runs(stack: Stack, dag_ids: list[str], *, done: Any = None, timeout: float = 1800,
              on_tick: Any = None) -> None:
    """Until no run of these DAGs is queued/running (and ``done()`` holds), supervising components."""
    t0 = time.monotonic()
    quiet = 0
    while time.monotonic() - t0 < timeout:
        stack.supervise()
        if on_tick:
            on_tick()
        try:
            active = [r for d in dag_ids for r in stack.runs(d) if r["state"] in ("queued", "running")]
        except Exception:  # noqa: BLE001 - API down (e.g. PostgreSQL stopped): keep waiting
            active, quiet = [1], 0
        if not active and (done is None or done()):
            quiet += 1
            if quiet >= 2:
                return
        else:
            quiet = 0
        time.sleep(3)
    raise SystemExit(f"[{stack.tag}] timeout waiting for {dag_ids}")


def catch_up(post: Any, dag_id: str, times: list[Any]) -> list[str]:
    """One run of ``dag_id`` per logical date in ``times`` (oldest first), triggered through the REST API
    (``post(path, body)``, path under ``/api/v2``): what ``airflow backfill create`` would make, as runs
    the scheduler examines. Returns their run ids (``catchup__<day>``).

    Not ``airflow backfill create``: Airflow 3.3.2 examines at most ``max_dagruns_per_loop_to_schedule``
    (20) running runs per loop and sorts backfill runs after every other one
    (``DagRun.get_running_dag_runs_to_examine``: ``BackfillDagRun.sort_ordinal`` NULLS FIRST). With 20 or
    more other runs running — here every case's ``congkhai_evidence`` run, waiting for a person for weeks —
    a backfill run is started but never examined: its tasks stay without a state, forever
    (apache/airflow#58554, fixed upstream by apache/airflow#72730, not in 3.3.2). Triggered runs take
    their turn with the others; ``run_after`` = the logical date keeps them in date order (the DAGs'
    ``max_active_runs=1`` runs them one at a time) and the tasks work for the run's logical date.
    """
    run_ids = []
    for when in times:
        run_id = f"catchup__{when.in_timezone(TZ).date().isoformat()}"
        post(f"/dags/{dag_id}/dagRuns", {"dag_run_id": run_id, "logical_date": when.isoformat(),
                                         "run_after": when.isoformat(), "note": "scale-check catch-up"})
        run_ids.append(run_id)
    return run_ids


# ------------------------------------------------------------------------------------ the workload

def run_phase(root: Path, pg: Postgres, communes: list[str], docs: list[tuple[Path, dt.date]], args: argparse.Namespace,
              tag: str, n_workers: int, faults: bool = False) -> dict[str, Any]:
    from congkhai.intake.claim import pending_cases

    stack = Stack(root, pg, communes, args, tag)
    result: dict[str, Any] = {"phase": tag, "workers": n_workers, "concurrency": args.concurrency,
                              "converter": args.converter,
                              "communes": len(communes), "dropped": len(docs) * len(communes)}
    fault_log: list[str] = []
    try:
        stack.init()
        t_start = time.monotonic()
        stack.start(n_workers)
        stack.wait_ready()
        result["startup_s"] = round(time.monotonic() - t_start, 1)
        say(f"[{tag}] Airflow up in {result['startup_s']} s ({n_workers} worker(s)); dropping "
            f"{len(docs)} documents x {len(communes)} communes")
        s = stack.settings()
        t0 = time.monotonic()
        for c in communes:
            drop(docs, s.inbox_dir(c), confirm_issuer=c != "kep")
        stack.trigger("congkhai_inbox")  # the watcher would fire within seconds as well

        killed: dict[str, Any] = {}

        def kill_worker_mid_conversion() -> None:
            """SIGKILL the whole process tree of the worker running a conversion task (once)."""
            if killed:
                return
            for dag_id in ("congkhai_issuance", "congkhai_daily"):
                try:
                    tis = [t for t in stack.running_tis(dag_id) if t["task_id"].startswith("produce")]
                except Exception:  # noqa: BLE001
                    return
                for ti in tis:
                    for w in stack.workers:
                        p = stack.procs[w]
                        if any("soffice" in _cmd(d) for d in descendants(p.pid)):
                            time.sleep(1.0)  # well inside the batch
                            pids = p.kill_tree()
                            killed.update(worker=w, dag_id=dag_id, task_id=ti["task_id"],
                                          run_id=ti["dag_run_id"], map_index=ti.get("map_index"),
                                          pids=len(pids))
                            fault_log.append(f"SIGKILL {w} ({len(pids)} processes) while {dag_id}."
                                             f"{ti['task_id']} converted ({ti['dag_run_id']})")
                            say(f"[{tag}] {fault_log[-1]}")
                            return

        def inbox_done() -> bool:
            left = [p for c in communes for p in s.inbox_dir(c).glob("*") if p.is_file()]
            return not left and not any(pending_cases(c, s) for c in communes)

        wait_runs(stack, ["congkhai_inbox", "congkhai_issuance"], done=inbox_done,
                  on_tick=kill_worker_mid_conversion if faults else None)
        result["intake_issuance_s"] = round(time.monotonic() - t0, 1)
        say(f"[{tag}] intake + issuance done in {result['intake_issuance_s']} s")
        if args.skip_calendar:  # measure intake + issuance only (no daily/quarterly backfill, no archive check)
            result.update(daily_s=0, quarterly_s=0, wall_s=result["intake_issuance_s"], ok=None,
                          runs={f"{d}:{r['state']}": 1 for d in ("congkhai_inbox", "congkhai_issuance")
                                for r in stack.runs(d)},
                          check={"problems": [], "cases": sum(len(list(s.archive_dir(c).glob("*/*/*/*/manifest.json")))
                                                              for c in communes),
                                 "pdfs": sum(len(list(s.archive_dir(c).rglob("*.pdf"))) for c in communes)})
            return result

        first, last = quarter_bounds(args.year, args.quarter)
        # the quarter's last N working days (all with --days 0): each daily run makes everything due by
        # its day; the archive is checked against the last working day run. The runs are caught up as
        # logical-dated runs, not with `airflow backfill create` (see catch_up).
        from congkhai.airflow.timetable import WorkingDayTimetable

        daily_times = WorkingDayTimetable(at=DAILY_AT).run_times(first, last)[-args.days if args.days else 0:]
        n, last_run = len(daily_times), daily_times[-1].in_timezone(TZ).date()
        daily_from = daily_times[0].in_timezone(TZ).date()
        result["daily"] = f"{daily_from.isoformat()}..{last_run.isoformat()} ({n} working days)"

        def post(path: str, body: dict[str, Any]) -> Any:
            return stack.api("POST", "/api/v2" + path, json=body)

        t1 = time.monotonic()
        catch_up(post, "congkhai_daily", daily_times)
        nq_first, _ = quarter_bounds(args.year + (args.quarter == 4), args.quarter % 4 + 1)
        pg_state: dict[str, Any] = {}

        def stop_postgres_once() -> None:
            """After a few daily runs: PostgreSQL down for 30 s (both databases), then back."""
            if pg_state or not faults:
                if faults and killed == {}:
                    kill_worker_mid_conversion()
                return
            try:
                ok = sum(r["state"] == "success" for r in stack.runs("congkhai_daily"))
            except Exception:  # noqa: BLE001
                return
            if ok >= 3:
                pg_state["at"] = time.monotonic()
                pg.stop("immediate")
                fault_log.append(f"PostgreSQL stopped for {args.pg_outage} s after {ok} daily runs")
                say(f"[{tag}] {fault_log[-1]}")
                time.sleep(args.pg_outage)
                pg.start()
                say(f"[{tag}] PostgreSQL back")

        wait_runs(stack, ["congkhai_daily"], on_tick=stop_postgres_once, timeout=3600,
                  done=lambda: len(stack.runs("congkhai_daily")) > 0)
        result["daily_s"] = round(time.monotonic() - t1, 1)
        t2 = time.monotonic()
        quarterly = WorkingDayTimetable(at=QUARTERLY_AT, months=(1, 4, 7, 10), first_only=True)
        catch_up(post, "congkhai_quarterly", quarterly.run_times(nq_first, nq_first + dt.timedelta(days=7)))
        wait_runs(stack, ["congkhai_quarterly"], done=lambda: len(stack.runs("congkhai_quarterly")) > 0)
        result["quarterly_s"] = round(time.monotonic() - t2, 1)
        result["wall_s"] = round(time.monotonic() - t0, 1)

        states: Counter = Counter()
        for d in ("congkhai_inbox", "congkhai_issuance", "congkhai_daily", "congkhai_quarterly"):
            for r in stack.runs(d):
                states[f"{d}:{r['state']}"] += 1
        result["runs"] = dict(states)
        result["failed_runs"] = sum(v for k, v in states.items() if k.endswith(":failed"))
        result["restarts"] = {p.name: p.restarts for p in stack.procs.values() if p.restarts}
        if faults:
            result["faults"] = fault_log
            result["killed"] = killed
            if killed:
                tries = _tries(stack, killed)
                result["killed_task_final"] = tries
        result["check"] = check_archive(s, communes, last_run, nq_first)
        result["ok"] = not result["check"]["problems"] and not result["failed_runs"] and (
            not faults or (bool(killed) and bool(pg_state)))
        say(f"[{tag}] wall {result['wall_s']} s; check: {len(result['check']['problems'])} problem(s)")
    finally:
        stack.stop()
        if not args.keep:
            shutil.rmtree(stack.root, ignore_errors=True)
    return result


def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _tries(stack: Stack, killed: dict[str, Any]) -> dict[str, Any]:
    path = (f"/api/v2/dags/{killed['dag_id']}/dagRuns/{killed['run_id']}/taskInstances/{killed['task_id']}")
    if killed.get("map_index") not in (None, -1):
        path += f"/{killed['map_index']}"
    try:
        ti = stack.api("GET", path)
        return {"state": ti["state"], "try_number": ti["try_number"]}
    except Exception as err:  # noqa: BLE001
        return {"error": str(err)}


# ------------------------------------------------------------------------------------ the check

def check_archive(s: Any, communes: list[str], last_daily: dt.date, quarterly_day: dt.date) -> dict[str, Any]:
    """The archive as the single-machine tests check it: due documents there once, numbers unique."""
    import re

    from congkhai.documents.register import Register
    from congkhai.pipeline.context import CommuneRun
    from congkhai.textutil import fold

    problems: list[str] = []
    per: dict[str, Any] = {}
    for code in communes:
        run = CommuneRun(code, s)
        cases = pdfs = 0
        kinds: Counter = Counter()
        numbers: dict[tuple, list[str]] = defaultdict(list)
        case_notations: list[tuple[str, str]] = []
        for folder in run.archive.iter_folders():
            m = folder.manifest
            by_key: Counter = Counter()
            for f in m["files"]:
                if not f["path"].lower().endswith(".pdf") or f["kind"] == "original":
                    continue
                by_key[f["key"]] += 1
                kinds[f["kind"]] += 1
                pdfs += 1
                if not (folder.path / f["path"]).is_file():
                    problems.append(f"{code}: {folder.rel_path}/{f['path']} in the manifest but not on disk")
                if f.get("number") is not None:
                    year = str(f.get("doc_date") or "")[:4]
                    numbers[(year, f.get("code"), f["number"])].append(f"{folder.rel_path}:{f['key']}")
            for key, n in by_key.items():
                if n > 1:
                    problems.append(f"{code}: {folder.rel_path}: {n} PDFs for {key} (duplicate)")
            if folder.is_year:
                continue
            case = folder.case
            if case is None or case.status == "cancelled":
                continue
            if case.commune != code:
                problems.append(f"{code}: case {case.case_id} belongs to {case.commune}")
            cases += 1
            if case.issued <= last_daily and case.doc_number:
                case_notations.append((case.case_id, f"{case.doc_number}/{case.doc_code or ''}"))
            have = set(by_key)
            item, in_plan = run.item_of(case)
            sched = run.schedule_of(case)
            has = (lambda k, item=item: item.has(k)) if item is not None else (
                lambda k: k in ("ubnd_board", "cultural_house", "group_leaders"))
            want: set[str] = set()
            if not in_plan:
                want.add("activity_plan")
            if has("ubnd_board") or has("one_stop_frame"):
                want.add("posting_start_ubnd")
            if has("cultural_house"):
                want |= {f"posting_start_group:{g.code}" for g in run.commune.groups}
            if has("group_leaders"):
                want.add("group_notice")
            if sched is not None and case.issued <= last_daily:
                due = sched.broadcast_report_due
                if run.commune.has_radio and due and due <= last_daily:
                    want.add("broadcast_report")
                if sched.posting_end and sched.posting_end <= last_daily and not sched.permanent:
                    want.add("posting_end")
            for k in sorted(want - have):
                problems.append(f"{code}: case {case.case_id} lacks {k}")
        for (year, series, num), keys in numbers.items():
            if len(keys) > 1:
                problems.append(f"{code}: number {num}/{series} of {year} given to {keys}")
        reg = Register(code, settings=s).issued()
        seen: Counter = Counter((i.year, i.series, i.number) for i in reg)
        problems += [f"{code}: register gives {k} twice" for k, n in seen.items() if n > 1]
        keys = Counter((i.year, i.series, i.key) for i in reg)
        problems += [f"{code}: register key {k} numbered twice" for k, n in keys.items() if n > 1]
        # the quarterly list lists the quarter's cases (by their number notation)
        yf = run.archive.year_folder(quarterly_day.year)
        q_pdf = next((f for f in yf.manifest["files"] if f["key"].startswith("quarterly_list:")
                      and f["path"].lower().endswith(".pdf")), None)
        if q_pdf is None:
            problems.append(f"{code}: no quarterly list in {yf.rel_path}")
        else:
            from pypdf import PdfReader

            text = fold(" ".join(p.extract_text() or "" for p in PdfReader(yf.path / q_pdf["path"]).pages))
            flat = re.sub(r"\s+", "", text)
            for cid, notation in case_notations:
                if re.sub(r"\s+", "", fold(notation)) not in flat:
                    problems.append(f"{code}: quarterly list lacks case {cid} ({notation})")
        leftovers = [p.name for d in (s.inbox_dir(code), s.processing_dir(code)) if d.is_dir()
                     for p in d.rglob("*") if p.is_file()]
        if leftovers:
            problems.append(f"{code}: files left in inbox/processing: {leftovers}")
        errors = [p.name for p in s.errors_dir(code).glob("*") if p.suffix != ".txt"] \
            if s.errors_dir(code).is_dir() else []
        review = [p.name for p in s.review_dir(code).glob("*") if p.suffix not in (".txt", ".yaml")] \
            if s.review_dir(code).is_dir() else []
        per[code] = {"cases": cases, "pdfs": pdfs, "kinds": dict(kinds), "numbers": len(reg),
                     "errors": len(errors), "review": len(review)}
    return {"communes": per, "cases": sum(p["cases"] for p in per.values()),
            "pdfs": sum(p["pdfs"] for p in per.values()), "problems": problems}


# ------------------------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communes", type=int, default=3, help="number of communes (kep, demo-xa, made-up ones)")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--quarter", type=int, default=1, choices=(1, 2, 3, 4))
    ap.add_argument("--max-docs", type=int, default=0, help="drop only the first N documents of the quarter")
    ap.add_argument("--days", type=int, default=5, help="backfill the daily DAG over the last N working days of "
                    "the quarter (a run makes everything due by its day; 0: every day of the quarter, ~25 s each)")
    ap.add_argument("--phases", default="w1,w2,faults", help="comma list of w1, w2, faults")
    ap.add_argument("--concurrency", type=int, default=1, help="task slots per Celery worker (1: a worker is the unit of capacity)")
    ap.add_argument("--converters", type=int, default=2, help="documents each conversion task converts at once "
                    "(LibreOffice instances it starts with --converter task; requests in flight with service)")
    ap.add_argument("--converter", choices=("service", "task"), default="service",
                    help="service: one shared converter for the host (make run's way); task: each conversion "
                    "task starts its own LibreOffice pool (before the shared converter)")
    ap.add_argument("--service-instances", type=int, default=os.cpu_count() or 2,
                    help="LibreOffice instances of the shared converter (default: CPU cores)")
    ap.add_argument("--pool", type=int, default=0, help="congkhai_converter pool size (default converters x 2)")
    ap.add_argument("--skip-calendar", action="store_true",
                    help="stop after intake + issuance (no daily/quarterly backfill, no archive check)")
    ap.add_argument("--pg-outage", type=int, default=30, help="seconds PostgreSQL is down in the faults phase")
    ap.add_argument("--pg-port", type=int, default=PG_PORT)
    ap.add_argument("--redis-port", type=int, default=REDIS_PORT)
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (logs, archives)")
    ap.add_argument("--json", type=Path, help="write the results as JSON here")
    args = ap.parse_args(argv)
    args.max_workers = 2
    # A TERM (timeout, CI) unwinds through the finally blocks: everything started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    ensure_packages()
    busy = [p for p in (args.pg_port, args.redis_port, API_PORT, LOG_PORT, TRIGGER_LOG_PORT,
                        WORKER_LOG_PORT0, WORKER_LOG_PORT0 + 1, CONVERTER_PORT) if not port_free(p)]
    if busy:
        raise SystemExit(f"ports in use: {busy} (another scale-check running?)")
    root = Path(tempfile.mkdtemp(prefix="congkhai-scale-"))
    args.communes_dir = root / "communes"
    t_all = time.monotonic()
    pg = Postgres(root, args.pg_port)
    redis: Proc | None = None
    results: list[dict[str, Any]] = []
    try:
        pg.start()
        say(f"PostgreSQL on 127.0.0.1:{args.pg_port} (pid {pg.pid()}), data in {pg.dir}")
        redis = Proc("redis", ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--dir", str(root)], dict(os.environ),
                     root / "redis.log")
        say(f"Redis on 127.0.0.1:{args.redis_port} (pid {redis.pid})")
        communes = prepare_communes(args.communes_dir, args.communes)
        os.environ["CONGKHAI_COMMUNES"] = str(args.communes_dir)
        docs = quarter_documents(args.year, args.quarter, args.max_docs)
        say(f"communes {communes}; {len(docs)} documents of {args.year}-Q{args.quarter} each")
        for phase in [p.strip() for p in args.phases.split(",") if p.strip()]:
            n = 1 if phase == "w1" else 2
            results.append(run_phase(root, pg, communes, docs, args, phase, n, faults=phase == "faults"))
    finally:
        if redis is not None:
            redis.stop()
        pg.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            say(f"kept {root}")
    total = round(time.monotonic() - t_all, 1)
    report(results, total)
    if args.json:
        args.json.write_text(json.dumps({"total_s": total, "phases": results}, indent=2, ensure_ascii=False))
    return 0 if results and all(r.get("ok") for r in results) else 1


def report(results: list[dict[str, Any]], total: float) -> None:
    print("\nphase   workers  communes x cases  PDFs  wall s  (intake+issuance / daily / quarterly)  ok")
    base = next((r["wall_s"] for r in results if r["phase"] == "w1"), None)
    for r in results:
        c = r["check"]
        ratio = f"  x{base / r['wall_s']:.2f} vs w1" if base and r["phase"] != "w1" else ""
        print(f"{r['phase']:7} {r['workers']:>7}  {r['communes']:>8} x {c['cases'] / max(1, r['communes']):>5.1f}"
              f"  {c['pdfs']:>4}  {r['wall_s']:>6}  ({r['intake_issuance_s']} / {r['daily_s']} / {r['quarterly_s']})"
              f"  {r['ok']}{ratio}")
        for p in c["problems"][:20]:
            print(f"    ! {p}")
        for f in r.get("faults", []):
            print(f"    fault: {f}")
        if r.get("killed_task_final"):
            print(f"    killed task finally: {r['killed_task_final']}")
        if r.get("restarts"):
            print(f"    restarted: {r['restarts']}")
        print(f"    runs: {r['runs']}")
    conv = {r.get("converter") for r in results}
    print(f"converter: {', '.join(sorted(c for c in conv if c))}; total {total} s")


if __name__ == "__main__":
    sys.exit(main())
