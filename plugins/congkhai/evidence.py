"""Evidence: the facts of a disclosure that only a person can record (bằng chứng công khai).

A generated document states a fact only when a source document or a person recorded it. The facts a
person records about one case are grouped in sections, each answered once (a new answer replaces the
old one; every answer stays in the case's history):

- ``posting``   — *Xác nhận niêm yết*: when, by whom, witnesses, at which places (HQ + groups);
- ``broadcast`` — *Xác nhận phát thanh*: the days and sessions actually broadcast, by whom;
- ``end``       — *Kết thúc niêm yết*: the feedback received (an explicit empty list = "none");
- ``numbers``   — the clerk's official number of a generated document, by document key.

Each recorded section carries who answered (the Airflow user, or ``replay``) and when (an aware
timestamp). The same models read the replay's answers file (``congkhai replay --answers FILE``),
keyed by the source document's number as printed, e.g. ``"15/QĐ-UBND"`` — a contract::

    "15/QĐ-UBND":
      posting: {at: "2024-01-08 14:30", by: "Lê Thị Hoa", witnesses: ["Nguyễn Văn Bình"], groups: all}
      broadcast: {days: ["2024-01-08", "2024-01-09"], sessions: ["06:30", "17:15"]}
      end: {feedback: []}
      numbers: {posting_start_ubnd: 31}

This module only models and validates; ``congkhai.pipeline.actions.record_evidence`` stores a section
in the case manifest and remakes the documents it affects.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, field_validator

from congkhai.errors import UsageError

SECTIONS = ("posting", "broadcast", "end", "numbers")
Section = Literal["posting", "broadcast", "end", "numbers"]

#: Vietnamese name of each section (the Airflow required action's title).
SECTION_TITLES_VI = {
    "posting": "Xác nhận niêm yết",
    "broadcast": "Xác nhận phát thanh",
    "end": "Kết thúc niêm yết",
    "numbers": "Số văn bản do văn thư cấp",
}

Name = Annotated[str, Field(min_length=1, max_length=120)]


def _nfc(v: Any) -> Any:
    if isinstance(v, str):
        return unicodedata.normalize("NFC", v).strip()
    if isinstance(v, list):
        return [_nfc(x) for x in v]
    return v


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PostingFacts(_Facts):
    """Xác nhận niêm yết: the posting as it happened."""

    at: dt.datetime  # local time (Asia/Ho_Chi_Minh) of the posting at the UBND board
    by: Name  # the person who posted
    witnesses: list[Name] = Field(default_factory=list, max_length=10)
    groups: Literal["all"] | list[Annotated[str, Field(min_length=1, max_length=40)]] = "all"

    _n = field_validator("by", "witnesses", "groups", mode="before")(lambda v: _nfc(v))

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, v: Any) -> Any:
        if isinstance(v, str):
            return dt.datetime.fromisoformat(v.strip().replace("T", " "))
        return v

    @field_validator("at")
    @classmethod
    def _naive_local(cls, v: dt.datetime) -> dt.datetime:
        return v.replace(tzinfo=None, second=0, microsecond=0)  # a wall-clock time in the commune


class BroadcastFacts(_Facts):
    """Xác nhận phát thanh: the days and sessions actually broadcast."""

    days: list[dt.date] = Field(min_length=1, max_length=60)
    sessions: list[dt.time] = Field(min_length=1, max_length=6)
    by: Name | None = None

    _n = field_validator("by", mode="before")(lambda v: _nfc(v))

    @field_validator("sessions", mode="before")
    @classmethod
    def _times(cls, v: Any) -> Any:
        return [dt.time.fromisoformat(x.strip()) if isinstance(x, str) else x for x in (v or [])]

    @field_validator("days")
    @classmethod
    def _sorted_days(cls, v: list[dt.date]) -> list[dt.date]:
        return sorted(set(v))


class EndFacts(_Facts):
    """Kết thúc niêm yết: the feedback received; ``[]`` records explicitly that none came."""

    feedback: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(max_length=200)
    by: Name | None = None

    _n = field_validator("feedback", "by", mode="before")(lambda v: _nfc(v))


class CaseAnswers(_Facts):
    """The answers recorded for one case (any section may be missing: not answered yet)."""

    posting: PostingFacts | None = None
    broadcast: BroadcastFacts | None = None
    end: EndFacts | None = None
    numbers: dict[Annotated[str, Field(min_length=1, max_length=80)], Annotated[int, Field(ge=1, le=99999)]] = \
        Field(default_factory=dict)


class AnswersFile(RootModel[dict[str, CaseAnswers]]):
    """``congkhai replay --answers FILE.yaml``: answers keyed by the source document's number."""


SECTION_MODELS: dict[str, type[BaseModel]] = {"posting": PostingFacts, "broadcast": BroadcastFacts,
                                              "end": EndFacts}


def _messages(err: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(gốc)'}: {e['msg']}" for e in err.errors())


def parse_section(section: str, data: Any) -> Any:
    """Validate one section's answer (``numbers`` is a mapping of document key → number)."""
    if section not in SECTIONS:
        raise UsageError(f"Không có mục bằng chứng '{section}' (chỉ: {', '.join(SECTIONS)})",
                         f"unknown evidence section {section!r}", kind="bad_evidence", field="section")
    try:
        if section == "numbers":
            return CaseAnswers(numbers=data).numbers
        return SECTION_MODELS[section].model_validate(data)
    except ValidationError as err:
        raise UsageError(f"Thông tin '{SECTION_TITLES_VI[section]}' không hợp lệ: {_messages(err)}",
                         f"invalid {section} answer: {err}", kind="bad_evidence", field=section) from err


def load_answers(path: Path) -> dict[str, CaseAnswers]:
    """Read and validate an answers file (YAML, no aliases), keys NFC."""
    import yaml

    from congkhai.textutil import strict_yaml_load

    try:
        raw = strict_yaml_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as err:
        raise UsageError(f"Không đọc được tệp trả lời {path}: {err}", f"cannot read answers {path}: {err}",
                         kind="bad_evidence", field="answers") from err
    try:
        parsed = AnswersFile.model_validate(raw or {})
    except ValidationError as err:
        raise UsageError(f"Tệp trả lời {path.name} không hợp lệ: {_messages(err)}",
                         f"invalid answers file {path}: {err}", kind="bad_evidence", field="answers") from err
    return {unicodedata.normalize("NFC", k).strip(): v for k, v in parsed.root.items()}


def recorded(section: str, facts: Any, by: str, at: dt.datetime) -> dict[str, Any]:
    """The JSON record of one answered section, as stored in the case manifest."""
    value = facts if section == "numbers" else facts.model_dump(mode="json")
    return {"value": value, "by": by, "at": at.isoformat(timespec="seconds")}


def facts_of(evidence: dict[str, Any], section: str) -> Any:
    """The validated facts of a recorded section of a case's ``evidence`` mapping, or None."""
    rec = (evidence or {}).get(section)
    if not rec:
        return None
    if section == "numbers":
        return dict(rec["value"])
    return SECTION_MODELS[section].model_validate(rec["value"])
