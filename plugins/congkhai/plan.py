"""The yearly disclosure plan (Kế hoạch thực hiện công khai) as data, and its check against the law.

A plan is ``<communes_dir>/<commune>/plan-<year>.yaml``: every item the commune promised to
disclose, with its Điều 11 item (1–14), its channels (each with a duration rule), its timing rule,
the responsible role and keywords that help classify an incoming document.

Channel kinds are stable identifiers other modules rely on:

=================  ===============================================================
``portal``         upload to the disclosure software / portal (đăng tải phần mềm)
``ubnd_board``     posting on the UBND notice board (niêm yết tại Bản tin của UBND)
``cultural_house`` posting at every group's cultural house (nhà văn hóa)
``radio``          the commune radio (hệ thống truyền thanh), N broadcast days
``group_leaders``  sent to every group leader (gửi Tổ trưởng TDP / Trưởng thôn)
``one_stop_frame`` framed posting at the one-stop desk (bảng đóng khung tại bộ phận một cửa)
``staff``          sent to every civil servant (gửi từng cán bộ, công chức)
=================  ===============================================================

Durations: ``permanent`` (replaced in January or when the content changes), ``N consecutive
days`` (postings), ``N broadcast days`` (radio); portal, group leaders and staff are deliveries.

``check_plan`` flags where a plan falls below Luật 10/2022/QH15 Điều 12–13 (see its docstring).

**A new year's plan** (``new_plan``, ``congkhai plan new``) is drafted from an earlier year's file:
the same items, channels and responsibilities, the years the text names ("năm 2024") and any ISO
dates moved to the new year, marked ``status: draft`` with an empty ``confirm: {by, date}`` block, and
without the source plan's number and issue date (recorded when the clerk issues the new plan, never
defaulted). Comments and channel sets are kept, so the office reviews a file that reads like the old.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from congkhai.commune import Commune, read_yaml
from congkhai.config import Settings
from congkhai.config import settings as _settings
from congkhai.errors import ConfigError, UsageError
from congkhai.textutil import fold, nfc

ChannelKind = Literal[
    "portal", "ubnd_board", "cultural_house", "radio", "group_leaders", "one_stop_frame", "staff"
]
CHANNEL_KINDS: tuple[str, ...] = (
    "portal", "ubnd_board", "cultural_house", "radio", "group_leaders", "one_stop_frame", "staff"
)
#: Channels that are postings (niêm yết): they have a start and, unless permanent, an end.
POSTING_KINDS = frozenset({"ubnd_board", "cultural_house", "one_stop_frame"})
#: Channels that are one-off deliveries: no duration.
DELIVERY_KINDS = frozenset({"portal", "group_leaders", "staff"})

Section = Literal["regular", "q1", "q2", "q3", "q4", "unknown_timing", "non_recurring"]
SECTION_PREFIX: dict[str, str] = {
    "regular": r"1\.\d+",
    "q1": r"Q1-\d+",
    "q2": r"Q2-\d+",
    "q3": r"Q3-\d+",
    "q4": r"Q4-\d+",
    "unknown_timing": r"U-\d+",
    "non_recurring": r"N-\d+",
}
SECTION_LABELS_VI: dict[str, str] = {
    "regular": "Nội dung công khai thường xuyên",
    "q1": "Nội dung công khai trong quý I",
    "q2": "Nội dung công khai trong quý II",
    "q3": "Nội dung công khai trong quý III",
    "q4": "Nội dung công khai trong quý IV",
    "unknown_timing": "Nội dung công khai chưa rõ thời gian phát sinh",
    "non_recurring": "Nội dung công khai không phát sinh thường xuyên",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Channel(_Model):
    """One way an item is disclosed, with its duration rule.

    ``days``: consecutive posting days (postings) or broadcast days (radio).
    ``permanent``: the posting stays until replaced (every January or when the content changes).
    """

    kind: ChannelKind
    days: int | None = Field(default=None, ge=1, le=3650)
    permanent: bool = False
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        # "portal" is short for {kind: portal}
        return {"kind": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _duration_fits_kind(self) -> Channel:
        if self.kind in POSTING_KINDS:
            if self.permanent == (self.days is not None):
                raise ValueError(
                    f"{self.kind}: give either 'days' or 'permanent: true' "
                    f"(niêm yết phải có số ngày hoặc 'thường xuyên')"
                )
        elif self.kind == "radio":
            if self.permanent or self.days is None:
                raise ValueError("radio: needs 'days' (number of broadcast days), never permanent")
        elif self.days is not None or self.permanent:
            raise ValueError(f"{self.kind}: a delivery has no duration (remove 'days'/'permanent')")
        return self

    @property
    def duration(self) -> str:
        """``permanent`` | ``consecutive_days`` | ``broadcast_days`` | ``once``."""
        if self.permanent:
            return "permanent"
        if self.kind == "radio":
            return "broadcast_days"
        if self.days is not None:
            return "consecutive_days"
        return "once"

    def describe(self, commune: Commune | None = None) -> str:
        """The plan's own wording, e.g. ``Niêm yết 30 ngày, tại Bản tin công khai của UBND thị trấn Kép``."""
        body = commune.body_short if commune else "UBND"
        unit = commune.unit_word if commune else "xã"
        group = commune.group_word if commune else "tổ dân phố / thôn"
        leader = commune.group_leader_title if commune else "Trưởng thôn, Tổ trưởng tổ dân phố"
        how = "thường xuyên" if self.permanent else f"{self.days} ngày"
        return {
            "portal": "Đăng tải trên phần mềm quản trị thông tin quy chế dân chủ",
            "ubnd_board": f"Niêm yết {how}, tại Bản tin công khai của {body}",
            "cultural_house": f"Niêm yết {how}, tại Bản tin công khai ở nhà văn hóa của các {group}",
            "radio": f"Công khai ít nhất là {self.days:02d} ngày liên tục, trên hệ thống truyền thanh của {unit}"
            if self.days
            else "",
            "group_leaders": f"Gửi đến {leader} để thông báo đến Nhân dân",
            "one_stop_frame": f"Niêm yết {how}, bằng hình thức in bảng đóng khung, treo ở trong bộ phận một cửa {body}",
            "staff": f"Gửi đến từng cán bộ, công chức thuộc {body}",
        }[self.kind]


