"""The "Lưu trữ công khai" page: a FastAPI app the lead mounts in Airflow's api-server (AirflowPlugin
``fastapi_apps``), with a nav link via ``external_views``.

Browse by calendar (year → month → day), by date range, search box (diacritics optional); results
with a thumbnail of page 1 of each PDF; open/download PDFs and the year's dossier.

Security: every route depends on Airflow's logged-in user (``GetUserDep``: the api-server's JWT
cookie or a bearer token; none → 401). Files are served only from inside the archive root: the
resolved real path (symlinks followed) must stay under the root's real path, and the derived
``.index`` folder is not served.

Airflow is imported only in :func:`create_app` (this is the one Airflow-specific module of the archive).
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse, Response

from congkhai.archive import layout
from congkhai.archive.find import find
from congkhai.archive.store import list_archive_communes
from congkhai.errors import CongkhaiError

_CSS = """
body{font-family:'Liberation Serif','Times New Roman',serif;margin:1.2em;color:#111}
nav a,.cal a{margin-right:.6em} .res{display:flex;gap:1em;border-top:1px solid #ccc;padding:.6em 0}
.res img{width:110px;border:1px solid #999} .files a{display:block} form{margin:.6em 0}
"""


def _resolve_root(root: Path | None) -> Path:
    if root is not None:
        return Path(root)
    from congkhai.config import settings

    return settings().archive_root


def safe_path(root: Path, rel: str) -> Path:
    """``root/rel`` if it is a regular file inside the archive (symlinks resolved), else 404."""
    real_root = Path(os.path.realpath(root))
    target = Path(os.path.realpath(real_root / rel))
    parts = Path(rel).parts
    if (
        not target.is_relative_to(real_root)
        or target == real_root
        or layout.INDEX_DIR in parts
        or any(p == ".." for p in parts)
        or not target.is_file()
    ):
        raise HTTPException(status_code=404, detail="Không có tệp này")
    return target


def _thumbnail(root: Path, pdf: Path) -> Path:
    """PNG of page 1 (pdftoppm), cached in the commune's derived ``.index/thumbs``."""
    from congkhai.archive.fsutil import sha256_file

    commune = pdf.relative_to(os.path.realpath(root)).parts[0]
    cache = Path(root) / commune / layout.INDEX_DIR / "thumbs"
    cache.mkdir(parents=True, exist_ok=True)
    out = cache / f"{sha256_file(pdf)}.png"
    if not out.exists():
        tmp = cache / f".{out.stem}-{os.getpid()}"
        subprocess.run(["pdftoppm", "-png", "-r", "24", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(tmp)],
                       check=True, capture_output=True, timeout=60)
        os.replace(f"{tmp}.png", out)
    return out


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>Lưu trữ công khai</h1>{body}</body></html>"
    )


def _results_html(results: list[dict[str, Any]]) -> str:
    if not results:
        return "<p>Không tìm thấy kết quả.</p>"
    rows = [f"<p>{len(results)} kết quả.</p>"]
    for r in results:
        pdfs = [f for f in r["files"] if f["path"].lower().endswith(".pdf")]
        thumb = (f"<img alt='Trang 1' src='thumb/{quote(pdfs[0]['path'])}'>" if pdfs else "")
        notation = "/".join(x for x in (r["doc_number"], r["doc_code"]) if x) or "(không số)"
        links = "".join(
            f"<a href='files/{quote(f['path'])}' target='_blank'>{html.escape(f['path'].rsplit('/', 1)[-1])}</a>"
            for f in r["files"]
        )
        rows.append(
            f"<div class='res'>{thumb}<div><b>{html.escape(r['issued'] or '')} · {html.escape(notation)}</b>"
            f"<div>{html.escape(r['subject'] or '')}</div><div class='files'>{links}</div></div></div>"
        )
    return "".join(rows)


def create_app(root: Path | None = None, *, require_login: bool = True) -> FastAPI:
    """The plugin app. ``require_login=False`` only for tests of the page itself."""
    deps: list[Any] = []
    if require_login:
        from airflow.api_fastapi.core_api.security import get_user

        deps = [Depends(get_user)]
    app = FastAPI(title="Lưu trữ công khai", dependencies=deps)

    @app.get("/", response_class=HTMLResponse)
    def index(
        commune: str | None = None, year: int | None = None, month: int | None = None, day: int | None = None,
        date_from: str | None = Query(None, alias="from"), date_to: str | None = Query(None, alias="to"),
        text: str | None = None, kind: str | None = None,
    ) -> HTMLResponse:
        archive_root = _resolve_root(root)
        communes = list_archive_communes(archive_root)
        commune = commune or (communes[0] if communes else None)
        today = dt.date.today()
        year = year or today.year
        q = lambda **kw: "?" + urlencode({k: v for k, v in {"commune": commune, **kw}.items() if v})  # noqa: E731
        nav = "".join(f"<a href='{q(year=y)}'>{y}</a>" for y in range(year - 4, year + 1))
        months = "".join(f"<a href='{q(year=year, month=m)}'>Tháng {m}</a>" for m in range(1, 13))
        days = ""
        if month:
            n = calendar.monthrange(year, month)[1]
            days = "".join(f"<a href='{q(year=year, month=month, day=d)}'>{d:02d}</a>" for d in range(1, n + 1))
        forms = (
            f"<form><input type='hidden' name='commune' value='{html.escape(commune or '')}'>"
            "Từ ngày <input type='date' name='from'> đến ngày <input type='date' name='to'>"
            " <button>Xem</button></form>"
            f"<form><input type='hidden' name='commune' value='{html.escape(commune or '')}'>"
            "<input name='text' placeholder='Tìm (gõ có dấu hoặc không dấu)' size='40'>"
            " <button>Tìm kiếm</button></form>"
        )
        kw: dict[str, Any] = {}
        heading = ""
        if kind:
            kw.update(kind=kind, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31))
            heading = f"{html.escape(layout.KINDS.get(kind, layout.KINDS['dossier']).label_vi)} năm {year}"
        if text:
            kw["text"], heading = text, f"Kết quả tìm “{html.escape(text)}”"
        if date_from or date_to:
            kw.update(date_from=date_from or None, date_to=date_to or None)
            heading = f"Từ {html.escape(date_from or '…')} đến {html.escape(date_to or '…')}"
        elif day and month:
            kw["on"] = dt.date(year, month, day)
            heading = f"Ngày {day:02d}/{month:02d}/{year}"
        elif month:
            kw.update(date_from=dt.date(year, month, 1), date_to=dt.date(year, month, calendar.monthrange(year, month)[1]))
            heading = f"Tháng {month}/{year}"
        results_html = ""
        if kw and commune:
            try:
                results_html = _results_html(find(archive_root, commune, **kw))
            except CongkhaiError as err:
                results_html = f"<p>Lỗi: {html.escape(err.message_vi)}</p>"
        dossier = f"<a href='{q(year=year, kind='dossier')}'>Hồ sơ công khai năm {year}</a>"
        body = (f"<nav>Xã: {html.escape(commune or '(chưa có)')} · Năm: {nav}</nav><div class='cal'>{months}</div>"
                f"<div class='cal'>{days}</div>{forms}<p>{dossier}</p><h2>{heading}</h2>{results_html}")
        return _page("Lưu trữ công khai", body)

    @app.get("/api/find")
    def api_find(
        commune: str | None = None, on: str | None = None, date_from: str | None = Query(None, alias="from"),
        date_to: str | None = Query(None, alias="to"), item: str | None = None, kind: str | None = None,
        text: str | None = None,
    ) -> list[dict[str, Any]]:
        try:
            return find(_resolve_root(root), commune, on=on, date_from=date_from, date_to=date_to, item=item,
                        kind=kind, text=text)
        except CongkhaiError as err:
            raise HTTPException(status_code=400, detail=str(err)) from err

    @app.get("/files/{rel:path}")
    def get_file(rel: str, download: bool = False) -> FileResponse:
        path = safe_path(_resolve_root(root), rel)
        media = "application/pdf" if path.suffix.lower() == ".pdf" else None
        return FileResponse(path, media_type=media, filename=path.name,
                            content_disposition_type="attachment" if download else "inline")

    @app.get("/thumb/{rel:path}")
    def get_thumb(rel: str) -> Response:
        archive_root = _resolve_root(root)
        path = safe_path(archive_root, rel)
        if path.suffix.lower() != ".pdf":
            raise HTTPException(status_code=404, detail="Không phải PDF")
        try:
            return FileResponse(_thumbnail(archive_root, path), media_type="image/png")
        except (subprocess.SubprocessError, OSError) as err:
            raise HTTPException(status_code=404, detail="Không tạo được ảnh thu nhỏ") from err

    return app
