"""The "Lưu trữ công khai" page inside the real Airflow UI, driven by a real headless Chromium.

A module fixture starts Airflow's api-server (the component that serves the UI, the login and the
plugin's FastAPI app; the scheduler and friends play no part in this page) with a private
AIRFLOW_HOME, a fixed admin password and CONGKHAI_ARCHIVE pointing at the small sample archive of
``tests/archive_support.py``. Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright
(``pip install playwright``; never ``playwright install``). The walk-through: an unauthenticated
visitor is refused (401 for the API and files, the login page for a browser); log in; the nav link
"Lưu trữ" frames the page; year → month → day; filters; a search without diacritics with its snippet; a thumbnail;
a PDF shown and downloaded (in the frame); and a screenshot (kept in ``CONGKHAI_UI_SCREENSHOT`` when set, e.g.
``docs/archive-ui.png``; otherwise in the test's temp dir). At 390 px: no sideways scroll, alone and in the
frame (screenshot in ``CONGKHAI_UI_SCREENSHOT_390``).

Port: ``CONGKHAI_BROWSER_TEST_PORT`` (default 8097).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.archive_support import populate, sample_files

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "luu-tru-cong-khai-8097"
PORT = int(os.environ.get("CONGKHAI_BROWSER_TEST_PORT", "8097"))
BASE = f"http://127.0.0.1:{PORT}"

if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium: install the Debian package `chromium` (apt-get install -y chromium)",
                allow_module_level=True)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return 0


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path | str]]:
    """Airflow's api-server on ``PORT`` with the congkhai plugin and a sample archive; stopped after."""
    tmp = tmp_path_factory.mktemp("browser")
    archive = tmp / "archive"
    populate(archive, sample_files(tmp / "src"))
    home, dags = tmp / "airflow", tmp / "dags"
    home.mkdir()
    dags.mkdir()
    (home / "passwords.json").write_text(json.dumps({"admin": PASSWORD}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CONGKHAI_"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(PORT),
        "AIRFLOW__API__BASE_URL": BASE,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "9093",
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "9094",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "browser-test-" + "s" * 64,
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "CONGKHAI_ARCHIVE": str(archive),
        "CONGKHAI_DATA": str(tmp / "data"),
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
    })
    assert _status(f"{BASE}/api/v2/monitor/health") == 0, f"port {PORT} is taken (CONGKHAI_BROWSER_TEST_PORT)"
    subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=env, check=True, capture_output=True, timeout=180)
    log = open(tmp / "api-server.log", "wb")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen([str(BIN / "airflow"), "api-server", "--port", str(PORT)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    try:
        deadline = time.monotonic() + 120
        while _status(f"{BASE}/api/v2/monitor/health") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("api-server did not start:\n" + (tmp / "api-server.log").read_text(errors="replace")[-3000:])
            time.sleep(0.5)
        yield {"archive": archive, "tmp": tmp}
    finally:
        # Our own process group only (start_new_session): the api-server and its uvicorn worker.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(airflow: dict) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def test_unauthenticated_requests_are_refused(airflow: dict, browser: object) -> None:
    """No session: the API and the files answer 401; a browser opening the page is sent to the login."""
    for path in ("/congkhai/api/find?text=ho+ngheo", "/congkhai/files/kep/2024/00_ca-nam/manifest.json",
                 "/congkhai/"):
        assert _status(BASE + path) == 401, path
    ctx = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = ctx.new_page()
        r = ctx.request.get(f"{BASE}/congkhai/api/find?text=ho+ngheo")
        assert r.status == 401
        page.goto(f"{BASE}/congkhai/?text=ho+ngheo")
        page.wait_for_url("**/auth/login**")
        assert "next=" in page.url and "hộ nghèo" not in page.content()
    finally:
        ctx.close()


def test_log_in_browse_search_open_a_pdf(airflow: dict, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # Airflow's UI may load its translations and plugin links late under load

    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")  # type: ignore[attr-defined]
    ctx.set_default_timeout(30_000)
    try:
        page = ctx.new_page()
        # The page's Content-Security-Policy must not block anything it uses (scripts, styles, images).
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{BASE}/")
        page.wait_for_url("**/auth/login**")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")

        # The nav link of the plugin (external_views, a short name), and the page framed by Airflow's UI.
        link = page.get_by_role("link", name="Lưu trữ", exact=True)
        expect(link).to_be_visible()
        link.click()
        page.wait_for_url("**/plugin/luu-tru")
        frame = page.frame_locator("iframe").first
        expect(frame.locator("h1")).to_have_text("Lưu trữ công khai")
        # It opens on the latest month that has cases.
        expect(frame.locator("main h2")).to_have_text("Tháng 3/2024")

        # Browse: year -> month -> day. 06/03/2024: the road case issued that day (the poverty case, whose
        # end minute is dated that day, is under its own issue date: one date for calendar and cards).
        frame.locator(".years").get_by_role("link", name="2024").click()
        frame.locator(".months a", has_text="Th 3").click()
        expect(frame.locator("main h2")).to_have_text("Tháng 3/2024")
        expect(frame.locator(".months a", has_text="Th 2")).to_contain_text("1 hồ sơ")
        frame.locator("table.cal").get_by_role("link", name="6", exact=True).click()
        expect(frame.locator("main h2")).to_have_text("Ngày 06/03/2024")
        subjects = frame.locator(".res .subject")
        expect(subjects).to_have_text(["Đầu tư đường giao thông tổ dân phố Đồng Quan"])

        # Filters: the plan item with its title, the state.
        frame.locator("form.filters select[name=item]").select_option("Q1-7")
        frame.locator("form.filters button").click()
        expect(subjects).to_have_text(["Phê duyệt danh sách hộ nghèo, hộ cận nghèo năm 2024"])
        frame.locator("form.filters select[name=state]").select_option("signed")
        frame.locator("form.filters button").click()
        expect(frame.locator("main .empty")).to_have_text("Không tìm thấy văn bản nào.")

        # Search without diacritics: the snippet shows where, the words marked.
        box = frame.get_by_label("Từ khóa")
        box.fill("ho ngheo")
        box.press("Enter")
        expect(frame.locator("main h2")).to_have_text("Kết quả tìm “ho ngheo”")
        expect(frame.locator(".count")).to_have_text("1 kết quả")
        expect(subjects).to_have_text(["Phê duyệt danh sách hộ nghèo, hộ cận nghèo năm 2024"])
        expect(frame.locator(".res .snippet mark").first).to_have_text("hộ")
        expect(frame.locator(".res .caseid code")).to_have_text("20240202-15-qd-ubnd")
        thumb = frame.locator(".res img").first
        expect(thumb).to_be_visible()
        page.wait_for_function("f => f.contentDocument.querySelector('.res img').naturalWidth > 0",
                               arg=page.locator("iframe").first.element_handle())

        shot = Path(os.environ.get("CONGKHAI_UI_SCREENSHOT") or tmp_path / "archive-ui.png")
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000

        # Open the original PDF. Airflow's frame is sandboxed without pop-ups, so the page shows it
        # itself (page images, inside the frame) and offers the download (allowed by the sandbox).
        frame.locator(".res ul.docs a", has_text="Xem").first.click()
        expect(frame.locator(".viewer figcaption").first).to_have_text("Trang 1/1")
        page.wait_for_function("f => f.contentDocument.querySelector('.viewer img').naturalWidth > 1000",
                               arg=page.locator("iframe").first.element_handle())
        with page.expect_download() as download:
            frame.get_by_role("link", name="Tải PDF về máy").click()
        saved = download.value.path()
        assert download.value.suggested_filename == "00_van-ban-goc_15-QD-UBND_v1.pdf"
        from pypdf import PdfReader

        assert "hộ nghèo" in PdfReader(saved).pages[0].extract_text()
        url = download.value.url
        assert "/congkhai/files/kep/2024/02/02/" in url
        assert ctx.request.get(url).status == 200
        assert _status(url) == 401  # the same file without the session is refused

        # Back to the results as they were (the page's one script, /congkhai/app.js, under its CSP).
        frame.get_by_role("link", name="‹ Quay lại kết quả").click()
        expect(frame.locator("main h2")).to_have_text("Kết quả tìm “ho ngheo”")
        assert [m for m in blocked if "congkhai" in m or "Refused" in m] == [], blocked
    finally:
        ctx.close()


def test_at_390_px_nothing_scrolls_sideways(airflow: dict, browser: object, tmp_path: Path) -> None:
    """GIVEN a phone-width window (390 px) WHEN the page is opened inside Airflow's frame, and alone THEN
    nothing is wider than the window: no sideways scroll, the search button and the results in view."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # Airflow's UI may load its translations and plugin links late under load

    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")  # type: ignore[attr-defined]
    ctx.set_default_timeout(30_000)
    try:
        page = ctx.new_page()
        page.goto(f"{BASE}/")
        page.wait_for_url("**/auth/login**")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/auth/login" not in url)  # the login's own navigation ends first
        page.wait_for_load_state("networkidle")
        # Alone: the page at the window's width.
        page.goto(f"{BASE}/congkhai/?text=ho+ngheo")
        expect(page.locator(".res .subject")).to_have_text(["Phê duyệt danh sách hộ nghèo, hộ cận nghèo năm 2024"])
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        res = page.locator(".res").first.bounding_box()
        assert res and res["width"] > 300, res  # the results column is the page's width, not 73 px
        button = page.get_by_role("button", name="Tìm kiếm").bounding_box()
        assert button and button["x"] + button["width"] <= 390, button
        page.wait_for_function("document.querySelector('.res img') && document.querySelector('.res img').naturalWidth > 0")
        shot = Path(os.environ.get("CONGKHAI_UI_SCREENSHOT_390") or tmp_path / "archive-390.png")
        page.screenshot(path=str(shot), full_page=True)
        # In Airflow's frame: the frame's document does not scroll sideways either.
        page.goto(f"{BASE}/plugin/luu-tru")
        frame = page.frame_locator("iframe").first
        expect(frame.locator("h1")).to_have_text("Lưu trữ công khai")
        handle = page.locator("iframe").first.element_handle()
        inner = page.evaluate("f => [f.contentDocument.documentElement.scrollWidth, f.clientWidth]", handle)
        assert inner[0] <= inner[1], inner
        box = frame.get_by_role("button", name="Tìm kiếm")
        visible = page.evaluate(
            "f => { const b = [...f.contentDocument.querySelectorAll('button')].find(x => x.textContent === 'Tìm kiếm');"
            " const r = b.getBoundingClientRect(); return r.right <= f.clientWidth; }", handle)
        assert visible and box.is_visible()
    finally:
        ctx.close()
