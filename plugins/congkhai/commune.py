"""The commune profile (hồ sơ đơn vị): who the commune is and how its documents name things.

One folder per commune under the communes dir (``communes/<code>/commune.yaml``); several communes
work side by side and nothing here assumes Kép. The wording of every generated document comes from
here: ``ỦY BAN NHÂN DÂN THỊ TRẤN KÉP``, ``tổ dân phố`` vs ``thôn``, the place of the date line, the
signers, the residential groups with their cultural houses and leaders, the radio station.

``load_commune(code)`` validates the file with pydantic and caches it by the file's mtime, so it is
cheap to call from every task.

**A profile changes over time** (chairmen, civil servants, group leaders, groups that merge or split,
the commune's name and kind). ``commune.yaml`` keeps the history, in one form:

- a field of :data:`DATED_FIELDS` is a plain value (always) or a list of periods, each from its
  ``from:`` date until the next one's (the first also holds before its date: the profile knows no
  earlier value). A person or block lists its fields beside ``from:``; a word or flag gives ``value:``::

      chairman:
        - {name: Đặng Minh Khôi, title: Chủ tịch UBND thị trấn}
        - {name: Nguyễn Văn Xuân, title: Chủ tịch UBND thị trấn, from: 2024-07-15}
      name:
        - {value: thị trấn Kép}
        - {value: xã Kép, from: 2025-07-01}

- an element of ``signers``, ``civil_servants`` or ``groups`` lives ``from:`` a date ``until:`` a date
  (both optional, both included); one role (one code) is held by one element on any day. A group that
  ends says where its people went: ``merged_into: tdp03`` or ``split_into: [tdp04a, tdp04b]``.

``Commune.on(day)`` is the profile as of a day: a plain :class:`Commune` (no history), what every
document builder receives — the pipeline hands each document the profile of its own date
(``CommuneRun.profile_for``), so a document made again later prints what it printed then. The loaded
profile itself holds the newest values.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from congkhai.config import Settings
from congkhai.config import settings as _settings
from congkhai.errors import ConfigError
from congkhai.textutil import nfc

CommuneKind = Literal["xa", "phuong", "thi_tran"]
#: Who gives official numbers: ``clerk`` — the clerk (văn thư) in the commune's own register, recorded
#: afterwards (``case.evidence.numbers``); ``register`` — this product is the register (documents/register.py).
Numbering = Literal["clerk", "register"]

#: Vietnamese words for each kind of commune-level unit.
UNIT_WORDS: dict[str, str] = {"xa": "xã", "phuong": "phường", "thi_tran": "thị trấn"}
#: The residential group of each kind: rural communes have villages (thôn), towns and wards
#: have residential groups (tổ dân phố).
GROUP_WORDS: dict[str, str] = {"xa": "thôn", "phuong": "tổ dân phố", "thi_tran": "tổ dân phố"}
GROUP_LEADER_TITLES: dict[str, str] = {
    "xa": "Trưởng thôn",
    "phuong": "Tổ trưởng tổ dân phố",
    "thi_tran": "Tổ trưởng tổ dân phố",
}


def upper_vi(text: str) -> str:
    """Upper-case Vietnamese text (Python's ``str.upper`` handles the diacritics), NFC."""
    return nfc(nfc(text).upper())


def _cap_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc_strings(cls, v: Any) -> Any:
        # Every Vietnamese string is NFC, whatever the editor that wrote the YAML produced.
        if isinstance(v, str):
            return nfc(v).strip()
        if isinstance(v, list):
            return [nfc(x).strip() if isinstance(x, str) else x for x in v]
        return v


class Person(_Model):
    """Someone who signs or is named in a document: ``Đặng Minh Khôi``, ``Chủ tịch UBND``.

    ``sample: true`` marks a made-up placeholder the commune office must replace: a draft prints it
    followed by ``(mẫu)``, a final document refuses to print it.
    """

    name: str
    title: str
    sample: bool = False


class Signer(Person):
    """A person who may sign for the People's Committee.

    ``role`` is a stable identifier (``chairman``, ``vice_chairman``…); ``sign_as`` is the line
    above the title in the signature block (``TM. ỦY BAN NHÂN DÂN`` or ``KT. CHỦ TỊCH``).
    """

    role: str
    title_upper: str | None = None
    sign_as: str = "TM. ỦY BAN NHÂN DÂN"

    @model_validator(mode="after")
    def _fill(self) -> Signer:
        if self.title_upper is None:
            object.__setattr__(self, "title_upper", upper_vi(self.title))
        return self


class CivilServant(Person):
    """A civil servant (công chức) and the fields they post.

    ``roles`` are the responsible-role identifiers used by the plan (``van_phong``,
    ``tai_chinh``…); ``law_items`` the Điều 11 items (1–14) of their field; ``items`` plan item
    codes they own explicitly (these win over roles).
    """

    role: str
    roles: list[str] = Field(default_factory=list)
    fields: list[str] = Field(default_factory=list)
    law_items: list[int] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list)

    @field_validator("law_items")
    @classmethod
    def _law_range(cls, v: list[int]) -> list[int]:
        bad = [n for n in v if not 1 <= n <= 14]
        if bad:
            raise ValueError(f"law item must be 1-14, got {bad}")
        return v


