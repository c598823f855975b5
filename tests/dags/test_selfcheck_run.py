"""A real DAG run through dag.test(): the installation self-check on this machine."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.airflow]


def test_selfcheck_dag_runs(airflow_db):
    """GIVEN the self-check DAG WHEN it runs for real THEN every check passes (LibreOffice, fonts, OCR, folders)."""
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import REPO

    bag = DagBag(dag_folder=str(REPO / "dags" / "congkhai_selfcheck.py"))
    dag = bag.get_dag("congkhai_selfcheck")
    run = dag.test()
    assert run.state == "success", run