class Timing(_Model):
    """When an item must be disclosed.

    - ``rule: after_issuance``: within ``working_days`` working days of the document's issuance
      (Luật 10/2022 Điều 12: 5 working days unless a sector law, named in ``sector_law``, says otherwise).
    - ``rule: quarter_start``: on days ``window[0]``–``window[1]`` of the quarter's first month
      (the quarterly list of what was disclosed in the previous quarter).
    - ``january_repost``: the posting is replaced every January (permanent items).
    - ``in_month``: the document itself is issued in that month (the yearly plan: January).
    """

    rule: Literal["after_issuance", "quarter_start"] = "after_issuance"
    working_days: int | None = Field(default=5, ge=1, le=60)
    window: tuple[int, int] | None = None
    january_repost: bool = False
    in_month: int | None = Field(default=None, ge=1, le=12)
    sector_law: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Timing:
        if self.rule == "quarter_start":
            if self.window is None:
                object.__setattr__(self, "window", (1, 5))
            lo, hi = self.window  # type: ignore[misc]
            if not 1 <= lo <= hi <= 28:
                raise ValueError("window must be two days 1..28, first <= last")
        elif self.working_days is None:
            raise ValueError("after_issuance needs 'working_days'")
        return self


class Item(_Model):
    """One item of the yearly plan."""

    code: str
    title: str
    law_item: int = Field(ge=1, le=14)
    section: Section
    channels: list[Channel]
    timing: Timing = Field(default_factory=Timing)
    responsible: str
    keywords: list[str] = Field(default_factory=list)
    note: str | None = None

    @field_validator("title", "note", mode="before")
    @classmethod
    def _nfc(cls, v: Any) -> Any:
        return nfc(v).strip() if isinstance(v, str) else v

    @field_validator("keywords", mode="before")
    @classmethod
    def _fold_keywords(cls, v: Any) -> Any:
        # Keywords are stored folded (lower-case, no diacritics) so the classifier can match
        # text typed with or without Vietnamese accents.
        if isinstance(v, list):
            out: list[str] = []
            for k in v:
                f = " ".join(fold(nfc(str(k))).split())
                if f and f not in out:
                    out.append(f)
            return out
        return v

    @model_validator(mode="after")
    def _checks(self) -> Item:
        pattern = SECTION_PREFIX[self.section]
        if not re.fullmatch(pattern, self.code):
            raise ValueError(f"code '{self.code}' does not match section '{self.section}' ({pattern})")
        kinds = [c.kind for c in self.channels]
        if not kinds:
            raise ValueError("an item needs at least one channel")
        dupes = sorted({k for k in kinds if kinds.count(k) > 1})
        if dupes:
            raise ValueError(f"channel listed twice: {dupes}")
        return self

    @property
    def quarter(self) -> int | None:
        """1–4 for the per-quarter lists, else None."""
        return int(self.section[1]) if self.section in ("q1", "q2", "q3", "q4") else None

    @property
    def permanent(self) -> bool:
        """True when a posting of this item is permanent (replaced in January / on change)."""
        return any(c.permanent for c in self.channels)

    @property
    def section_label(self) -> str:
        return SECTION_LABELS_VI[self.section]

    def channel(self, kind: str) -> Channel | None:
        for c in self.channels:
            if c.kind == kind:
                return c
        return None

    def has(self, kind: str) -> bool:
        return self.channel(kind) is not None

    @property
    def radio_days(self) -> int:
        c = self.channel("radio")
        return c.days or 0 if c else 0

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "law_item": self.law_item,
            "section": self.section,
            "quarter": self.quarter,
            "permanent": self.permanent,
            "responsible": self.responsible,
            "timing": self.timing.model_dump(exclude_none=True, mode="json"),
            "channels": [
                {"kind": c.kind, "duration": c.duration, "days": c.days} for c in self.channels
            ],
            "keywords": list(self.keywords),
        }