class Office(_Model):
    """The People's Committee office (Văn phòng UBND): runs the software, keeps the dossier."""

    name: str
    head: Person | None = None


class ResidentialGroup(_Model):
    """A residential group (tổ dân phố) or village (thôn) with its cultural house and leader."""

    code: str
    name: str
    cultural_house: str
    leader: str
    leader_title: str | None = None
    zalo_group: str | None = None
    sample: bool = False  # the leader's name is a placeholder (see also Commune.groups_sample)


class Radio(_Model):
    """The commune radio station (Đài truyền thanh), if any."""

    has_radio: bool = False
    name: str | None = None
    head: Person | None = None

    @model_validator(mode="after")
    def _named(self) -> Radio:
        if self.has_radio and not self.name:
            raise ValueError("radio.name is required when has_radio is true")
        return self


class Council(_Model):
    """The People's Council (HĐND) and the dates of its regular sessions, per year."""

    name: str
    sessions: dict[int, list[dt.date]] = Field(default_factory=dict)
    sessions_sample: bool = False


class CountingRule(_Model):
    """How days are counted (docs/counting-rule.md). The defaults follow Civil Code arts. 147–148.

    - ``first_day_counted``: False = the day of issuance / posting is not counted (art. 147).
    - ``deadline_working_days``: default N for "within N working days of issuance" (Luật 10/2022).
    - ``posting_end_moves_to_working_day``: a posting whose last day is a day off ends on the
      next working day (art. 148).
    - ``radio_starts_on_posting_day``: radio runs N consecutive calendar days from the posting day.
    """

    first_day_counted: bool = False
    deadline_working_days: int = Field(default=5, ge=1, le=60)
    posting_end_moves_to_working_day: bool = True
    radio_starts_on_posting_day: bool = True


_EMAIL = re.compile(r"^[^@\s,;<>{}]+@[^@\s,;<>{}]+\.[^@\s,;<>{}]+$")
_CONN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,250}$")


class Alerts(_Model):
    """Deadline alerts (cockpit/alerts.py, docs/alerts.md): who receives the morning digest and the
    overdue alerts. Addresses and connection ids only: the SMTP server, its login and every token of a
    chat service live in Airflow connections, never here."""

    enabled: bool = True
    email: list[str] = Field(default_factory=list)
    apprise: list[str] = Field(default_factory=list)  # Airflow connection ids (type apprise)
    smtp_conn_id: str = "smtp_default"

    @field_validator("email")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        bad = [a for a in v if not _EMAIL.match(a)]
        if bad:
            raise ValueError(f"địa chỉ e-mail không hợp lệ / invalid e-mail address: {bad}")
        return v

    @field_validator("apprise")
    @classmethod
    def _apprise_ids(cls, v: list[str]) -> list[str]:
        for x in v:
            if "://" in x or not _CONN_ID.match(x):
                raise ValueError(
                    f"'{x}' không phải mã kết nối Airflow: ghi địa chỉ Apprise (có mã bí mật) vào một kết nối "
                    "Airflow loại apprise rồi ghi mã kết nối ở đây / not an Airflow connection id: put the "
                    "Apprise URL (it holds a token) in an Airflow connection and name it here")
        return v

    @field_validator("smtp_conn_id")
    @classmethod
    def _smtp_id(cls, v: str) -> str:
        if not _CONN_ID.match(v):
            raise ValueError(f"'{v}' không phải mã kết nối Airflow / not an Airflow connection id")
        return v


