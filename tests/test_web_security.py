"""Hardening of the "Lưu trữ công khai" page: stored XSS through an original's dropped name, commune
validation, bad numbers and NUL bytes, and the security headers on every response.

The archive is real (tmp_path): one original goes through the real intake (``process_inbox``) as it
was reported — a valid PDF with ``<script>`` after ``%%EOF`` dropped as ``N-1/QD 406 cong khai.html``
— the others are filed with the archive's own API, and two "legacy" originals are filed the way the
code did before the fix (extension from the dropped name). The app is ``create_app`` through
FastAPI's TestClient; the commune list is the configured one (``communes/``: ``kep``, ``demo-xa``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from congkhai.archive import Archive, layout
from congkhai.archive.webapp import create_app
from tests.archive_support import case

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_corpus  # noqa: E402

SCRIPT = b"\n<script>alert(document.cookie)</script>\n"
HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy")


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (40, 60), 255).save(out, format="PNG")
    return out.getvalue()


def _tiff() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (40, 60), 255).save(out, format="TIFF")
    return out.getvalue()


def file_legacy_original(folder: Any, src: Path, ext: str) -> str:
    """File ``src`` as the code before the fix did: named with the dropped name's extension."""
    from congkhai.archive import fsutil

    name = layout.file_name("original", ext=ext, version=1, doc_label=folder.case.number_notation)
    sha, size = fsutil.atomic_copy(src, folder.path / name)
    folder.manifest["files"].append({"kind": "original", "key": "original", "path": name, "sha256": sha,
                                     "size": size, "version": 1, "number": None, "code": None, "doc_date": None,
                                     "created": "2024-06-04T08:00:00+07:00", "title": folder.case.subject})
    folder.save_manifest()
    return name


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The archive of commune ``kep`` with hostile originals, and its root."""
    from congkhai.config import settings
    from congkhai.intake.claim import IntakeOptions, process_inbox

    tmp = tmp_path_factory.mktemp("websec")
    spec = make_corpus.Spec("qd406.docx", "docx", "406", "QĐ-UBND", dt.date(2024, 5, 20), "QUYẾT ĐỊNH",
                            ["Về việc thu hồi đất để xây dựng nhà văn hóa tổ dân phố Tân Mỹ"], "Đặng Minh Khôi",
                            item="N-1")
    make_corpus.write_docx(spec, tmp / "qd406.docx")
    make_corpus.convert_all([tmp / "qd406.docx"], tmp)
    pdf = (tmp / "qd406.pdf").read_bytes()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONGKHAI_DATA", str(tmp / "data"))
        for var in ("CONGKHAI_INBOX", "CONGKHAI_ARCHIVE", "CONGKHAI_INDEX_URL", "CONGKHAI_ONLY_COMMUNES"):
            mp.delenv(var, raising=False)
        s = settings()
        drop = s.inbox_dir("kep") / "N-1" / "QD 406 cong khai.html"
        drop.parent.mkdir(parents=True)
        drop.write_bytes(pdf + SCRIPT)
        report = process_inbox("kep", s, options=IntakeOptions(stable_seconds=0, settle_seconds=0))
        assert len(report.cases) == 1, report
        root = s.archive_root

    a = Archive(root, "kep")
    drops = tmp / "drops"
    drops.mkdir()
    originals: dict[str, str] = {}
    for number, name, data in (("501", "scan.docx", _png()), ("502", "Quyết định 📄🔥", pdf),
                               ("503", "quet.pdf", _tiff())):
        (drops / name).write_bytes(data)
        folder = a.open_case(case(dt.date(2024, 6, 3), number, subject=f"Văn bản {number}", item=None))
        originals[name] = f"kep/{folder.rel_path}/{folder.add_original(drops / name).path}"
    # Legacy: originals archived before the fix, under their dropped names' extensions.
    for number, ext, data in (("601", "html", pdf + SCRIPT), ("602", "pdf", b"<html>" + SCRIPT + b"</html>"),
                              ("603", "svg", b"<svg xmlns='http://www.w3.org/2000/svg'>" + SCRIPT + b"</svg>")):
        src = drops / f"legacy-{number}.{ext}"
        src.write_bytes(data)
        folder = a.open_case(case(dt.date(2024, 6, 4), number, subject=f"Văn bản cũ {number}", item=None))
        originals[f"legacy.{ext}"] = f"kep/{folder.rel_path}/{file_legacy_original(folder, src, ext)}"
    (root.parent / "secret.txt").write_text("bí mật", encoding="utf-8")
    # An archive tree of a commune that is not configured in this installation.
    Archive(root, "khong-cau-hinh").open_case(case(commune="khong-cau-hinh"))
    return {"root": root, "originals": originals, "tmp": tmp}


@pytest.fixture(scope="module")
def client(site: dict[str, Any]) -> TestClient:
    return TestClient(create_app(site["root"], require_login=False))


def _assert_headers(r: Any, what: object) -> None:
    for h in HEADERS:
        assert h in r.headers, (what, h, r.status_code)
    assert r.headers["x-content-type-options"] == "nosniff", what
    assert r.headers["x-frame-options"] == "SAMEORIGIN", what
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "base-uri 'none'" in csp, what
    assert "script-src" not in csp or "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0], what


def test_pdf_with_a_script_dropped_as_html_is_archived_and_served_as_a_pdf(client: TestClient,
                                                                             site: dict[str, Any]) -> None:
    """GIVEN a valid PDF with <script> after %%EOF dropped as ``N-1/QD 406 cong khai.html`` WHEN intake
    files it THEN it is ``…_v1.pdf`` (its dropped name kept as data) and served as application/pdf."""
    root: Path = site["root"]
    assert not list((root / "kep/2024/05/20").rglob("*.html"))
    [res] = client.get("/api/find", params={"text": "nha van hoa tan my", "on": "2024-05-20"}).json()
    [orig] = [f for f in res["files"] if f["kind"] == "original"]
    assert orig["path"].endswith("00_van-ban-goc_406-QD-UBND_v1.pdf")
    manifest = json.loads((root / res["path"] / layout.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"][0]["original_name"] == "QD 406 cong khai.html"
    r = client.get(f"/files/{orig['path']}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline") and r.content.endswith(SCRIPT)
    _assert_headers(r, "pdf")
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none': no script at all
    assert client.get(f"/files/{orig['path']}", params={"download": 1}).headers[
        "content-disposition"].startswith("attachment")


def test_only_pdfs_and_displayable_images_are_inline(client: TestClient, site: dict[str, Any]) -> None:
    """GIVEN originals of every kind, and legacy ones archived as .html/.pdf/.svg WHEN served THEN only a
    PDF or a PNG/JPEG whose bytes agree is inline; all else is an attachment with an allow-listed type."""
    o = site["originals"]
    assert o["scan.docx"].endswith(".png") and o["Quyết định 📄🔥"].endswith(".pdf") and o["quet.pdf"].endswith(".tiff")
    expected = {
        o["scan.docx"]: ("image/png", "inline"),
        o["Quyết định 📄🔥"]: ("application/pdf", "inline"),
        o["quet.pdf"]: ("image/tiff", "attachment"),  # a browser cannot show a TIFF
        o["legacy.html"]: ("application/octet-stream", "attachment"),
        o["legacy.pdf"]: ("application/octet-stream", "attachment"),  # named .pdf, is HTML
        o["legacy.svg"]: ("application/octet-stream", "attachment"),
        "kep/2024/05/20/" + next(p.name for p in (site["root"] / "kep/2024/05/20").iterdir())
        + "/manifest.json": ("application/json", "attachment"),
    }
    for rel, (media, disposition) in expected.items():
        r = client.get(f"/files/{quote(rel)}")
        assert r.status_code == 200, rel
        assert r.headers["content-type"] == media, (rel, r.headers["content-type"])
        assert r.headers["content-disposition"].startswith(disposition), rel
        _assert_headers(r, rel)
    # The page offers the scans for download, and never a viewer for what is not a PDF.
    page = client.get("/", params={"year": 2024, "month": 6, "day": 3}).text
    assert f'files/{quote(o["scan.docx"])}?download=1">Tải ảnh (PNG)' in page
    assert client.get(f"/view/{quote(o['legacy.html'])}").status_code == 404


def test_the_page_needs_no_inline_script_or_style(client: TestClient, site: dict[str, Any]) -> None:
    """GIVEN the page and the viewer WHEN fetched THEN their CSP allows scripts and styles from the app
    only, and they use none inline (the CSS and the one script are files of the app)."""
    import re

    pdf = site["originals"]["Quyết định 📄🔥"]
    for url in ("/", "/?text=van+ban", f"/view/{quote(pdf)}"):
        r = client.get(url)
        assert r.status_code == 200, url
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "object-src 'none'" in csp, csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert not re.search(r"<script(?![^>]*\bsrc=)", r.text), url  # every script is a file
        assert "<style" not in r.text and not re.search(r"\son[a-z]+=", r.text) and "style=" not in r.text, url
    assert "data-back" in client.get(f"/view/{quote(pdf)}").text
    css, js = client.get("/style.css"), client.get("/app.js")
    assert css.status_code == js.status_code == 200
    assert css.headers["content-type"].startswith("text/css") and "body{" in css.text
    assert js.headers["content-type"].startswith("text/javascript") and "history.back" in js.text
    _assert_headers(css, "css")
    _assert_headers(js, "js")


def test_unknown_commune_is_refused_and_nothing_is_created(client: TestClient, site: dict[str, Any]) -> None:
    """GIVEN ``commune=/some/dir`` (or ``..``, or an archive tree that is not configured) WHEN asked on
    any route THEN 404 with a Vietnamese message, and no index folder is created anywhere."""
    from congkhai.archive.find import calendar_counts, find_page
    from congkhai.errors import UsageError

    elsewhere = site["tmp"] / "elsewhere"
    elsewhere.mkdir()
    other = site["root"] / "khong-cau-hinh"
    before = {(p, p.stat().st_mtime_ns) for p in other.rglob("*")}
    for commune in (str(elsewhere), "../elsewhere", "..", ".index", "khong-cau-hinh", "kep/../kep", "a\x00b"):
        r = client.get("/api/find", params={"commune": commune})
        assert r.status_code == 404 and "Không có xã/thị trấn" in r.json()["detail"], commune
        r = client.get("/", params={"commune": commune, "year": 2024})
        assert r.status_code == 404 and "Không có xã/thị trấn" in r.text, commune
        assert r.headers["content-type"].startswith("text/html")
    assert list(elsewhere.iterdir()) == []
    assert {(p, p.stat().st_mtime_ns) for p in other.rglob("*")} == before
    # Files of a commune that is not configured are not served either.
    m = next((site["root"] / "khong-cau-hinh").rglob(layout.MANIFEST)).relative_to(site["root"])
    assert client.get(f"/files/{m.as_posix()}").status_code == 404
    # The search itself never takes a path for a commune.
    for bad in (str(elsewhere), "../elsewhere", ".index"):
        with pytest.raises(UsageError):
            find_page(site["root"], bad)
        with pytest.raises(UsageError):
            calendar_counts(site["root"], bad, "2024-01-01", "2024-12-31")
    assert list(elsewhere.iterdir()) == []
    # A configured commune without an archive tree yet: an empty page, nothing created.
    r = client.get("/", params={"commune": "demo-xa"})
    assert r.status_code == 200 and "chưa có văn bản" in r.text
    assert not (site["root"] / "demo-xa").exists()


def test_nul_bytes_and_overflowing_numbers_are_told_in_vietnamese(client: TestClient, site: dict[str, Any]) -> None:
    """GIVEN a NUL byte in a file path, or page/offset/n of 2^63 (or negative) WHEN requested THEN
    404/400 with a Vietnamese message (JSON for the API, a small HTML page for the pages), never 500."""
    pdf = quote(site["originals"]["Quyết định 📄🔥"])
    big = str(2**63)
    cases = [
        ("/files/a%00b", 404, "json"), ("/files/kep/2024%00/x.pdf", 404, "json"), ("/thumb/a%00b", 404, "json"),
        ("/page/a%00b", 404, "json"), ("/view/a%00b", 404, "html"),
        (f"/?page={big}", 400, "html"), ("/?page=-1", 400, "html"), ("/?page=0", 400, "html"),
        ("/?page=abc", 400, "html"), (f"/?year={big}", 400, "html"),
        (f"/api/find?offset={big}", 400, "json"), ("/api/find?offset=-1", 400, "json"),
        (f"/api/find?limit={big}", 400, "json"), ("/api/find?on=2024-02-31", 400, "json"),
        (f"/page/{pdf}?n={big}", 400, "json"), (f"/page/{pdf}?n=-3", 400, "json"),
        (f"/page/{pdf}?n=99999", 404, "json"),  # a number in range, but no such page
    ]
    vietnamese = ("không", "Không", "Giá trị", "Ngày")
    for url, status, kind in cases:
        r = client.get(url)
        assert r.status_code == status, (url, r.status_code, r.text[:300])
        _assert_headers(r, url)
        if kind == "json":
            detail = r.json()["detail"]
            assert isinstance(detail, str) and any(w in detail for w in vietnamese), (url, detail)
        else:
            assert r.headers["content-type"].startswith("text/html") and 'class="err"' in r.text, url
            assert any(w in r.text for w in vietnamese), url
        assert "Traceback" not in r.text


HOSTILE_PATHS = ["..%2f..%2fsecret.txt", "%2e%2e/secret.txt", "kep/..%2f..%2fsecret.txt", "/etc/passwd",
                 "%2fetc%2fpasswd", "a%00b", "kep/%00", "x" * 5000, "kep/" + "y" * 300 + ".pdf",
                 "kep/.index/index.sqlite", "khong-cau-hinh/2024", "kep", "", "%ff%fe.pdf", "kep/2024/%0a.pdf"]
HOSTILE_QUERIES = [
    {"commune": "/etc"}, {"commune": "..%2f"}, {"commune": "\x00"}, {"commune": "x" * 5000},
    {"page": str(2**63)}, {"page": "-" + str(2**63)}, {"offset": str(2**64)}, {"limit": "1e9"}, {"n": str(10**30)},
    {"year": str(2**63)}, {"month": "13"}, {"day": "0"}, {"year": "2024", "month": "2", "day": "31"},
    {"from": "\x00"}, {"to": "99/99/99999"}, {"on": "9" * 400}, {"text": "\x00<script>\"'"},
    {"kind": "<script>alert(1)</script>"}, {"item": "' OR 1=1 --"}, {"ca_nam": "x"}, {"download": "maybe"},
]


def test_hostile_inputs_on_every_route_never_500_and_always_carry_the_headers(
    client: TestClient, site: dict[str, Any],
) -> None:
    """GIVEN traversal, absolute paths, NUL bytes, overlong numbers and unknown communes WHEN sent to every
    route THEN no 500, no traceback, nothing outside the archive, and the three headers are there."""
    pdf = quote(site["originals"]["Quyết định 📄🔥"])
    urls = ["/", "/api/find", "/icon.svg", "/style.css", "/app.js", "/khong-co", "/api/khong-co"]
    urls += [f"/{route}/{p}" for route in ("files", "thumb", "view", "page") for p in HOSTILE_PATHS]
    urls += [f"/{route}/{pdf}" for route in ("files", "thumb", "view", "page")]
    seen = 0
    for url in urls:
        for params in [{}, *HOSTILE_QUERIES]:
            r = client.get(url, params=params, follow_redirects=False)
            seen += 1
            assert r.status_code < 500, (url, params, r.status_code, r.text[:300])
            _assert_headers(r, (url, params))
            assert "Traceback" not in r.text and "bí mật" not in r.text, (url, params)
            if r.headers["content-type"].startswith("text/html"):
                assert "<script>alert" not in r.text and "<script>\"" not in r.text, (url, params)
    assert seen > 1000
    for method in ("post", "put", "delete"):
        r = getattr(client, method)("/api/find")
        assert r.status_code == 405
        _assert_headers(r, method)
    assert not list(site["root"].glob("*/.index/thumbs/*%00*"))


def test_an_unexpected_error_is_a_vietnamese_500_without_a_traceback(site: dict[str, Any],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a fault inside the search (injected: nothing here fails by itself) WHEN the API is asked THEN
    a 500 in Vietnamese with the headers, and neither the error nor a traceback is shown."""
    from congkhai.archive import webapp

    def broken(*args: object, **kw: object) -> None:
        raise RuntimeError("chi tiết nội bộ /srv/secret")

    monkeypatch.setattr(webapp, "find_page", broken)
    r = TestClient(create_app(site["root"], require_login=False)).get("/api/find")
    assert r.status_code == 500 and "Lỗi máy chủ" in r.json()["detail"]
    assert "secret" not in r.text and "Traceback" not in r.text
    _assert_headers(r, 500)