class UnknownItem(UsageError):
    """A plan item code that is not in the plan."""


class Confirmation(_Model):
    """Who confirmed a drafted plan, and when (filled by the office, never by the software)."""

    by: str | None = None
    date: dt.date | None = None  # not "on": YAML 1.1 reads a bare ``on`` as true


class Plan(_Model):
    """A commune's yearly disclosure plan.

    ``status: draft``: drafted from an earlier year's plan (``drafted_from``) by ``congkhai plan
    new`` and not yet confirmed; the office checks it, fills ``confirm`` and sets ``status: issued``.
    A plan without ``status`` is an issued one (the plans written by hand from the signed paper)."""

    commune: str
    year: int = Field(ge=2000, le=2100)
    title: str
    number: str | None = None  # "05/KH-UBND" when known
    issued: dt.date | None = None
    source: str | None = None
    demo: bool = False
    status: Literal["draft", "issued"] = "issued"
    drafted_from: int | None = Field(default=None, ge=2000, le=2100)
    confirm: Confirmation | None = None
    channel_sets: dict[str, list[Channel]] = Field(default_factory=dict)
    items: list[Item]

    @model_validator(mode="before")
    @classmethod
    def _expand_channel_sets(cls, data: Any) -> Any:
        # An item may name a channel set (``channels: section_2``) instead of listing channels.
        if not isinstance(data, dict):
            return data
        sets = data.get("channel_sets") or {}
        items = data.get("items")
        if isinstance(items, list):
            new = []
            for it in items:
                if isinstance(it, dict) and isinstance(it.get("channels"), str):
                    name = it["channels"]
                    if name not in sets:
                        raise ValueError(
                            f"item {it.get('code')}: unknown channel set '{name}' "
                            f"(known: {', '.join(sets) or 'none'})"
                        )
                    it = {**it, "channels": sets[name]}
                new.append(it)
            data = {**data, "items": new}
        return data

    @model_validator(mode="after")
    def _unique(self) -> Plan:
        codes = [i.code for i in self.items]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate item codes: {dupes}")
        return self

    def item(self, code: str) -> Item:
        """The item with this code; ``UnknownItem`` names the code and the plan otherwise."""
        code = code.strip()
        for i in self.items:
            if i.code == code or i.code.lower() == code.lower():
                return i
        raise UnknownItem(
            f"Không có mục '{code}' trong kế hoạch công khai năm {self.year} của {self.commune}",
            f"No item '{code}' in the {self.year} disclosure plan of {self.commune}",
            kind="unknown_item",
            field="item",
        )

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.items]

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def draft_notice_vi(self) -> str | None:
        """One line for the operator when the plan is a draft, else None."""
        if not self.is_draft:
            return None
        src = f" (lập từ kế hoạch năm {self.drafted_from})" if self.drafted_from else ""
        return (f"kế hoạch năm {self.year} của {self.commune} là DỰ THẢO{src}, chưa được xác nhận / "
                f"the {self.year} plan is a DRAFT, not confirmed yet")

    def items_in(self, section: str) -> list[Item]:
        return [i for i in self.items if i.section == section]

    def for_law_item(self, law_item: int) -> list[Item]:
        return [i for i in self.items if i.law_item == law_item]


