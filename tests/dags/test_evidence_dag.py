"""Evidence through Airflow's human-in-the-loop tasks (issue 14): forms, answers, lateness, the DAG.

GIVEN a case in a private archive, WHEN its required actions are built, answered and recorded,
THEN the forms are pre-filled from the case's schedule without inventing a fact (no posting time,
no sample name), a contradictory answer is refused in Vietnamese, an answer no person gave is never
recorded, an unanswered action past its due date makes the case *waiting for a person* in the daily
deadline check, and — the real DAG under ``dag.test()`` answered through Airflow's own REST API with
a real token — the answers land in the case manifest with the Airflow user and the response time.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.airflow]

GROUPS = [f"tdp{i:02d}" for i in range(1, 11)]


@pytest.fixture
def real_profile(tmp_path, monkeypatch) -> Path:
    """Kép's profile with its sample names taken as real (``sample: false``): what a commune has once
    it filled in its people, so that finals can be made (a final never prints a placeholder)."""
    communes = tmp_path / "communes"
    shutil.copytree(REPO / "communes" / "kep", communes / "kep")
    yaml_file = communes / "kep" / "commune.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("sample: true", "sample: false"),
                         encoding="utf-8")
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(communes))
    return communes


@pytest.fixture
def archive(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CONGKHAI_ONLY_COMMUNES", "kep")
    monkeypatch.delenv("CONGKHAI_EVIDENCE_ASK_NOW", raising=False)
    return tmp_path / "archive"


def _case(archive: Path, issued=dt.date(2024, 3, 25), item="Q1-7", number="15", feedback=()):
    from congkhai.archive.store import Archive
    from congkhai.case import Case

    case = Case(commune="kep", issued=issued, subject="Phê duyệt danh sách hộ nghèo năm 2024", doc_number=number,
                doc_code="QĐ-UBND", item=item, feedback=list(feedback))
    return Archive(archive, "kep").open_case(case), case


def _file_posting_minutes(folder, tmp: Path) -> None:
    """A filed start-of-posting minute (a real small PDF): the case's posting documents exist."""
    from pypdf import PdfWriter

    pdf = tmp / "bb.pdf"
    w = PdfWriter()
    w.add_blank_page(595, 842)
    with pdf.open("wb") as f:
        w.write(f)
    folder.add_file("posting_start_ubnd", pdf, number=None, doc_date=None, versioned_key="posting_start_ubnd")


# ------------------------------------------------------------------------------------ the forms

def test_forms_are_prefilled_from_the_schedule_without_inventing_facts(archive):
    """GIVEN a Q1-7 case issued on 25/03/2024 (Kép's civil servants are samples) WHEN its forms are
    built THEN the posting form proposes the posting day and every group but no time and no name;
    the broadcast form the three scheduled days; the end form the feedback already recorded."""
    from congkhai.airflow.evidence_forms import build_form
    from congkhai.pipeline.context import CommuneRun

    _, case = _case(archive, feedback=["Ông A hỏi về tiêu chí"])
    schedule = CommuneRun("kep").schedule_of(case)
    posting = build_form("kep", case.case_id, "posting")
    p = {k: v.serialize() for k, v in posting.params.items()}
    assert posting.subject == "Xác nhận niêm yết: 15/QĐ-UBND — Phê duyệt danh sách hộ nghèo năm 2024"
    assert p["posted_on"]["value"] == schedule.posting_start.isoformat() == "2024-03-26"
    assert p["posted_time"]["value"] is None and p["posted_time"]["schema"]["type"] == "string"  # must be filled
    assert p["posted_by"]["value"] is None  # the profile's names are samples: never proposed
    assert p["groups"]["value"] == GROUPS and p["groups"]["schema"]["examples"] == GROUPS
    assert p["groups"]["schema"]["values_display"]["tdp03"] == "Tổ dân phố số 3"
    assert p["witnesses"]["value"] == []
    assert f"**Hạn trả lời**: {schedule.deadline:%d/%m/%Y}" in posting.body and posting.due == schedule.deadline
    assert posting.ask_at.isoformat() == "2024-03-26T07:00:00+07:00"

    broadcast = build_form("kep", case.case_id, "broadcast")
    days = broadcast.params["days"].serialize()
    assert days["value"] == [d.isoformat() for d in schedule.broadcast_days] and len(days["value"]) == 3
    assert days["schema"]["values_display"]["2024-03-26"] == "Thứ Ba 26/03/2024"
    assert broadcast.params["sessions"].serialize()["value"] == []  # the station's real hours: to fill in
    end = build_form("kep", case.case_id, "end")
    assert end.params["feedback"].serialize()["value"] == ["Ông A hỏi về tiêu chí"]
    assert end.params["no_feedback"].serialize()["value"] is False  # "none" is never pre-ticked
    assert end.ask_at.date() == schedule.posting_end

    permanent, pcase = _case(archive, item="1.5", number="16")  # posted permanently at the UBND only
    assert build_form("kep", pcase.case_id, "end") is None and build_form("kep", pcase.case_id, "broadcast") is None
    only_board = build_form("kep", pcase.case_id, "posting").params["groups"].serialize()
    assert only_board["value"] == [] and "examples" not in only_board["schema"]


