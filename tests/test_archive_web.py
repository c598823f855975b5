"""The "Lưu trữ công khai" plugin app: login required (401 without, 200 with an Airflow JWT), calendar/search pages, files only from the archive.

(The real-Chromium walk-through of the issue is not written yet; these use FastAPI's TestClient.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from congkhai.archive.webapp import create_app
from fastapi.testclient import TestClient

from tests.archive_support import populate, sample_files


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("web")
    populate(tmp / "archive", sample_files(tmp / "src"))
    (tmp / "secret.txt").write_text("bí mật", encoding="utf-8")
    return tmp / "archive"


@pytest.fixture(scope="module")
def client(root: Path) -> TestClient:
    return TestClient(create_app(root, require_login=False))


@pytest.mark.airflow
def test_unauthenticated_requests_get_401(root: Path, airflow_db: object) -> None:
    c = TestClient(create_app(root))
    for url in ("/", "/api/find?text=ho+ngheo", "/files/kep/2024/00_ca-nam/manifest.json"):
        assert c.get(url).status_code == 401, url
    from airflow.api_fastapi.app import create_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    am = create_auth_manager()
    assert c.get("/", headers={"Authorization": "Bearer not-a-token"}).status_code == 403
    token = am.generate_jwt(SimpleAuthManagerUser(username="admin", role="admin"))
    ok = c.get("/", params={"text": "ho ngheo"}, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and "hộ nghèo" in ok.text
    assert c.get("/", params={"text": "ho ngheo"}, cookies={"_token": token}).status_code == 200


def test_day_page_and_search_without_diacritics(client: TestClient) -> None:
    r = client.get("/", params={"year": 2024, "month": 3, "day": 6})
    assert r.status_code == 200 and "Ngày 06/03/2024" in r.text
    assert "Đầu tư đường giao thông tổ dân phố Đồng Quan" in r.text
    assert "Phê duyệt danh sách hộ nghèo" in r.text  # its end minute is dated that day
    r = client.get("/", params={"text": "ho ngheo"})
    assert "1 kết quả" in r.text and "thumb/kep/2024/02/02/" in r.text
    assert client.get("/api/find", params={"text": "dong quan", "commune": "kep"}).json()[0]["case_id"]
    assert client.get("/api/find", params={"on": "bad"}).status_code == 400


def test_pdf_and_thumbnail_are_served(client: TestClient) -> None:
    (res,) = client.get("/api/find", params={"kind": "quarterly_list"}).json()
    pdf = res["files"][0]["path"]
    r = client.get(f"/files/{pdf}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-") and r.headers["content-type"] == "application/pdf"
    assert client.get(f"/files/{pdf}", params={"download": 1}).headers["content-disposition"].startswith("attachment")
    t = client.get(f"/thumb/{pdf}")
    assert t.status_code == 200 and t.content.startswith(b"\x89PNG")


def test_file_serving_cannot_escape_the_archive(client: TestClient, root: Path) -> None:
    os.symlink(root.parent / "secret.txt", root / "kep" / "2024" / "lien-ket.txt")
    for rel in ("../secret.txt", "kep/../../secret.txt", "%2e%2e/secret.txt", "kep/2024/lien-ket.txt",
                "kep/.index/index.sqlite", "kep", "/etc/passwd", "kep/2024/00_ca-nam/khong-co.pdf"):
        r = client.get(f"/files/{rel}")
        assert r.status_code == 404, (rel, r.status_code)
        assert "bí mật" not in r.text