# --- loading ----------------------------------------------------------------------------------
_CACHE: dict[Path, tuple[int, Plan]] = {}


def plan_file(commune: str, year: int, settings: Settings | None = None) -> Path:
    s = settings or _settings()
    return s.commune_dir(commune) / f"plan-{year}.yaml"


def _describe_loc(loc: tuple[Any, ...], data: Any) -> tuple[str, str]:
    """``('items', 3, 'channels', 1, 'days')`` -> item code '1.4', field 'channels[1].days'."""
    item = ""
    rest = list(loc)
    if len(rest) >= 2 and rest[0] == "items" and isinstance(rest[1], int):
        idx = rest[1]
        raw = data.get("items", []) if isinstance(data, dict) else []
        code = raw[idx].get("code") if idx < len(raw) and isinstance(raw[idx], dict) else None
        item = str(code) if code is not None else f"#{idx + 1}"
        rest = rest[2:]
    field = ""
    for part in rest:
        if isinstance(part, int):
            field += f"[{part}]"
        elif part.startswith("function-") or part in ("str", "int"):
            continue
        else:
            field += ("." if field else "") + part
    return item, field or "(cả mục)"


def load_plan(commune: str, year: int, settings: Settings | None = None) -> Plan:
    """Load and validate ``<communes_dir>/<commune>/plan-<year>.yaml`` (cached by mtime).

    Errors (``ConfigError``) name the file, the item code and the field, in Vietnamese and English.
    """
    path = plan_file(commune, year, settings)
    if not path.is_file():
        if not path.parent.is_dir():
            raise ConfigError(
                f"Không có xã/phường/thị trấn '{commune}': thiếu thư mục {path.parent}",
                f"Unknown commune '{commune}': missing folder {path.parent}",
                kind="unknown_commune",
                path=str(path.parent),
            )
        raise ConfigError(
            f"Chưa có kế hoạch công khai năm {year} của '{commune}': thiếu tệp {path}",
            f"No {year} disclosure plan for '{commune}': missing {path}",
            kind="missing_plan",
            path=str(path),
        )
    mtime = path.stat().st_mtime_ns
    cached = _CACHE.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"Tệp {path} phải là một bảng YAML", f"{path} must be a YAML mapping",
                          kind="bad_plan", path=str(path))
    data.setdefault("commune", commune)
    data.setdefault("year", year)
    if data["commune"] != commune or data["year"] != year:
        raise ConfigError(
            f"Tệp {path}: commune/year trong tệp ({data['commune']}/{data['year']}) "
            f"không khớp với tên tệp ({commune}/{year})",
            f"{path}: commune/year in the file ({data['commune']}/{data['year']}) "
            f"do not match the file name ({commune}/{year})",
            kind="bad_plan", path=str(path),
        )
    try:
        plan = Plan.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        item, field = _describe_loc(tuple(first["loc"]), data)
        msg = first["msg"].removeprefix("Value error, ")
        more = len(err.errors()) - 1
        tail_vi = f" (và {more} lỗi khác)" if more else ""
        tail_en = f" (and {more} more)" if more else ""
        where_vi = f"mục {item}, trường '{field}'" if item else f"trường '{field}'"
        where_en = f"item {item}, field '{field}'" if item else f"field '{field}'"
        raise ConfigError(
            f"Kế hoạch {path} không hợp lệ: {where_vi}: {msg}{tail_vi}",
            f"Invalid plan {path}: {where_en}: {msg}{tail_en}",
            kind="bad_plan",
            field=field,
            path=str(path),
        ) from err
    _CACHE[path] = (mtime, plan)
    return plan


