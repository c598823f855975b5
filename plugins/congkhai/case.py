"""The disclosure case (hồ sơ vụ việc công khai): one issued document and everything done to disclose it.

A case is born when intake reads a newly issued document; the pipeline adds its schedule and
generated documents; the archive keeps it as ``manifest.json``. This module is the one shared
shape; each area adds what it knows, nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from congkhai.textutil import slug


@dataclass
class Case:
    commune: str
    issued: dt.date
    subject: str
    doc_number: str | None = None  # "15" (as printed, without the leading zero lost)
    doc_code: str | None = None  # "QĐ-UBND", "2024/QĐ-UBND", "UBND-VP"
    doc_type: str | None = None  # "QUYẾT ĐỊNH", "KẾ HOẠCH", ..., "CÔNG VĂN"
    place: str | None = None
    issuer: str | None = None
    signer: str | None = None
    item: str | None = None  # plan item code, e.g. "Q1-8"; None: not in the yearly plan
    law_item: int | None = None  # Điều 11 item 1-14
    confidence: float | None = None
    text_source: str | None = None  # "text", "docx", "ocr"
    original_name: str | None = None
    sha256: str | None = None
    dropped: dt.date | None = None  # when staff dropped it in the inbox (logical date)
    posted: dt.date | None = None  # actual posting date recorded by an operator
    status: str = "open"  # open | closed | cancelled
    feedback: list[str] = field(default_factory=list)
    # what the document itself asks to post, where, when and by whom (intake.cover.PostingRequest as JSON:
    # documents, content, places {hq, groups, all_groups}, start, end, days, responsible, roles, notes)
    posting_request: dict[str, Any] | None = None
    # facts recorded by people, by section (congkhai.evidence): {"posting": {"value", "by", "at"}, ...}
    evidence: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def number_notation(self) -> str:
        """``15/QĐ-UBND`` (or just the code when there is no number)."""
        if self.doc_number and self.doc_code:
            return f"{self.doc_number}/{self.doc_code}"
        return self.doc_number or self.doc_code or ""

    @property
    def case_id(self) -> str:
        """Stable id, unique within a commune: issue date + number/code (or the file's hash)."""
        ident = self.number_notation or (self.sha256 or "")[:12] or slug(self.subject, 30)
        return f"{self.issued:%Y%m%d}-{slug(ident, 40)}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("issued", "dropped", "posted"):
            if d[k] is not None:
                d[k] = d[k].isoformat()
        d["case_id"] = self.case_id
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Case:
        d = dict(d)
        d.pop("case_id", None)
        for k in ("issued", "dropped", "posted"):
            if d.get(k):
                d[k] = dt.date.fromisoformat(d[k])
        known = {f for f in cls.__dataclass_fields__}
        extra = {k: v for k, v in d.items() if k not in known}
        base = {k: v for k, v in d.items() if k in known}
        base.setdefault("extra", {}).update(extra)
        return cls(**base)
