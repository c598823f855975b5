"""The "Công khai" page: the operator's cockpit, a FastAPI app mounted in Airflow's api-server by the plugin
(``plugins/congkhai_airflow.py``: ``fastapi_apps`` at :data:`MOUNT`, a nav link through ``external_views``
that Airflow's UI shows in a frame at ``/plugin/cong-khai``).

Per commune (a drop-down of the configured ones; it opens on the first that has cases), for a day (today
in Vietnam unless ``?on=`` says otherwise):

- today's work: the required actions waiting (overdue ones in red, with their days late), postings
  starting and ending, the radio's broadcasts, the late cases;
- a timeline of the month: one row per place (the UBND, each residential group, the radio), a bar per
  posting, today marked, late cases in red (server-side SVG with a title, a description and text);
- every case, most urgent first; a case's page: its schedule, its documents with their state (draft /
  final / signed) and links to the archive page's viewer and downloads, who recorded what and when, and
  buttons that open its Airflow required actions (``congkhai_evidence``, one run per case).

Everything shown comes from :mod:`congkhai.cockpit.status` (``congkhai status --json`` prints the same).

The same promises as the archive page (``docs/security.md``), with its own pieces: every route depends on
Airflow's logged-in user (``_airflow_user``: a bearer token, else the UI's ``_token`` cookie) and a browser
without one is sent to Airflow's login; the ``SecurityHeaders`` middleware puts ``nosniff``,
``X-Frame-Options: SAMEORIGIN`` and the page CSP (no inline script or style: the CSS and the one script are
files of this package, served by this app) on every response; every parameter is validated (a configured
commune, a real day and month, a case id of the commune) and bad input answers 400/404 in Vietnamese.
HTML is Jinja2 templates with autoescape and ``StrictUndefined``.

Airflow is imported only when a request comes (the archive page's auth helpers import it lazily).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from congkhai.archive.webapp import SecurityHeaders, _airflow_user, install_error_handlers
from congkhai.errors import CongkhaiError

if TYPE_CHECKING:  # the domain is imported at the first request: every Airflow process loads the plugin
    from congkhai.cockpit import status as st

#: Where the plugin mounts this app in Airflow's api-server.
MOUNT = "/congkhai-cockpit"
#: Where the archive page is mounted (its viewer and downloads are linked from a case's documents).
ARCHIVE_MOUNT = "/congkhai"
HERE = Path(__file__).parent
STATIC = {"cockpit.css": "text/css; charset=utf-8", "cockpit.js": "text/javascript; charset=utf-8",
          "icon.svg": "image/svg+xml"}
_CASE_ID = re.compile(r"^\d{8}-[a-z0-9][a-z0-9-]{0,80}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
#: Bounds of a day or month the page accepts (outside: 400, never an overflow).
MIN_YEAR, MAX_YEAR = 2000, 2100
#: Operator actions of ``dags/congkhai_actions.py`` (Trigger with the case id), as the case page lists them.
ACTION_DAGS = (
    ("record_posting", "Ghi nhận ngày niêm yết thực tế"),
    ("feedback", "Ghi nhận ý kiến phản hồi"),
    ("correct", "Sửa thông tin hồ sơ"),
    ("regenerate", "Lập lại văn bản"),
    ("cancel", "Hủy hồ sơ"),
)
_STATUS_VI = {
    400: "Yêu cầu không hợp lệ.", 401: "Cần đăng nhập Airflow.", 403: "Không có quyền xem trang này.",
    404: "Không tìm thấy trang này.", 405: "Phương thức không được hỗ trợ.",
}


def _vn(d: dt.date | None) -> str:
    return f"{d:%d/%m/%Y}" if d else ""


@functools.cache
def templates() -> Jinja2Templates:
    """The page's Jinja2 templates: autoescaped, and a missing variable fails loudly (``StrictUndefined``)."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["vn"] = _vn
    env.filters["q"] = lambda s: quote(str(s), safe="/")
    return Jinja2Templates(env=env)


# ---------------------------------------------------------------------------------------------- links

