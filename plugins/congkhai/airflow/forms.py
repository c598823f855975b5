"""The trigger forms of the operator DAGs: choices read at parse time, answers checked in Vietnamese.

**Choices** (what a dropdown offers) are computed when Airflow parses the DAG file, so they must be
cheap (well under a second) and may never fail the parse:

- the communes: the folders of ``$CONGKHAI_COMMUNES`` with a ``commune.yaml`` (its ``name`` as label);
- the cases: the newest :data:`MAX_CASES` cases of each commune, read from the archive's search index
  (one SQL query, read-only; no manifest is opened) or, without a SQLite index, from the newest case
  folders; labelled ``case_id — số — trích yếu``. Airflow re-parses the file every ~30 s, so a case
  filed a minute ago is in the list; an older case is typed in the free-text field;
- the plan items of every plan year (``Q4-4 — <title>``), the document types, the years.

An empty list cannot be a JSON-schema ``enum``: the field becomes free text and its description says
why. **Answers** are checked by :func:`check_action`, the first task of each action DAG: every
mistake gets one Vietnamese sentence saying what to change (``UsageError``), never a JSON-schema dump.
A document number typed where a case id is expected names the case(s) holding it.

Importable without Airflow except :func:`param` (``airflow.sdk.Param``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from congkhai.config import Settings, list_communes, settings
from congkhai.errors import UsageError

log = logging.getLogger(__name__)

#: How many cases of each commune a dropdown lists (the newest first).
MAX_CASES = 200
#: How many plan years (the newest) give the plan items' dropdown.
PLAN_YEARS = 2
#: A case id as the archive makes it: issue date + number/code slug (``20240325-15-qd-ubnd``).
CASE_ID = re.compile(r"^\d{8}-[a-z0-9][a-z0-9-]{0,80}$")
CASE_ID_PATTERN = CASE_ID.pattern
_SUBJECT_CHARS = 70


def _vn(d: dt.date) -> str:
    return f"{d:%d/%m/%Y}"


def _yaml(path: Path) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader


# ------------------------------------------------------------------------------------------ choices

@dataclass(frozen=True)
class CaseChoice:
    """One case as a dropdown shows it."""

    commune: str
    case_id: str
    issued: str | None
    notation: str
    subject: str
    status: str = "open"

    def label(self, with_commune: bool = False) -> str:
        subject = self.subject if len(self.subject) <= _SUBJECT_CHARS else self.subject[:_SUBJECT_CHARS - 1] + "…"
        parts = [self.case_id, self.notation or "không số", subject or "(không có trích yếu)"]
        ended = " (đã hết niêm yết)" if self.status == "closed" else ""
        return (f"[{self.commune}] " if with_commune else "") + " — ".join(parts) + ended


def _case_status(manifest: dict[str, Any]) -> str:
    case = manifest.get("case")
    return str(case.get("status") or "open") if isinstance(case, dict) else "open"


def _status_of(folder: Path) -> str:
    """The case's status from its manifest (``open`` when it cannot be read: the form must not break)."""
    try:
        return _case_status(json.loads((folder / "manifest.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return "open"


def commune_choices(s: Settings | None = None) -> dict[str, str]:
    """``{code: "kep — thị trấn Kép"}`` for every configured commune (its ``name`` when readable)."""
    s = s or settings()
    out = {}
    for code in list_communes(s):
        name = ""
        try:
            data = _yaml(s.commune_dir(code) / "commune.yaml")
            name = str((data or {}).get("name") or "") if isinstance(data, dict) else ""
        except Exception as err:  # noqa: BLE001 - a broken profile must not break the form
            log.warning("commune.yaml of %s unreadable for the form: %s", code, err)
        out[code] = f"{code} — {name}" if name else code
    return out


def _index_file(s: Settings, commune: str) -> Path | None:
    url = s.index_url
    if url and url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).expanduser() / commune / "index.sqlite"
    if url:  # PostgreSQL: no network at parse time, read the tree instead
        return None
    return s.archive_dir(commune) / ".index" / "index.sqlite"


def _cases_from_index(path: Path, commune_dir: Path, commune: str, limit: int) -> list[CaseChoice] | None:
    """The newest cases of the SQLite index (read-only), cancelled ones left out (their status is read from
    the manifest: the index does not hold it); None when the index cannot be read or is stale."""
    if not path.is_file() or (path.parent / "STALE").exists():
        return None
    out: list[CaseChoice] = []
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)
        try:
            rows = con.execute(
                "SELECT case_id, issued, doc_number, doc_code, subject, folder FROM entries"
                " WHERE commune = ? AND case_id IS NOT NULL ORDER BY issued DESC, folder DESC",
                (commune,),
            )
            for cid, issued, num, code, subject, folder in rows:
                status = _status_of(commune_dir / folder)
                if status == "cancelled":
                    continue
                out.append(CaseChoice(commune, cid, issued, "/".join(x for x in (num, code) if x), subject or "",
                                      status))
                if len(out) >= limit:
                    break
        finally:
            con.close()
    except sqlite3.Error as err:
        log.warning("archive index %s unreadable for the form: %s", path, err)
        return None
    return out


def _cases_from_tree(commune_dir: Path, commune: str, limit: int) -> list[CaseChoice]:
    """The newest case folders (day folders walked newest first; at most ``limit`` manifests read)."""
    out: list[CaseChoice] = []

    def dirs(p: Path, width: int) -> list[Path]:
        try:
            return sorted((c for c in p.iterdir() if c.is_dir() and c.name.isdigit() and len(c.name) == width),
                          reverse=True)
        except OSError:
            return []

    for year in dirs(commune_dir, 4):
        for month in dirs(year, 2):
            for day in dirs(month, 2):
                for folder in sorted((c for c in day.iterdir() if (c / "manifest.json").is_file()), reverse=True):
                    try:
                        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
                    except (OSError, ValueError):
                        continue
                    status = _case_status(m)
                    if not m.get("case_id") or status == "cancelled":
                        continue
                    notation = "/".join(x for x in (m.get("CodeNumber"), m.get("CodeNotation")) if x)
                    out.append(CaseChoice(commune, m["case_id"], m.get("IssuedDate"), notation, m.get("Subject") or "",
                                          status))
                    if len(out) >= limit:
                        return out
    return out


def recent_cases(commune: str, s: Settings | None = None, limit: int = MAX_CASES) -> list[CaseChoice]:
    """The newest ``limit`` cases of a commune that are not cancelled, newest first (index first, the tree
    otherwise); a case whose posting has ended stays (feedback, a correction may still come), marked."""
    s = s or settings()
    path = _index_file(s, commune)
    found = _cases_from_index(path, s.archive_dir(commune), commune, limit) if path is not None else None
    if found is None:
        found = _cases_from_tree(s.archive_dir(commune), commune, limit)
    return found


def case_choices(communes: list[str], s: Settings | None = None) -> dict[str, str]:
    """``{case_id: label}`` of the newest cases of every commune (newest first within each commune)."""
    s = s or settings()
    out: dict[str, str] = {}
    for code in communes:
        try:
            cases = recent_cases(code, s)
        except Exception as err:  # noqa: BLE001 - the form falls back to free text
            log.warning("cases of %s unreadable for the form: %s", code, err)
            continue
        for c in cases:
            out.setdefault(c.case_id, c.label(with_commune=len(communes) > 1))
    return out


def plan_item_choices(communes: list[str], s: Settings | None = None) -> dict[str, str]:
    """``{code: "Q4-4 — <title>"}`` of the newest :data:`PLAN_YEARS` plans of the communes (item codes are
    stable across years; the newest title). Reading a plan costs ~25 ms: older years are left out."""
    s = s or settings()
    titles: dict[str, tuple[int, str]] = {}
    for code in communes:
        plans = sorted(p for p in s.commune_dir(code).glob("plan-*.yaml")
                       if p.stem.removeprefix("plan-").isdigit() and len(p.stem) == 9)
        for path in plans[-PLAN_YEARS:]:
            year = path.stem.removeprefix("plan-")
            try:
                items = (_yaml(path) or {}).get("items") or []
            except Exception as err:  # noqa: BLE001 - a broken plan must not break the form
                log.warning("%s unreadable for the form: %s", path, err)
                continue
            for it in items:
                if isinstance(it, dict) and it.get("code"):
                    item_code = str(it["code"])
                    if titles.get(item_code, (0, ""))[0] <= int(year):
                        titles[item_code] = (int(year), " ".join(str(it.get("title") or "").split()))
    return {c: (f"{c} — {t[:90]}" if t else c) for c, (_, t) in sorted(titles.items(), key=_item_order)}


def _item_order(kv: tuple[str, Any]) -> tuple[Any, ...]:
    """1.1 < 1.8 < Q1-1 < Q1-10 < Q2-1 (numbers as numbers)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.-]", kv[0]))


#: The document types intake reads (``congkhai.intake.parse.DOC_TYPES``, printed, upper case): listed
#: here because importing the parser costs ~0.1 s at every parse; a test keeps the two equal.
DOC_TYPES = ("QUYẾT ĐỊNH", "KẾ HOẠCH", "BÁO CÁO", "THÔNG BÁO", "TỜ TRÌNH", "NGHỊ QUYẾT", "BIÊN BẢN", "CHỈ THỊ",
             "QUY CHẾ", "QUY ĐỊNH", "HƯỚNG DẪN", "CHƯƠNG TRÌNH", "PHƯƠNG ÁN", "GIẤY MỜI", "CÔNG VĂN")


def doc_type_choices() -> list[str]:
    return list(DOC_TYPES)


def plan_years(communes: list[str], s: Settings | None = None) -> list[int]:
    s = s or settings()
    years = set()
    for code in communes:
        for path in s.commune_dir(code).glob("plan-*.yaml"):
            tail = path.stem.removeprefix("plan-")
            if tail.isdigit() and len(tail) == 4:
                years.add(int(tail))
    return sorted(years)


def year_bounds(communes: list[str], today: dt.date, s: Settings | None = None) -> tuple[int, int]:
    """The years a form accepts: the plan years, and last year to next year."""
    years = [*plan_years(communes, s), today.year - 1, today.year + 1]
    return min(years), max(years)


# --------------------------------------------------------------------------------------------- params

def param(default: Any, **schema: Any) -> Any:
    from airflow.sdk import Param

    return Param(default, **schema)


def _nullable(values: list[Any]) -> list[Any]:
    return [None, *values]


def commune_param(choices: dict[str, str]) -> Any:
    """The commune: a dropdown (the only commune pre-selected), free text when none is configured."""
    if not choices:
        return param(None, type=["null", "string"], title="Xã",
                     description="Chưa có xã nào được cấu hình (thư mục communes/<mã xã>/commune.yaml): "
                                 "ghi mã xã, ví dụ kep.")
    only = next(iter(choices)) if len(choices) == 1 else None
    return param(only, type=["null", "string"], enum=_nullable(list(choices)),
                 values_display={"null": "— chọn xã —", **choices}, title="Xã",
                 description="Xã / phường / thị trấn của hồ sơ.")


def case_params(choices: dict[str, str]) -> dict[str, Any]:
    """The case: a searchable dropdown of the newest cases, and a free-text field for any other."""
    other = param(None, type=["null", "string"], maxLength=120, title="Hồ sơ khác (không có trong danh sách)",
                  description="Chỉ dùng khi hồ sơ không có trong danh sách trên (hồ sơ cũ, hoặc vừa nhận chưa "
                              "đầy một phút): ghi mã hồ sơ, ví dụ 20240325-15-qd-ubnd (chép ở trang Công khai, "
                              "trang của hồ sơ). Ghi số văn bản (ví dụ 15/QĐ-UBND) thì biểu mẫu báo hồ sơ nào "
                              "mang số đó. Để trống nếu đã chọn ở trên.")
    if not choices:
        return {
            "case_id": param(None, type=["null", "string"], pattern=CASE_ID_PATTERN, title="Hồ sơ",
                             description="Kho lưu trữ chưa có hồ sơ nào khi biểu mẫu được lập nên chưa có danh "
                                         "sách để chọn: ghi mã hồ sơ (ngày ban hành + số, chữ thường không dấu, "
                                         "ví dụ 20240325-15-qd-ubnd). Danh sách tự có sau khi hồ sơ đầu tiên "
                                         "được nhận (khoảng một phút)."),
            "case_other": other,
        }
    return {
        "case_id": param(None, type=["null", "string"], enum=_nullable(list(choices)),
                         values_display={"null": "— chọn hồ sơ —", **choices}, title="Hồ sơ",
                         description=f"{len(choices)} hồ sơ mới nhất, mới nhất trước: mã hồ sơ — số văn bản — "
                                     "trích yếu. Gõ vài chữ của số hoặc trích yếu để lọc."),
        "case_other": other,
    }


def date_param(title: str, description: str, *, required: bool = False) -> Any:
    """A date picker (``format: date``); an optional one is empty by default."""
    return param(None, type=["null", "string"], format="date", title=title + (" (bắt buộc)" if required else ""),
                 description=description)


def item_param(choices: dict[str, str]) -> Any:
    if not choices:
        return param(None, type=["null", "string"], maxLength=20, title="Mục kế hoạch",
                     description="Chưa đọc được kế hoạch công khai nào: ghi mã mục, ví dụ Q1-7. Để trống: không sửa.")
    return param(None, type=["null", "string"], enum=_nullable(list(choices)),
                 values_display={"null": "— không sửa —", **choices}, title="Mục kế hoạch",
                 description="Mục của kế hoạch công khai năm ban hành văn bản. Để trống: không sửa.")


def doc_type_param(types: list[str]) -> Any:
    return param(None, type=["null", "string"], enum=_nullable(types),
                 values_display={"null": "— không sửa —", **{t: t.capitalize() for t in types}},
                 title="Loại văn bản", description="Để trống: không sửa.")


def year_param(bounds: tuple[int, int], default: int) -> Any:
    lo, hi = bounds
    return param(min(max(default, lo), hi), type="integer", minimum=lo, maximum=hi, title="Năm",
                 description=f"Từ {lo} đến {hi} (các năm có kế hoạch công khai, năm trước và năm sau).")


# --------------------------------------------------------------------------------------------- checks

def _text(p: dict[str, Any], name: str) -> str:
    v = p.get(name)
    return "" if v is None else str(v).strip()


def _date(p: dict[str, Any], name: str, label: str, today: dt.date) -> dt.date | None:
    raw = _text(p, name)
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"{label} '{raw}' không phải một ngày: chọn ngày trong lịch (năm-tháng-ngày)",
                         f"{name}: not a date {raw!r}", kind="bad_form", field=name) from None
    if day > today:
        raise UsageError(f"{label} {_vn(day)} chưa đến (hôm nay {_vn(today)}): chỉ ghi việc đã diễn ra",
                         f"{name}: {day} is in the future", kind="bad_form", field=name)
    return day


def check_commune(p: dict[str, Any], s: Settings | None = None) -> str:
    s = s or settings()
    known = list_communes(s)
    code = _text(p, "commune")
    if not code:
        raise UsageError("Chưa chọn xã", "no commune chosen", kind="bad_form", field="commune")
    if code not in known:
        raise UsageError(f"Không có xã '{code}' trong cấu hình (có: {', '.join(known) or 'chưa có xã nào'})",
                         f"unknown commune {code!r}", kind="bad_form", field="commune")
    return code


def check_case(commune: str, p: dict[str, Any], s: Settings | None = None) -> Any:
    """The chosen case (a ``Case``): from the dropdown or the free-text field (exactly one), filed in ``commune``."""
    from congkhai.archive.store import Archive
    from congkhai.pipeline.actions import unknown_case_error

    s = s or settings()
    chosen, typed = _text(p, "case_id"), _text(p, "case_other")
    if chosen and typed and chosen != typed:
        raise UsageError(f"Vừa chọn hồ sơ {chosen} vừa ghi '{typed}' ở ô Hồ sơ khác: bỏ một trong hai",
                         "both case fields filled", kind="bad_form", field="case_other")
    case_id = chosen or typed
    if not case_id:
        raise UsageError("Chưa chọn hồ sơ: chọn trong danh sách Hồ sơ, hoặc ghi mã hồ sơ ở ô Hồ sơ khác",
                         "no case chosen", kind="bad_form", field="case_id")
    archive = Archive(s.archive_root, commune, index_url=s.index_url)
    folder = archive.find_case(case_id) if CASE_ID.match(case_id) else None
    if folder is None or folder.case is None:
        raise unknown_case_error(archive, commune, case_id, others=[c for c in list_communes(s) if c != commune],
                                 root=s.archive_root)
    return folder.case


def check_action(name: str, p: dict[str, Any], today: dt.date, s: Settings | None = None) -> dict[str, Any]:
    """The checked input of an operator action (``congkhai_action_<name>``), JSON-ready.

    ``today``: the Vietnamese day the run was triggered (never the form's "Logical date"). Returns
    ``{"commune", "case_id", "day", "day_source", ...}`` plus the action's own fields; raises a
    ``UsageError`` in Vietnamese for the first thing to change."""
    s = s or settings()
    commune = check_commune(p, s)
    case = check_case(commune, p, s)
    out: dict[str, Any] = {"commune": commune, "case_id": case.case_id}
    day = _date(p, "ngay", "Ngày", today)
    if day is not None and day < case.issued:
        raise UsageError(f"Ngày {_vn(day)} trước ngày ban hành văn bản {_vn(case.issued)}",
                         f"{day} is before the issue date {case.issued}", kind="bad_form", field="ngay")
    if name == "record_posting":
        if day is None:
            raise UsageError("Chưa ghi ngày niêm yết thực tế: chọn ngày văn bản được dán tại bảng tin "
                             "(không có ngày mặc định)", "the posting date is required", kind="bad_form",
                             field="ngay")
        out["posted"] = day.isoformat()
    elif name == "feedback":
        lines = [ln.strip() for ln in _text(p, "text").splitlines() if ln.strip()]
        if not lines:
            raise UsageError("Chưa ghi ý kiến phản hồi nào: ghi mỗi ý kiến một dòng", "empty feedback",
                             kind="bad_form", field="text")
        out["text"] = "\n".join(lines)
    elif name == "cancel":
        reason = _text(p, "reason")
        if not reason:
            raise UsageError("Chưa ghi lý do hủy hồ sơ", "no reason given", kind="bad_form", field="reason")
        out["reason"] = reason
    elif name == "correct":
        changes = {k: p[k] for k in ("subject", "item", "doc_type", "signer", "posting_request")
                   if p.get(k) not in (None, "") and str(p[k]).strip()}
        changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
        if not changes:
            raise UsageError("Chưa sửa trường nào: ghi ít nhất một trong Trích yếu, Mục kế hoạch, Loại văn bản, "
                             "Người ký, Yêu cầu niêm yết", "nothing to correct", kind="bad_form", field="subject")
        if "doc_type" in changes and changes["doc_type"] not in doc_type_choices():
            raise UsageError(f"Loại văn bản '{changes['doc_type']}' không có trong danh sách "
                             f"({', '.join(doc_type_choices())})", "unknown document type", kind="bad_form",
                             field="doc_type")
        _check_changes(commune, case, changes, s)
        out["changes"] = changes
    if name != "record_posting":
        out["day"] = (day or today).isoformat()
        out["day_source"] = "form" if day else "run"
    return out


def _check_changes(commune: str, case: Any, changes: dict[str, Any], s: Settings) -> None:
    """The plan item exists in the plan of the case's year; the posting request is valid (what the action
    itself checks, said before anything is changed)."""
    from congkhai.pipeline.actions import checked_request
    from congkhai.pipeline.context import CommuneRun

    run = CommuneRun(commune, s)
    if changes.get("item"):
        plan = run.plan(case.issued.year)
        if plan is not None:
            plan.item(changes["item"])  # UnknownItem: «Không có mục … trong kế hoạch công khai năm …»
    if "posting_request" in changes:
        checked_request(run, case, changes["posting_request"])