def load_plan_or_latest(commune: str, year: int, settings: Settings | None = None) -> tuple[Plan, bool]:
    """The plan of ``year``, or when that file does not exist the latest earlier plan of the
    commune (item codes are stable across years). Returns ``(plan, exact)``; ``exact`` is False
    when an earlier year's plan stands in (callers should say so to the operator)."""
    try:
        return load_plan(commune, year, settings), True
    except ConfigError as err:
        if err.kind != "missing_plan":
            raise
        years = [y for y in plan_years(commune, settings) if y < year]
        if not years:
            raise
        return load_plan(commune, max(years), settings), False


def plan_years(commune: str, settings: Settings | None = None) -> list[int]:
    """The years that have a plan file in the commune's folder, in order."""
    folder = plan_file(commune, 2000, settings).parent
    years = []
    for p in folder.glob("plan-*.yaml"):
        tail = p.stem.removeprefix("plan-")
        if tail.isdigit() and len(tail) == 4:
            years.append(int(tail))
    return sorted(years)



# --- a new year's plan ------------------------------------------------------------------------
class PlanExists(UsageError):
    """The plan file of that year already exists (``--force`` replaces it)."""


#: "năm 2024" (any case): the years a plan's text names. Not "21/3/2022", "10/2022/QH15" or "2024-…".
_YEAR_WORD = re.compile(r"(?<!\w)(năm|Năm|NĂM)(\s+)(\d{4})(?![\d/\w-])")
#: ISO dates (YAML dates): a plan's own dates.
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_DRAFT_HEAD = "# DỰ THẢO"
_SOURCE_NOTES = "# Ghi chú của tệp gốc"


def shift_years(text: str, from_year: int, year: int) -> str:
    """Move the years a plan's text names from ``from_year`` to ``year``.

    "năm N" and ISO dates ``N-MM-DD`` move by ``year - from_year`` when N is the plan's year or
    next to it (``năm 2023`` in the 2024 plan is last year's report: ``năm 2026`` in the 2027 plan).
    Other years are citations of earlier documents ("Quyết định 411/QĐ-UBND ngày 21/3/2022", "Luật
    10/2022/QH15") and stay. 29 February moves to the 28th when the new year has none."""
    delta = year - from_year

    def near(n: int) -> bool:
        return from_year - 1 <= n <= from_year + 1

    def word(m: re.Match[str]) -> str:
        n = int(m.group(3))
        return f"{m.group(1)}{m.group(2)}{n + delta}" if near(n) else m.group(0)

    def iso(m: re.Match[str]) -> str:
        y, mo, d = (int(g) for g in m.groups())
        try:
            dt.date(y, mo, d)
        except ValueError:
            return m.group(0)
        if not near(y):
            return m.group(0)
        try:
            return dt.date(y + delta, mo, d).isoformat()
        except ValueError:  # 29 February
            return dt.date(y + delta, mo, 28).isoformat()

    return _ISO_DATE.sub(iso, _YEAR_WORD.sub(word, nfc(text)))


def _split_header(lines: list[str]) -> tuple[list[str], list[str]]:
    """The leading comment block (and blank lines) and the rest."""
    i = 0
    while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
        i += 1
    return lines[:i], lines[i:]


def _set_top_key(lines: list[str], key: str, new: list[str], after: str | None = None) -> None:
    """Replace the top-level ``key:`` (with its indented continuation lines) by ``new``; when the key
    is absent, insert ``new`` after the top-level key ``after`` (else at the top)."""
    def block(k: str) -> tuple[int, int] | None:
        pat = re.compile(rf"{re.escape(k)}\s*:(\s|$)")
        for i, line in enumerate(lines):
            if pat.match(line):
                j = i + 1
                while j < len(lines) and lines[j][:1] in (" ", "\t") and lines[j].strip():
                    j += 1
                return i, j
        return None

    found = block(key)
    if found:
        lines[found[0]:found[1]] = new
        return
    anchor = block(after) if after else None
    at = anchor[1] if anchor else 0
    lines[at:at] = new