# --- a profile that changes over time ---------------------------------------------------------
#: Fields whose value may change over time: a plain value, or a list of periods (``from:``).
DATED_FIELDS: tuple[str, ...] = (
    "kind", "name", "body_name_upper", "body_short", "superior", "superior_upper", "superior_full_upper",
    "district", "province", "place", "chairman", "office", "radio", "groups_sample", "council.name",
)
#: Dated fields whose periods list the block's own fields (the others give ``value:``).
_BLOCK_FIELDS = frozenset({"chairman", "office", "radio"})
#: Lists whose elements live ``from:`` a date ``until:`` a date, and the key one element holds per day.
DATED_LISTS: dict[str, str] = {"signers": "role", "civil_servants": "role", "groups": "code"}
_GROUP_LINKS = ("merged_into", "split_into")
#: Fields that repeat the commune's name: when the name changes, each must change with it (or be derived).
_NAME_REPEATS = ("body_name_upper", "body_short", "council.name", "office.name", "radio.name")
_MISSING = object()
_DAY = dt.timedelta(days=1)


def _fail(vi: str, en: str) -> NoReturn:
    raise PydanticCustomError("profile_dates", "{vi} / {en}", {"vi": vi, "en": en})


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    _fail(f"{where}: '{value}' không phải ngày dạng YYYY-MM-DD", f"{where}: '{value}' is not a YYYY-MM-DD date")


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    data[last] = value


