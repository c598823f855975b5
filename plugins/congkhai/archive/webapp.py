"""The "Lưu trữ công khai" page: a FastAPI app mounted in Airflow's api-server by the plugin
(``plugins/congkhai_airflow.py``: ``fastapi_apps`` at ``/congkhai``, a nav link via ``external_views``
that Airflow's UI shows in a frame at ``/plugin/luu-tru``).

Browse by calendar (year → month → day, the days that have documents marked), by date range, or
search (diacritics optional); each result shows a thumbnail of page 1 of its PDF and its documents
(PDF to open, .docx to edit, a download link); the year's dossier is one click away. Results come
a page at a time (``PAGE_SIZE``), with the total.

Security: every route depends on Airflow's logged-in user (``get_user``: a bearer token, else the
``_token`` cookie the Airflow UI sets at login; the frame sends it because it is the same origin).
Without one, a browser opening a page is redirected to Airflow's login (and comes back after);
anything else gets 401. Files are served only from inside the archive root, under a configured
commune: the resolved real path (symlinks followed) must stay under the root's real path, and the
derived ``.index`` folder is not served. A commune is one of ``list_communes()`` on every route.

A file's media type comes from its archived extension through an allow-list (``_MEDIA``), and only a
PDF or a PNG/JPEG image whose first bytes agree is shown inline; anything else (Word, TIFF, an old
original archived under its dropped name's extension, ``.html`` included) is an attachment. Every
response carries ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: SAMEORIGIN`` and a
Content-Security-Policy (``_security_headers``): the page uses no inline script or style (its CSS
and its one script are served from ``/style.css`` and ``/app.js``), and it may be framed only by
its own origin (Airflow's UI frames it at ``/plugin/luu-tru``). Bad input answers 400/404 with a
Vietnamese message (a small HTML page for the HTML routes, JSON otherwise), never a traceback.

Airflow is imported only in :func:`create_app` (this is the one Airflow-specific module of the archive).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import html
import logging
import os
import re
import secrets
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from congkhai.archive import layout
from congkhai.archive.find import archive_years, calendar_counts, find, find_page
from congkhai.archive.store import list_archive_communes
from congkhai.errors import CongkhaiError

log = logging.getLogger(__name__)

#: Results per page of the page (the CLI shows 200; a person reads a screenful).
PAGE_SIZE = 50
#: Results of /api/find when no limit is given.
API_LIMIT = 200
_ICON = ("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' stroke='#4a5568' "
         "stroke-width='2' stroke-linecap='round' stroke-linejoin='round'><rect x='2' y='3' width='20' "
         "height='5' rx='1'/><path d='M4 8v11a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8'/><path d='M10 12h4'/></svg>")
_WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
_SUFFIX = re.compile(r"_v(\d+)$")
#: Bounds of the numbers a request may carry (beyond them: 400, never an overflow in the index).
MAX_PAGE = 100_000
MAX_OFFSET = 10_000_000
MAX_PAGE_NUMBER = 100_000

#: Archived extension -> (media type, may be shown inline). Anything else: octet-stream, attachment.
_MEDIA: dict[str, tuple[str, bool]] = {
    "pdf": ("application/pdf", True),
    "png": ("image/png", True),
    "jpg": ("image/jpeg", True),
    "jpeg": ("image/jpeg", True),
    "tif": ("image/tiff", False),
    "tiff": ("image/tiff", False),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    "txt": ("text/plain; charset=utf-8", False),
    "json": ("application/json", False),
}
#: What the first bytes of an inline file must be (``preflight.sniff``'s type or image detail).
_INLINE_SNIFF = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg"}

#: The page's own HTML: its scripts and styles come from this app only, no inline script or style.
CSP_PAGE = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
#: A PDF or an image shown by the browser itself: its PDF viewer is a plugin (object-src) and styles
#: the page it wraps the document in; no script at all.
CSP_INLINE_FILE = ("default-src 'none'; object-src 'self'; img-src 'self'; style-src 'unsafe-inline'; "
                   "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
#: Everything else (JSON, downloads, redirects, errors that are not HTML).
CSP_OTHER = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

_APP_JS = """// "Quay lại kết quả": back to the results as they were (search, page), when there is a history.
document.querySelectorAll("a[data-back]").forEach(function (a) {
  a.addEventListener("click", function (ev) {
    if (window.history.length > 1) { ev.preventDefault(); window.history.back(); }
  });
});
"""

_CSS = """
*{box-sizing:border-box}
body{font-family:'Liberation Sans','DejaVu Sans',Arial,sans-serif;margin:0;color:#1a202c;background:#f7f9fc;
 font-size:15px;line-height:1.4}