def test_a_real_civil_servant_is_proposed_as_the_poster(archive, real_profile):
    """GIVEN a commune profile whose names are real (no `sample`) WHEN the posting form is built THEN
    the responsible civil servant's name is proposed."""
    from congkhai.airflow.evidence_forms import build_form
    from congkhai.commune import load_commune

    _, case = _case(archive)
    commune = load_commune("kep")
    from congkhai.pipeline.context import CommuneRun

    item, _ = CommuneRun("kep").item_of(case)
    cs = commune.civil_servant_for(item_code=item.code, role=item.responsible, law_item=item.law_item)
    assert build_form("kep", case.case_id, "posting").params["posted_by"].serialize()["value"] == cs.name


# ---------------------------------------------------------------------------------- the answers

def test_answers_are_checked_and_refused_in_vietnamese():
    from congkhai.airflow.evidence_forms import answer_from_form
    from congkhai.errors import UsageError

    ok = answer_from_form("posting", {"posted_on": "2024-03-26", "posted_time": "14:30:00", "groups": GROUPS,
                                      "posted_by": " Lê Thị Hoa ", "witnesses": "Nguyễn Văn Bình\n\n Trần B \n"},
                          GROUPS)
    assert ok == {"at": "2024-03-26 14:30", "by": "Lê Thị Hoa", "witnesses": ["Nguyễn Văn Bình", "Trần B"],
                  "groups": "all"}
    some = answer_from_form("posting", {"posted_on": "2024-03-26", "posted_time": "08:05", "groups": ["tdp02", "tdp01"],
                                        "posted_by": "X", "witnesses": []}, GROUPS)
    assert some["groups"] == ["tdp01", "tdp02"]

    with pytest.raises(UsageError) as err:
        answer_from_form("posting", {"posted_on": "2024-03-26", "posted_time": None, "groups": [],
                                     "posted_by": "X", "witnesses": []}, GROUPS)
    assert err.value.message_vi.startswith("Thiếu giờ niêm yết")
    with pytest.raises(UsageError) as err:
        answer_from_form("posting", {"posted_on": "2024-03-26", "posted_time": "9:00", "groups": ["tdp99"],
                                     "posted_by": "X"}, GROUPS)
    assert "tdp99" in err.value.message_vi

    with pytest.raises(UsageError) as err:  # an empty list nobody stated is not "no feedback"
        answer_from_form("end", {"feedback": [], "no_feedback": False, "end_by": None}, GROUPS)
    assert "Không nhận được ý kiến phản hồi nào" in err.value.message_vi and err.value.field == "no_feedback"
    with pytest.raises(UsageError):
        answer_from_form("end", {"feedback": ["Bà C đề nghị bổ sung"], "no_feedback": True}, GROUPS)
    assert answer_from_form("end", {"feedback": [], "no_feedback": True}, GROUPS) == {"feedback": [], "by": None}
    assert answer_from_form("end", {"feedback": "Ý kiến 1\nÝ kiến 2", "no_feedback": False}, GROUPS)["feedback"] == \
        ["Ý kiến 1", "Ý kiến 2"]

    with pytest.raises(UsageError) as err:
        answer_from_form("broadcast", {"days": ["2024-03-26"], "sessions": [], "broadcast_by": None}, GROUPS)
    assert "buổi phát" in err.value.message_vi
    assert answer_from_form("numbers", {"number__posting_start_group__tdp01": 31, "number__group_notice": None},
                            GROUPS) == {"posting_start_group:tdp01": 31}