def _dmy(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "…"


@dataclass(frozen=True)
class _Period:
    """One value of a dated field, from ``start`` (None: since always) to the next period."""

    start: dt.date | None
    value: Any


@dataclass(frozen=True)
class _Entry:
    """One element of a dated list, alive from ``start`` to ``end`` (both included; None: open)."""

    index: int  # its place in the file (the order of the list)
    key: str
    start: dt.date | None
    end: dt.date | None
    data: dict[str, Any]  # the element without its dates and links
    then: tuple[str, ...] = ()  # the groups it merged or split into
    how: str = ""  # "merged_into" | "split_into"

    def alive(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class ProfileTimeline:
    """The history of a profile (the dated forms of ``commune.yaml``) and its resolved snapshots."""

    def __init__(self, raw: dict[str, Any], fields: dict[str, list[_Period]], lists: dict[str, list[_Entry]]):
        self.raw = raw
        self.fields = fields
        self.lists = lists
        starts: set[dt.date] = {p.start for ps in fields.values() for p in ps if p.start is not None}
        for entries in lists.values():
            starts |= {e.start for e in entries if e.start is not None}
            starts |= {e.end + _DAY for e in entries if e.end is not None and e.end < dt.date.max}
        #: Every day on which something changes, in order: period ``i`` starts on ``starts[i - 1]``.
        self.starts: tuple[dt.date, ...] = tuple(sorted(starts))
        self._snapshots: dict[tuple[int, int | None], Commune] = {}

    # --- reading commune.yaml --------------------------------------------------------------
    @staticmethod
    def is_dated(data: dict[str, Any]) -> bool:
        if any(isinstance(_get(data, f), list) for f in DATED_FIELDS):
            return True
        return any(isinstance(el, dict) and any(k in el for k in ("from", "until", *_GROUP_LINKS))
                   for name in DATED_LISTS for el in (data.get(name) or []))

    @classmethod
    def parse(cls, data: dict[str, Any]) -> ProfileTimeline:
        raw = copy.deepcopy(data)
        fields = {path: cls._periods(path, value) for path in DATED_FIELDS
                  if isinstance(value := _get(raw, path), list)}
        lists = {name: cls._entries(name, key, items) for name, key in DATED_LISTS.items()
                 if isinstance(items := raw.get(name), list)}
        timeline = cls(raw, fields, lists)
        timeline._check_links()
        return timeline

    @staticmethod
    def _periods(path: str, value: list[Any]) -> list[_Period]:
        if not value:
            _fail(f"{path}: danh sách mốc thời gian rỗng", f"{path}: empty list of periods")
        out: list[_Period] = []
        for i, entry in enumerate(value):
            where = f"{path}[{i}]"
            if not isinstance(entry, dict):
                _fail(f"{where}: mỗi mốc là một bảng có 'from:' (ngày bắt đầu)",
                      f"{where}: each period is a mapping with 'from:'")
            entry = dict(entry)
            if "until" in entry:
                _fail(f"{where}: một mốc kéo dài đến 'from:' của mốc sau; không dùng 'until:' ở đây",
                      f"{where}: a period lasts until the next one's 'from:'; no 'until:' here")
            start = _as_date(entry.pop("from"), f"{where}.from") if "from" in entry else None
            if start is None and i > 0:
                _fail(f"{where}: thiếu 'from:' (chỉ mốc đầu tiên được bỏ trống ngày)",
                      f"{where}: 'from:' is missing (only the first period may have none)")
            if out and out[-1].start is not None and start is not None and start <= out[-1].start:
                _fail(f"{path}: các mốc phải theo thứ tự ngày tăng dần, mỗi ngày một lần "
                      f"({out[-1].start.isoformat()} rồi {start.isoformat()})",
                      f"{path}: 'from:' dates must increase ({out[-1].start} then {start})")
            if path in _BLOCK_FIELDS and "value" not in entry:
                out.append(_Period(start, entry))
            elif set(entry) == {"value"}:
                out.append(_Period(start, entry["value"]))
            else:
                _fail(f"{where}: ghi giá trị ở dòng 'value:' bên cạnh 'from:'",
                      f"{where}: give the value as 'value:' beside 'from:'")
        return out

    @staticmethod
    def _entries(name: str, key: str, items: list[Any]) -> list[_Entry]:
        out: list[_Entry] = []
        for i, el in enumerate(items):
            if not isinstance(el, dict):
                continue  # the model names it
            el = dict(el)
            k = str(el.get(key, f"#{i + 1}"))
            where = f"{name}[{k}]"
            start = _as_date(el.pop("from"), f"{where}.from") if "from" in el else None
            end = _as_date(el.pop("until"), f"{where}.until") if "until" in el else None
            if start and end and end < start:
                _fail(f"{where}: 'until: {end}' trước 'from: {start}'", f"{where}: 'until' is before 'from'")
            then: tuple[str, ...] = ()
            how = ""
            for link in _GROUP_LINKS if name == "groups" else ():
                if link in el:
                    if how:
                        _fail(f"{where}: chỉ ghi một trong 'merged_into' và 'split_into'",
                              f"{where}: give either 'merged_into' or 'split_into'")
                    value = el.pop(link)
                    then, how = tuple(str(v) for v in (value if isinstance(value, list) else [value])), link
                    if not then or end is None:
                        _fail(f"{where}: '{link}' cần 'until:' (ngày cuối) và ít nhất một mã",
                              f"{where}: '{link}' needs 'until:' and at least one code")
            out.append(_Entry(i, k, start, end, el, then, how))
        by_key: dict[str, list[_Entry]] = {}
        for e in out:
            by_key.setdefault(e.key, []).append(e)
        for k, entries in by_key.items():
            entries.sort(key=lambda e: e.start or dt.date.min)
            for a, b in zip(entries, entries[1:], strict=False):
                if a.end is None or b.start is None or a.end >= b.start:
                    both = b.start or a.start
                    _fail(f"{name}: '{k}' có hai mục cùng hiệu lực (từ {_dmy(both)}): ghi 'until:' cho mục "
                          "trước hoặc 'from:' cho mục sau",
                          f"{name}: two elements hold '{k}' on the same days: give the first 'until:' or the "
                          "next 'from:'")
        return out

    def _check_links(self) -> None:
        groups = self.lists.get("groups", [])
        for e in groups:
            for code in e.then:
                after = e.end + _DAY if e.end is not None else None
                if code == e.key or after is None or not any(g.key == code and g.alive(after) for g in groups):
                    _fail(f"groups[{e.key}].{e.how}: không có thôn/tổ dân phố mã '{code}' còn hiệu lực ngày "
                          f"{_dmy(after)} (ngày sau 'until:')",
                          f"groups[{e.key}].{e.how}: no group '{code}' in force on {after}")

    # --- resolving ---------------------------------------------------------------------------
    def period(self, day: dt.date) -> int:
        """The index of the period holding ``day`` (0: before the first change)."""
        return bisect_right(self.starts, day)

    def day_of(self, period: int) -> dt.date:
        """A day of the period (its first; for period 0 the day before the first change)."""
        if period == 0:
            return self.starts[0] - _DAY if self.starts else dt.date.min
        return self.starts[period - 1]

    def raw_on(self, day: dt.date, groups_on: dt.date | None = None) -> dict[str, Any]:
        """The plain ``commune.yaml`` mapping of ``day``. With ``groups_on``: the groups that existed on
        that day (the groups a case was posted in), each as it is on ``day`` when it still exists."""
        out = copy.deepcopy(self.raw)
        for path, periods in self.fields.items():
            chosen = periods[0]
            for p in periods:
                if p.start is None or p.start <= day:
                    chosen = p
            _put(out, path, copy.deepcopy(chosen.value))
        for name, entries in self.lists.items():
            first: dict[str, int] = {}
            for e in entries:
                first.setdefault(e.key, e.index)
            alive = [e for e in entries if e.alive(day)]
            if name == "groups" and groups_on is not None:
                members = [e for e in entries if e.alive(groups_on)]
                now = {e.key: e for e in alive}
                alive = [now.get(e.key, e) for e in members]
            alive.sort(key=lambda e: first[e.key])
            out[name] = [copy.deepcopy(e.data) for e in alive]
        return out

    def snapshot(self, cls: type[Commune], day: dt.date, groups_on: dt.date | None = None) -> Commune:
        p = self.period(day)
        g = self.period(groups_on) if groups_on is not None else None
        key = (p, None if g == p else g)
        snap = self._snapshots.get(key)
        if snap is None:
            rep = self.day_of(p)
            raw = self.raw_on(rep, None if key[1] is None else self.day_of(key[1]))
            try:
                snap = cls.model_validate(raw)
            except ValidationError as err:
                since = f"từ ngày {_dmy(rep)}" if p else "trước mọi thay đổi"
                what = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or '(gốc)'}: {e['msg']}"
                                 for e in err.errors()[:3])
                _fail(f"hồ sơ áp dụng {since}: {what}", f"the profile in force from {rep}: {what}")
            snap._timeline, snap._day = self, rep
            self._snapshots[key] = snap
        return snap

    def check(self, cls: type[Commune]) -> None:
        """Every period is a valid profile, and consistent: the chairman signs as chairman, and a
        field that repeats the commune's name changes with it."""
        snaps = [self.snapshot(cls, self.day_of(p)) for p in range(len(self.starts) + 1)]
        renamed = len({s.name for s in snaps}) > 1
        for p, snap in enumerate(snaps):
            since = f"từ ngày {_dmy(self.day_of(p))}" if p else "trước mọi thay đổi"
            signer = next((s for s in snap.signers if s.role == "chairman"), None)
            if signer is not None and signer.name != snap.chairman.name:
                _fail(f"hồ sơ áp dụng {since}: Chủ tịch là '{snap.chairman.name}' nhưng người ký vai trò chairman là "
                      f"'{signer.name}': sửa 'signers' cho khớp (dùng 'from:'/'until:')",
                      f"from {self.day_of(p)}: the chairman is {snap.chairman.name!r} but the chairman signer is "
                      f"{signer.name!r}")
            if not renamed:
                continue
            for path in _NAME_REPEATS:
                value = _get(snap.model_dump(), path)
                if not isinstance(value, str) or path == "radio.name" and not snap.radio.has_radio:
                    continue
                want = upper_vi(snap.name) if path == "body_name_upper" else snap.name
                if want not in value:
                    _fail(f"hồ sơ áp dụng {since}: tên đơn vị là '{snap.name}' nhưng '{path}' vẫn là '{value}': ghi "
                          f"'{path}' theo mốc thời gian như 'name' (hoặc bỏ dòng đó nếu được tự suy ra từ tên)",
                          f"from {self.day_of(p)}: the name is {snap.name!r} but {path} is {value!r}: date it as "
                          "'name' is dated")

    def successors(self, code: str) -> tuple[str, tuple[str, ...], dt.date | None]:
        """How group ``code`` ended (``merged_into`` / ``split_into`` / ""), into which codes, on which day."""
        for e in self.lists.get("groups", []):
            if e.key == code and e.then:
                return e.how, e.then, e.end
        return "", (), None

    def group_version(self, cls: type[ResidentialGroup], code: str, day: dt.date | None) -> ResidentialGroup | None:
        """Group ``code`` as it was last on or before ``day`` (any day: ``None``), None if never."""
        found = [e for e in self.lists.get("groups", []) if e.key == code
                 and (day is None or e.start is None or e.start <= day)]
        if not found:
            return None
        best = max(found, key=lambda e: e.start or dt.date.min)
        return cls.model_validate(best.data)