a{color:#0b5cad;text-decoration:none} a:hover{text-decoration:underline}
header{background:#fff;border-bottom:1px solid #dfe3ea;padding:.7em 1.2em;display:flex;align-items:center;
 gap:1.5em;flex-wrap:wrap}
header h1{font-size:1.35em;margin:0;color:#123} header .communes a{margin-right:.5em}
header .communes a.on{font-weight:bold;color:#1a202c}
form.search{display:flex;gap:.4em;flex:1;min-width:22em;max-width:46em}
form.search input{flex:1;padding:.45em .6em;border:1px solid #b8c2d0;border-radius:6px;font-size:1em}
button{padding:.45em .9em;border:1px solid #0b5cad;background:#0b5cad;color:#fff;border-radius:6px;
 font-size:.95em;cursor:pointer}
.wrap{display:flex;gap:1.2em;padding:1em 1.2em;align-items:flex-start}
aside{width:17.5em;flex:none;display:flex;flex-direction:column;gap:.9em}
aside section{background:#fff;border:1px solid #dfe3ea;border-radius:8px;padding:.6em .7em}
aside h3{font-size:.8em;text-transform:uppercase;letter-spacing:.04em;color:#5a6578;margin:0 0 .45em}
.years a{display:inline-block;padding:.15em .45em;margin:0 .15em .2em 0;border-radius:5px}
.years a.on,.months a.on,table.cal a.on{background:#0b5cad;color:#fff}
.months{display:grid;grid-template-columns:repeat(4,1fr);gap:.25em}
.months a,.months span{text-align:center;padding:.25em 0;border-radius:5px;font-size:.9em}
.months a{background:#e8f0fb} .months span{color:#a0a8b5}
.months small,table.cal small{display:block;font-size:.7em;opacity:.8}
table.cal{width:100%;border-collapse:collapse;text-align:center;font-size:.88em}
table.cal th{color:#5a6578;font-weight:normal;font-size:.8em;padding:.15em 0}
table.cal td{padding:1px} table.cal td span{color:#a0a8b5;display:block;padding:.2em 0}
table.cal a{display:block;background:#e8f0fb;border-radius:5px;padding:.1em 0;font-weight:bold}
form.range label{display:block;font-size:.85em;color:#5a6578;margin-top:.2em}
form.range input{width:100%;padding:.25em;border:1px solid #b8c2d0;border-radius:5px}
form.range button{margin-top:.5em;width:100%}
.yeardocs a{display:block;margin:.15em 0}
main{flex:1;min-width:0}
main h2{font-size:1.2em;margin:.1em 0 .2em} .count{color:#5a6578;margin:0 0 .7em}
.res{display:flex;gap:1em;background:#fff;border:1px solid #dfe3ea;border-radius:8px;padding:.75em;
 margin-bottom:.7em}
.res .thumb{flex:none;width:96px} .res .thumb img{width:96px;border:1px solid #c9d0db;background:#fff;display:block}
.res .nothumb{width:96px;height:136px;border:1px dashed #c9d0db;color:#a0a8b5;font-size:.8em;display:flex;
 align-items:center;justify-content:center;text-align:center}
.res .body{flex:1;min-width:0}
.meta{color:#5a6578;font-size:.9em} .meta b{color:#1a202c}
.subject{font-size:1.05em;font-weight:bold;margin:.15em 0 .3em}
.where{color:#8a94a6;font-size:.8em;font-family:'Liberation Mono',monospace;word-break:break-all}
details summary{cursor:pointer;color:#5a6578;font-size:.9em;margin-top:.3em}
table.docs{border-collapse:collapse;margin-top:.3em;font-size:.9em}
table.docs td{padding:.2em 1.2em .2em 0;border-top:1px solid #eef1f5;vertical-align:top}
table.docs td.v{color:#5a6578;white-space:nowrap} table.docs td.l{white-space:nowrap}
table.docs td.l a{margin-right:.6em}
.tag{display:inline-block;background:#eef1f5;border-radius:4px;padding:0 .35em;font-size:.85em;color:#4a5568}
.pager{display:flex;gap:1em;align-items:center;margin:.4em 0 1em}
a.btn{background:#0b5cad;color:#fff;padding:.4em .9em;border-radius:6px}
.viewer{max-width:60em;margin:1em auto;padding:0 1em}
.viewer figure{margin:1em 0;text-align:center} .viewer img{width:100%;border:1px solid #c9d0db;background:#fff}
.viewer figcaption{color:#5a6578;font-size:.85em}
.err{background:#fff4f4;border:1px solid #e7b9b9;color:#8a1f1f;padding:.6em;border-radius:6px}
.empty{color:#5a6578}
"""


def _resolve_root(root: Path | None) -> Path:
    if root is not None:
        return Path(root)
    from congkhai.config import settings

    return settings().archive_root


def safe_path(root: Path, rel: str, communes: Sequence[str] | None = None) -> Path:
    """``root/rel`` if it is a regular file inside the archive (symlinks resolved) and, when
    ``communes`` is given, under one of them; else 404 (NUL bytes and overlong names included)."""
    missing = HTTPException(status_code=404, detail="Không có tệp này")
    if "\x00" in rel or len(rel) > 4096:
        raise missing
    parts = Path(rel).parts
    if not parts or (communes is not None and parts[0] not in communes):
        raise missing
    try:
        real_root = Path(os.path.realpath(root))
        target = Path(os.path.realpath(real_root / rel))
        if (
            not target.is_relative_to(real_root)
            or target == real_root
            or layout.INDEX_DIR in parts
            or any(p == ".." for p in parts)
            or not target.is_file()
        ):
            raise missing
    except (OSError, ValueError) as err:  # ENAMETOOLONG, ELOOP, an undecodable name…
        raise missing from err
    return target


def _sniffed(path: Path) -> str | None:
    """The type the file's first bytes show (``pdf``, ``png``, ``jpeg``…), None if none."""
    from congkhai.errors import PermanentError
    from congkhai.intake.preflight import sniff

    try:
        with open(path, "rb") as fh:
            kind = sniff(path, fh.read(2048))
    except (OSError, PermanentError):
        return None
    return kind.detail if kind.kind == "image" else kind.kind


def file_response(path: Path, *, download: bool) -> FileResponse:
    """``path`` with a media type from its archived extension (allow-list); inline only for a PDF or a
    PNG/JPEG whose content agrees, an attachment for anything else."""
    ext = path.suffix.lower().lstrip(".")
    media, inline = _MEDIA.get(ext, ("application/octet-stream", False))
    if inline and _sniffed(path) != _INLINE_SNIFF[ext]:
        media, inline = "application/octet-stream", False
    inline = inline and not download
    return FileResponse(path, media_type=media, filename=path.name,
                        content_disposition_type="inline" if inline else "attachment",
                        headers={"Content-Security-Policy": CSP_INLINE_FILE if inline else CSP_OTHER})


def _render(root: Path, pdf: Path, page: int, *, size: int, folder: str) -> Path:
    """PNG of one page (pdftoppm, ``size`` px on the long side), cached by content and page in the
    commune's derived ``.index/<folder>`` (safe to delete with the rest of the index)."""
    from congkhai.archive.fsutil import sha256_file

    commune = pdf.relative_to(os.path.realpath(root)).parts[0]
    cache = Path(root) / commune / layout.INDEX_DIR / folder
    cache.mkdir(parents=True, exist_ok=True)
    out = cache / f"{sha256_file(pdf)}-{page}.png"
    if not out.exists():
        # A name of its own per call: the page asks for several images at once, and two files
        # with the same content (same SHA-256) may be rendered in parallel.
        tmp = cache / f".{out.stem}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            subprocess.run(["pdftoppm", "-png", "-scale-to", str(size), "-f", str(page), "-l", str(page),
                            "-singlefile", str(pdf), str(tmp)], check=True, capture_output=True, timeout=60)
            os.replace(f"{tmp}.png", out)
        finally:
            Path(f"{tmp}.png").unlink(missing_ok=True)
    return out


def _thumbnail(root: Path, pdf: Path) -> Path:
    """Page 1, 280 px high: sharp at the 96-px width shown, even on a 2x screen."""
    return _render(root, pdf, 1, size=280, folder="thumbs")


def _page_count(pdf: Path) -> int:
    try:
        from pypdf import PdfReader

        return len(PdfReader(pdf).pages)
    except Exception:  # a damaged PDF: show what pdftoppm can, at least page 1
        return 1


def _vn_date(iso: str | None) -> str:
    if not iso:
        return "(chưa rõ ngày)"
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


_VN_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


def parse_day(text: str, name: str) -> str:
    """A date as people type it here (``6/3/2024``, ``06-03-2024``, ``06.03.2024``) or ISO → ``YYYY-MM-DD``."""
    from congkhai.errors import UsageError

    m = _VN_DATE.match(text)
    try:
        d = dt.date(int(m[3]), int(m[2]), int(m[1])) if m else dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"Ngày không hợp lệ ({name}): “{text}”, cần dạng ngày/tháng/năm, ví dụ 06/03/2024",
                         f"invalid date for {name}: {text!r}", field=name) from None
    return d.isoformat()


def _vn_input(value: str | None) -> str:
    """What a date field shows: ``06/03/2024`` for a valid date, else what was typed."""
    if not value:
        return ""
    try:
        return _vn_date(parse_day(value, "x"))
    except CongkhaiError:
        return value


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _page(base: str, title: str, body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(title)}</title><link rel='stylesheet' href='{_e(base)}/style.css'></head>"
        f"<body>{body}<script src='{_e(base)}/app.js'></script></body></html>",
        status_code=status_code,
    )


def _error_page(base: str, status_code: int, message: str) -> HTMLResponse:
    """A small page for an error on an HTML route: what went wrong, in Vietnamese, and a way back."""
    body = (f"<header><h1>Lưu trữ công khai</h1><a href='{_e(base)}/'>‹ Về trang lưu trữ</a></header>"
            f"<div class='viewer'><p class='err'>{_e(message)}</p></div>")
    return _page(base, "Lưu trữ công khai", body, status_code=status_code)


#: Vietnamese text of the errors a route may end with (FastAPI's own details are English).
_STATUS_VI = {400: "Yêu cầu không hợp lệ.", 401: "Cần đăng nhập Airflow.", 403: "Không có quyền xem trang này.",
              404: "Không tìm thấy trang hoặc tệp này.", 405: "Phương thức không được hỗ trợ."}


def _app_path(request: Request) -> str:
    """The request's path inside this app (without the ``/congkhai`` prefix it is mounted at)."""
    path, root_path = request.scope.get("path", ""), request.scope.get("root_path", "")
    return path[len(root_path):] if root_path and path.startswith(root_path) else path


def _wants_html(request: Request) -> bool:
    path = _app_path(request)
    if path.startswith("/api/"):
        return False
    return path in ("", "/") or path.startswith("/view/") or "text/html" in request.headers.get("accept", "")


class SecurityHeaders:
    """ASGI middleware: the three security headers on every response (a route may set its own CSP),
    and a Vietnamese 500 without a traceback for anything unexpected (logged here)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"x-content-type-options", b"x-frame-options")]
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                    csp = CSP_PAGE if ctype.startswith(b"text/html") else CSP_OTHER
                    headers.append((b"content-security-policy", csp.encode()))
                headers += [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"SAMEORIGIN")]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("congkhai archive page: unexpected error on %s", scope.get("path"))
            if started:
                raise
            response = JSONResponse({"detail": "Lỗi máy chủ khi xử lý yêu cầu này; hãy thử lại sau hoặc báo "
                                               "người quản trị. / Internal server error."}, status_code=500)
            await response(scope, receive, send_with_headers)


def _documents(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files of an entry grouped by document: a .docx and its PDF (same name) are one row."""
    docs: dict[str, dict[str, Any]] = {}
    for f in files:
        name = f["path"].rsplit("/", 1)[-1]
        stem, _, ext = name.rpartition(".")
        d = docs.setdefault(stem, {"kind": f["kind"], "version": f["version"], "stem": stem, "files": {}})
        d["files"][ext.lower()] = f["path"]
    return list(docs.values())


def _doc_label(doc: dict[str, Any]) -> str:
    """Vietnamese label of a document row: the kind, and what tells it apart (group, quarter)."""
    info = layout.KINDS.get(doc["kind"])
    label = info.label_vi if info else doc["kind"]
    if info:
        # File name: NN_<kind words>[_<qualifier>][_so-…]_vN — the qualifier is the group / quarter.
        rest = _SUFFIX.sub("", doc["stem"]).split(f"{info.order:02d}_{info.file_word}", 1)[-1]
        parts = [p for p in rest.split("_") if p and not p.startswith("so-")]
        if doc["kind"] != "original" and parts:
            label += f" ({parts[0].replace('-q', ' quý ').replace('tdp', 'TDP ')})"
    return label


def _result_html(r: dict[str, Any]) -> str:
    pdfs = [f for f in r["files"] if f["path"].lower().endswith(".pdf")]
    main_pdf = next((f for f in pdfs if f["kind"] == "original"), pdfs[0] if pdfs else None)
    if main_pdf:
        href = f"view/{quote(main_pdf['path'])}"
        thumb = (f"<a class='thumb' href='{href}' title='Xem văn bản'>"
                 f"<img alt='Trang 1' loading='lazy' src='thumb/{quote(main_pdf['path'])}'></a>")
    else:
        thumb = "<div class='thumb'><div class='nothumb'>không có PDF</div></div>"
    notation = "/".join(x for x in (r["doc_number"], r["doc_code"]) if x)
    meta = [f"<b>{_vn_date(r['issued'])}</b>", f"Số {_e(notation)}" if notation else "Không số"]
    if r["item"]:
        meta.append(f"<span class='tag'>Mục {_e(r['item'])}</span>")
    if r["case_id"] is None:
        meta.append("<span class='tag'>Văn bản cả năm</span>")
    rows = []
    docs = _documents(r["files"])
    for d in docs:
        # Airflow frames this page in a sandbox without pop-ups: PDFs are shown by the page's own
        # viewer (page images) and everything else is downloaded (downloads are allowed).
        links = []
        if "pdf" in d["files"]:
            links.append(f"<a href='view/{quote(d['files']['pdf'])}'>Xem</a>"
                         f"<a href='files/{quote(d['files']['pdf'])}?download=1'>Tải PDF</a>")
        for ext, word in (("docx", "Tải Word"), ("txt", "Tải TXT")):
            if ext in d["files"]:
                links.append(f"<a href='files/{quote(d['files'][ext])}?download=1'>{word}</a>")
        for ext in sorted(set(d["files"]) - {"pdf", "docx", "txt"}):  # a scanned original (PNG, JPEG, TIFF)
            word = "Tải ảnh" if ext in ("png", "jpg", "jpeg", "tif", "tiff") else "Tải tệp"
            links.append(f"<a href='files/{quote(d['files'][ext])}?download=1'>{word} ({_e(ext.upper())})</a>")
        rows.append(f"<tr><td>{_e(_doc_label(d))}</td><td class='v'>bản {d['version']}</td>"
                    f"<td class='l'>{''.join(links)}</td></tr>")
    opened = " open" if len(docs) <= 6 else ""
    table = (f"<details{opened}><summary>{len(docs)} văn bản, {len(r['files'])} tệp</summary>"
             f"<table class='docs'>{''.join(rows)}</table></details>") if docs else ""
    return (f"<article class='res'>{thumb}<div class='body'><div class='meta'>{' · '.join(meta)}</div>"
            f"<div class='subject'>{_e(r['subject'] or '(không có trích yếu)')}</div>"
            f"<div class='where'>{_e(r['path'])}/</div>{table}</div></article>")


def _login_redirect(request: Request) -> Response | None:
    """Where a browser without a valid Airflow session goes: Airflow's login, then back here."""
    try:
        from airflow.api_fastapi.app import get_auth_manager

        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(get_auth_manager().get_url_login(next_url=here), status_code=303)
    except Exception:  # no auth manager (tests of the page alone): plain 401
        return None


async def _airflow_user(request: Request) -> Any:
    """Airflow's logged-in user, exactly as its own API decides it (``get_user``: a bearer token
    first, else the ``_token`` cookie); 401/403 otherwise.

    Imported on the first request, not with the plugin: every Airflow process loads plugins (for
    the timetables), and Airflow's API security module costs ~1.2 s to import.
    """
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.security import HTTPBearer

    credentials = await HTTPBearer(auto_error=False)(request)
    return await get_user(request, None, credentials)


def install_error_handlers(app: FastAPI, error_page: Callable[[Request, int, str], Response],
                           wants_html: Callable[[Request], bool], *, status_vi: dict[int, str],
                           hint: str = "") -> None:
    """The error answers of congkhai's pages (archive, cockpit): a person opening a page with no or an
    expired session goes to Airflow's login; scripts and the pages' own requests get 401/403 as JSON;
    every other error is Vietnamese — an HTML page for a person, JSON for the API — never a traceback."""

    @app.exception_handler(StarletteHTTPException)
    async def _http_errors(request: Request, exc: StarletteHTTPException) -> Response:
        if (exc.status_code in (401, 403) and request.method == "GET"
                and "text/html" in request.headers.get("accept", "")):
            redirect = _login_redirect(request)
            if redirect is not None:
                return redirect
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail and not exc.detail.isascii() else (
            f"{status_vi.get(exc.status_code, 'Không xử lý được yêu cầu này.')} / {exc.detail}")
        if wants_html(request) and exc.status_code not in (401, 403):
            return error_page(request, exc.status_code, detail)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _bad_input(request: Request, exc: RequestValidationError) -> Response:
        names = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        detail = (f"Giá trị không hợp lệ: {', '.join(names)}" if names else "Yêu cầu không hợp lệ") + (
            f"{hint}. / Invalid value.")
        if wants_html(request):
            return error_page(request, 400, detail)
        return JSONResponse({"detail": detail}, status_code=400)


def create_app(
    root: Path | None = None, *, require_login: bool = True, communes: Sequence[str] | None = None,
) -> FastAPI:
    """The plugin app. ``require_login=False`` only for tests of the page itself. ``communes``: the
    communes it serves (default: the configured ones, ``list_communes()``, read at each request)."""
    deps = [Depends(_airflow_user)] if require_login else []
    app = FastAPI(title="Lưu trữ công khai", dependencies=deps, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityHeaders)

    def known() -> list[str]:
        if communes is not None:
            return list(communes)
        from congkhai.config import list_communes

        return list_communes()

    def check_commune(commune: str | None) -> None:
        if commune and commune not in known():
            raise HTTPException(status_code=404, detail=f"Không có xã/thị trấn “{commune}” trong cấu hình "
                                                         f"của hệ thống. / Unknown commune.")

    install_error_handlers(
        app, lambda request, code, detail: _error_page(request.scope.get("root_path", ""), code, detail),
        _wants_html, status_vi=_STATUS_VI, hint=" (số quá lớn, âm, hoặc không phải số?)")

    @app.get("/", response_class=HTMLResponse)
    def index(
        request: Request,
        commune: str | None = None,
        year: int | None = Query(None, ge=1900, le=2999),
        month: int | None = Query(None, ge=1, le=12),
        day: int | None = Query(None, ge=1, le=31),
        date_from: str | None = Query(None, alias="from"), date_to: str | None = Query(None, alias="to"),
        text: str | None = None, kind: str | None = None, ca_nam: bool = False,
        page: int = Query(1, ge=1, le=MAX_PAGE),
    ) -> HTMLResponse:
        check_commune(commune)
        archive_root = _resolve_root(root)
        served = [c for c in known() if c in list_archive_communes(archive_root)]
        return _page(request.scope.get("root_path", ""), "Lưu trữ công khai", _index_body(
            archive_root, served, commune=commune or None, year=year, month=month, day=day,
            date_from=date_from or None, date_to=date_to or None, text=(text or "").strip() or None,
            kind=kind or None, ca_nam=ca_nam, page=page))

    @app.get("/style.css")
    def style() -> Response:
        return Response(_CSS, media_type="text/css; charset=utf-8", headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/app.js")
    def script() -> Response:
        return Response(_APP_JS, media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/api/find")
    def api_find(
        response: Response,
        commune: str | None = None, on: str | None = None, date_from: str | None = Query(None, alias="from"),
        date_to: str | None = Query(None, alias="to"), item: str | None = None, kind: str | None = None,
        text: str | None = None, limit: int = Query(API_LIMIT, ge=1, le=10_000),
        offset: int = Query(0, ge=0, le=MAX_OFFSET),
    ) -> list[dict[str, Any]]:
        """The JSON list of ``congkhai archive find --json``, a page at a time; the total in ``X-Total-Count``."""
        check_commune(commune)
        try:
            results, total = find_page(_resolve_root(root), commune or known(), on=on, date_from=date_from,
                                       date_to=date_to, item=item, kind=kind, text=text, limit=limit, offset=offset)
        except CongkhaiError as err:
            raise HTTPException(status_code=400, detail=err.message_vi) from err
        response.headers["X-Total-Count"] = str(total)
        return results

    @app.get("/files/{rel:path}")
    def get_file(rel: str, download: bool = False) -> FileResponse:
        return file_response(safe_path(_resolve_root(root), rel, known()), download=download)

    @app.get("/thumb/{rel:path}")
    def get_thumb(rel: str) -> Response:
        archive_root = _resolve_root(root)
        path = safe_path(archive_root, rel, known())
        if path.suffix.lower() != ".pdf":
            raise HTTPException(status_code=404, detail="Không phải PDF")
        try:
            return FileResponse(_thumbnail(archive_root, path), media_type="image/png",
                                headers={"Cache-Control": "private, max-age=86400",
                                         "Content-Security-Policy": CSP_INLINE_FILE})
        except (subprocess.SubprocessError, OSError) as err:
            raise HTTPException(status_code=404, detail="Không tạo được ảnh thu nhỏ") from err

    @app.get("/icon.svg")
    def icon() -> Response:
        """The nav icon (an archive box), drawn like Airflow's own line icons."""
        return Response(_ICON, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=86400"})

    @app.get("/view/{rel:path}", response_class=HTMLResponse)
    def view(rel: str, request: Request) -> HTMLResponse:
        """A PDF shown as page images, with its download link: works inside Airflow's sandboxed frame."""
        path = safe_path(_resolve_root(root), rel, known())
        if path.suffix.lower() != ".pdf":
            raise HTTPException(status_code=404, detail="Không phải PDF")
        base = request.scope.get("root_path", "")
        return _page(base, path.name, _viewer_body(base, rel, path))

    @app.get("/page/{rel:path}")
    def get_page_image(rel: str, n: int = Query(1, ge=1, le=MAX_PAGE_NUMBER)) -> Response:
        archive_root = _resolve_root(root)
        path = safe_path(archive_root, rel, known())
        if path.suffix.lower() != ".pdf":
            raise HTTPException(status_code=404, detail="Không phải PDF")
        try:
            return FileResponse(_render(archive_root, path, n, size=1400, folder="pages"), media_type="image/png",
                                headers={"Cache-Control": "private, max-age=86400",
                                         "Content-Security-Policy": CSP_INLINE_FILE})
        except (subprocess.SubprocessError, OSError) as err:
            raise HTTPException(status_code=404, detail="Không hiển thị được trang này") from err

    return app


def _viewer_body(base: str, rel: str, path: Path) -> str:
    """The viewer: what the document is (from the folder's manifest), download, then every page."""
    from congkhai.archive import manifest as mf

    subject, label = "", ""
    with contextlib.suppress(OSError, ValueError, KeyError):
        m = mf.load(path.parent / layout.MANIFEST)
        f = next((f for f in m["files"] if f["path"] == path.name), None)
        subject = (f or {}).get("title") or m.get("Subject") or ""
        if f:
            label = _doc_label({"kind": f["kind"], "stem": path.stem})
    pages = _page_count(path)
    q = quote(rel)
    imgs = "".join(
        f"<figure><img loading='lazy' alt='Trang {i}' src='{base}/page/{q}?n={i}'>"
        f"<figcaption>Trang {i}/{pages}</figcaption></figure>" for i in range(1, pages + 1))
    return (f"<header><h1>Lưu trữ công khai</h1><a href='{base}/' data-back='1'>"
            f"‹ Quay lại kết quả</a><a class='btn' href='{base}/files/{q}?download=1'>Tải PDF về máy</a></header>"
            f"<div class='viewer'><p class='meta'><b>{_e(label)}</b> · {pages} trang</p>"
            f"<div class='subject'>{_e(subject)}</div><div class='where'>{_e(rel)}</div>{imgs}</div>")


def _index_body(
    archive_root: Path, communes: list[str], *, commune: str | None, year: int | None, month: int | None, day: int | None,
    date_from: str | None, date_to: str | None, text: str | None, kind: str | None, ca_nam: bool, page: int,
) -> str:
    """The page: header (communes, search box), calendar and range on the left, results on the right.

    ``communes``: the configured communes that have an archive tree; ``commune`` is a configured one.
    """
    if commune and commune not in communes:
        return _shell(communes, None, text, "", f"<p class='empty'>Thư mục lưu trữ của xã/thị trấn "
                                                f"“{_e(commune)}” chưa có văn bản nào.</p>")
    commune = commune or (communes[0] if communes else None)
    if commune is None:
        return _shell(communes, None, text, "", "<p class='empty'>Thư mục lưu trữ chưa có văn bản nào.</p>")
    years = archive_years(archive_root, commune)
    browsing = not (text or date_from or date_to or kind or ca_nam or month or day)
    year = year or (years[-1] if years else dt.date.today().year)
    counts = calendar_counts(archive_root, commune, dt.date(year, 1, 1), dt.date(year, 12, 31))
    months = calendar_counts(archive_root, commune, dt.date(year, 1, 1), dt.date(year, 12, 31), by_month=True)
    if browsing and counts and not month:  # first visit: the latest month that has documents
        month = int(max(counts)[5:7])

    def q(**kw: Any) -> str:
        """A link to this page with these choices (escaped for an attribute)."""
        return _e("?" + urlencode({k: v for k, v in {"commune": commune, **kw}.items() if v}))

    kw: dict[str, Any] = {}
    heading = ""
    error = ""
    try:
        date_from = parse_day(date_from, "từ ngày") if date_from else None
        date_to = parse_day(date_to, "đến ngày") if date_to else None
        if text:
            kw["text"], heading = text, f"Kết quả tìm “{_e(text)}”"
        if kind:
            kw.update(kind=kind, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
            heading = f"{_e(layout.kind_info(kind).label_vi)} năm {year}"
        elif ca_nam:
            kw.update(year_documents=True, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
            heading = f"Văn bản cả năm {year}"
        elif date_from or date_to:
            kw.update(date_from=date_from, date_to=date_to)
            heading += (" · " if heading else "") + (f"Từ ngày {_vn_date(date_from) if date_from else '…'} "
                                                     f"đến ngày {_vn_date(date_to) if date_to else '…'}")
        elif day and month:
            kw["on"] = dt.date(year, month, day)
            heading = f"Ngày {day:02d}/{month:02d}/{year}"
        elif month and not text:
            last = calendar.monthrange(year, month)[1]
            kw.update(date_from=dt.date(year, month, 1), date_to=dt.date(year, month, last))
            heading = f"Tháng {month}/{year}"
        results, total = find_page(archive_root, commune, **kw, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    except (CongkhaiError, ValueError) as err:
        message = err.message_vi if isinstance(err, CongkhaiError) else "Ngày không hợp lệ"
        results, total, error = [], 0, f"<p class='err'>Lỗi: {_e(message)}</p>"

    side = _sidebar(archive_root, commune, years, year, month, day, counts, months, date_from, date_to, q)
    if error:
        main = f"<h2>{heading}</h2>{error}"
    elif not results:
        main = f"<h2>{heading}</h2><p class='empty'>Không tìm thấy văn bản nào.</p>"
    else:
        first = (page - 1) * PAGE_SIZE + 1
        pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
        count = f"{total} kết quả" + (f" · hiển thị {first}–{first + len(results) - 1}" if pages > 1 else "")
        state = {"year": year, "month": month, "day": day, "from": date_from, "to": date_to, "text": text,
                 "kind": kind, "ca_nam": 1 if ca_nam else None}
        pager = ""
        if pages > 1:
            prev = f"<a href='{q(**state, page=page - 1)}'>‹ Trang trước</a>" if page > 1 else ""
            nxt = f"<a href='{q(**state, page=page + 1)}'>Trang sau ›</a>" if page < pages else ""
            pager = f"<div class='pager'>{prev}<span>Trang {page}/{pages}</span>{nxt}</div>"
        main = (f"<h2>{heading}</h2><p class='count'>{count}</p>"
                + "".join(_result_html(r) for r in results) + pager)
    return _shell(communes, commune, text, side, main)


def _shell(communes: list[str], commune: str | None, text: str | None, side: str, main: str) -> str:
    links = "".join(f"<a class='{'on' if c == commune else ''}' href='?{urlencode({'commune': c})}'>{_e(c)}</a>"
                    for c in communes) if len(communes) > 1 else _e(commune or "")
    hidden = f"<input type='hidden' name='commune' value='{_e(commune)}'>" if commune else ""
    search = (f"<form class='search' method='get'>{hidden}<input name='text' value='{_e(text or '')}' "
              "placeholder='Tìm theo trích yếu, số ký hiệu, nội dung (gõ có dấu hoặc không dấu)' "
              "aria-label='Từ khóa'><button>Tìm kiếm</button></form>")
    return (f"<header><h1>Lưu trữ công khai</h1><span class='communes'>Xã/thị trấn: {links}</span>{search}"
            f"</header><div class='wrap'><aside>{side}</aside><main>{main}</main></div>")


def _sidebar(
    archive_root: Path, commune: str, years: list[int], year: int, month: int | None, day: int | None,
    counts: dict[str, int], months: dict[str, int], date_from: str | None, date_to: str | None,
    q: Callable[..., str],
) -> str:
    shown_years = sorted(set(years) | {year})
    ys = "".join(f"<a class='{'on' if y == year else ''}' href='{q(year=y)}'>{y}</a>" for y in shown_years)
    per_month = {int(m[5:7]): n for m, n in months.items()}
    ms = "".join(
        (f"<a class='{'on' if m == month else ''}' href='{q(year=year, month=m)}'>Th {m}"
         f"<small>{per_month[m]} văn bản</small></a>") if m in per_month else f"<span>Th {m}<small>&nbsp;</small></span>"
        for m in range(1, 13))
    cal = ""
    if month:
        weeks = calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)
        head = "".join(f"<th>{w}</th>" for w in _WEEKDAYS)
        body = ""
        for week in weeks:
            cells = ""
            for d in week:
                n = counts.get(f"{year:04d}-{month:02d}-{d:02d}", 0) if d else 0
                if not d:
                    cells += "<td></td>"
                elif n:
                    cls = "on" if d == day else ""
                    cells += (f"<td><a class='{cls}' href='{q(year=year, month=month, day=d)}' "
                              f"title='{n} văn bản'>{d}</a></td>")
                else:
                    cells += f"<td><span>{d}</span></td>"
            body += f"<tr>{cells}</tr>"
        cal = (f"<section><h3>Ngày — tháng {month}/{year}</h3><table class='cal'><tr>{head}</tr>{body}</table>"
               "</section>")
    rng = (f"<section><h3>Khoảng ngày</h3><form class='range' method='get'>"
           f"<input type='hidden' name='commune' value='{_e(commune)}'>"
           f"<label>Từ ngày<input name='from' placeholder='ngày/tháng/năm' value='{_e(_vn_input(date_from))}'>"
           "</label>"
           f"<label>Đến ngày<input name='to' placeholder='ngày/tháng/năm' value='{_e(_vn_input(date_to))}'>"
           "</label>"
           "<button>Xem</button></form></section>")
    dossier = find(archive_root, commune, kind="dossier", date_from=dt.date(year, 1, 1),
                   date_to=dt.date(year, 12, 31), limit=5)
    pdfs = [f for r in dossier for f in r["files"] if f["path"].lower().endswith(".pdf")]
    latest = max(pdfs, key=lambda f: f["version"]) if pdfs else None
    dossier_link = (f"<a href='view/{quote(latest['path'])}'>Hồ sơ công khai năm {year} (PDF)</a>"
                    if latest else f"<span class='empty'>Chưa lập hồ sơ công khai năm {year}</span>")
    yeardocs = (f"<section class='yeardocs'><h3>Văn bản cả năm {year}</h3>"
                f"<a href='{q(year=year, ca_nam=1)}'>Kế hoạch, danh mục quý, báo cáo HĐND</a>{dossier_link}</section>")
    return (f"<section><h3>Năm</h3><div class='years'>{ys}</div></section>"
            f"<section><h3>Tháng — năm {year}</h3><div class='months'>{ms}</div></section>{cal}{rng}{yeardocs}")
