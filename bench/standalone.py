"""A private ``airflow standalone`` for benchmarks and the crash check.

    with Standalone() as af:           # temp AIRFLOW_HOME, port 8090, private inbox/archive
        af.wait_dags(["congkhai_inbox", "congkhai_issuance"])
        shutil.copy(doc, af.inbox / doc.name)
        ...
        af.runs("congkhai_issuance")   # REST (SimpleAuthManager token)

Everything lives in one temp directory: ``home/`` (AIRFLOW_HOME, SQLite), ``data/`` (CONGKHAI_DATA:
state, errors, review, processing), ``inbox/`` (CONGKHAI_INBOX) and ``archive/`` (CONGKHAI_ARCHIVE).
Ports are chosen not to collide with ``make run`` (8080/8793/8794) nor other helpers' instances:
API 8090, worker log server 8993, triggerer log server 8994. The environment mirrors
``scripts/airflow-env.sh`` (LocalExecutor, SQLite, parallelism 4, DAGs unpaused at creation), with
``CONGKHAI_ONLY_COMMUNES=kep``; ``extra_env`` adds or overrides settings (configuration
experiments, short heartbeat timeouts for the crash check).

The standalone runs in its own session (``setsid``); :meth:`stop` (also called on exit, always)
SIGTERMs the components, then the parent, then SIGKILLs whatever is left of the process group —
that group only, by its id. :meth:`kill_group` is the "power cut" of the crash check.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
PASSWORD = "bench-congkhai-8090"
HEALTH_KEYS = ("metadatabase", "scheduler", "triggerer", "dag_processor")


def _pgrep_group(pgid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _descendants(root: int) -> list[int]:
    """Every live descendant of ``root`` (from /proc's parent links)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


class Standalone:
    """One private standalone Airflow (see the module docstring)."""

    def __init__(self, root: Path | None = None, *, port: int = 8090, extra_env: dict[str, str] | None = None,
                 keep: bool = False, converters: int = 2) -> None:
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="congkhai-bench-af-"))
        self.port = port
        self.keep = keep
        self.home = self.root / "home"
        self.data = self.root / "data"
        self.inbox_root = self.root / "inbox"
        self.archive_root = self.root / "archive"
        self.base_url = f"http://127.0.0.1:{port}"
        self.converters = converters
        self.extra_env = dict(extra_env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self._token: str | None = None
        self._prepared = (self.home / "airflow.db").exists()

    # ------------------------------------------------------------------ paths
    @property
    def inbox(self) -> Path:
        return self.inbox_root / "kep"

    @property
    def archive(self) -> Path:
        return self.archive_root / "kep"

    @property
    def log_path(self) -> Path:
        return self.home / "standalone.log"

    # ------------------------------------------------------------------ environment
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CONGKHAI_"))}
        env.update({
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.home}/airflow.db",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.base_url,
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "8993",
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "8994",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.home / "passwords.json"),
            "AIRFLOW__API_AUTH__JWT_SECRET": "bench-" + "j" * 64,
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",  # as scripts/airflow-env.sh
            "CONGKHAI_DATA": str(self.data),
            "CONGKHAI_INBOX": str(self.inbox_root),
            "CONGKHAI_ARCHIVE": str(self.archive_root),
            "CONGKHAI_ONLY_COMMUNES": "kep",
            "CONGKHAI_CONVERTERS": str(self.converters),
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        })
        env.update(self.extra_env)
        return env

    def _airflow(self, *args: str, timeout: float = 300) -> str:
        r = subprocess.run([str(VENV_BIN / "airflow"), *args], env=self.env(), capture_output=True, text=True,
                           timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        return r.stdout

    def prepare(self) -> None:
        """Folders, the fixed password, the DB and the converter pool (once per AIRFLOW_HOME)."""
        for d in (self.home, self.data, self.inbox, self.archive_root):
            d.mkdir(parents=True, exist_ok=True)
        (self.home / "passwords.json").write_text(json.dumps({"admin": PASSWORD}))
        if self._prepared:
            return
        self._airflow("db", "migrate")
        self._airflow("pools", "set", "congkhai_converter", str(self.converters), "LibreOffice conversions")
        self._prepared = True

    # ------------------------------------------------------------------ life cycle
    def start(self, timeout: float = 180) -> float:
        """Start the standalone; wait until every component is healthy. Returns the seconds it took."""
        self.prepare()
        t0 = time.monotonic()
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen([str(VENV_BIN / "airflow"), "standalone"], env=self.env(), stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                     cwd=self.root)
        log.close()
        self._token = None
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"airflow standalone exited ({self.proc.returncode}); see {self.log_path}:\n"
                                   + self.log_path.read_text(errors="replace")[-3000:])
            if self.healthy():
                return time.monotonic() - t0
            time.sleep(1)
        raise TimeoutError(f"standalone not healthy after {timeout} s; see {self.log_path}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/api/v2/monitor/health", timeout=3) as r:
                h = json.load(r)
        except (OSError, ValueError):
            return False
        return all((h.get(k) or {}).get("status") == "healthy" for k in HEALTH_KEYS)

    @property
    def pgid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def processes(self) -> dict[int, str]:
        """Every process of the standalone's group and every descendant (LibreOffice instances run in
        sessions of their own): pid → command line."""
        out: dict[int, str] = {}
        if not self.pgid:
            return out
        for pid in set(_pgrep_group(self.pgid)) | set(_descendants(self.pgid)):
            with contextlib.suppress(OSError):
                out[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        return out

    def kill_group(self) -> None:
        """SIGKILL the group and every descendant at once (a power cut)."""
        if self.pgid:
            everyone = set(_descendants(self.pgid))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, signal.SIGKILL)
            for pid in everyone:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if self.proc:
                self.proc.wait(timeout=10)
            for _ in range(50):
                if not _pgrep_group(self.pgid):
                    break
                time.sleep(0.1)
        self.proc = None

    def stop(self, grace: float = 30) -> None:
        """SIGTERM the components, then the parent; SIGKILL the group if anything is left."""
        if not self.proc:
            return
        pgid = self.proc.pid
        for pid in _pgrep_group(pgid):
            if pid != pgid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pgid, signal.SIGTERM)
        end = time.monotonic() + grace
        while time.monotonic() < end and _pgrep_group(pgid):
            time.sleep(0.5)
        if _pgrep_group(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self.proc = None

    def close(self) -> None:
        try:
            self.stop()
        finally:
            if not self.keep:
                shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Standalone:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ REST
    def token(self) -> str:
        if self._token is None:
            req = urllib.request.Request(f"{self.base_url}/auth/token", method="POST",
                                         data=json.dumps({"username": "admin", "password": PASSWORD}).encode(),
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as r:
                self._token = json.load(r)["access_token"]
        return self._token

    def api(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.base_url}/api/v2{path}", method=method, data=data,
                                     headers={"Authorization": f"Bearer {self.token()}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)

    def dag(self, dag_id: str) -> dict[str, Any] | None:
        try:
            return self.api("GET", f"/dags/{dag_id}")
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise

    def wait_dags(self, dag_ids: list[str], timeout: float = 120) -> float:
        """Wait until the DAGs are parsed and unpaused (the inbox watcher runs only then)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            found = [self.dag(d) for d in dag_ids]
            if all(d is not None and not d.get("is_paused") for d in found):
                return time.monotonic() - t0
            for d in found:
                if d is not None and d.get("is_paused"):
                    self.api("PATCH", f"/dags/{d['dag_id']}", {"is_paused": False})
            time.sleep(1)
        raise TimeoutError(f"DAGs {dag_ids} not ready after {timeout} s")

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.api("GET", f"/dags/{dag_id}/dagRuns?limit=100&order_by=run_after")["dag_runs"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        from urllib.parse import quote

        return self.api("GET", f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances")["task_instances"]

    def trigger_ready(self, timeout: float = 60) -> None:
        """Wait until the triggerer runs the inbox watcher (drops before that are found by the rescan only)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if "congkhai.intake.trigger.InboxTrigger" in self.log_path.read_text(errors="replace") or \
                    "InboxTrigger" in self._triggerer_log():
                return
            time.sleep(1)

    def _triggerer_log(self) -> str:
        logs = list((self.home / "logs").rglob("*trigger*")) if (self.home / "logs").is_dir() else []
        return "".join(p.read_text(errors="replace") for p in logs if p.is_file())


def warm_up(af: Standalone, doc: Path, timeout: float = 180) -> float:
    """Drop ``doc`` and wait until its case is in the archive: the first drop after a start waits for
    the triggerer to start the inbox watcher (tens of seconds); measurements start after this one.
    Returns the seconds it took."""
    import hashlib

    sha = hashlib.sha256(doc.read_bytes()).hexdigest()
    t0 = time.monotonic()
    shutil.copyfile(doc, af.inbox / doc.name)
    while time.monotonic() - t0 < timeout:
        for mpath in af.archive_root.rglob("manifest.json"):
            with contextlib.suppress(OSError, ValueError):
                if any(f.get("sha256") == sha for f in json.loads(mpath.read_text(encoding="utf-8"))["files"]):
                    return time.monotonic() - t0
        time.sleep(0.2)
    raise TimeoutError(f"warm-up document {doc.name} not filed after {timeout} s")


def main() -> None:
    """Start one for manual poking: ``python bench/standalone.py`` (Ctrl-C stops it)."""
    af = Standalone(keep=True)
    try:
        print(f"starting in {af.root} …", flush=True)
        print(f"healthy after {af.start():.1f} s; DAGs ready after {af.wait_dags(['congkhai_inbox']):.1f} s")
        print(f"UI {af.base_url} admin / {PASSWORD}; inbox {af.inbox}; archive {af.archive}", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        af.stop()
        print("stopped", file=sys.stderr)


if __name__ == "__main__":
    main()
