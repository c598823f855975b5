"""The "Lưu trữ công khai" page: a FastAPI app mounted in Airflow's api-server by the plugin
(``plugins/congkhai_airflow.py``: ``fastapi_apps`` at ``/congkhai``, a nav link via ``external_views``
that Airflow's UI shows in a frame at ``/plugin/luu-tru``).

Browse by calendar (year → month → day: cases by their issue date, the date their cards show), filter
(plan item with its title, kind, state, issue dates) or search (diacritics optional, best matches first,
a snippet with the words marked); each result shows the top of page 1 of its original, the case id to
copy, and its documents with their number, date and state as recorded (PDF to view, .docx to edit, a
download link); the year's dossier is one click away. Results come a page at a time (``PAGE_SIZE``),
with the total. It opens on a commune that has cases. HTML is Jinja2 templates (``templates/``,
autoescape, ``StrictUndefined``); the CSS, script and icon are files of ``static/``.

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
import functools
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
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from congkhai.archive import layout
from congkhai.archive.find import archive_items, archive_years, calendar_counts, find, find_page, has_cases
from congkhai.archive.store import list_archive_communes
from congkhai.errors import CongkhaiError

log = logging.getLogger(__name__)

#: Results per page of the page (the CLI shows 200; a person reads a screenful).
PAGE_SIZE = 50
#: Results of /api/find when no limit is given.
API_LIMIT = 200
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

HERE = Path(__file__).parent
#: The page's own files (``/style.css``, ``/app.js``, ``/icon.svg``): name -> (file, media type).
STATIC = {"style.css": ("archive.css", "text/css; charset=utf-8"),
          "app.js": ("archive.js", "text/javascript; charset=utf-8"),
          "icon.svg": ("icon.svg", "image/svg+xml")}
#: What a generated document's state is called on the page.
STATE_VI = {"draft": "Dự thảo", "final": "Chính thức", "signed": "Đã ký"}
#: Query parameters as the error message names them.
FIELDS_VI = {"year": "năm", "month": "tháng (1–12)", "day": "ngày (1–31)", "page": "trang", "n": "số trang",
             "offset": "vị trí bắt đầu", "limit": "số kết quả", "ca_nam": "cả năm", "download": "tải về"}


@functools.cache
def templates() -> Environment:
    """The page's Jinja2 templates: autoescaped, a missing variable fails loudly (``StrictUndefined``)."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["q"] = lambda s: quote(str(s))
    return env


def _html(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates().get_template(template).render(**context), status_code=status_code)


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


