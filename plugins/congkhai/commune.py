"""The commune profile (hồ sơ đơn vị): who the commune is and how its documents name things.

One folder per commune under the communes dir (``communes/<code>/commune.yaml``); several communes
work side by side and nothing here assumes Kép. The wording of every generated document comes from
here: ``ỦY BAN NHÂN DÂN THỊ TRẤN KÉP``, ``tổ dân phố`` vs ``thôn``, the place of the date line, the
signers, the residential groups with their cultural houses and leaders, the radio station.

``load_commune(code)`` validates the file with pydantic and caches it by the file's mtime, so it is
cheap to call from every task.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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
    demo: bool = False
    notes: list[str] = Field(default_factory=list)

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
