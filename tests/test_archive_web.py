"""The "Lưu trữ công khai" plugin app: login required (401 without, a browser sent to the login,
200 with an Airflow JWT), calendar/search/range pages with paging, the PDF viewer, files only from
the archive.

These use FastAPI's TestClient; tests/test_archive_browser.py walks the same page in a real
Chromium inside the real Airflow UI.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from congkhai.archive.webapp import create_app
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
    c.cookies.set("_token", token)
    assert c.get("/", params={"text": "ho ngheo"}).status_code == 200
    c.cookies.clear()
    # A browser (it accepts HTML) with no session is sent to Airflow's login, and back here after.
    r = c.get("/", params={"text": "ho ngheo"}, headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/auth/login?next=")
    assert "ho+ngheo" in r.headers["location"] or "ho%2Bngheo" in r.headers["location"]


def test_day_page_and_search_without_diacritics(client: TestClient) -> None:
    r = client.get("/", params={"year": 2024, "month": 3, "day": 6})
    assert r.status_code == 200 and "Ngày 06/03/2024" in r.text
    assert "Đầu tư đường giao thông tổ dân phố Đồng Quan" in r.text
    assert "Phê duyệt danh sách hộ nghèo" in r.text  # its end minute is dated that day
    r = client.get("/", params={"text": "ho ngheo"})
    assert "1 kết quả" in r.text and "thumb/kep/2024/02/02/" in r.text
    assert client.get("/api/find", params={"text": "dong quan", "commune": "kep"}).json()[0]["case_id"]
    assert client.get("/api/find", params={"on": "bad"}).status_code == 400


def test_calendar_marks_days_and_months_that_have_documents(client: TestClient) -> None:
    r = client.get("/", params={"year": 2024, "month": 3})
    assert "Tháng 3/2024" in r.text
    assert "href='?commune=kep&amp;year=2024&amp;month=3&amp;day=6'" in r.text  # a day with documents
    assert "day=7'" not in r.text  # a day without documents is not a link
    first = client.get("/")  # no choice yet: the latest month that has something (04/2024)
    assert "<h2>Tháng 4/2024</h2>" in first.text and "quý I năm 2024" in first.text
    assert "2023</a>" in first.text and "2024</a>" in first.text  # the years of the archive


def test_range_in_vietnamese_dates_per_year_documents_and_errors(client: TestClient) -> None:
    r = client.get("/", params={"from": "29/12/2023", "to": "10/1/2024"})
    assert "Từ ngày 29/12/2023 đến ngày 10/01/2024" in r.text and "2 kết quả" in r.text
    assert client.get("/", params={"from": "2023-12-29", "to": "2024-01-10"}).text.count("class='res'") == 2
    r = client.get("/", params={"year": 2024, "ca_nam": 1})
    assert "Văn bản cả năm 2024" in r.text and "1 kết quả" in r.text and "Danh mục thông tin" in r.text
    for bad in ({"from": "31/02/2024"}, {"from": "2024-03-01", "to": "2024-02-01"}):
        r = client.get("/", params=bad)
        assert r.status_code == 200 and "class='err'" in r.text, bad
    r = client.get("/", params={"commune": "khong-co"})  # not a configured commune
    assert r.status_code == 404 and "Không có xã/thị trấn “khong-co”" in r.text and "class='err'" in r.text


def test_paging_reports_the_total(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from congkhai.archive import webapp

    monkeypatch.setattr(webapp, "PAGE_SIZE", 2)
    r = client.get("/", params={"from": "2023-01-01", "to": "2024-12-31"})
    assert "5 kết quả · hiển thị 1–2" in r.text and "Trang 1/3" in r.text and "page=2" in r.text
    r = client.get("/", params={"from": "2023-01-01", "to": "2024-12-31", "page": 3})
    assert "hiển thị 5–5" in r.text and r.text.count("class='res'") == 1 and "Trang sau" not in r.text
    api = client.get("/api/find", params={"limit": 2, "offset": 1})
    assert len(api.json()) == 2 and api.headers["x-total-count"] == "5"


def test_pdf_viewer_shows_pages_and_offers_the_download(client: TestClient) -> None:
    (res,) = client.get("/api/find", params={"text": "ho ngheo"}).json()
    pdf = next(f["path"] for f in res["files"] if f["kind"] == "original")
    page = client.get("/", params={"text": "ho ngheo"}).text
    assert f"view/{pdf}" in page and "target='_blank'" not in page  # Airflow's frame allows no pop-ups
    v = client.get(f"/view/{pdf}")
    assert v.status_code == 200 and "Văn bản gốc" in v.text and "Trang 1/1" in v.text
    assert f"/files/{pdf}?download=1" in v.text
    img = client.get(f"/page/{pdf}", params={"n": 1})
    assert img.status_code == 200 and img.content.startswith(b"\x89PNG")
    assert client.get(f"/page/{pdf}", params={"n": 9}).status_code == 404  # no such page
    assert client.get("/view/kep/2024/00_ca-nam/manifest.json").status_code == 404
    assert client.get("/view/../secret.txt").status_code == 404


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
        for route in ("files", "thumb", "view", "page"):
            r = client.get(f"/{route}/{rel}")
            assert r.status_code == 404, (route, rel, r.status_code)
            assert "bí mật" not in r.text