def new_plan_text(text: str, commune: str, from_year: int, year: int) -> str:
    """The YAML of the draft plan of ``year`` made from the YAML of the ``from_year`` plan."""
    header, body = _split_header(nfc(text).splitlines())
    if header and header[0].startswith(_DRAFT_HEAD):  # drafted from a draft: keep the first notes only
        notes = next((i for i, h in enumerate(header) if h.startswith(_SOURCE_NOTES)), len(header))
        header = header[notes:]
    elif any(h.strip() for h in header):
        header = [f"{_SOURCE_NOTES} plan-{from_year}.yaml / notes of the source file:", *header]
    head = [
        f"{_DRAFT_HEAD} — kế hoạch công khai năm {year} của {commune}, lập bằng lệnh `congkhai plan new`",
        f"# từ plan-{from_year}.yaml: cùng các mục, hình thức công khai và người phụ trách; năm ghi trong tiêu đề,",
        f"# từ khóa, ghi chú và các ngày đã chuyển sang {year} (năm {from_year - 1} → {year - 1}). Số và ngày ban "
        "hành",
        "# để trống: ghi khi văn thư cấp số. Văn phòng UBND kiểm tra từng mục (bỏ mục không còn, thêm mục",
        "# mới), rồi ghi confirm (ai xác nhận, ngày nào) và 'status: issued'.",
        f"# DRAFT made from plan-{from_year}.yaml: review it, fill `confirm`, set `status: issued`; the number",
        "# and the date come from the clerk when the plan is issued.",
        "#",
    ]
    lines = shift_years("\n".join(body), from_year, year).splitlines()
    source = (f"Dự thảo lập từ kế hoạch công khai năm {from_year} của {commune} (plan-{from_year}.yaml) "
              f"bằng lệnh congkhai plan new; chờ xác nhận")
    _set_top_key(lines, "year", [f"year: {year}"])
    _set_top_key(lines, "number", ["number: null     # số ký hiệu: ghi khi văn thư cấp số / filled when issued"],
                 after="title")
    _set_top_key(lines, "issued", ["issued: null     # ngày ban hành: ghi khi ban hành / filled when issued"],
                 after="number")
    _set_top_key(lines, "source", [f"source: {json.dumps(source, ensure_ascii=False)}"], after="issued")
    _set_top_key(lines, "status", ["status: draft    # dự thảo, chờ xác nhận / a draft to confirm"],
                 after="source")
    _set_top_key(lines, "drafted_from", [f"drafted_from: {from_year}"], after="status")
    _set_top_key(lines, "confirm", ["confirm: {by: null, date: null}   # ai xác nhận, ngày nào / who confirmed, when"],
                 after="drafted_from")
    return "\n".join([*head, *header, *lines]).rstrip("\n") + "\n"


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_plan(commune: str, year: int, from_year: int | None = None, *, force: bool = False,
             settings: Settings | None = None) -> tuple[Plan, Path]:
    """Write ``plan-<year>.yaml`` of a commune as a draft made from the ``from_year`` plan (default:
    the latest earlier plan). Refuses to replace an existing file unless ``force``.

    Returns the new plan (validated) and its path."""
    if not 2000 <= year <= 2100:
        raise UsageError(f"Năm {year} ngoài khoảng 2000–2100", f"Year {year} out of range 2000–2100",
                         kind="bad_year", field="year")
    if from_year is None:
        folder = plan_file(commune, year, settings).parent
        earlier = [y for y in plan_years(commune, settings) if y < year]
        if not earlier:
            if not folder.is_dir():
                load_plan(commune, year, settings)  # raises: names the missing commune folder
            raise ConfigError(
                f"Chưa có kế hoạch công khai nào của '{commune}' trước năm {year} để làm mẫu ({folder}); "
                "dùng --from để chọn năm",
                f"No plan of '{commune}' before {year} to draft from ({folder}); use --from",
                kind="missing_plan", path=str(folder),
            )
        from_year = max(earlier)
    if from_year == year:
        raise UsageError(f"Năm nguồn (--from {from_year}) trùng năm cần lập", f"--from {from_year} is the target year",
                         kind="bad_year", field="from")
    load_plan(commune, from_year, settings)  # the source must itself be a valid plan
    src = plan_file(commune, from_year, settings)
    target = plan_file(commune, year, settings)
    if target.exists() and not force:
        raise PlanExists(
            f"Đã có kế hoạch công khai năm {year} của '{commune}' ({target}): không ghi đè. "
            f"Nếu thật sự muốn thay bằng bản lập từ năm {from_year}, chạy lại với --force",
            f"The {year} plan of '{commune}' already exists ({target}): not overwritten (use --force)",
            kind="plan_exists", field="year",
        )
    text = new_plan_text(src.read_text(encoding="utf-8"), commune, from_year, year)
    try:
        plan = Plan.model_validate(yaml.safe_load(text))
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ConfigError(
            f"Không lập được kế hoạch năm {year} từ {src}: trường '{where}': {first['msg']}",
            f"Could not draft the {year} plan from {src}: field '{where}': {first['msg']}",
            kind="bad_plan", path=str(src),
        ) from err
    except (yaml.YAMLError, ValueError) as err:
        msg = " ".join(str(err).split())
        raise ConfigError(f"Không lập được kế hoạch năm {year} từ {src}: {msg}",
                          f"Could not draft the {year} plan from {src}: {msg}", kind="bad_plan", path=str(src),
                          ) from err
    if plan.year != year or not plan.is_draft or plan.number or plan.issued or plan.commune != commune:
        raise ConfigError(  # the source file's layout defeated the line edits: say so, write nothing
            f"Không lập được kế hoạch năm {year} từ {src}: không sửa được các trường year/number/issued/status",
            f"Could not draft the {year} plan from {src}: year/number/issued/status not rewritten",
            kind="bad_plan", path=str(src),
        )
    _write_atomic(target, text)
    return plan, target

