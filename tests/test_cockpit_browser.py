"""The "Công khai" cockpit inside the real Airflow UI, driven by a real headless Chromium.

As ``tests/test_archive_browser.py``: a module fixture starts Airflow's api-server (UI, login, the plugin's
FastAPI apps) with a private AIRFLOW_HOME and a fixed admin password, CONGKHAI_ARCHIVE pointing at the
real archive of ``tests/cockpit_support.py`` (six cases of Kép issued and answered by the pipeline), and
Debian's ``/usr/bin/chromium`` driven by Playwright. The walk: without a session the page is refused; log
in; the nav link "Công khai" frames the page; choose 02/04/2024; today's work with the late actions in red;
the month's timeline; no sideways scroll at 1366 px and at 390 px; open a case, copy its id, open one of
its PDFs in the archive page's viewer and come back; a required-action button opens Airflow's own page
(outside the frame). Screenshots ``cockpit-1366.png`` and ``cockpit-390.png`` go to
``CONGKHAI_COCKPIT_SCREENSHOTS`` when set (e.g. ``docs/``), else to the test's temp dir.

Port: ``CONGKHAI_COCKPIT_TEST_PORT`` (default 8098).
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

from tests.cockpit_support import PENDING, POSTING, cockpit_archive

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "cong-khai-8098"
PORT = int(os.environ.get("CONGKHAI_COCKPIT_TEST_PORT", "8098"))
BASE = f"http://127.0.0.1:{PORT}"
FRAME = "iframe[title='Công khai']"

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
    """Airflow's api-server on ``PORT`` with the congkhai plugin and the cockpit's archive; stopped after."""
    built = cockpit_archive()
    tmp = tmp_path_factory.mktemp("cockpit-browser")
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
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "9095",
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "9096",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "cockpit-test-" + "s" * 64,
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        **built.env(),
    })
    assert _status(f"{BASE}/api/v2/monitor/health") == 0, f"port {PORT} is taken (CONGKHAI_COCKPIT_TEST_PORT)"
    subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=env, check=True, capture_output=True,
                   timeout=180)
    log = open(tmp / "api-server.log", "wb")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen([str(BIN / "airflow"), "api-server", "--port", str(PORT)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    try:
        deadline = time.monotonic() + 120
        while _status(f"{BASE}/api/v2/monitor/health") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                log_text = (tmp / "api-server.log").read_text(errors="replace")
                pytest.fail("api-server did not start:\n" + log_text[-3000:])
            time.sleep(0.5)
        yield {"tmp": tmp, "archive": built.archive}
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


def shot_path(tmp_path: Path, name: str) -> Path:
    folder = os.environ.get("CONGKHAI_COCKPIT_SCREENSHOTS")
    return (Path(folder) if folder else tmp_path) / name


def log_in(ctx: object, blocked: list[str]) -> object:
    page = ctx.new_page()  # type: ignore[attr-defined]
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{BASE}/")
    page.wait_for_url("**/auth/login**")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/auth/login" not in url)
    return page


def no_sideways_scroll(page: object) -> None:
    """Neither Airflow's window nor the cockpit's frame scrolls sideways."""
    top = page.evaluate(  # type: ignore[attr-defined]
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert top[0] <= top[1], top
    frame = page.frame_locator(FRAME).locator("html")  # type: ignore[attr-defined]
    inner = frame.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert inner[0] <= inner[1], inner


def test_unauthenticated_requests_are_refused(airflow: dict, browser: object) -> None:
    for path in ("/congkhai-cockpit/", "/congkhai-cockpit/api/status?on=2024-04-02",
                 f"/congkhai-cockpit/case/{PENDING}"):
        assert _status(BASE + path) == 401, path
    ctx = browser.new_context()  # type: ignore[attr-defined]
    try:
        page = ctx.new_page()
        page.goto(f"{BASE}/congkhai-cockpit/?on=2024-04-02")
        page.wait_for_url("**/auth/login**")
        assert "next=" in page.url and "15/QĐ-UBND" not in page.content()
    finally:
        ctx.close()


def test_the_cockpit_at_1366_px(airflow: dict, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # Airflow's UI may load its translations and plugin links late under load

    ctx = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1366, "height": 900}, locale="vi-VN")
    ctx.set_default_timeout(30_000)
    blocked: list[str] = []
    try:
        page = log_in(ctx, blocked)
        link = page.get_by_role("link", name="Công khai", exact=True)
        expect(link).to_be_visible()
        link.click()
        page.wait_for_url("**/plugin/cong-khai**")
        frame = page.frame_locator(FRAME)
        expect(frame.locator("h1")).to_have_text("Công khai")
        # It opens on the commune that has cases; choose the day.
        expect(frame.locator("select[name=commune]")).to_have_value("kep")
        frame.locator("input[name=on]").fill("2024-04-02")
        frame.get_by_role("button", name="Xem").click()
        expect(frame.locator("#h-today")).to_have_text("Việc ngày 02/04/2024 — thị trấn Kép")

        # Today's work: the overdue actions first, in red, with their days late.
        first = frame.locator("ul.work li.overdue").first
        expect(first).to_contain_text("Xác nhận phát thanh")
        expect(first.locator(".lateflag")).to_have_text("Trễ 4 ngày")
        red = first.locator(".lateflag").evaluate("e => getComputedStyle(e).backgroundColor")
        assert red == "rgb(197, 48, 48)", red

        # The month's timeline: the wide drawing, a row per place, the day marked, late bars red.
        wide = frame.locator("svg.tl-wide")
        expect(wide).to_be_visible()
        expect(frame.locator("svg.tl-narrow")).to_be_hidden()
        expect(wide.locator("text.place")).to_have_count(12)
        expect(wide.locator("line.today")).to_have_count(1)
        fill = wide.locator("rect.bar.late").first.evaluate("e => getComputedStyle(e).fill")
        assert fill == "rgb(197, 48, 48)", fill
        box = wide.bounding_box()
        assert box is not None and box["width"] > 900, box
        no_sideways_scroll(page)
        page.screenshot(path=str(shot_path(tmp_path, "cockpit-1366.png")))

        # A case: its page, its id copied, one of its PDFs in the archive page's viewer, and back.
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=BASE)
        frame.locator("article.case a.num", has_text="12/QĐ-UBND").click()
        expect(frame.locator(".casehead h2")).to_contain_text("12/QĐ-UBND")
        copy = frame.get_by_role("button", name=f"Sao chép mã hồ sơ {POSTING}")
        copy.click()
        expect(copy).to_have_text("Đã sao chép")
        assert page.evaluate("navigator.clipboard.readText()") == POSTING
        expect(frame.locator("table.docs .doc.final").first).to_have_text("Chính thức")
        expect(frame.locator("table.docs .doc.draft").first).to_have_text("Dự thảo")
        no_sideways_scroll(page)
        tdp1 = "Biên bản niêm yết tại nhà văn hóa thôn, tổ dân phố — Tổ dân phố số 1"
        frame.get_by_role("link", name=f"Xem {tdp1}", exact=True).click()
        expect(frame.locator(".viewer figcaption").first).to_have_text("Trang 1/1")
        frame.get_by_role("link", name="‹ Quay lại kết quả").click()
        expect(frame.locator(".casehead h2")).to_contain_text("12/QĐ-UBND")

        # Its required action opens in Airflow's own window (not Airflow inside the frame).
        frame.get_by_role("link", name="Trả lời trong Airflow").first.click()
        page.wait_for_url("**/dags/congkhai_evidence/runs/kep__20240315-12-qd-ubnd/tasks/ask_numbers/"
                          "required_actions")
        expect(page.locator(FRAME)).to_have_count(0)
        expect(page.get_by_text("ask_numbers").first).to_be_visible()  # Airflow's page of that task
        assert [m for m in blocked if "congkhai" in m or "Refused" in m] == [], blocked
    finally:
        ctx.close()


def test_the_cockpit_at_390_px(airflow: dict, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # Airflow's UI may load its translations and plugin links late under load

    ctx = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True, has_touch=True,
        device_scale_factor=2)
    ctx.set_default_timeout(30_000)
    blocked: list[str] = []
    try:
        page = log_in(ctx, blocked)
        # A deep link: Airflow's UI frames the cockpit at the path after /plugin/cong-khai.
        page.goto(f"{BASE}/plugin/cong-khai/congkhai-cockpit/?commune=kep&on=2024-04-02")
        frame = page.frame_locator(FRAME)
        expect(frame.locator("#h-today")).to_have_text("Việc ngày 02/04/2024 — thị trấn Kép")
        expect(frame.locator("svg.tl-narrow")).to_be_visible()
        expect(frame.locator("svg.tl-wide")).to_be_hidden()
        expect(frame.locator("ul.work li.overdue .lateflag").first).to_have_text("Trễ 4 ngày")
        no_sideways_scroll(page)
        page.screenshot(path=str(shot_path(tmp_path, "cockpit-390.png")))
        frame.locator("svg.tl-narrow a").first.click()  # a bar of the timeline opens its case
        expect(frame.locator(".casehead h2")).to_be_visible()
        no_sideways_scroll(page)
        assert [m for m in blocked if "congkhai" in m or "Refused" in m] == [], blocked
    finally:
        ctx.close()