def test_an_answer_no_person_gave_is_never_recorded(archive):
    """A response without a responding user (what Airflow writes when a timeout applies defaults)
    is refused before anything is stored; and a request cannot be given a timeout or defaults."""
    from congkhai.airflow.evidence_forms import EvidenceRequest, record_response
    from congkhai.errors import UsageError

    _, case = _case(archive)
    timed_out = {"chosen_options": ["OK"], "params_input": {"feedback": [], "no_feedback": True},
                 "responded_at": dt.datetime(2024, 4, 26, 1, 0, tzinfo=dt.UTC), "responded_by_user": None,
                 "timedout": True}
    with pytest.raises(UsageError, match="không do một người dùng trả lời"):
        record_response("kep", case.case_id, "end", timed_out, dt.date(2024, 4, 26))
    from congkhai.archive.store import Archive

    assert Archive(archive, "kep").find_case(case.case_id).case.evidence == {}
    for bad in ({"response_timeout": dt.timedelta(days=1)}, {"defaults": ["OK"]}):
        with pytest.raises(ValueError, match="never answers by itself"):
            EvidenceRequest(task_id="x", section="end", **bad)


# ------------------------------------------------------------------------------------ lateness

def test_unanswered_actions_past_due_make_the_case_wait_for_a_person(archive, tmp_path):
    """GIVEN a posted Q1-7 case (deadline 01/04/2024, broadcast report due 29/03, end 25/04) WHEN the
    daily deadline check runs THEN each section is listed once its due date has passed without an
    answer, and no longer once a person answered it."""
    from congkhai import evidence
    from congkhai.pipeline.calendar_jobs import deadline_check
    from congkhai.pipeline.context import CommuneRun

    folder, case = _case(archive)
    _file_posting_minutes(folder, tmp_path)
    run = CommuneRun("kep")
    s = run.schedule_of(case)
    assert (s.deadline, s.broadcast_report_due, s.posting_end) == \
        (dt.date(2024, 4, 1), dt.date(2024, 3, 29), dt.date(2024, 4, 25))

    def waiting(day):
        return [(r["section"], r["due"], r["title"]) for r in deadline_check(CommuneRun("kep"), day)["waiting"]]

    assert waiting(dt.date(2024, 3, 29)) == []
    assert waiting(dt.date(2024, 4, 1)) == [("broadcast", "2024-03-29", "Xác nhận phát thanh")]
    assert waiting(dt.date(2024, 4, 2)) == [("posting", "2024-04-01", "Xác nhận niêm yết"),
                                            ("broadcast", "2024-03-29", "Xác nhận phát thanh")]
    assert [w[0] for w in waiting(dt.date(2024, 4, 26))] == ["posting", "broadcast", "end"]

    facts = evidence.parse_section("posting", {"at": "2024-03-26 14:30", "by": "Lê Thị Hoa"})
    case.evidence["posting"] = evidence.recorded("posting", facts, "admin", dt.datetime(2024, 3, 26, 15, 0))
    folder.update_case(case)
    assert [w[0] for w in waiting(dt.date(2024, 4, 26))] == ["broadcast", "end"]


# ------------------------------------------------------------------------ the DAG, answered by REST

