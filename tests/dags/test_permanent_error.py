"""A permanent error fails its task at once; a transient one is still retried.

GIVEN the congkhai DAGs (every task declared with ``congkhai.airflow.dagkit.task``)
WHEN a task raises a :class:`~congkhai.errors.PermanentError` (a dossier for a year the archive does
not have) THEN the task fails after ONE try although it has ``retries=3``, and its log and its
exception carry the Vietnamese message;
WHEN a task hits a transient error (LibreOffice answering too late) THEN Airflow retries it.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.airflow]


def _dag(file: str, dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags" / file)).get_dag(dag_id)


def _ti(run, task_id: str):
    from airflow.utils.session import create_session

    with create_session() as session:
        (ti,) = [t for t in run.get_task_instances(session=session) if t.task_id == task_id]
        return ti.state, ti.try_number, ti.max_tries


def test_permanent_error_fails_after_one_try(airflow_db, tmp_path, monkeypatch, caplog, capfd):
    """GIVEN the dossier DAG (retries=3) and an empty archive WHEN it runs for 2024 THEN its task is
    failed after one try, and the message «Kho lưu trữ chưa có năm 2024» is logged and raised."""
    from airflow.sdk.exceptions import AirflowFailException

    from congkhai.airflow import dagkit

    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    dag = _dag("congkhai_dossier.py", "congkhai_dossier")
    assert dag.task_dict["assemble_dossier"].retries == 3

    caplog.set_level(logging.INFO)
    run = dag.test(run_conf={"commune": "kep", "year": 2024})

    assert "failed" in str(run.state)
    state, try_number, max_tries = _ti(run, "assemble_dossier")
    assert "failed" in str(state) and try_number == 1 and max_tries == 3
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and errors[0].name == dagkit.__name__, [r.getMessage() for r in errors]
    assert errors[0].getMessage().startswith("Kho lưu trữ chưa có năm 2024")  # the first error line
    out = capfd.readouterr()
    task_log = out.out + out.err
    assert f"{AirflowFailException.__name__}: Kho lưu trữ chưa có năm 2024" in task_log


def test_fail_fast_keeps_transient_errors_and_results():
    """GIVEN a wrapped callable WHEN it returns or raises a TransientError THEN nothing changes;
    WHEN it raises a PermanentError THEN Airflow's AirflowFailException carries the Vietnamese message."""
    from airflow.sdk.exceptions import AirflowFailException

    from congkhai.airflow.dagkit import fail_fast
    from congkhai.errors import PermanentError, TransientError, UsageError

    def work(kind: str) -> str:
        """Doc."""
        if kind == "permanent":
            raise PermanentError("Mẫu văn bản hỏng", "Broken template")
        if kind == "transient":
            raise TransientError("Gotenberg chưa sẵn sàng", "Gotenberg down")
        return kind

    wrapped = fail_fast(work)
    assert wrapped("ok") == "ok" and wrapped.__name__ == "work" and wrapped.__doc__ == "Doc."
    with pytest.raises(TransientError):
        wrapped("transient")
    with pytest.raises(AirflowFailException, match="^Mẫu văn bản hỏng / Broken template$") as err:
        wrapped("permanent")
    assert isinstance(err.value.__cause__, PermanentError)

    def typed(day: str) -> None:
        raise UsageError(f"Ngày '{day}' không phải một ngày", "not a date")

    # What a person typed in a form: the message alone, no chained traceback to bury it.
    with pytest.raises(AirflowFailException, match="^Ngày 'x' không phải một ngày / not a date$") as err:
        fail_fast(typed)("x")
    assert err.value.__cause__ is None and err.value.__suppress_context__


@pytest.mark.slow
def test_transient_error_is_retried(airflow_db, tmp_path, monkeypatch, capfd):
    """GIVEN a case and a LibreOffice that cannot answer in time (a real ConversionTimeout, transient)
    WHEN the issuance DAG runs (its task given 1 retry without delay, so the test does not wait for
    the 30 s backoff) THEN the task is tried twice before it fails; the DAG's own setting is 3 retries."""
    from airflow.sdk import timezone

    from congkhai.archive.store import Archive
    from congkhai.case import Case

    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CONGKHAI_CONVERT_TIMEOUT", "0.01")
    monkeypatch.setenv("CONGKHAI_CONVERTERS", "1")
    case = Case(commune="kep", issued=dt.date(2024, 3, 25), subject="Quy chế làm việc", doc_number="16",
                doc_code="QĐ-UBND", item="1.5")
    Archive(tmp_path / "archive", "kep").open_case(case)

    dag = _dag("congkhai_issuance.py", "congkhai_issuance")
    produce = dag.task_dict["produce_posting_documents"]
    assert produce.retries == 3  # the production setting
    produce.retries, produce.retry_delay = 1, dt.timedelta(0)
    produce.retry_exponential_backoff = False

    run = dag.test(run_conf={"commune": "kep", "case_id": case.case_id}, logical_date=timezone.utcnow())

    assert "failed" in str(run.state)
    state, try_number, _ = _ti(run, "produce_posting_documents")
    assert "failed" in str(state) and try_number == 2
    out = capfd.readouterr()
    assert (out.out + out.err).count("TransientError: Chưa chuyển đổi được 1 văn bản (sẽ thử lại)") == 2
