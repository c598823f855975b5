"""The "Công khai" cockpit page (FastAPI TestClient): Airflow's login, the archive page's security promises,
Vietnamese errors, and what it shows — today's work, the timeline, a case with its actions and documents.

The archive is the real one of ``tests/cockpit_support.py`` (six cases of Kép issued and answered by the
pipeline); ``tests/test_cockpit_browser.py`` walks the same page in a real Chromium inside Airflow's UI.
"""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from congkhai.cockpit import status as st
from congkhai.cockpit.webapp import MOUNT, create_app
from tests.cockpit_support import (
    CANCELLED,
    ENDED,
    LATE,
    ON,
    PENDING,
    POSTING,
    WAITING,
    cockpit_archive,
    commune_run,
)

pytestmark = pytest.mark.slow

HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built():
    return cockpit_archive()


@pytest.fixture
def client(built, monkeypatch) -> TestClient:
    for k, v in built.env().items():
        monkeypatch.setenv(k, v)
    # Mounted as the plugin mounts it: links are made from the request's root path.
    return TestClient(create_app(built.archive, require_login=False), root_path=MOUNT)


def assert_headers(r: Any, what: object) -> None:
    for h in HEADERS:
        assert h in r.headers, (what, h, r.status_code)
    assert r.headers["x-content-type-options"] == "nosniff", what
    assert r.headers["x-frame-options"] == "SAMEORIGIN", what
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "base-uri 'none'" in csp and "unsafe-" not in csp, what


