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


#: The operators that are not Python tasks, by name: they run no congkhai code that could raise a
#: PermanentError (the trigger), or turn one into a failure themselves (the evidence requests).
NOT_PYTHON = {"TriggerDagRunOperator", "EvidenceRequest"}


def test_every_task_fails_fast_on_permanent_errors(dagbag):
    """Tasks are declared with congkhai.airflow.dagkit.task: a PermanentError is not retried."""
    for dag_id, dag in dagbag.dags.items():
        for t in dag.tasks:
            if t.task_type in NOT_PYTHON:
                continue
            func = getattr(t, "python_callable", None) or t.partial_kwargs.get("python_callable")
            assert getattr(func, "congkhai_fail_fast", False), f"{dag_id}.{t.task_id}: not declared with dagkit.task"


def test_doc_md_is_vietnamese(dagbag):
    """Every DAG page starts with a Vietnamese title; the evidence DAG, which commune staff read, is
    written in Vietnamese (NFC) and names each required action."""
    import unicodedata

    for dag_id, dag in dagbag.dags.items():
        title = dag.doc_md.strip().splitlines()[0]
        assert any(unicodedata.decomposition(ch) for ch in title if ord(ch) > 127), f"{dag_id}: {title!r}"
        assert unicodedata.is_normalized("NFC", dag.doc_md), f"{dag_id}: doc_md not NFC"
    doc = dagbag.dags["congkhai_evidence"].doc_md
    for words in ("Xác nhận niêm yết", "Xác nhận phát thanh", "Kết thúc niêm yết", "Số văn bản do văn thư cấp",
                  "Required actions", "không bao giờ tự trả lời"):
        assert words in doc, words


def test_evidence_requests_never_answer_themselves(dagbag):
    """Each human task of congkhai_evidence waits for a person: no response timeout and no default
    options (Airflow would record the defaults as the answer on timeout), followed by its record step."""
    from airflow.providers.standard.operators.hitl import HITLOperator

    dag = dagbag.dags["congkhai_evidence"]
    asks = {t.task_id: t for t in dag.tasks if isinstance(t, HITLOperator)}
    assert set(asks) == {"ask_posting", "ask_broadcast", "ask_end", "ask_numbers"}
    for tid, t in asks.items():
        assert t.response_timeout is None and t.defaults is None and t.execution_timeout is None, tid
        assert t.downstream_task_ids == {f"record_{tid[4:]}"}, (tid, t.downstream_task_ids)
        assert t.task_display_name and any(ord(c) > 127 for c in t.task_display_name), tid
    assert dag.get_task("record_posting").downstream_task_ids == {"ask_broadcast", "ask_end"}
    assert asks["ask_end"].trigger_rule == "all_done"  # a failed remake does not cancel the later questions
    assert not any(t.params for t in asks.values())  # the form is made for the case when asked
    assert dag.max_active_runs >= 1000  # a run stays open per open case


def test_issuance_starts_one_evidence_run_per_case(dagbag):
    """congkhai_issuance ends by triggering congkhai_evidence, mapped over the new cases, never twice."""
    dag = dagbag.dags["congkhai_issuance"]
    t = dag.get_task("start_evidence")
    assert t.task_type == "TriggerDagRunOperator"
    assert t.partial_kwargs["trigger_dag_id"] == "congkhai_evidence"
    assert t.partial_kwargs["skip_when_already_exists"] is True
    assert t.partial_kwargs["wait_for_completion"] is False
    assert "produce_posting_documents" in dag.get_task("evidence_runs").upstream_task_ids


def test_every_filing_task_announces_the_archive(dagbag):
    """Every task that makes documents (the converter pool) is an outlet of ``congkhai://archive``, and
    ``congkhai_publish`` runs on that asset or once a day (what is posted "today" changes at midnight)."""
    from airflow.timetables.assets import AssetOrTimeSchedule

    filing = [(d.dag_id, t) for d in dagbag.dags.values() for t in d.tasks if t.pool == "congkhai_converter"]
    assert len(filing) >= 8
    for dag_id, t in filing:
        assert "congkhai://archive" in {getattr(o, "uri", "").rstrip("/") for o in t.outlets}, f"{dag_id}.{t.task_id}"
    publish = dagbag.dags["congkhai_publish"]
    assert isinstance(publish.timetable, AssetOrTimeSchedule)
    assert "congkhai://archive" in str(publish.timetable.asset_condition)


def test_publish_follows_only_communes_that_filed():
    import importlib.util

    from congkhai.airflow.dagkit import count_filed

    spec = importlib.util.spec_from_file_location("publish_dag", REPO / "dags" / "congkhai_publish.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert count_filed({"filed": [1, 2], "list": {"filed": [3]}, "posting": {"filed": []}}) == 3
    assert count_filed({"plan": "Chưa có kế hoạch", "reposts": {"filed": [1]}}) == 1
    assert mod.communes_that_filed([{"commune": "kep", "filed": 0, "changed": False},
                                    {"commune": "b", "filed": 2, "changed": True},
                                    {"commune": "x", "filed": 0, "changed": True},  # a case cancelled
                                    {"commune": "c"}, {"filed": 3}]) == ["b", "c", "x"]


def test_timezone_is_vietnam(dagbag):
    for dag_id, dag in dagbag.dags.items():
        tz = getattr(dag.timetable, "_timezone", None) or getattr(dag.timetable, "timezone", None)
        if tz is not None:
            assert "Ho_Chi_Minh" in str(getattr(tz, "name", tz)), f"{dag_id}: timetable in {tz}"


#: DAGs whose names, forms and tasks staff read in Vietnamese (congkhai_issuance: below, its form is free text).
VIETNAMESE_NAMED = ("congkhai_action_", "congkhai_dossier", "congkhai_selfcheck", "congkhai_council",
                    "congkhai_quarterly", "congkhai_january", "congkhai_evidence", "congkhai_inbox", "congkhai_daily")


def test_display_names_and_forms_are_vietnamese(dagbag):
    """The UI shows Vietnamese DAG and task names (task ids stay ASCII); every form field has a Vietnamese
    title; dates are date pickers and no action form asks for free text where a list exists."""
    def vietnamese(text: str | None) -> bool:
        return bool(text) and any(ord(c) > 127 for c in text)

    for dag_id, dag in dagbag.dags.items():
        if not dag_id.startswith(VIETNAMESE_NAMED):
            continue
        assert vietnamese(dag.dag_display_name), dag_id
        for t in dag.tasks:
            assert t.task_id.isascii(), (dag_id, t.task_id)
            assert vietnamese(t.task_display_name), (dag_id, t.task_id)
        for name, p in dag.params.items():
            if dag_id == "congkhai_evidence":
                continue  # its conf comes from congkhai_issuance (new cases: free text)
            assert vietnamese(p.schema.get("title")), (dag_id, name)
            if name in ("ngay",):
                assert p.schema["format"] == "date", (dag_id, name)
            if name == "commune":
                assert "enum" in p.schema, dag_id
    issuance = dagbag.dags["congkhai_issuance"]
    assert vietnamese(issuance.dag_display_name) and all(vietnamese(t.task_display_name) for t in issuance.tasks)
    year = dagbag.dags["congkhai_dossier"].params.get_param("year").schema
    assert year["minimum"] >= 2000 and year["maximum"] - year["minimum"] <= 10