@dataclasses.dataclass(frozen=True)
class Links:
    """URLs of the Airflow UI and the archive page, under the same base path as this app."""

    ui: str  # Airflow's UI base ('' at the root)

    @classmethod
    def of(cls, request: Request) -> Links:
        root = request.scope.get("root_path", "")
        return cls(root[: -len(MOUNT)] if root.endswith(MOUNT) else "")

    def evidence_run(self, commune: str, case_id: str) -> str:
        from congkhai.airflow.dagkit import EVIDENCE_DAG_ID, evidence_run_id

        return f"{self.ui}/dags/{EVIDENCE_DAG_ID}/runs/{quote(evidence_run_id(commune, case_id), safe='')}"

    def required_action(self, commune: str, case_id: str, section: str) -> str:
        """The required action (HITL) of one section: the task instance's Required Actions tab."""
        return f"{self.evidence_run(commune, case_id)}/tasks/ask_{section}/required_actions"

    def answer_task(self, commune: str, case_id: str, section: str) -> str:
        """The task instance of an answered section (to Clear it and answer again)."""
        return f"{self.evidence_run(commune, case_id)}/tasks/ask_{section}"

    def action_dag(self, name: str) -> str:
        return f"{self.ui}/dags/congkhai_action_{name}"

    def all_required_actions(self) -> str:
        return f"{self.ui}/required_actions?response_received=false"

    def view(self, rel: str) -> str:
        return f"{self.ui}{ARCHIVE_MOUNT}/view/{quote(rel)}"

    def download(self, rel: str) -> str:
        return f"{self.ui}{ARCHIVE_MOUNT}/files/{quote(rel)}?download=1"


# ------------------------------------------------------------------------------------------- timeline

@dataclasses.dataclass(frozen=True)
class SvgBar:
    x: float
    y: float
    w: float
    h: float
    css: str
    label: str
    title: str
    href: str


@dataclasses.dataclass(frozen=True)
class SvgRow:
    label: str
    y: float
    h: float
    label_x: float
    label_y: float
    bars: tuple[SvgBar, ...]


@dataclasses.dataclass(frozen=True)
class Svg:
    """A timeline laid out for one width (the page carries a wide and a narrow one)."""

    width: float
    height: float
    x0: float
    dw: float
    top: float
    rows: tuple[SvgRow, ...]
    days: tuple[tuple[float, int, bool], ...]  # x, day number, day off
    today_x: float | None
    today_col: float | None  # x of the day's column (its number is highlighted)
    tick_every: int


def _lanes(bars: Sequence[st.TimelineBar]) -> list[int]:
    """A lane per bar so that bars of one row never overlap (greedy, by start)."""
    ends: list[dt.date] = []
    lanes = []
    for b in bars:
        lane = next((i for i, e in enumerate(ends) if e < b.start), None)
        if lane is None:
            ends.append(b.end)
            lane = len(ends) - 1
        else:
            ends[lane] = b.end
        lanes.append(lane)
    return lanes


def layout_timeline(tl: st.Timeline, day: dt.date, *, width: float, label_w: float, label_above: bool,
                    base: str, commune: str, on: dt.date, days_off: set[dt.date]) -> Svg:
    """Coordinates of the timeline: a column per day, a row per place (one lane per overlapping bar)."""
    ndays = (tl.last - tl.first).days + 1
    x0 = 0.0 if label_above else label_w
    dw = (width - x0 - 4) / ndays
    lane_h, gap, label_h = 20.0, 6.0, (15.0 if label_above else 0.0)
    top = 24.0
    y = top
    rows = []
    for row in tl.rows:
        lanes = _lanes(row.bars)
        n = max(lanes, default=0) + 1
        y_bars = y + label_h
        bars = []
        for b, lane in zip(row.bars, lanes, strict=True):
            s = b.case
            x = x0 + (b.start - tl.first).days * dw
            w = ((b.end - b.start).days + 1) * dw
            css = {"late": "late", "ended": "ended", "waiting_person": "waiting"}.get(s.state, "posting")
            label = s.notation or s.case_id
            title = (f"{label} — {s.subject}. {row.place.label}: {'từ trước ' if b.starts_before else ''}"
                     f"{_vn(b.start)} – {_vn(b.end)}{' (còn tiếp)' if b.ends_after else ''}. "
                     f"{s.state_label}" + (f", trễ {s.days_late} ngày" if s.days_late else "") + ".")
            href = f"{base}/case/{quote(s.case_id)}?{urlencode({'commune': commune, 'on': on.isoformat()})}"
            bars.append(SvgBar(x=round(x, 1), y=round(y_bars + lane * lane_h + 2, 1), w=round(max(w, 3), 1),
                               h=lane_h - 4, css=css, label=label if w >= 7 * len(label) else "", title=title,
                               href=href))
        h = label_h + n * lane_h
        rows.append(SvgRow(label=row.place.label, y=round(y, 1), h=h, label_x=2 if label_above else 4,
                           label_y=round(y + (11 if label_above else h / 2 + 4), 1), bars=tuple(bars)))
        y += h + gap
    days = tuple((round(x0 + i * dw, 1), (tl.first + dt.timedelta(days=i)).day,
                  (tl.first + dt.timedelta(days=i)) in days_off) for i in range(ndays))
    shown = tl.first <= day <= tl.last
    today_x = round(x0 + ((day - tl.first).days + 0.5) * dw, 1) if shown else None
    today_col = round(x0 + (day - tl.first).days * dw, 1) if shown else None
    return Svg(width=width, height=round(y + 4, 1), x0=x0, dw=round(dw, 2), top=top, rows=tuple(rows),
               days=days, today_x=today_x, today_col=today_col,
               tick_every=1 if dw >= 22 else (2 if dw >= 14 else 5))


