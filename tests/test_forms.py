"""The operator forms: choices read at parse time, Vietnamese answers to wrong input, who may delete.

GIVEN an archive with cases WHEN the action DAGs' forms are built THEN commune and case are dropdowns
(newest case first, ``case_id — số — trích yếu``, cancelled cases left out, ended ones marked), read
from the search index (a manifest is read only for the case's status), the plan items are ``Q4-4 — <title>``, an empty archive gives a free-text field with a pattern;
WHEN the form is wrong (no case, a document number for a case id, a future day, no posting date)
THEN :func:`check_action` says in Vietnamese what to change;
WHEN the commune operator (SimpleAuthManager role ``user``) deletes a DAG THEN the guard refuses it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata

import pytest

from congkhai.airflow import forms
from congkhai.archive.store import Archive
from congkhai.case import Case
from congkhai.config import settings
from congkhai.errors import UsageError

TODAY = dt.date(2024, 12, 3)


def _case(day: dt.date, number: str, subject: str, code: str = "QĐ-UBND") -> Case:
    return Case(commune="kep", issued=day, subject=subject, doc_number=number, doc_code=code, doc_type="QUYẾT ĐỊNH")


@pytest.fixture
def archive(tmp_path, monkeypatch):
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    for var in ("CONGKHAI_INDEX_URL", "CONGKHAI_COMMUNES", "CONGKHAI_ONLY_COMMUNES"):
        monkeypatch.delenv(var, raising=False)
    a = Archive(tmp_path / "archive", "kep")
    for c in (_case(dt.date(2024, 3, 25), "15", "Dự toán ngân sách năm 2024"),
              _case(dt.date(2024, 5, 6), "40", "Thuyết minh dự toán quý I"),
              _case(dt.date(2023, 3, 20), "15", "Dự toán ngân sách năm 2023")):
        a.open_case(c)
    return a


def test_case_choices_newest_first_from_the_index(archive):
    """GIVEN three cases WHEN the form's case list is read THEN newest first, labelled id — số — trích yếu,
    from the index: removing every manifest changes nothing (only the status is read there)."""
    s = settings()
    choices = forms.case_choices(["kep"], s)
    assert list(choices) == ["20240506-40-qd-ubnd", "20240325-15-qd-ubnd", "20230320-15-qd-ubnd"]
    assert choices["20240325-15-qd-ubnd"] == "20240325-15-qd-ubnd — 15/QĐ-UBND — Dự toán ngân sách năm 2024"
    assert all(unicodedata.is_normalized("NFC", v) for v in choices.values())
    for m in (s.archive_dir("kep")).rglob("manifest.json"):
        m.rename(m.with_suffix(".moved"))
    assert forms.case_choices(["kep"], s) == choices


@pytest.mark.parametrize("drop_index", [False, True])
def test_cancelled_cases_leave_the_dropdown_ended_ones_are_marked(archive, drop_index):
    """GIVEN one case cancelled and one whose posting ended WHEN the form's case list is read (from the
    index, or walking the tree) THEN the cancelled one is not offered, the ended one says so."""
    s = settings()
    for cid, status in (("20240506-40-qd-ubnd", "cancelled"), ("20240325-15-qd-ubnd", "closed")):
        folder = archive.find_case(cid)
        case = folder.case
        case.status = status
        folder.update_case(case)
    if drop_index:
        shutil.rmtree(s.archive_dir("kep") / ".index")
    choices = forms.case_choices(["kep"], s)
    assert list(choices) == ["20240325-15-qd-ubnd", "20230320-15-qd-ubnd"]
    assert choices["20240325-15-qd-ubnd"].endswith("Dự toán ngân sách năm 2024 (đã hết niêm yết)")
    assert not choices["20230320-15-qd-ubnd"].endswith(")")


def test_case_choices_without_index_walk_the_newest_folders(archive):
    """GIVEN no index (deleted) WHEN the list is read THEN the newest case folders give the same list,
    at most ``limit`` manifests read."""
    s = settings()
    shutil.rmtree(s.archive_dir("kep") / ".index")
    assert [c.case_id for c in forms.recent_cases("kep", s, limit=2)] == ["20240506-40-qd-ubnd", "20240325-15-qd-ubnd"]
    assert list(forms.case_choices(["kep"], s))[0] == "20240506-40-qd-ubnd"
    assert not (s.archive_dir("kep") / ".index").exists()  # reading never builds the index


def test_empty_archive_and_communes_fall_back_to_free_text(tmp_path, monkeypatch):
    """An enum cannot be empty: without cases the case field is free text with the case-id pattern, and
    its description says why."""
    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "empty"))
    assert forms.case_choices(["kep"]) == {}
    p = forms.case_params({})["case_id"]
    assert "enum" not in p.schema and p.schema["pattern"] == forms.CASE_ID_PATTERN
    assert "chưa có hồ sơ nào" in p.description
    assert "enum" not in forms.commune_param({}).schema
    one = forms.commune_param({"kep": "kep — thị trấn Kép"})
    assert one.value == "kep" and one.schema["enum"] == [None, "kep"]


def test_plan_items_types_years():
    items = forms.plan_item_choices(["kep"])
    assert items["Q4-4"].startswith("Q4-4 — ") and len(items["Q4-4"]) > 12
    assert list(items)[:2] == ["1.1", "1.2"]
    from congkhai.intake.parse import DOC_TYPES

    assert forms.doc_type_choices() == list(dict.fromkeys(DOC_TYPES.values()))  # the same list as intake's
    lo, hi = forms.year_bounds(["kep"], TODAY)
    assert (lo, hi) == (2023, 2026)  # plans 2024-2026, and 2023..2025 around "today"
    y = forms.year_param((lo, hi), 1999)
    assert y.schema["minimum"] == 2023 and y.value == 2023


def _check(name, today=TODAY, **p):
    return forms.check_action(name, {"commune": "kep", **p}, today)


def test_check_action_vietnamese_messages(archive):
    """Each wrong form gets one Vietnamese sentence saying what to change."""
    cases = [
        (dict(), "Chưa chọn hồ sơ"),
        (dict(case_id="20240325-15-qd-ubnd", case_other="20240506-40-qd-ubnd"), "Vừa chọn hồ sơ"),
        (dict(case_id="20240325-15-qd-ubnd"), "Chưa ghi ngày niêm yết thực tế"),
        (dict(case_id="20240325-15-qd-ubnd", ngay="2024-12-04"), "Ngày 04/12/2024 chưa đến"),
        (dict(case_id="20240325-15-qd-ubnd", ngay="hôm qua"), "Ngày 'hôm qua' không phải một ngày"),
        (dict(case_other="20240101-khong-co"), "Không có hồ sơ '20240101-khong-co' của kep"),
    ]
    for p, msg in cases:
        with pytest.raises(UsageError) as err:
            _check("record_posting", **p)
        assert err.value.message_vi.startswith(msg), (p, err.value.message_vi)
    with pytest.raises(UsageError, match="^Không có xã 'xyz'"):
        forms.check_action("cancel", {"commune": "xyz", "case_id": "20240325-15-qd-ubnd"}, TODAY)
    with pytest.raises(UsageError, match="^Chưa ghi lý do"):
        _check("cancel", case_id="20240325-15-qd-ubnd", reason="  ")
    with pytest.raises(UsageError, match="^Chưa ghi ý kiến phản hồi"):
        _check("feedback", case_id="20240325-15-qd-ubnd", text="\n \n")
    with pytest.raises(UsageError, match="^Chưa sửa trường nào"):
        _check("correct", case_id="20240325-15-qd-ubnd", subject=" ")
    with pytest.raises(UsageError, match="^Ngày 24/03/2024 trước ngày ban hành văn bản 25/03/2024"):
        _check("record_posting", case_id="20240325-15-qd-ubnd", ngay="2024-03-24")
    with pytest.raises(UsageError, match="^Không có mục 'Q9-9' trong kế hoạch công khai năm 2024"):
        _check("correct", case_id="20240325-15-qd-ubnd", item="Q9-9")
    with pytest.raises(UsageError, match="^Yêu cầu niêm yết ghi tổ dân phố không có trong commune.yaml: tdp42"):
        _check("correct", case_id="20240325-15-qd-ubnd", posting_request='{"places": {"groups": ["tdp42"]}}')


def test_a_document_number_names_its_case(archive):
    """GIVEN a document number typed where a case id goes WHEN checked THEN the message names the case(s)
    holding that number: «Số văn bản 40/QĐ-UBND thuộc hồ sơ 20240506-40-qd-ubnd …; chọn hồ sơ đó»; a
    number of two years names both, newest first; a case id with a wrong date names the right one."""
    with pytest.raises(UsageError) as err:
        _check("cancel", case_other="40/QĐ-UBND", reason="x")
    assert err.value.message_vi.startswith("Số văn bản 40/QĐ-UBND thuộc hồ sơ 20240506-40-qd-ubnd (06/05/2024")
    assert err.value.message_vi.endswith("chọn hồ sơ đó")
    with pytest.raises(UsageError) as err:
        _check("cancel", case_other="số 15/qd-ubnd", reason="x")
    msg = err.value.message_vi
    assert msg.startswith("Số văn bản 15/QĐ-UBND có ở 2 hồ sơ: 20240325-15-qd-ubnd") and "20230320-15-qd-ubnd" in msg
    with pytest.raises(UsageError, match="thuộc hồ sơ 20240506-40-qd-ubnd"):
        _check("cancel", case_other="20240507-40-qd-ubnd", reason="x")


def test_check_action_returns_the_day_and_where_it_came_from(archive):
    """The recorded day is the form's «Ngày», else the trigger day, said so; feedback is one opinion a line."""
    ok = _check("record_posting", case_id="20240325-15-qd-ubnd", ngay="2024-03-26")
    assert ok == {"commune": "kep", "case_id": "20240325-15-qd-ubnd", "posted": "2024-03-26"}
    fb = _check("feedback", case_other=" 20240325-15-qd-ubnd ", text="Ý kiến một\n\n  Ý kiến hai ")
    assert fb["case_id"] == "20240325-15-qd-ubnd"
    assert fb["text"] == "Ý kiến một\nÝ kiến hai" and fb["day"] == "2024-12-03" and fb["day_source"] == "run"
    reg = _check("regenerate", case_id="20240325-15-qd-ubnd", ngay="2024-04-02")
    assert reg["day"] == "2024-04-02" and reg["day_source"] == "form"
    fix = _check("correct", case_id="20240325-15-qd-ubnd", item="Q1-8", subject=None, signer="")
    assert fix["changes"] == {"item": "Q1-8"}


