"""An operator action through Airflow: the form's dropdowns, its check, and the action.

GIVEN a case in a private archive WHEN the actions DAG file is parsed THEN commune and case are
dropdowns (the case labelled ``case_id — số — trích yếu``), dates are date pickers, feedback is
multi-line, names are Vietnamese;
WHEN `congkhai_action_cancel` runs with the document number typed instead of a case id THEN its first
task fails with the Vietnamese message naming the case as the first error of the log, and the case is
untouched; WHEN it runs with the case chosen THEN the case is cancelled and the reason is in its history,
and its ``congkhai://archive`` event names the commune as changed (the citizens' site follows).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.airflow]


def _bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags" / "congkhai_actions.py"))


def _states(run) -> dict[str, str]:
    from airflow.utils.session import create_session

    with create_session() as session:
        return {ti.task_id: str(ti.state) for ti in run.get_task_instances(session=session)}


def test_cancel_action_dag(airflow_db, tmp_path, monkeypatch, caplog):
    from congkhai.archive.store import Archive
    from congkhai.case import Case

    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CONGKHAI_ONLY_COMMUNES", "kep")  # one commune: its cases unprefixed, it is the default
    case = Case(commune="kep", issued=dt.date(2024, 3, 25), subject="Dự toán", doc_number="15", doc_code="QĐ-UBND")
    Archive(tmp_path / "archive", "kep").open_case(case)

    bag = _bag()
    assert bag.import_errors == {}
    dag = bag.get_dag("congkhai_action_cancel")
    schema = {k: p.schema for k, p in dag.params.items()}
    assert schema["case_id"]["enum"] == [None, case.case_id]
    assert schema["case_id"]["values_display"][case.case_id] == f"{case.case_id} — 15/QĐ-UBND — Dự toán"
    assert schema["commune"]["enum"] == [None, "kep"] and dag.params["commune"] == "kep"
    assert dag.dag_display_name == "Thao tác: Hủy hồ sơ"
    assert [t.task_display_name for t in dag.tasks] == ["Kiểm tra biểu mẫu", "Hủy hồ sơ"]
    posting = bag.get_dag("congkhai_action_record_posting").params.get_param("ngay")
    assert posting.schema["format"] == "date" and posting.value is None  # no default day: a person picks it
    assert bag.get_dag("congkhai_action_feedback").params.get_param("text").schema["format"] == "multiline"

    caplog.set_level(logging.INFO)
    bad = dag.test(run_conf={"commune": "kep", "case_other": "15/QĐ-UBND", "reason": "nhầm"})
    assert "failed" in str(bad.state)
    assert _states(bad) == {"check_form": "failed", "cancel": "upstream_failed"}
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors[0].startswith(f"Số văn bản 15/QĐ-UBND thuộc hồ sơ {case.case_id} (25/03/2024 — Dự toán); "
                                "chọn hồ sơ đó"), errors
    assert Archive(tmp_path / "archive", "kep").find_case(case.case_id).case.status == "open"

    # (dag.test keeps the last run's values in the DAG's Param objects: clear the typed field.)
    run = dag.test(run_conf={"commune": "kep", "case_id": case.case_id, "case_other": None, "reason": "nhầm văn bản"})
    assert "success" in str(run.state)
    folder = Archive(tmp_path / "archive", "kep").find_case(case.case_id)
    assert folder.case.status == "cancelled"
    assert any(e["event"] == "cancelled" and e["reason"] == "nhầm văn bản" for e in folder.manifest["history"])

    # Cancelling files nothing but changes the public record: the archive event names the commune as
    # changed (congkhai_publish rebuilds Kép's site without the case).
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        extras = session.scalars(select(AssetEvent.extra).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
                                 .where(AssetModel.uri.in_(["congkhai://archive", "congkhai://archive/"]),
                                        AssetEvent.source_run_id == run.run_id)).all()
    assert extras and extras[-1] == {"commune": "kep", "filed": 0, "changed": True}, extras


def test_parse_stays_fast_with_many_cases(tmp_path, monkeypatch):
    """GIVEN 260 cases in the archive index WHEN the actions file is parsed THEN in well under a second,
    and each case list holds the newest MAX_CASES (200)."""
    from congkhai.airflow.forms import MAX_CASES
    from congkhai.archive.index import reindex
    from congkhai.archive.store import Archive
    from congkhai.case import Case

    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    archive = Archive(tmp_path / "archive", "kep", index=False)
    first = dt.date(2024, 1, 2)
    for i in range(260):
        archive.open_case(Case(commune="kep", issued=first + dt.timedelta(days=i), subject=f"Văn bản số {i + 1}",
                               doc_number=str(i + 1), doc_code="TB-UBND"))
    reindex(tmp_path / "archive", "kep")

    _bag()  # warm: Airflow's and congkhai's modules imported once, as in the DAG processor
    start = time.perf_counter()
    bag = _bag()
    took = time.perf_counter() - start
    ids = bag.dags["congkhai_action_regenerate"].params.get_param("case_id").schema["enum"]
    assert len(ids) == MAX_CASES + 1 and ids[1] == f"{first + dt.timedelta(days=259):%Y%m%d}-260-tb-ubnd"
    assert took < 1.0, f"parse took {took:.2f} s"
