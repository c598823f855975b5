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
    """A day of the calendar lists the cases issued that day (the date the cards show), not the case
    whose end minute is dated that day (issue 16, finding 7); search finds by PDF text too."""
    r = client.get("/", params={"year": 2024, "month": 3, "day": 6})
    assert r.status_code == 200 and "Ngày 06/03/2024" in r.text and "1 hồ sơ" in r.text
    assert "Đầu tư đường giao thông tổ dân phố Đồng Quan" in r.text
    assert "Phê duyệt danh sách hộ nghèo" not in r.text
    r = client.get("/", params={"text": "ho ngheo"})
    assert "1 kết quả" in r.text and "thumb/kep/2024/02/02/" in r.text
    assert client.get("/api/find", params={"text": "dong quan", "commune": "kep"}).json()[0]["case_id"]
    assert client.get("/api/find", params={"on": "bad"}).status_code == 400


def test_calendar_counts_cases_by_issue_date_and_says_so(client: TestClient) -> None:
    r = client.get("/", params={"year": 2024, "month": 3})
    assert "<h2>Tháng 3/2024</h2>" in r.text and "1 hồ sơ" in r.text
    assert 'href="?commune=kep&amp;year=2024&amp;month=3&amp;day=6"' in r.text  # a day with a case
    assert "day=7" not in r.text  # a day without cases is not a link
    assert "Th 2<small>1 hồ sơ</small>" in r.text and "văn bản</small>" not in r.text
    first = client.get("/")  # no choice yet: the latest month that has cases (03/2024)
    assert "<h2>Tháng 3/2024</h2>" in first.text
    assert ">2023</a>" in first.text and ">2024</a>" in first.text  # the years of the archive


def test_a_year_without_cases_says_so(client: TestClient) -> None:
    """GIVEN a year with no documents WHEN chosen THEN the page says so, it does not list the whole archive."""
    r = client.get("/", params={"year": 2025})
    assert r.status_code == 200 and "Năm 2025: chưa có hồ sơ nào." in r.text and 'class="res"' not in r.text
    assert "Năm 2025 chưa có hồ sơ nào." in r.text  # beside the calendar too
    r = client.get("/", params={"year": 2023})  # a year without a month: its cases
    assert "<h2>Năm 2023</h2>" in r.text and r.text.count('class="res"') == 1


def test_range_in_vietnamese_dates_per_year_documents_and_errors(client: TestClient) -> None:
    r = client.get("/", params={"from": "29/12/2023", "to": "10/1/2024"})
    assert "Ban hành từ ngày 29/12/2023 đến ngày 10/01/2024" in r.text and "2 kết quả" in r.text
    assert client.get("/", params={"from": "2023-12-29", "to": "2024-01-10"}).text.count('class="res"') == 2
    r = client.get("/", params={"year": 2024, "ca_nam": 1})
    assert "Văn bản cả năm 2024" in r.text and "1 kết quả" in r.text and "Danh mục thông tin" in r.text
    for bad in ({"from": "31/02/2024"}, {"from": "2024-03-01", "to": "2024-02-01"}, {"state": "x"}):
        r = client.get("/", params=bad)
        assert r.status_code == 200 and 'class="err"' in r.text, bad
    r = client.get("/", params={"commune": "khong-co"})  # not a configured commune
    assert r.status_code == 404 and "Không có xã/thị trấn “khong-co”" in r.text and 'class="err"' in r.text


def test_bad_numbers_are_told_in_vietnamese(client: TestClient) -> None:
    """``month=13`` (issue 16, finding 10): a Vietnamese page naming the field for a browser, JSON with a
    Vietnamese detail for the API."""
    r = client.get("/", params={"month": 13}, headers={"Accept": "text/html"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "Giá trị không hợp lệ: tháng (1–12)" in r.text
    r = client.get("/api/find", params={"limit": "abc"})
    assert r.status_code == 400 and r.json()["detail"].startswith("Giá trị không hợp lệ: số kết quả")


def test_filters_by_item_kind_state_and_dates(client: TestClient) -> None:
    """The filters (issue 16, finding 8): plan item (shown with its title from the plan), kind, state."""
    r = client.get("/", params={"item": "Q1-7"})
    assert r.text.count('class="res"') == 1 and "hộ nghèo" in r.text
    assert '<option value="Q1-7" selected>Q1-7 — ' in r.text  # the code and its title
    r = client.get("/", params={"kind": "posting_end"})
    assert r.text.count('class="res"') == 1 and "Biên bản kết thúc" in r.text
    r = client.get("/", params={"state": "draft", "from": "01/02/2024", "to": "29/02/2024"})
    assert r.text.count('class="res"') == 1 and "Dự thảo" in r.text
    assert client.get("/", params={"state": "signed"}).text.count('class="res"') == 0


def test_cards_show_item_title_case_id_numbers_and_snippet(client: TestClient) -> None:
    """A card (issue 16, finding 9): the plan item with its title, the case id to copy, each generated
    document's number and date as recorded, and the snippet of the match with the words marked."""
    r = client.get("/", params={"text": "ho ngheo"}).text
    assert "Mục Q1-7 — " in r
    assert '<code id="id-20240202-15-qd-ubnd">20240202-15-qd-ubnd</code>' in r and 'data-copy="id-20240202' in r
    assert "Số 05/BB-UBND · 05/02/2024" in r  # the posting minute, as filed
    assert '<p class="snippet"><small>Trong văn bản gốc:</small>' in r and "<mark>hộ</mark> <mark>nghèo</mark>" in r
    assert "Tải TXT" not in r


def test_opens_on_a_commune_that_has_cases(root: Path) -> None:
    """GIVEN two configured communes, the first with an empty tree (``demo-xa``) WHEN the page opens THEN
    it shows the one with cases (issue 16, finding 4)."""
    from congkhai.archive import Archive

    Archive(root, "a-empty").year_folder(2024)  # a tree with no case
    c = TestClient(create_app(root, require_login=False, communes=["a-empty", "kep"]))
    r = c.get("/")
    assert 'class="on" href="?commune=kep"' in r.text and "<h2>Tháng 3/2024</h2>" in r.text


def test_paging_reports_the_total(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from congkhai.archive import webapp

    monkeypatch.setattr(webapp, "PAGE_SIZE", 2)
    r = client.get("/", params={"from": "2023-01-01", "to": "2024-12-31"})
    assert "5 kết quả · hiển thị 1–2" in r.text and "Trang 1/3" in r.text and "page=2" in r.text
    r = client.get("/", params={"from": "2023-01-01", "to": "2024-12-31", "page": 3})
    assert "hiển thị 5–5" in r.text and r.text.count('class="res"') == 1 and "Trang sau" not in r.text
    api = client.get("/api/find", params={"limit": 2, "offset": 1})
    assert len(api.json()) == 2 and api.headers["x-total-count"] == "5"


def test_pdf_viewer_shows_pages_and_offers_the_download(client: TestClient) -> None:
    (res,) = client.get("/api/find", params={"text": "ho ngheo"}).json()
    pdf = next(f["path"] for f in res["files"] if f["kind"] == "original")
    page = client.get("/", params={"text": "ho ngheo"}).text
    assert f"view/{pdf}" in page and "_blank" not in page  # Airflow's frame allows no pop-ups
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