def _api(monkeypatch, tmp_path):
    """Airflow's own REST API (the api-server's app, in this process, on the same metadata DB) and a
    real token of the user ``admin`` (SimpleAuthManager, password file)."""
    from fastapi.testclient import TestClient

    pw = tmp_path / "passwords.json"
    pw.write_text(json.dumps({"admin": "mat-khau-thu"}))
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin")
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", str(pw))
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "False")
    from airflow.api_fastapi.app import create_app

    client = TestClient(create_app("core"))
    r = client.post("/auth/token", json={"username": "admin", "password": "mat-khau-thu"})
    assert r.status_code in (200, 201), r.text
    return client, {"Authorization": f"Bearer {r.json()['access_token']}"}


def _answer_while_running(client, headers, answers, seen: list, stop: threading.Event,
                          timeout: float = 240) -> threading.Thread:
    """A person at the Required actions page: answers each pending request of congkhai_evidence with
    ``answers[task_id](form)`` until ``stop``; after ``timeout`` marks what is left failed (dag.test
    would otherwise wait for ever)."""
    def work():
        end = time.monotonic() + timeout
        while not stop.is_set():
            if time.monotonic() > end:
                r = client.get("/api/v2/dags/congkhai_evidence/dagRuns/~/taskInstances", headers=headers)
                for ti in r.json()["task_instances"]:
                    if ti["state"] in ("awaiting_input", "deferred", "scheduled", "queued"):
                        client.patch(f"/api/v2/dags/congkhai_evidence/dagRuns/{ti['dag_run_id']}/taskInstances/"
                                     f"{ti['task_id']}", json={"new_state": "failed"}, headers=headers)
                return
            r = client.get("/api/v2/dags/congkhai_evidence/dagRuns/~/hitlDetails",
                           params={"response_received": False}, headers=headers)
            for d in r.json()["hitl_details"]:
                ti = d["task_instance"]
                if ti["state"] != "awaiting_input":
                    continue
                form = {k: v["value"] for k, v in d["params"].items()}
                body = {"chosen_options": ["OK"], "params_input": answers[ti["task_id"]](form)}
                url = (f"/api/v2/dags/congkhai_evidence/dagRuns/{ti['dag_run_id']}/taskInstances/"
                       f"{ti['task_id']}/{ti['map_index']}/hitlDetails")
                resp = client.patch(url, json=body, headers=headers)
                seen.append((ti["task_id"], d["subject"], resp.status_code, resp.json()))
            time.sleep(0.5)

    t = threading.Thread(target=work, daemon=True)
    t.start()
    return t