# ---------------------------------------------------------------------------------------- the app

def _wants_html(request: Request) -> bool:
    root = request.scope.get("root_path", "")
    path = request.scope.get("path", "")
    path = path[len(root):] if root and path.startswith(root) else path
    return not path.startswith("/api/") and (path in ("", "/") or path.startswith("/case/")
                                             or "text/html" in request.headers.get("accept", ""))


def _month(value: str | None, day: dt.date) -> tuple[int, int]:
    if not value:
        return day.year, day.month
    m = _MONTH.match(value.strip())
    if not m or not (MIN_YEAR <= int(m[1]) <= MAX_YEAR and 1 <= int(m[2]) <= 12):
        raise HTTPException(status_code=400, detail=f"Tháng không hợp lệ: “{value}” (cần dạng năm-tháng, "
                                                     "ví dụ 2024-03). / Invalid month.")
    return int(m[1]), int(m[2])


def _day(value: str | None) -> dt.date:
    from congkhai.cockpit import status as st

    if not value:
        return st.today_vn()
    if len(value) > 20 or "\x00" in value:
        raise HTTPException(status_code=400, detail="Ngày không hợp lệ. / Invalid date.")
    try:
        day = st.parse_day(value)
    except CongkhaiError as err:
        raise HTTPException(status_code=400, detail=f"{err.message_vi} / Invalid date.") from err
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise HTTPException(status_code=400, detail=f"Năm {day.year} ngoài khoảng {MIN_YEAR}–{MAX_YEAR}. "
                                                     "/ Year out of range.")
    return day