def _render(root: Path, pdf: Path, page: int, *, size: int, folder: str, top: bool = False) -> Path:
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
            # ``top``: the upper part of the page at ``size`` px wide (the heading: body, number, title).
            scale = ["-scale-to-x", str(size), "-scale-to-y", "-1", "-W", str(size), "-H", str(size * 3 // 4)] if top \
                else ["-scale-to", str(size)]
            subprocess.run(["pdftoppm", "-png", *scale, "-f", str(page), "-l", str(page),
                            "-singlefile", str(pdf), str(tmp)], check=True, capture_output=True, timeout=60)
            os.replace(f"{tmp}.png", out)
        finally:
            Path(f"{tmp}.png").unlink(missing_ok=True)
    return out


def _thumbnail(root: Path, pdf: Path) -> Path:
    """The top of page 1 (its heading: who issued it, its number, its title), 320 px wide: readable at the
    150 px shown, even on a 2x screen; the whole page is one click away."""
    return _render(root, pdf, 1, size=320, folder="thumbs-top", top=True)


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


def _error_page(base: str, status_code: int, message: str) -> HTMLResponse:
    """A small page for an error on an HTML route: what went wrong, in Vietnamese, and a way back."""
    return _html("error.html", status_code, base=base, code=status_code, message=message)


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
        d = docs.setdefault(stem, {"kind": f["kind"], "version": f["version"], "stem": stem, "files": {}, "first": f})
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


def _vn_iso(iso: str | None, empty: str) -> str:
    return _vn_date(iso) if iso else empty


def _card(r: dict[str, Any], titles: Callable[[int], dict[str, str]]) -> dict[str, Any]:
    """What a result's card shows: the issue date (the one date of the page), number, subject, plan item
    and its title, the case id, the snippet, and each document with its number, date and state as recorded
    (blank when not recorded: nothing is made up) and what can be done with it."""
    files = r["files"]
    pdfs = [f for f in files if f["path"].lower().endswith(".pdf")]
    year_doc = r["case_id"] is None
    originals = [f for f in pdfs if f["kind"] == "original"]
    # A case's thumbnail is its original (the generated documents all look alike); a per-year document's is itself.
    main = max(originals, key=lambda f: f["version"]) if originals else (pdfs[0] if year_doc and pdfs else None)
    nothumb = ""
    if main is None:
        exts = sorted({f["path"].rsplit(".", 1)[-1].upper() for f in files if f["kind"] == "original"})
        nothumb = (f"Văn bản gốc: {', '.join(exts)} — chưa có bản PDF để xem" if exts
                   else "Không có bản PDF")
    notation = "/".join(x for x in (r["doc_number"], r["doc_code"]) if x)
    docs = []
    for d in _documents(files):
        kind = d["kind"]
        f = d["first"]
        links: list[tuple[str, str]] = []
        note = ""
        if "pdf" in d["files"]:
            links += [("Xem", f"view/{quote(d['files']['pdf'])}"), ("Tải PDF", f"files/{quote(d['files']['pdf'])}?download=1")]
        elif kind == "original" and "docx" in d["files"]:
            if originals:
                links.append(("Xem bản PDF", f"view/{quote(max(originals, key=lambda o: o['version'])['path'])}"))
            else:
                note = "Bản Word: chưa có bản PDF để xem, hãy tải về để mở."
        if "docx" in d["files"]:
            links.append(("Tải Word", f"files/{quote(d['files']['docx'])}?download=1"))
        if "txt" in d["files"]:
            links.append(("Bản chữ để gửi tin nhắn (TXT)", f"files/{quote(d['files']['txt'])}?download=1"))
        for ext in sorted(set(d["files"]) - {"pdf", "docx", "txt"}):  # a scanned original (PNG, JPEG, TIFF)
            word = "Tải ảnh" if ext in ("png", "jpg", "jpeg", "tif", "tiff") else "Tải tệp"
            links.append((f"{word} ({ext.upper()})", f"files/{quote(d['files'][ext])}?download=1"))
        if kind == "original":
            number = f"Số {notation}" if notation else "Không số"
        elif f.get("number") is not None and f.get("code"):
            number = f"Số {int(f['number']):02d}/{f['code']}"
        elif kind in ("signed_scan", "dossier"):
            number = ""
        else:
            number = "chưa ghi số"
        state = f.get("state")
        docs.append({"label": _doc_label(d), "version": d["version"], "links": links, "note": note,
                     "number": number,
                     "date": ("" if kind == "original" else _vn_iso(f.get("doc_date"), "chưa ghi ngày")),
                     "state": state, "state_label": STATE_VI.get(state or "", "")})
    snip = r.get("snippet")
    snippet_from = ""
    if snip:
        info = layout.KINDS.get(snip["kind"])
        snippet_from = "Trong văn bản gốc" if snip["kind"] == "original" else f"Trong {info.label_vi if info else snip['kind']}"
    item = r.get("item")
    return {"case_id": r["case_id"], "year_doc": year_doc, "date": _vn_date(r["issued"]),
            "notation": f"Số {notation}" if notation else ("Không số" if not year_doc else "Chưa ghi số"),
            "subject": r["subject"] or "(không có trích yếu)", "item": item,
            "item_title": titles(int((r["issued"] or "0")[:4]) or 0).get(item, "") if item else "",
            "thumb": main["path"] if main else None, "nothumb": nothumb, "docs": docs, "nfiles": len(files),
            "snippet": snip, "snippet_from": snippet_from}


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
                           hint: str = "", fields_vi: dict[str, str] | None = None) -> None:
    """The error answers of congkhai's pages (archive, cockpit): a person opening a page with no or an
    expired session goes to Airflow's login; scripts and the pages' own requests get 401/403 as JSON;
    every other error is Vietnamese — an HTML page for a person, JSON for the API — never a traceback.
    ``fields_vi``: the query parameters' Vietnamese names, for the message on a bad value."""

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
        names = sorted({(fields_vi or {}).get(str(e["loc"][-1]), str(e["loc"][-1]))
                        for e in exc.errors() if e.get("loc")})
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
        _wants_html, status_vi=_STATUS_VI, hint=" (số quá lớn, âm, hoặc không phải số?)", fields_vi=FIELDS_VI)

    @app.get("/", response_class=HTMLResponse)
    def index(
        request: Request,
        commune: str | None = None,
        year: int | None = Query(None, ge=1900, le=2999),
        month: int | None = Query(None, ge=1, le=12),
        day: int | None = Query(None, ge=1, le=31),
        date_from: str | None = Query(None, alias="from"), date_to: str | None = Query(None, alias="to"),
        text: str | None = None, kind: str | None = None, ca_nam: bool = False, item: str | None = None,
        state: str | None = None, page: int = Query(1, ge=1, le=MAX_PAGE),
    ) -> HTMLResponse:
        check_commune(commune)
        archive_root = _resolve_root(root)
        served = [c for c in known() if c in list_archive_communes(archive_root)]
        ctx = _index_context(
            archive_root, served, commune=commune or None, year=year, month=month, day=day,
            date_from=date_from or None, date_to=date_to or None, text=(text or "").strip() or None,
            kind=kind or None, ca_nam=ca_nam, item=(item or "").strip() or None, state=state or None, page=page)
        return _html("index.html", base=request.scope.get("root_path", ""), **ctx)

    def static(name: str) -> Response:
        fname, media = STATIC[name]
        return Response((HERE / "static" / fname).read_bytes(), media_type=media,
                        headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/style.css")
    def style() -> Response:
        return static("style.css")

    @app.get("/app.js")
    def script() -> Response:
        return static("app.js")

    @app.get("/api/find")
    def api_find(
        response: Response,
        commune: str | None = None, on: str | None = None, date_from: str | None = Query(None, alias="from"),
        date_to: str | None = Query(None, alias="to"), item: str | None = None, kind: str | None = None,
        text: str | None = None, limit: int = Query(API_LIMIT, ge=1, le=10_000),
        offset: int = Query(0, ge=0, le=MAX_OFFSET), state: str | None = None, snippets: bool = False,
    ) -> list[dict[str, Any]]:
        """The JSON list of ``congkhai archive find --json``, a page at a time; the total in ``X-Total-Count``.
        ``state``: entries with a document in that state; ``snippets``: with ``text``, each entry's passage."""
        check_commune(commune)
        try:
            results, total = find_page(_resolve_root(root), commune or known(), on=on, date_from=date_from,
                                       date_to=date_to, item=item, kind=kind, text=text, limit=limit, offset=offset,
                                       state=state or None, snippets=snippets)
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
        return static("icon.svg")

    @app.get("/view/{rel:path}", response_class=HTMLResponse)
    def view(rel: str, request: Request) -> HTMLResponse:
        """A PDF shown as page images, with its download link: works inside Airflow's sandboxed frame."""
        path = safe_path(_resolve_root(root), rel, known())
        if path.suffix.lower() != ".pdf":
            raise HTTPException(status_code=404, detail="Không phải PDF")
        return _html("viewer.html", base=request.scope.get("root_path", ""), **_viewer_context(rel, path))

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



def _viewer_context(rel: str, path: Path) -> dict[str, Any]:
    """The viewer: what the document is (from the folder's manifest), download, then every page."""
    from congkhai.archive import manifest as mf

    subject, label = "", ""
    with contextlib.suppress(OSError, ValueError, KeyError):
        m = mf.load(path.parent / layout.MANIFEST)
        f = next((f for f in m["files"] if f["path"] == path.name), None)
        subject = (f or {}).get("title") or m.get("Subject") or ""
        if f:
            label = _doc_label({"kind": f["kind"], "stem": path.stem})
    return {"rel": rel, "name": path.name, "label": label, "subject": subject, "pages": _page_count(path)}


def _plan_titles(commune: str) -> Callable[[int], dict[str, str]]:
    """``year -> {item code: title}`` from the commune's plan of that year (or the latest earlier one);
    empty when there is none (the page then shows the code alone)."""

    @functools.cache
    def titles(year: int) -> dict[str, str]:
        from congkhai.plan import load_plan_or_latest

        try:
            plan, _ = load_plan_or_latest(commune, year)
        except Exception:  # no plan, or one that does not load: the codes are still right
            return {}
        return {i.code: i.title for i in plan.items}

    return titles


def _default_commune(archive_root: Path, communes: list[str]) -> str | None:
    """The commune the page opens on: the first that has cases (a configured commune with an empty tree,
    such as ``demo-xa``, is not a useful first page), else the first."""
    return next((c for c in communes if has_cases(archive_root, c)), communes[0] if communes else None)


def _index_context(
    archive_root: Path, communes: list[str], *, commune: str | None, year: int | None, month: int | None,
    day: int | None, date_from: str | None, date_to: str | None, text: str | None, kind: str | None,
    ca_nam: bool, item: str | None, state: str | None, page: int,
) -> dict[str, Any]:
    """The page: header (communes, search box), calendar on the left, filters and results on the right.

    Everything on the page dates a case by its issue date (the calendar, its counts, the range, the
    cards). ``communes``: the configured communes that have an archive tree."""
    ctx: dict[str, Any] = {"communes": communes, "commune": commune, "text": text, "side": None, "filters": None,
                           "heading": "", "error": "", "message": "", "results": [], "count": "", "pager": None,
                           "year": year, "month": month, "day": day, "link": lambda **kw: ""}
    if commune and commune not in communes:
        ctx["message"] = f"Thư mục lưu trữ của xã/thị trấn “{commune}” chưa có văn bản nào."
        return ctx
    commune = commune or _default_commune(archive_root, communes)
    ctx["commune"] = commune
    if commune is None:
        ctx["message"] = "Thư mục lưu trữ chưa có văn bản nào."
        return ctx
    years = archive_years(archive_root, commune)
    first_visit = year is None
    year = year or (years[-1] if years else dt.date.today().year)
    y_from, y_to = dt.date(year, 1, 1), dt.date(year, 12, 31)
    months = calendar_counts(archive_root, commune, y_from, y_to, by_month=True, issued_only=True, cases_only=True)
    filtering = bool(text or date_from or date_to or kind or ca_nam or item or state)
    if first_visit and not filtering and months and not month:  # the latest month that has cases
        month = int(max(months)[5:7])

    def link(**kw: Any) -> str:
        """A link to this page with these choices."""
        return "?" + urlencode({k: v for k, v in {"commune": commune, **kw}.items() if v})

    kw: dict[str, Any] = {}
    heading: list[str] = []
    cases_only = False
    titles = _plan_titles(commune)
    try:
        d_from = parse_day(date_from, "từ ngày") if date_from else None
        d_to = parse_day(date_to, "đến ngày") if date_to else None
        if kind:
            layout.kind_info(kind)
        if text:
            kw.update(text=text, snippets=True)
            heading.append(f"Kết quả tìm “{text}”")
        if ca_nam:
            kw.update(year_documents=True, year=year)
            heading.append(f"Văn bản cả năm {year}")
        elif d_from or d_to:
            kw.update(date_from=d_from, date_to=d_to, issued_only=True)
            heading.append(f"Ban hành từ ngày {_vn_date(d_from) if d_from else '…'} "
                           f"đến ngày {_vn_date(d_to) if d_to else '…'}")
        elif filtering:
            pass  # a search or a filter: the whole archive
        elif day and month:
            kw.update(on=dt.date(year, month, day), issued_only=True)
            cases_only = True
            heading.append(f"Ngày {day:02d}/{month:02d}/{year}")
        elif month:
            last = calendar.monthrange(year, month)[1]
            kw.update(date_from=dt.date(year, month, 1), date_to=dt.date(year, month, last), issued_only=True)
            cases_only = True
            heading.append(f"Tháng {month}/{year}")
        else:
            kw.update(year=year)
            cases_only = True
            heading.append(f"Năm {year}")
        if item:
            kw["item"] = item
            heading.append(f"Mục {item}" + (f" — {titles(year)[item]}" if item in titles(year) else ""))
        if kind:
            kw["kind"] = kind
            heading.append(layout.kind_info(kind).label_vi)
        if state:
            kw["state"] = state
            heading.append(STATE_VI.get(state, state))
        if cases_only:
            kw["cases_only"] = True
        results, total = find_page(archive_root, commune, **kw, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    except (CongkhaiError, ValueError) as err:
        results, total = [], 0
        ctx["error"] = err.message_vi if isinstance(err, CongkhaiError) else "Ngày không hợp lệ"
    ctx["heading"] = " · ".join(heading)
    if cases_only and not results and not ctx["error"]:
        ctx["message"] = f"{ctx['heading']}: chưa có hồ sơ nào."
    noun = "hồ sơ" if cases_only else "kết quả"
    first = (page - 1) * PAGE_SIZE + 1
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    ctx["count"] = f"{total} {noun}" + (f" · hiển thị {first}–{first + len(results) - 1}" if pages > 1 else "")
    if pages > 1:
        state_kw = {"year": None if first_visit else year, "month": month, "day": day, "from": date_from,
                    "to": date_to, "text": text, "kind": kind, "ca_nam": 1 if ca_nam else None, "item": item,
                    "state": state}
        ctx["pager"] = {"page": page, "pages": pages,
                        "prev": link(**state_kw, page=page - 1) if page > 1 else "",
                        "next": link(**state_kw, page=page + 1) if page < pages else ""}
    ctx["results"] = [_card(r, titles) for r in results]

    # The calendar: months and days with how many cases were issued in them.
    weeks = []
    if month:
        days = calendar_counts(archive_root, commune, y_from, y_to, issued_only=True, cases_only=True)
        weeks = [[(d, days.get(f"{year:04d}-{month:02d}-{d:02d}", 0) if d else 0) for d in week]
                 for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)]
    per_month = {int(m[5:7]): n for m, n in months.items()}
    dossier = find(archive_root, commune, kind="dossier", year=year, limit=5)
    pdfs = [f for r in dossier for f in r["files"] if f["path"].lower().endswith(".pdf")]
    ctx["side"] = {"years": sorted(set(years) | {year}), "months": [(m, per_month.get(m, 0)) for m in range(1, 13)],
                   "year_has_cases": bool(per_month), "weeks": weeks, "weekdays": _WEEKDAYS,
                   "dossier": max(pdfs, key=lambda f: f["version"])["path"] if pdfs else None}
    year_titles = titles(year)
    ctx["filters"] = {
        "item_choices": [(c, year_titles.get(c, "")) for c in sorted(set(archive_items(archive_root, commune)) | (
            {item} if item else set()))],
        "item": item or "", "kind": kind or "", "state": state or "",
        "kinds": [(k, v.label_vi) for k, v in layout.KINDS.items()],
        "states": list(STATE_VI.items()),
        "date_from": _vn_input(date_from), "date_to": _vn_input(date_to),
    }
    ctx.update(commune=commune, year=year, month=month, day=day, link=link)
    return ctx
