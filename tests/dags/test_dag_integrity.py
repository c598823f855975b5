"""DAG integrity: every DAG in dags/ imports cleanly and follows the project's rules.

GIVEN the dags/ folder WHEN Airflow parses it THEN there is no import error, every DAG has
tags, an owner, retries where retrying makes sense (but never for a PermanentError), and a doc_md
an operator can read; and parsing touches neither the metadata DB nor a connection.
"""

from __future__ import annotations

import pytest

from tests.conftest import REPO

# DAGs whose tasks must not be retried automatically (operator actions that a person re-triggers),
# and checks whose failure is the message (a retry would only repeat it).
NO_RETRY = {"congkhai_action_"}
NO_RETRY_TASKS = {("congkhai_daily", "check_deadlines")}


@pytest.fixture(scope="module")
def dagbag():
    from unittest import mock

    from airflow.dag_processing.dagbag import DagBag

    # Parsing must not query the DB nor look up connections: make both explode.
    def no_db(*a, **k):
        raise AssertionError("DB session opened at parse time")

    def no_conn(*a, **k):
        raise AssertionError("connection looked up at parse time")

    with (
        mock.patch("airflow.settings.Session", side_effect=no_db),
        mock.patch("airflow.sdk.Connection.get", side_effect=no_conn),
        mock.patch("airflow.sdk.BaseHook.get_connection", side_effect=no_conn),
    ):
        return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}, dagbag.import_errors
    assert dagbag.dags, "no DAG found in dags/"


def test_every_dag_has_tags_owner_doc(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id}: no tags"
        assert "congkhai" in dag.tags, f"{dag_id}: missing the 'congkhai' tag"
        assert dag.doc_md and len(dag.doc_md.strip()) > 40, f"{dag_id}: no doc_md"
        for t in dag.tasks:
            assert t.owner and t.owner != "airflow", f"{dag_id}.{t.task_id}: no owner"


def test_retries(dagbag):
    for dag_id, dag in dagbag.dags.items():
        if any(dag_id.startswith(p) for p in NO_RETRY):
            continue
        for t in dag.tasks:
            if (dag_id, t.task_id) in NO_RETRY_TASKS:
                continue
            assert t.retries >= 1, f"{dag_id}.{t.task_id}: retries={t.retries}"


def test_every_task_fails_fast_on_permanent_errors(dagbag):
    """Tasks are declared with congkhai.airflow.dagkit.task: a PermanentError is not retried."""
    for dag_id, dag in dagbag.dags.items():
        for t in dag.tasks:
            func = getattr(t, "python_callable", None) or t.partial_kwargs.get("python_callable")
            assert getattr(func, "congkhai_fail_fast", False), f"{dag_id}.{t.task_id}: not declared with dagkit.task"


def test_timezone_is_vietnam(dagbag):
    for dag_id, dag in dagbag.dags.items():
        tz = getattr(dag.timetable, "_timezone", None) or getattr(dag.timetable, "timezone", None)
        if tz is not None:
            assert "Ho_Chi_Minh" in str(getattr(tz, "name", tz)), f"{dag_id}: timetable in {tz}"