class Commune(_Model):
    """A commune-level People's Committee (UBND xã / phường / thị trấn) and its wording."""

    code: str
    kind: CommuneKind
    name: str  # "thị trấn Kép" (lower-case unit word, as in running text)
    body_name_upper: str | None = None  # "ỦY BAN NHÂN DÂN THỊ TRẤN KÉP"
    body_short: str | None = None  # "UBND thị trấn Kép"
    superior: str  # "UBND huyện Lạng Giang"
    superior_upper: str | None = None  # "UBND HUYỆN LẠNG GIANG"
    superior_full_upper: str | None = None  # "ỦY BAN NHÂN DÂN HUYỆN LẠNG GIANG"
    district: str | None = None  # "huyện Lạng Giang"
    province: str  # "tỉnh Bắc Giang"
    place: str  # "Kép" (date lines: "Kép, ngày 05 tháng 01 năm 2024")
    chairman: Person
    signers: list[Signer] = Field(default_factory=list)
    office: Office
    civil_servants: list[CivilServant] = Field(default_factory=list)
    groups: list[ResidentialGroup] = Field(default_factory=list)
    groups_sample: bool = False  # every group's leader is a placeholder
    numbering: Numbering = "clerk"
    radio: Radio = Field(default_factory=Radio)
    council: Council
    counting: CountingRule = Field(default_factory=CountingRule)
    alerts: Alerts = Field(default_factory=Alerts)
    demo: bool = False
    notes: list[str] = Field(default_factory=list)
    _timeline: ProfileTimeline | None = PrivateAttr(default=None)  # the history (dated commune.yaml)
    _day: dt.date | None = PrivateAttr(default=None)  # a snapshot: a day it holds for

    @model_validator(mode="wrap")
    @classmethod
    def _over_time(cls, data: Any, handler: Any) -> Commune:
        """A dated ``commune.yaml``: every period validated, the newest values as the fields."""
        if not isinstance(data, dict) or not ProfileTimeline.is_dated(data):
            return handler(data)
        timeline = ProfileTimeline.parse(data)
        timeline.check(cls)
        latest = handler(timeline.raw_on(timeline.day_of(len(timeline.starts))))
        latest._timeline = timeline
        return latest

    @model_validator(mode="after")
    def _derive(self) -> Commune:
        fill = {
            "body_name_upper": f"ỦY BAN NHÂN DÂN {upper_vi(self.name)}",
            "body_short": f"UBND {self.name}",
            "superior_upper": upper_vi(self.superior),
        }
        for key, value in fill.items():
            if getattr(self, key) is None:
                object.__setattr__(self, key, value)
        if self.superior_full_upper is None and self.superior.startswith("UBND "):
            object.__setattr__(
                self, "superior_full_upper", "ỦY BAN NHÂN DÂN " + upper_vi(self.superior[5:])
            )
        codes = [g.code for g in self.groups]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate group codes: {dupes}")
        if not any(s.role == "chairman" for s in self.signers):
            signers = [
                Signer(name=self.chairman.name, title=self.chairman.title, role="chairman"),
                *self.signers,
            ]
            object.__setattr__(self, "signers", signers)
        return self

    # --- wording used by document templates -------------------------------------------------
    @property
    def unit_word(self) -> str:
        """``thị trấn`` / ``xã`` / ``phường``."""
        return UNIT_WORDS[self.kind]

    @property
    def unit_word_upper(self) -> str:
        return upper_vi(self.unit_word)

    @property
    def group_word(self) -> str:
        """``tổ dân phố`` (town, ward) or ``thôn`` (rural commune)."""
        return GROUP_WORDS[self.kind]

    @property
    def group_word_upper(self) -> str:
        return upper_vi(self.group_word)

    @property
    def group_word_cap(self) -> str:
        """``Tổ dân phố`` / ``Thôn`` (at the start of a sentence or a list line)."""
        return _cap_first(self.group_word)

    @property
    def group_leader_title(self) -> str:
        """``Tổ trưởng tổ dân phố`` / ``Trưởng thôn``."""
        return GROUP_LEADER_TITLES[self.kind]

    @property
    def name_cap(self) -> str:
        """``Thị trấn Kép``."""
        return _cap_first(self.name)

    @property
    def name_upper(self) -> str:
        """``THỊ TRẤN KÉP``."""
        return upper_vi(self.name)

    @property
    def body_full(self) -> str:
        """``Ủy ban nhân dân thị trấn Kép``."""
        return f"Ủy ban nhân dân {self.name}"

    @property
    def body_short_upper(self) -> str:
        """``UBND THỊ TRẤN KÉP``."""
        return upper_vi(self.body_short or "")

    @property
    def office_name(self) -> str:
        return self.office.name

    @property
    def council_name(self) -> str:
        """``Hội đồng nhân dân thị trấn Kép``."""
        return self.council.name

    @property
    def council_short(self) -> str:
        """``HĐND thị trấn Kép``."""
        return f"HĐND {self.name}"

    @property
    def has_radio(self) -> bool:
        return self.radio.has_radio

    @property
    def radio_name(self) -> str | None:
        return self.radio.name if self.radio.has_radio else None

    @property
    def ubnd_board(self) -> str:
        """The notice board at the People's Committee: ``Bản tin công khai của UBND thị trấn Kép``."""
        return f"Bản tin công khai của {self.body_short}"

    def wording(self) -> dict[str, str]:
        """Every wording a document template needs, as one flat dict of strings."""
        keys = (
            "code", "name", "name_cap", "name_upper", "body_name_upper", "body_short",
            "body_short_upper", "body_full", "superior", "superior_upper", "superior_full_upper",
            "district", "province", "place", "unit_word", "unit_word_upper", "group_word",
            "group_word_upper", "group_word_cap", "group_leader_title", "office_name",
            "council_name", "council_short", "radio_name", "ubnd_board",
        )
        out = {k: getattr(self, k) for k in keys}
        out["chairman_name"] = self.chairman.name
        out["chairman_title"] = self.chairman.title
        return {k: ("" if v is None else str(v)) for k, v in out.items()}

    # --- over time ------------------------------------------------------------------------
    def on(self, day: dt.date, *, groups_on: dt.date | None = None) -> Commune:
        """The profile as of ``day``: a plain :class:`Commune`, the same object for every day of one period.

        ``groups_on``: the residential groups are those of that day (where a case was posted), each as it
        is on ``day`` while it exists (a posting's end minutes after a merge: both groups, the current
        leader). A profile without history is the same on every day."""
        if self._timeline is None:
            return self
        return self._timeline.snapshot(type(self), day, groups_on)

    @property
    def changes(self) -> tuple[dt.date, ...]:
        """The days on which something in the profile changes (empty: it never does)."""
        return self._timeline.starts if self._timeline is not None else ()

    def periods(self) -> list[tuple[dt.date | None, dt.date | None, Commune]]:
        """Each period of the profile: its first and last day (None: open) and the profile then."""
        starts = self.changes
        if not starts:
            return [(None, None, self)]
        bounds = [None, *starts]
        return [(start, starts[i] - _DAY if i < len(starts) else None, self.on(self._day_in(i)))
                for i, start in enumerate(bounds)]

    def _day_in(self, period: int) -> dt.date:
        assert self._timeline is not None
        return self._timeline.day_of(period)

    def group_ended(self, code: str) -> tuple[str, tuple[str, ...], dt.date | None]:
        """How a residential group ended: (``merged_into`` | ``split_into`` | "", codes, last day)."""
        return self._timeline.successors(code) if self._timeline is not None else ("", (), None)

    # --- look-ups -------------------------------------------------------------------------
    def signer(self, role: str = "chairman") -> Signer:
        for s in self.signers:
            if s.role == role:
                return s
        raise ConfigError(
            f"Xã {self.code} không có người ký với vai trò '{role}' trong commune.yaml",
            f"Commune {self.code} has no signer with role '{role}' in commune.yaml",
            kind="unknown_signer",
            field="signers",
        )

    def group(self, code: str) -> ResidentialGroup:
        for g in self.groups:
            if g.code == code:
                return g
        # a group that no longer exists on this profile's day (merged, split): as it was last
        old = self._timeline.group_version(ResidentialGroup, code, self._day) if self._timeline else None
        if old is not None:
            return old
        raise ConfigError(
            f"Không có {self.group_word} mã '{code}' trong commune.yaml của {self.code}",
            f"No residential group '{code}' in commune.yaml of {self.code}",
            kind="unknown_group",
            field="groups",
        )

    def leader_title_of(self, group: ResidentialGroup) -> str:
        return group.leader_title or self.group_leader_title

    def leader_is_sample(self, group: ResidentialGroup) -> bool:
        """Whether a group's leader is a placeholder (the group's own flag or ``groups_sample``)."""
        return group.sample or self.groups_sample

    def civil_servant_for(self, item_code: str | None = None, role: str | None = None,
                          law_item: int | None = None) -> CivilServant | None:
        """Who posts an item: explicit item code first, then the responsible role, then the law item."""
        if item_code:
            for cs in self.civil_servants:
                if item_code in cs.items:
                    return cs
        if role:
            for cs in self.civil_servants:
                if role == cs.role or role in cs.roles:
                    return cs
        if law_item is not None:
            for cs in self.civil_servants:
                if law_item in cs.law_items:
                    return cs
        return None

    def sessions(self, year: int) -> list[dt.date]:
        """The People's Council's regular session dates of a year (empty when not configured)."""
        return sorted(self.council.sessions.get(year, []))

    def next_session(self, after: dt.date) -> dt.date | None:
        """The first regular session on or after a date (where disclosure results are reported)."""
        dates = sorted(d for ds in self.council.sessions.values() for d in ds if d >= after)
        return dates[0] if dates else None


