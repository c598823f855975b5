"""The inbox DAG is one task (issue 17, item 2: fewer hops).

GIVEN Kép's inbox WHEN ``congkhai_inbox`` runs with nothing in it THEN its only task, ``take_inbox``, is
skipped, so no event reaches ``congkhai://cases`` (the issuance DAG does not start);
WHEN a decision was dropped THEN the same task files it and returns the cases it announces on the asset.
"""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.airflow]


def _returned(session, run) -> object:
    from airflow.models.xcom import XComModel

    row = session.query(XComModel).filter_by(dag_id="congkhai_inbox", run_id=run.run_id, key="return_value").first()
    return None if row is None else XComModel.deserialize_value(row)


@pytest.mark.slow
def test_one_task_files_and_announces(airflow_db, tmp_path, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import timezone
    from airflow.utils.session import create_session

    for var, sub in (("CONGKHAI_DATA", "data"), ("CONGKHAI_INBOX", "inbox"), ("CONGKHAI_ARCHIVE", "archive")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.setenv("CONGKHAI_ONLY_COMMUNES", "kep")
    monkeypatch.setenv("CONGKHAI_INTAKE_STABLE_SECONDS", "0")
    monkeypatch.setenv("CONGKHAI_INTAKE_SETTLE_SECONDS", "0")
    monkeypatch.delenv("CONGKHAI_INDEX_URL", raising=False)
    dag = DagBag(dag_folder=str(REPO / "dags" / "congkhai_inbox.py")).get_dag("congkhai_inbox")
    assert [t.task_id for t in dag.tasks] == ["take_inbox"]
    (tmp_path / "inbox" / "kep").mkdir(parents=True)

    run = dag.test(logical_date=timezone.datetime(2024, 3, 25, 1, 0))
    with create_session() as session:
        (ti,) = run.get_task_instances(session=session)
        assert "skipped" in str(ti.state) and _returned(session, run) is None

    shutil.copy2(REPO / "samples" / "kep-2024" / "QD phi le phi.pdf", tmp_path / "inbox" / "kep" / "QD.pdf")
    run = dag.test(logical_date=timezone.datetime(2024, 3, 25, 2, 0))
    with create_session() as session:
        (ti,) = run.get_task_instances(session=session)
        assert "success" in str(ti.state)
        taken = _returned(session, run)
    (announced,) = taken["cases"]  # what the outlet event on congkhai://cases carries
    assert announced["commune"] == "kep" and announced["number"] and announced["case_id"].startswith("2024")
    assert not (tmp_path / "inbox" / "kep" / "QD.pdf").exists()