def test_a_case_of_another_commune_is_named(tmp_path, monkeypatch, archive):
    """GIVEN two communes WHEN a case id of one is given with the other THEN the message says whose it is."""
    communes = tmp_path / "communes"
    for code in ("kep", "tan-hoa"):
        (communes / code).mkdir(parents=True)
        shutil.copy(settings().communes_dir / "kep" / "commune.yaml" if code == "kep" else
                    settings().communes_dir / "kep" / "commune.yaml", communes / code / "commune.yaml")
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(communes))
    with pytest.raises(UsageError, match="^Hồ sơ 20240325-15-qd-ubnd thuộc xã kep, không phải tan-hoa"):
        forms.check_action("cancel", {"commune": "tan-hoa", "case_id": "20240325-15-qd-ubnd", "reason": "x"}, TODAY)
    labels = forms.case_choices(["kep", "tan-hoa"])
    assert labels["20240325-15-qd-ubnd"].startswith("[kep] 20240325-15-qd-ubnd — ")


# ------------------------------------------------------------------------------------------ who deletes

@pytest.fixture(scope="module")
def auth_manager(airflow_db):  # the DB: Airflow checks a token against its revoked tokens
    import os

    os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] = "admin:admin,canbo:user"
    from airflow.api_fastapi.app import create_auth_manager

    yield create_auth_manager()
    os.environ.pop("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", None)


