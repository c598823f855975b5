"""An operator action through Airflow: the params form's values reach the action.

GIVEN a case in a private archive WHEN `congkhai_action_cancel` runs with a commune, a case id and a
reason (what the trigger form sends) THEN the case is cancelled and the reason is in its history;
a run for an unknown case fails with a message naming it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.airflow]


def test_cancel_action_dag(airflow_db, tmp_path, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    from congkhai.archive.store import Archive
    from congkhai.case import Case

    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    case = Case(commune="kep", issued=dt.date(2024, 3, 25), subject="Dự toán", doc_number="15", doc_code="QĐ-UBND")
    Archive(tmp_path / "archive", "kep").open_case(case)

    dag = DagBag(dag_folder=str(REPO / "dags" / "congkhai_actions.py")).get_dag("congkhai_action_cancel")
    run = dag.test(run_conf={"commune": "kep", "case_id": case.case_id, "reason": "nhầm văn bản"})
    assert "success" in str(run.state)
    folder = Archive(tmp_path / "archive", "kep").find_case(case.case_id)
    assert folder.case.status == "cancelled"
    assert any(e["event"] == "cancelled" and e["reason"] == "nhầm văn bản" for e in folder.manifest["history"])

    bad = dag.test(run_conf={"commune": "kep", "case_id": "20240101-khong-co", "reason": "x"})
    assert "failed" in str(bad.state)