def text_of(markup: str) -> str:
    """What a person reads: the page without its tags, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def no_inline_script_or_style(text: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)  # every script is a file
    assert "<style" not in text and "style=" not in text and not re.search(r"\son[a-z]+=", text)


@pytest.mark.airflow
def test_login_is_airflow_s(built, monkeypatch, airflow_db: object) -> None:
    """GIVEN the app behind Airflow's auth manager WHEN called without a session THEN 401 (a browser: sent to
    Airflow's login and back); with an operator's token (bearer or the UI's cookie) THEN the page."""
    from airflow.api_fastapi.app import create_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    for k, v in built.env().items():
        monkeypatch.setenv(k, v)
    c = TestClient(create_app(built.archive))
    for url in ("/", f"/case/{PENDING}", "/api/status?on=2024-04-02", "/static/cockpit.js"):
        r = c.get(url)
        assert r.status_code == 401, url
        assert_headers(r, url)
    r = c.get("/", params={"on": "2024-04-02"}, headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/auth/login?next=")
    assert c.get("/", headers={"Authorization": "Bearer not-a-token"}).status_code == 403
    token = create_auth_manager().generate_jwt(SimpleAuthManagerUser(username="admin", role="admin"))
    ok = c.get("/", params={"on": "2024-04-02"}, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and "15/QĐ-UBND" in ok.text
    c.cookies.set("_token", token)
    assert c.get(f"/case/{PENDING}", params={"on": "2024-04-02"}).status_code == 200


def test_the_page_lists_today_s_work_and_the_cases(client: TestClient) -> None:
    """GIVEN 02/04/2024 WHEN the page opens (no commune given: the first configured one with cases, Kép) THEN
    the actions waiting, overdue ones in red with their days late and a button to the case's Airflow required
    action; the late cases; the radio; every active case, the finished ones folded."""
    r = client.get("/", params={"on": "2024-04-02"})
    assert r.status_code == 200
    assert_headers(r, "index")
    no_inline_script_or_style(r.text)
    page = text_of(r.text)
    assert "Việc ngày 02/04/2024" in page and "thị trấn Kép" in page
    assert "<option value=\"kep\" selected>Thị trấn Kép</option>" in r.text and 'value="demo-xa"' in r.text
    overdue = re.findall(r'<li class="overdue">(.*?)</li>', r.text, re.S)
    assert "Xác nhận phát thanh" in overdue[0] and "Trễ 4 ngày" in overdue[0]
    assert "Xác nhận niêm yết" in overdue[1] and "Trễ 1 ngày" in overdue[1]
    run_url = "/dags/congkhai_evidence/runs/kep__20240325-15-qd-ubnd"
    assert f'href="{run_url}/tasks/ask_broadcast/required_actions"' in overdue[0]
    assert "Phát thanh trên đài (1)" in page and "Trễ hạn (2)" in page
    assert "Hồ sơ đang xử lý (4)" in page and "Đã kết thúc hoặc đã hủy (2)" in page
    for cid in (PENDING, ENDED, LATE, WAITING, POSTING, CANCELLED):
        assert f'data-copy="{cid}"' in r.text, cid
    # A subject is text, never markup (autoescape).
    assert "năm 2024 &amp; &lt;mục tiêu&gt;" in r.text and "<mục tiêu>" not in r.text


def test_the_timeline_is_an_accessible_svg(client: TestClient) -> None:
    """One row per place with text labels, a bar per posting linking to its case, late ones in red, the day
    marked; a title and a description; the same as a list for screen readers and phones."""
    r = client.get("/", params={"on": "2024-04-02"})
    svgs = re.findall(r"<svg class=\"tl tl-(\w+)\".*?</svg>", r.text, re.S)
    assert svgs == ["wide", "narrow"]
    wide = re.search(r"<svg class=\"tl tl-wide\".*?</svg>", r.text, re.S).group(0)
    assert 'role="img"' in wide and "<title id=\"tl-title-wide\">Lịch công khai tháng 4/2024</title>" in wide
    assert "<desc" in wide and ">Trụ sở UBND</text>" in wide and ">Tổ dân phố số 10</text>" in wide
    assert ">Đài truyền thanh thị trấn Kép</text>" in wide
    assert '<line class="today"' in wide and 'class="day on"' in wide
    late_bars = re.findall(r'<rect class="bar late"[^>]*><title>([^<]*)</title>', wide)
    assert late_bars and all("Trễ hạn" in html.unescape(t) for t in late_bars)
    assert any(html.unescape(t).startswith("15/QĐ-UBND") for t in late_bars)
    assert f'href="{MOUNT}/case/{PENDING}?commune=kep&amp;on=2024-04-02"' in wide
    assert "Xem dạng danh sách" in r.text
    other = client.get("/", params={"on": "2024-04-02", "month": "2024-02"})
    assert "Lịch công khai tháng 2/2024" in other.text and '<line class="today"' not in other.text


def test_a_case_page(client: TestClient, built) -> None:
    """A case: its id to copy, its schedule, its required actions (answered or not) as Airflow links, its
    documents with their state and links the archive page serves, who recorded what and when, its history."""
    r = client.get(f"/case/{POSTING}", params={"commune": "kep", "on": "2024-04-02"})
    assert r.status_code == 200
    assert_headers(r, "case")
    no_inline_script_or_style(r.text)
    page = html.unescape(r.text)
    assert f'data-copy="{POSTING}"' in r.text and "Sao chép mã hồ sơ" in page
    words = text_of(r.text)
    assert "Đang công khai" in page and "18/03/2024 – 17/04/2024" in page and "(ngày đã ghi nhận)" in page
    run_url = "/dags/congkhai_evidence/runs/kep__20240315-12-qd-ubnd"
    assert f'href="{run_url}/tasks/ask_posting"' in r.text  # answered: its task (Clear to answer again)
    assert f'href="{run_url}/tasks/ask_numbers/required_actions"' in r.text  # asked: the required action
    assert f'href="{run_url}/tasks/ask_end"' in r.text and "hỏi từ ngày 17/04/2024" in page  # not asked yet
    assert 'href="/dags/congkhai_action_feedback"' in r.text
    # Documents: the posting minutes of TDP 1 are finals (posted there), those of TDP 3 drafts.
    rows = {html.unescape(label).strip(): row for row in re.findall(r"<tr>(.*?)</tr>", r.text, re.S)
            if (label := re.match(r"\s*<td>([^<]*)", row) and re.match(r"\s*<td>([^<]*)", row).group(1))}
    tdp1 = next(v for k, v in rows.items() if k.endswith("Tổ dân phố số 1"))
    tdp3 = next(v for k, v in rows.items() if k.endswith("Tổ dân phố số 3"))
    assert "Chính thức" in tdp1 and "bản 2" in tdp1 and "Dự thảo" in tdp3 and "bản 1" in tdp3
    views = re.findall(r'href="(/congkhai/view/[^"]+)"', r.text)
    assert views and all(v.endswith(".pdf") for v in views)
    # Every link to the archive page is a file the archive page serves.
    from congkhai.archive.webapp import create_app as archive_app

    archive = TestClient(archive_app(built.archive, require_login=False, communes=["kep"]))
    assert archive.get(unquote(views[1]).removeprefix("/congkhai")).status_code == 200
    download = re.search(r'href="/congkhai/(files/[^"]+\.docx)\?download=1"', r.text).group(1)
    assert archive.get("/" + unquote(download), params={"download": 1}).status_code == 200
    # What people recorded, by whom and when; the history.
    assert "Xác nhận niêm yết — admin, lúc 08:05 18/03/2024" in words
    assert "Nơi niêm yết: bảng tin UBND và Tổ dân phố số 1, Tổ dân phố số 2" in words
    assert "Ghi nhận bằng chứng admin Xác nhận niêm yết" in words and "Lập lịch công khai" in words


def test_late_and_cancelled_cases_say_so(client: TestClient) -> None:
    late = text_of(client.get(f"/case/{LATE}", params={"commune": "kep", "on": "2024-04-02"}).text)
    assert "Trễ hạn · trễ 2 ngày" in late and "Niêm yết ngày 20/03/2024, sau hạn công khai 18/03/2024" in late
    assert "Trễ 2 ngày làm việc" in late
    cancelled = text_of(client.get(f"/case/{CANCELLED}", params={"commune": "kep", "on": "2024-04-02"}).text)
    assert "Đã hủy" in cancelled and "Hồ sơ đã hủy: không còn việc nào." in cancelled
    assert "Văn bản thả nhầm, đã có bản đúng" in cancelled


def test_unknown_commune_case_and_bad_input_in_vietnamese(client: TestClient) -> None:
    """An unknown commune or case: 404; a bad day or month: 400; in Vietnamese, an HTML page for the pages
    and JSON for the API, the headers on every answer, never a 500."""
    cases = [
        ("/?commune=khong-co", 404, "html", "Không có xã/thị trấn “khong-co”"),
        ("/?commune=..%2Fkep", 404, "html", "Không có xã/thị trấn"),
        ("/?commune=a%00b", 404, "html", "Không có xã/thị trấn “ab”"),
        ("/api/status?commune=khong-co", 404, "json", "Không có xã/thị trấn"),
        (f"/case/{PENDING}?commune=khong-co", 404, "html", "Không có xã/thị trấn"),
        ("/case/20240101-99-qd-ubnd?commune=kep", 404, "html", "Không có hồ sơ “20240101-99-qd-ubnd”"),
        ("/case/..%2F..%2Fetc?commune=kep", 404, "html", "Không"),
        ("/case/x?commune=kep", 404, "html", "Không có hồ sơ này"),
        ("/?on=2024-02-30", 400, "html", "Ngày không hợp lệ"),
        ("/?on=31/13/2024", 400, "html", "Ngày không hợp lệ"),
        ("/?on=99999-01-01", 400, "html", "Ngày không hợp lệ"),
        ("/?on=1800-01-01", 400, "html", "ngoài khoảng"),
        ("/?on=2024%00-01-01", 400, "html", "Ngày không hợp lệ"),
        ("/?month=2024-13", 400, "html", "Tháng không hợp lệ"),
        ("/api/status?on=abc", 400, "json", "Ngày không hợp lệ"),
        ("/static/../webapp.py", 404, "json", "Không"),
        ("/static/secret.txt", 404, "json", "Không có tệp này"),
    ]
    for url, status, kind, words in cases:
        r = client.get(url, headers={"Accept": "text/html"} if kind == "html" else {})
        assert r.status_code == status, (url, r.status_code, r.text[:300])
        assert_headers(r, url)
        text = r.json()["detail"] if kind == "json" else html.unescape(r.text)
        assert words in text, (url, text[:500])
        assert "Traceback" not in r.text


def test_the_api_is_the_cli_s_json_and_the_files(client: TestClient, built, monkeypatch) -> None:
    r = client.get("/api/status", params={"commune": "kep", "on": "2024-04-02"})
    assert r.status_code == 200
    assert r.json() == st.status_report(commune_run(built, monkeypatch), ON)
    css, js, icon = (client.get(f"/static/{n}") for n in ("cockpit.css", "cockpit.js", "icon.svg"))
    assert css.headers["content-type"].startswith("text/css") and "svg.tl" in css.text
    assert js.headers["content-type"].startswith("text/javascript") and "data-copy" in js.text
    assert "eval(" not in js.text and "innerHTML" not in js.text
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/icon.svg").status_code == 200
    for r in (css, js, icon):
        assert_headers(r, r.url)


def test_links_follow_airflow_s_base_path(built, monkeypatch) -> None:
    """Airflow served under a sub-path: its UI, the archive page and this page's own links keep the prefix."""
    for k, v in built.env().items():
        monkeypatch.setenv(k, v)
    c = TestClient(create_app(built.archive, require_login=False), root_path="/airflow" + MOUNT)
    text = c.get(f"/case/{PENDING}", params={"commune": "kep", "on": "2024-04-02"}).text
    assert 'href="/airflow/dags/congkhai_evidence/runs/kep__20240325-15-qd-ubnd/tasks/ask_posting/' \
           'required_actions"' in text
    assert 'href="/airflow/congkhai/view/kep/2024/03/25/' in text
    assert f'src="/airflow{MOUNT}/static/cockpit.js"' in text


def test_the_plugin_registers_the_cockpit_and_its_nav_link() -> None:
    """The Airflow plugin mounts the cockpit at its own prefix (before the archive page) with a nav link
    "Công khai" framed at /plugin/cong-khai, next to "Lưu trữ" (the archive page)."""
    spec = importlib.util.spec_from_file_location("congkhai_airflow_under_test",
                                                  REPO / "plugins" / "congkhai_airflow.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    plugin = module.CongkhaiPlugin
    assert [a["url_prefix"] for a in plugin.fastapi_apps] == [MOUNT, "/congkhai"]
    nav = {v["name"]: v for v in plugin.external_views}
    assert nav["Công khai"] == {"name": "Công khai", "href": f"{MOUNT}/", "destination": "nav",
                                "url_route": "cong-khai", "icon": f"{MOUNT}/icon.svg", "nav_top_level": True}
    assert nav["Lưu trữ"]["href"] == "/congkhai/" and nav["Lưu trữ"]["nav_top_level"]