@pytest.mark.airflow
def test_simple_auth_manager_user_role_could_delete(auth_manager):
    """Why the guard exists: in Airflow 3.3's SimpleAuthManager the ``user`` role (trigger, answer) is
    also authorized to DELETE a DAG; ``viewer``, the only role below it, cannot trigger."""
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    canbo = SimpleAuthManagerUser(username="canbo", role="user")
    viewer = SimpleAuthManagerUser(username="xem", role="viewer")
    assert auth_manager.is_authorized_dag(method="POST", user=canbo, access_entity=DagAccessEntity.RUN)
    assert auth_manager.is_authorized_dag(method="PUT", user=canbo, access_entity=DagAccessEntity.HITL_DETAIL)
    assert auth_manager.is_authorized_dag(method="DELETE", user=canbo)  # hence the guard
    assert not auth_manager.is_authorized_dag(method="POST", user=viewer, access_entity=DagAccessEntity.RUN)
    from congkhai.airflow.auth import may_delete

    assert not may_delete(canbo) and may_delete(SimpleAuthManagerUser(username="admin", role="admin"))


@pytest.mark.airflow
def test_the_operator_is_refused_deletion(auth_manager):
    """GIVEN the API with the congkhai guard WHEN the operator (role user) deletes a DAG or a run THEN 403
    with a Vietnamese message, while triggering still works; the admin deletes; no token: Airflow decides."""
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from congkhai.airflow.auth import DeleteGuard

    app = FastAPI()

    @app.delete("/api/v2/dags/{dag_id}", status_code=204)
    def delete_dag(dag_id: str) -> None:
        return None

    @app.delete("/api/v2/dags/{dag_id}/dagRuns/{run_id}", status_code=204)
    def delete_run(dag_id: str, run_id: str) -> None:
        return None

    @app.post("/api/v2/dags/{dag_id}/dagRuns")
    def trigger(dag_id: str) -> dict:
        return {"dag_id": dag_id}

    app.add_middleware(DeleteGuard)
    client = TestClient(app)
    canbo = auth_manager.generate_jwt(SimpleAuthManagerUser(username="canbo", role="user"))
    admin = auth_manager.generate_jwt(SimpleAuthManagerUser(username="admin", role="admin"))

    r = client.delete("/api/v2/dags/congkhai_action_cancel", headers={"Authorization": f"Bearer {canbo}"})
    assert r.status_code == 403 and r.json()["detail"].startswith("Chỉ quản trị viên (admin) được xóa DAG")
    r = client.delete("/api/v2/dags/congkhai_evidence/dagRuns/kep__x", cookies={"_token": canbo})
    assert r.status_code == 403
    assert client.post("/api/v2/dags/congkhai_action_cancel/dagRuns",
                       headers={"Authorization": f"Bearer {canbo}"}).status_code == 200
    assert client.delete("/api/v2/dags/x", headers={"Authorization": f"Bearer {admin}"}).status_code == 204
    assert client.delete("/api/v2/dags/x").status_code == 204  # no token: left to Airflow's own security


@pytest.mark.airflow
def test_the_airflow_api_installs_the_guard(auth_manager):
    """GIVEN Airflow's own API app, built with the repository's plugins folder WHEN the operator deletes a DAG
    through it THEN the congkhai plugin's guard answers 403 (the plugin registered it); reading still works."""
    from airflow.api_fastapi.app import create_app
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    client = TestClient(create_app())
    canbo = {"Authorization": "Bearer " + auth_manager.generate_jwt(SimpleAuthManagerUser(username="canbo",
                                                                                         role="user"))}
    r = client.delete("/api/v2/dags/congkhai_action_cancel", headers=canbo)
    assert r.status_code == 403 and "Chỉ quản trị viên (admin)" in r.json()["detail"]
    assert client.get("/api/v2/dags", headers=canbo).status_code == 200
