"""congkhai_daily caught up over past working days while other runs wait for a person (issue 17, item 5).

In scripts/scale-check, the ``congkhai_daily`` backfill (``airflow backfill create``) never ran a task:
its first run stayed ``running`` with every task instance in state None. Airflow 3.3.2's scheduler
examines at most ``[scheduler] max_dagruns_per_loop_to_schedule`` running runs per loop (20 by
default) and sorts backfill runs after all the others (apache/airflow#58554, fixed upstream by
apache/airflow#72730): after intake and issuance, every case's ``congkhai_evidence`` run is running,
waiting for a person for weeks, so with 20 cases or more a backfill run is never examined.

GIVEN a private Airflow (api-server, scheduler, dag-processor; LocalExecutor, SQLite; the environment of
``bench/standalone.py``) with the real ``congkhai_daily``
and, standing in for the evidence runs, as many runs waiting forever (a task in a pool with no slot)
as the scheduler examines per loop (the limit lowered to 2 to keep the test small)
WHEN 2 past working days are caught up the way scale-check now does it (``catch_up``: one run per day
triggered through the REST API with its logical date)
THEN both runs succeed, in date order, and worked for their own day; and an ``airflow backfill`` of
2 other days, created first, has still not started a task (the upstream bug: when that assertion
fails, Airflow fixed it and scale-check may go back to ``airflow backfill create``).

Port: ``CONGKHAI_BACKFILL_TEST_PORT`` (default 8099; log servers on 9197/9198).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.airflow]

PORT = int(os.environ.get("CONGKHAI_BACKFILL_TEST_PORT", "8099"))
EXAMINED_PER_LOOP = 2
HOLD_DAG = '''
import pendulum
from airflow.sdk import dag, task


@dag(dag_id="test_hold", schedule=None, start_date=pendulum.datetime(2024, 1, 1), catchup=False,
     max_active_runs=16)
def test_hold():
    @task(pool="test_hold")  # a pool with no slot: the run stays running, as an evidence run waiting for a person
    def wait_for_a_person():
        pass

    wait_for_a_person()


test_hold()
'''


def _scale_check() -> Any:
    spec = importlib.util.spec_from_file_location("scale_check", REPO / "scripts" / "scale-check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _up(af: Any, procs: list[subprocess.Popen[bytes]]) -> bool:
    for p in procs:
        assert p.poll() is None, f"{p.args[1]} exited ({p.returncode}): see {af.home / (p.args[1] + '.log')}"
    try:
        af.token()
    except OSError:
        return False
    return True


def _wait(what: str, cond: Any, timeout: float, step: float = 0.5) -> Any:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def test_daily_catch_up_runs_while_other_runs_wait(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from standalone import Standalone
    finally:
        sys.path.remove(str(REPO / "bench"))
    from congkhai.airflow.timetable import WorkingDayTimetable

    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "congkhai_daily.py").symlink_to(REPO / "dags" / "congkhai_daily.py")
    (dags / "test_hold.py").write_text(HOLD_DAG, encoding="utf-8")
    af = Standalone(tmp_path / "af", port=PORT, extra_env={
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{PORT}/execution/",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "9197",
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "9198",
        "AIRFLOW__SCHEDULER__MAX_DAGRUNS_PER_LOOP_TO_SCHEDULE": str(EXAMINED_PER_LOOP),
        # no scheduled run of today: only the runs this test makes
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    })
    procs: list[subprocess.Popen[bytes]] = []
    try:
        af._airflow("db", "migrate")
        af._prepared = True
        af.prepare()  # folders and the admin's password
        # the components the runs need (no triggerer: `airflow standalone` takes 3-4 times longer to be up)
        for name in ("api-server", "scheduler", "dag-processor"):
            with (af.home / f"{name}.log").open("wb") as log:
                procs.append(subprocess.Popen([str(REPO / ".venv" / "bin" / "airflow"), name], env=af.env(),
                                              stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                              start_new_session=True, cwd=af.root))
        _wait("the api-server", lambda: _up(af, procs), 120)
        af.api("POST", "/pools", {"name": "congkhai_converter", "slots": 2})
        af.api("POST", "/pools", {"name": "test_hold", "slots": 0, "description": "no slot: its tasks wait"})
        af.wait_dags(["congkhai_daily", "test_hold"])
        for _ in range(EXAMINED_PER_LOOP):
            af.api("POST", "/dags/test_hold/dagRuns", {"logical_date": None})
        _wait("the waiting runs", lambda: sum(r["state"] == "running" for r in af.runs("test_hold"))
              == EXAMINED_PER_LOOP, 60)

        # the upstream bug, made first so that it has every chance: a real backfill of 21-22/03/2024
        af.api("POST", "/backfills", {"dag_id": "congkhai_daily", "from_date": "2024-03-21T00:00:00+07:00",
                                      "to_date": "2024-03-22T23:59:00+07:00", "max_active_runs": 1})
        # the fix: 28-29/03/2024 caught up as logical-dated runs (scripts/scale-check)
        times = WorkingDayTimetable(at="07:00").run_times(dt.date(2024, 3, 28), dt.date(2024, 3, 29))
        run_ids = _scale_check().catch_up(lambda path, body: af.api("POST", path, body), "congkhai_daily", times)
        assert run_ids == ["catchup__2024-03-28", "catchup__2024-03-29"]

        def caught_up() -> list[dict[str, Any]] | None:
            runs = {r["dag_run_id"]: r for r in af.runs("congkhai_daily")}
            mine = [runs[i] for i in run_ids if i in runs]
            failed = [r["dag_run_id"] for r in mine if r["state"] == "failed"]
            assert not failed, f"failed: {failed}; see {af.home / 'logs'}"
            return mine if [r["state"] for r in mine] == ["success", "success"] else None

        done = _wait("both caught-up runs to succeed", caught_up, 120, step=1)
        assert done[0]["end_date"] <= done[1]["start_date"]  # one at a time, oldest first
        for run, day in zip(done, ("2024-03-28", "2024-03-29"), strict=True):
            tis = {t["task_id"]: t for t in af.task_instances("congkhai_daily", run["dag_run_id"])}
            assert tis["communes_with_work"]["state"] == "success"
            assert tis["check_deadlines"]["state"] == "success"
            assert tis["produce_due_documents"]["state"] == "skipped"  # an empty archive: nothing due
            assert dt.datetime.fromisoformat(run["logical_date"]).astimezone(
                dt.timezone(dt.timedelta(hours=7))).date().isoformat() == day

        backfill_runs = [r for r in af.runs("congkhai_daily") if r["run_type"] == "backfill"]
        assert len(backfill_runs) == 2
        started = [r for r in backfill_runs if r["state"] == "running"]
        assert len(started) == 1, backfill_runs
        states = {t["task_id"]: t["state"] for t in af.task_instances("congkhai_daily", started[0]["dag_run_id"])}
        assert set(states.values()) == {None}, (
            f"the backfill run started its tasks ({states}): Airflow fixed apache/airflow#58554, "
            "scripts/scale-check may create its runs with `airflow backfill create` again")
    finally:
        for p in procs:  # each component's own process group (its task processes with it), by its id
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)
        af.close()