def create_app(
    root: Path | None = None, *, require_login: bool = True, communes: Sequence[str] | None = None,
    communes_dir: Path | None = None,
) -> FastAPI:
    """The plugin app. ``root``: the archive root (default: the settings'); ``require_login=False`` only for
    tests of the page itself; ``communes``: the communes it serves (default: the configured ones, read at
    each request); ``communes_dir``: where their ``commune.yaml`` are (default: the settings')."""
    deps = [Depends(_airflow_user)] if require_login else []
    app = FastAPI(title="Công khai", dependencies=deps, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityHeaders)

    def settings() -> Any:
        from congkhai.config import settings as read

        s = read()
        changes: dict[str, Any] = {}
        if root is not None:
            changes["archive_root"] = Path(root)
        if communes_dir is not None:
            changes["communes_dir"] = Path(communes_dir)
        return dataclasses.replace(s, **changes) if changes else s

    def known(s: Any) -> list[str]:
        if communes is not None:
            return list(communes)
        from congkhai.config import list_communes

        return list_communes(s)

    def commune_run(commune: str | None) -> tuple[Any, list[str]]:
        """The commune asked for (or the first configured one that has cases) and the list to choose from."""
        from congkhai.pipeline.context import CommuneRun

        s = settings()
        names = known(s)
        if commune is not None and commune not in names:
            shown = "".join(ch for ch in commune[:80] if ch.isprintable())
            raise HTTPException(status_code=404, detail=f"Không có xã/thị trấn “{shown}” trong cấu hình của "
                                                         "hệ thống. / Unknown commune.")
        if commune is None:
            from congkhai.archive.layout import YEAR_DIR
            from congkhai.archive.store import iter_folder_paths

            def has_cases(c: str) -> bool:  # a case folder in its tree (dated folders only, no manifest read)
                return any(not p.endswith(YEAR_DIR) for p in iter_folder_paths(s.archive_dir(c)))

            with_cases = [c for c in names if has_cases(c)]
            commune = (with_cases or names or [None])[0]
        if commune is None:
            raise HTTPException(status_code=404,
                                detail="Chưa cấu hình xã/thị trấn nào. / No commune configured.")
        return CommuneRun(commune, s), _choices(names, s)

    install_error_handlers(app, _error, _wants_html, status_vi=_STATUS_VI)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request, commune: str | None = None, on: str | None = None,
              month: str | None = None) -> HTMLResponse:
        """Today's work, the month's timeline and every case of the commune."""
        from congkhai.cockpit import status as st

        day = _day(on)
        year, mon = _month(month, day)
        run, names = commune_run(commune or None)
        try:
            statuses = st.commune_status(run, day)
        except CongkhaiError as err:
            raise HTTPException(status_code=400, detail=err.message_vi) from err
        work = st.day_work(statuses, day)
        tl = st.timeline(run, statuses, year, mon)
        base = request.scope.get("root_path", "")
        off = {tl.first + dt.timedelta(days=i) for i in range((tl.last - tl.first).days + 1)}
        off = {d for d in off if not run.calendar.is_working_day(d)}
        common = dict(base=base, commune=run.code, on=day, days_off=off)
        prev_month = (tl.first - dt.timedelta(days=1)).strftime("%Y-%m")
        next_month = (tl.last + dt.timedelta(days=1)).strftime("%Y-%m")
        return _render(request, "index.html", run=run, communes=names, day=day, work=work, statuses=statuses,
                       active=[s for s in statuses if s.state not in ("ended", "cancelled")],
                       finished=[s for s in statuses if s.state in ("ended", "cancelled")], tl=tl,
                       wide=layout_timeline(tl, day, width=1000, label_w=170, label_above=False, **common),
                       narrow=layout_timeline(tl, day, width=360, label_w=0, label_above=True, **common),
                       month_links={"prev": prev_month, "next": next_month}, links=Links.of(request),
                       today=st.today_vn())

    @app.get("/case/{case_id}", response_class=HTMLResponse)
    def case_page(request: Request, case_id: str, commune: str | None = None,
                  on: str | None = None) -> HTMLResponse:
        """One case: its schedule, documents and their state, what people recorded, its required actions."""
        from congkhai.cockpit import status as st

        day = _day(on)
        if not _CASE_ID.match(case_id):
            raise HTTPException(status_code=404,
                                detail="Không có hồ sơ này (mã hồ sơ không hợp lệ). / Unknown case.")
        run, names = commune_run(commune or None)
        try:
            detail = st.case_detail(run, case_id, day)
        except CongkhaiError as err:
            status = 404 if err.kind == "unknown_case" else 400
            raise HTTPException(status_code=status, detail=f"{err.message_vi} / Unknown case.") from err
        return _render(request, "case.html", run=run, communes=names, day=day, detail=detail, s=detail.status,
                       links=Links.of(request), actions=ACTION_DAGS, today=st.today_vn())

    @app.get("/api/status")
    def api_status(commune: str | None = None, on: str | None = None) -> dict[str, Any]:
        """The JSON of ``congkhai status --json`` for a commune and a day."""
        from congkhai.cockpit import status as st

        day = _day(on)
        run, _ = commune_run(commune or None)
        try:
            return st.status_report(run, day)
        except CongkhaiError as err:
            raise HTTPException(status_code=400, detail=err.message_vi) from err

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(status_code=404, detail="Không có tệp này. / Not found.")
        return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name],
                        headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/icon.svg")
    def icon() -> Response:
        return static("icon.svg")

    return app


def _choices(names: list[str], s: Any) -> list[tuple[str, str]]:
    """The drop-down: each configured commune's code and name (``Thị trấn Kép``), the code if unreadable."""
    from congkhai.commune import load_commune

    out = []
    for code in names:
        try:
            out.append((code, load_commune(code, s).name_cap))
        except CongkhaiError:
            out.append((code, code))
    return out


def _render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    base = request.scope.get("root_path", "")
    return templates().TemplateResponse(request, template, {"base": base, **context}, status_code=status_code)


def _error(request: Request, status_code: int, message: str) -> HTMLResponse:
    """A small page in Vietnamese for an error on an HTML route, with a way back."""
    return _render(request, "error.html", status_code=status_code, message=message, code=status_code)