@pytest.mark.slow
def test_evidence_dag_answered_through_the_rest_api(airflow_db, archive, real_profile, tmp_path, monkeypatch):
    """GIVEN a Q1-7 case whose posting documents were filed (real LibreOffice), in a commune whose
    profile names real people WHEN congkhai_evidence
    runs for it and a person answers its required actions through Airflow's REST API (the posting in
    one click plus the time and the poster's name; the broadcast sessions; an end of posting left
    empty without ticking "none") THEN the posting and broadcast are in the manifest with the user
    ``admin`` and the response time, the posting minutes are remade (a new version), the end answer
    is refused in Vietnamese and records nothing."""
    from airflow.dag_processing.dagbag import DagBag

    from congkhai.archive.store import Archive
    from congkhai.pipeline.runner import issuance_for_run

    monkeypatch.setenv("CONGKHAI_SHARED_CONVERTER", "1")
    _, case = _case(archive)
    assert issuance_for_run("kep", case.case_id)["filed"]
    client, headers = _api(monkeypatch, tmp_path)
    answers = {
        "ask_posting": lambda f: {**f, "posted_time": "14:30", "posted_by": "Lê Thị Hoa",
                                  "witnesses": ["Nguyễn Văn Bình, Tổ trưởng TDP số 1"]},
        "ask_broadcast": lambda f: {**f, "sessions": ["06:30", "17:15"]},
        "ask_end": lambda f: {**f, "feedback": [], "no_feedback": False},
        "ask_numbers": lambda f: {k: None for k in f},  # the clerk answers later
    }
    seen: list = []
    stop = threading.Event()
    dag = DagBag(dag_folder=str(REPO / "dags" / "congkhai_evidence.py")).get_dag("congkhai_evidence")
    person = _answer_while_running(client, headers, answers, seen, stop)
    t0 = time.monotonic()
    try:
        run = dag.test(run_conf={"commune": "kep", "case_id": case.case_id})
    finally:
        stop.set()
        person.join(10)
    took = time.monotonic() - t0
    print(f"congkhai_evidence answered in {took:.1f} s: {[(s[0], s[2]) for s in seen]}")

    asked = {s[0]: s for s in seen}
    assert {"ask_posting", "ask_broadcast", "ask_end"} <= set(asked), seen
    assert all(s[2] == 200 for s in seen), seen
    assert asked["ask_posting"][1].startswith("Xác nhận niêm yết: 15/QĐ-UBND")
    assert asked["ask_posting"][3]["responded_by"] == {"id": "admin", "name": "admin"}
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["record_posting"].endswith("success") and states["record_broadcast"].endswith("success"), states
    assert states["record_end"].endswith("failed") and "failed" in str(run.state), states

    folder = Archive(archive, "kep").find_case(case.case_id)
    versions = sorted(f["version"] for f in folder.manifest["files"]
                      if f["key"] == "posting_start_ubnd" and f["path"].endswith(".pdf"))
    assert versions == [1, 2], versions
    ev = folder.case.evidence
    assert set(ev) == {"posting", "broadcast"}
    assert ev["posting"]["by"] == "admin"
    assert ev["posting"]["value"] == {"at": "2024-03-26T14:30:00", "by": "Lê Thị Hoa",
                                      "witnesses": ["Nguyễn Văn Bình, Tổ trưởng TDP số 1"], "groups": "all"}
    responded = dt.datetime.fromisoformat(asked["ask_posting"][3]["responded_at"].replace("Z", "+00:00"))
    assert abs(dt.datetime.fromisoformat(ev["posting"]["at"]) - responded) < dt.timedelta(seconds=2)
    assert ev["posting"]["at"].endswith("+07:00")
    assert ev["broadcast"]["value"]["sessions"] == ["06:30:00", "17:15:00"]
    assert ev["broadcast"]["value"]["days"] == ["2024-03-26", "2024-03-27", "2024-03-28"]


@pytest.mark.slow
def test_daily_run_prints_waiting_cases_and_calendar_warnings(airflow_db, archive, tmp_path, monkeypatch, capfd):
    """GIVEN a posted case whose posting confirmation is past due, on a day whose coming weeks reach a
    year with unconfirmed days off WHEN congkhai_daily runs THEN its log says CHỜ XÁC NHẬN for the
    case and CẢNH BÁO for the calendar, and the run does not fail for either."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import timezone

    from congkhai.workdays import calendar_warnings

    day = dt.date(2026, 12, 2)
    assert calendar_warnings(day), "2027 is expected to be unconfirmed in calendar_vn/"
    folder, case = _case(archive, issued=dt.date(2026, 11, 20), item="1.5", number="99")  # posted permanently
    _file_posting_minutes(folder, tmp_path)
    dag = DagBag(dag_folder=str(REPO / "dags" / "congkhai_daily.py")).get_dag("congkhai_daily")
    run = dag.test(logical_date=timezone.datetime(day.year, day.month, day.day, 0, 0))
    out = capfd.readouterr()
    text = out.out + out.err
    assert "success" in str(run.state), text[-3000:]
    assert f"CHỜ XÁC NHẬN — Xác nhận niêm yết (hạn 2026-11-27): {case.case_id}" in text
    assert "CẢNH BÁO: " in text
    # Nothing to make that day (a permanent posting has no end): the production step is skipped.
    from airflow.utils.session import create_session

    with create_session() as session:
        states = {ti.task_id: str(ti.state) for ti in run.get_task_instances(session=session)}
    assert "skipped" in states["produce_due_documents"] and "success" in states["communes_with_work"], states
    assert "nothing due" in text