# --- loading ----------------------------------------------------------------------------------
_CACHE: dict[Path, tuple[int, Commune]] = {}


def commune_file(code: str, settings: Settings | None = None) -> Path:
    s = settings or _settings()
    return s.commune_dir(code) / "commune.yaml"


def format_validation_error(err: ValidationError, path: Path, what: str = "") -> tuple[str, str]:
    """Turn a pydantic error into one Vietnamese and one English line naming file and field."""
    parts_vi, parts_en = [], []
    for e in err.errors()[:5]:
        loc = ".".join(str(x) for x in e["loc"] if x not in ("function-after",)) or "(gốc)"
        parts_vi.append(f"trường '{loc}': {e['msg']}")
        parts_en.append(f"field '{loc}': {e['msg']}")
    prefix = f"{what} " if what else ""
    return (
        f"Tệp {path} không hợp lệ: {prefix}" + "; ".join(parts_vi),
        f"Invalid file {path}: {prefix}" + "; ".join(parts_en),
    )


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ConfigError(
            f"Không tìm thấy tệp {path}", f"File not found: {path}", kind="missing_file", path=str(path)
        ) from err
    try:
        # libyaml when present: ~5x faster than the pure-Python loader
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (dòng {mark.line + 1})" if mark else ""
        where_en = f" (line {mark.line + 1})" if mark else ""
        raise ConfigError(
            f"Tệp {path} không phải YAML hợp lệ{where}: {getattr(err, 'problem', err)}",
            f"File {path} is not valid YAML{where_en}: {getattr(err, 'problem', err)}",
            kind="bad_yaml",
            path=str(path),
        ) from err
    except ValueError as err:  # PyYAML builds dates itself and raises ValueError for 2024-02-30
        raise ConfigError(
            f"Tệp {path} có ngày không hợp lệ: {err}",
            f"File {path} has an invalid date: {err}",
            kind="bad_yaml",
            path=str(path),
        ) from err


def load_commune(code: str, settings: Settings | None = None) -> Commune:
    """Load and validate ``<communes_dir>/<code>/commune.yaml`` (cached by the file's mtime)."""
    path = commune_file(code, settings)
    if not path.is_file():
        raise ConfigError(
            f"Không có xã/phường/thị trấn '{code}': thiếu tệp {path}",
            f"Unknown commune '{code}': missing {path}",
            kind="unknown_commune",
            path=str(path),
        )
    mtime = path.stat().st_mtime_ns
    cached = _CACHE.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"Tệp {path} phải là một bảng YAML", f"{path} must be a YAML mapping",
                          kind="bad_yaml", path=str(path))
    data.setdefault("code", code)
    if data["code"] != code:
        raise ConfigError(
            f"Tệp {path}: trường 'code' là '{data['code']}' nhưng thư mục là '{code}'",
            f"{path}: field 'code' is '{data['code']}' but the folder is '{code}'",
            kind="bad_commune", field="code", path=str(path),
        )
    try:
        commune = Commune.model_validate(data)
    except ValidationError as err:
        vi, en = format_validation_error(err, path)
        raise ConfigError(vi, en, kind="bad_commune", path=str(path)) from err
    _CACHE[path] = (mtime, commune)
    return commune