# --- the law check ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """Where a plan falls below the law. ``severity``: ``error`` (below a legal minimum) or
    ``warning`` (worth a look, e.g. a posting place the law lists but the plan leaves out)."""

    item: str | None
    severity: Literal["error", "warning"]
    rule: str
    message_vi: str
    message_en: str

    def __str__(self) -> str:
        where = f"[{self.item}] " if self.item else ""
        return f"{self.severity.upper()} {where}{self.message_vi} / {self.message_en}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Điều 11 items posted at least 30 consecutive days; items 4 and 13 are posted permanently.
LAW_30_DAYS = frozenset({1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12})
LAW_PERMANENT = frozenset({4, 13})
LAW_RADIO = frozenset(range(7, 13))
LAW_MIN_POSTING_DAYS = 30
LAW_MIN_RADIO_DAYS = 3
LAW_MAX_DEADLINE_WORKING_DAYS = 5


def check_plan(plan: Plan, commune: Commune | None = None) -> list[Finding]:
    """Check a plan against Luật 10/2022/QH15 Điều 12–13 (as summarised in DOMAIN.md).

    Errors (the plan is below the law):
    - an item not uploaded to the portal / disclosure software (all items);
    - items 1–3, 5–12 without a UBND-headquarters posting, or posted for fewer than 30 days;
    - items 4 and 13 not posted permanently at the headquarters (board or one-stop frame);
    - a cultural-house posting shorter than the law's minimum;
    - items 7–12 without at least 3 radio days when the commune has a radio station;
    - a deadline beyond 5 working days, unless the item names the sector law that allows it.

    Warnings (to look at): items 1–13 not posted at the groups' cultural houses (the law lists
    them; provincial guidance posts some regulations at the UBND only), items not sent to group
    leaders (1–13), radio in a commune without a radio station, no quarterly-list item.
    """
    out: list[Finding] = []

    def add(item: Item | None, sev: Literal["error", "warning"], rule: str, vi: str, en: str) -> None:
        out.append(Finding(item.code if item else None, sev, rule, vi, en))

    has_radio = commune.has_radio if commune is not None else True
    group = commune.group_word if commune else "tổ dân phố/thôn"
    for it in plan.items:
        n = it.law_item
        if not it.has("portal"):
            add(it, "error", "portal",
                "không đăng tải trên phần mềm/cổng thông tin (Điều 13: mọi nội dung)",
                "not uploaded to the disclosure software/portal (Art. 13: every item)")
        hq = [c for c in (it.channel("ubnd_board"), it.channel("one_stop_frame")) if c]
        house = it.channel("cultural_house")
        if n in LAW_30_DAYS:
            if not hq:
                add(it, "error", "hq_posting",
                    f"nội dung khoản {n} Điều 11 phải niêm yết tại trụ sở UBND ít nhất 30 ngày liên tục",
                    f"Art. 11 item {n} must be posted at the UBND headquarters for at least 30 days")
            for c in hq + ([house] if house else []):
                if not c.permanent and (c.days or 0) < LAW_MIN_POSTING_DAYS:
                    add(it, "error", "posting_days",
                        f"niêm yết {c.days} ngày ({c.kind}) ít hơn 30 ngày liên tục theo luật",
                        f"posting of {c.days} days ({c.kind}) is under the law's 30 consecutive days")
        if n in LAW_PERMANENT and not any(c.permanent for c in hq):
            add(it, "error", "permanent_posting",
                f"nội dung khoản {n} Điều 11 phải niêm yết thường xuyên tại trụ sở UBND",
                f"Art. 11 item {n} must be posted permanently at the UBND headquarters")
        if n in LAW_PERMANENT and house is not None and not house.permanent:
            add(it, "error", "permanent_posting",
                f"nội dung khoản {n} Điều 11 phải niêm yết thường xuyên ở nhà văn hóa",
                f"Art. 11 item {n} must be posted permanently at the cultural houses")
        if n <= 13 and house is None:
            add(it, "warning", "cultural_house",
                f"không niêm yết ở nhà văn hóa các {group} (Điều 13 nêu cả trụ sở UBND và nhà văn hóa)",
                "not posted at the groups' cultural houses (Art. 13 lists both the UBND and the cultural houses)")
        if n <= 13 and not it.has("group_leaders") and it.law_item not in LAW_PERMANENT:
            add(it, "warning", "group_leaders",
                "không gửi đến Trưởng thôn, Tổ trưởng tổ dân phố",
                "not sent to the village / residential-group leaders")
        radio = it.channel("radio")
        if n in LAW_RADIO and has_radio and (radio is None or (radio.days or 0) < LAW_MIN_RADIO_DAYS):
            add(it, "error", "radio",
                f"nội dung khoản {n} Điều 11 phải phát trên hệ thống truyền thanh ít nhất 03 ngày liên tục",
                f"Art. 11 item {n} must be broadcast on the commune radio for at least 3 consecutive days")
        if radio is not None and not has_radio:
            add(it, "warning", "no_radio_station",
                "kế hoạch có phát thanh nhưng đơn vị không có đài truyền thanh (commune.yaml)",
                "the plan broadcasts but the commune has no radio station (commune.yaml)")
        t = it.timing
        if t.rule == "after_issuance" and (t.working_days or 0) > LAW_MAX_DEADLINE_WORKING_DAYS:
            sev: Literal["error", "warning"] = "warning" if t.sector_law else "error"
            add(it, sev, "deadline",
                f"thời hạn {t.working_days} ngày làm việc vượt quá 05 ngày làm việc (Điều 12)"
                + (f"; căn cứ: {t.sector_law}" if t.sector_law else ""),
                f"deadline of {t.working_days} working days exceeds 5 working days (Art. 12)"
                + (f"; basis: {t.sector_law}" if t.sector_law else ""))
    if plan.is_draft:
        src = f" lập từ kế hoạch năm {plan.drafted_from}" if plan.drafted_from else ""
        add(None, "warning", "draft",
            f"kế hoạch là dự thảo{src}, chưa được xác nhận: kiểm tra từng mục, ghi người và ngày xác nhận "
            f"(confirm), 'status: issued', số và ngày ban hành khi văn thư cấp",
            "the plan is a draft, not confirmed: review it, fill 'confirm', set 'status: issued', and the "
            "number and date when issued")
    if not any(i.timing.rule == "quarter_start" for i in plan.items):
        add(None, "warning", "quarterly_list",
            "kế hoạch không có mục danh sách nội dung đã công khai theo quý",
            "the plan has no quarterly list of disclosed items")
    return out


def plan_errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