@pytest.mark.airflow
def test_login_answers_carry_the_headers(site: dict[str, Any], airflow_db: object) -> None:
    """GIVEN the app behind Airflow's login WHEN a script (401) or a browser (303 to the login) comes
    without a session THEN those answers carry the headers too."""
    c = TestClient(create_app(site["root"]))
    r = c.get("/api/find")
    assert r.status_code == 401
    _assert_headers(r, 401)
    r = c.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and "/auth/login" in r.headers["location"]
    _assert_headers(r, 303)
    r = c.get("/files/a%00b", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code in (401, 403)
    _assert_headers(r, "bad token")


@pytest.mark.airflow
def test_the_attacks_with_a_real_airflow_token(site: dict[str, Any], airflow_db: object) -> None:
    """GIVEN the app behind Airflow's own auth manager and a real operator token (as the UI holds it)
    WHEN the reported attacks are replayed THEN the script-carrying original is a PDF (never HTML), a
    foreign folder is refused and nothing is created, NUL and 2^63 give 400/404 in Vietnamese, and
    every answer carries the headers."""
    from airflow.api_fastapi.app import create_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    token = create_auth_manager().generate_jwt(SimpleAuthManagerUser(username="admin", role="admin"))
    c = TestClient(create_app(site["root"]))
    auth = {"Authorization": f"Bearer {token}"}
    assert c.get("/", headers=auth).status_code == 200

    listing = c.get("/api/find", params={"commune": "kep", "text": "nha van hoa"}, headers=auth)
    assert listing.status_code == 200
    paths = [f["path"] for r in listing.json() for f in r.get("files", [])]
    originals = [p for p in paths if "van-ban-goc" in p and "406" in p]
    assert originals and all(p.endswith(".pdf") for p in originals), paths
    r = c.get(f"/files/{quote(originals[0])}", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/pdf")
    _assert_headers(r, "original")

    outside = site["tmp"] / "elsewhere"
    outside.mkdir(exist_ok=True)
    r = c.get("/api/find", params={"commune": str(outside)}, headers=auth)
    assert r.status_code in (400, 404) and not any(outside.rglob("*"))
    _assert_headers(r, "foreign commune")
    for url, params in (("/files/kep/a%00b", {}), ("/api/find", {"offset": str(2**63)}),
                        ("/", {"page": str(2**63)}), ("/page/kep/x.pdf", {"n": str(2**63)})):
        r = c.get(url, params=params, headers=auth)
        assert r.status_code in (400, 404), (url, r.status_code)
        assert any(w in r.text for w in ("không", "Không")), (url, r.text[:200])
        _assert_headers(r, url)


def test_snippets_and_subjects_are_escaped(tmp_path: Path) -> None:
    """GIVEN an original whose text and subject carry HTML (``<script>``, ``<img onerror>``, ``<mark>``) WHEN
    a search shows its card with a snippet THEN the page has only the page's own ``<mark>`` tags around the
    words, and every tag of the document is text (escaped), never markup (issue 16, finding 8)."""
    import importlib.util
    import re

    spec = importlib.util.spec_from_file_location("bench_archive", Path(__file__).parent.parent / "bench" / "archive.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(bench.text_pdf(["QUYET DINH", "Ho ngheo <script>alert(1)</script> <img src=x onerror=alert(2)>",
                                    "<mark>gia</mark> ho ngheo </p><a href=javascript:alert3>x</a>"]))
    a = Archive(tmp_path / "archive", "kep")
    folder = a.open_case(case(dt.date(2024, 7, 1), "77", subject="Hộ nghèo <b onmouseover=alert(4)>x</b>", item=None))
    folder.add_original(pdf)
    c = TestClient(create_app(tmp_path / "archive", require_login=False, communes=["kep"]))
    r = c.get("/", params={"text": "ho ngheo"})
    assert r.status_code == 200 and 'class="snippet"' in r.text
    body = r.text
    assert "<script>alert" not in body and "<img src=x" not in body and "<b " not in body
    assert "<a href=javascript" not in body
    assert "&lt;script&gt;" in body and "&lt;img src=x onerror=" in body and "&lt;b onmouseover" in body
    marks = re.findall(r"<mark>([^<]*)</mark>", body)
    assert marks and all(m.lower().startswith(("ho", "ngheo", "alert")) for m in marks), marks
    assert "&lt;mark&gt;" in body  # the document's own <mark> is text
    api = c.get("/api/find", params={"text": "ho ngheo", "snippets": 1}).json()
    assert any("<script>" in p["text"] for p in api[0]["snippet"]["parts"])  # JSON: plain text, the reader escapes
