"""``manifest.json``: the index card of a case folder (or of a year's folder).

Top-level keys in Title case are the electronic-record metadata of Nghị định 30/2020/NĐ-CP,
Phụ lục VI (FileCode … EndDate); lower-case keys are ours. Dates are ISO ``YYYY-MM-DD``.
The manifest is plain JSON in UTF-8 (NFC), indented, so it reads without the software.

::

    {
      "format": "congkhai-archive/1",
      "record": "case" | "year",
      "commune": "kep", "case_id": "20240202-15-qd-ubnd" (null for a year), "year": 2024,
      "FileCode": "kep.2024.20240202-15-qd-ubnd", "DocOrdinal": 1, "TypeName": "Quyết định",
      "CodeNumber": "15", "CodeNotation": "QĐ-UBND", "IssuedDate": "2024-02-02",
      "OrganName": "UBND thị trấn Kép", "Subject": "…", "PageAmount": 2, "Signer": "…",
      "To": [], "Maintenance": "Vĩnh viễn", "StartDate": "2024-02-02", "EndDate": "2024-03-06",
      "item": "Q1-2", "law_item": 2, "schedule": {…}, "case": {… the Case …},
      "files": [{"kind", "key", "path", "sha256", "size", "number", "code", "version",
                 "doc_date", "created", "title", "state"}],
      "history": [{"at": "2024-02-02T09:00:00+07:00", "event": "filed", …}]
    }
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from congkhai.archive import fsutil
from congkhai.case import Case

FORMAT = "congkhai-archive/1"
#: The state of a generated document (``files[].state``): ``draft`` (dự thảo: facts left blank, DỰ THẢO on
#: every page), ``final`` (every fact it prints was recorded), ``signed`` (its signed scan was filed).
#: Files filed before states existed, originals and dossiers have none.
DocState = Literal["draft", "final", "signed"]
DOC_STATES: tuple[DocState, ...] = ("draft", "final", "signed")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: Thời hạn bảo quản when the pipeline gives none: keep for ever (never lose a record by default).
DEFAULT_MAINTENANCE = "Vĩnh viễn"

PHU_LUC_VI = (
    "FileCode",
    "DocOrdinal",
    "TypeName",
    "CodeNumber",
    "CodeNotation",
    "IssuedDate",
    "OrganName",
    "Subject",
    "PageAmount",
    "Signer",
    "To",
    "Maintenance",
    "StartDate",
    "EndDate",
)


def now_iso() -> str:
    """Wall-clock time of an archive event (when it really happened, Vietnam time)."""
    return dt.datetime.now(TZ).replace(microsecond=0).isoformat()


def _type_name(doc_type: str | None) -> str | None:
    """``QUYẾT ĐỊNH`` -> ``Quyết định`` (Phụ lục VI writes the type name in sentence case)."""
    if not doc_type:
        return None
    t = doc_type.strip().lower()
    return t[:1].upper() + t[1:]


def case_metadata(case: Case) -> dict[str, Any]:
    """The Phụ lục VI fields and ours that come from the Case itself."""
    extra = case.extra or {}
    return {
        "FileCode": f"{case.commune}.{case.issued.year}.{case.case_id}",
        "DocOrdinal": 1,
        "TypeName": _type_name(case.doc_type),
        "CodeNumber": case.doc_number,
        "CodeNotation": case.doc_code,
        "IssuedDate": case.issued.isoformat(),
        "OrganName": case.issuer,
        "Subject": case.subject,
        "PageAmount": extra.get("pages"),
        "Signer": case.signer,
        "To": list(extra.get("to") or []),
        "Maintenance": extra.get("maintenance") or DEFAULT_MAINTENANCE,
        "StartDate": None,  # filled from the documents' dates at every save (refresh_dates)
        "EndDate": None,
        "item": case.item,
        "law_item": case.law_item,
    }


def new_case_manifest(case: Case, rel_path: str) -> dict[str, Any]:
    m: dict[str, Any] = {"format": FORMAT, "record": "case", "commune": case.commune, "case_id": case.case_id,
                         "year": case.issued.year, "path": rel_path}
    m.update(case_metadata(case))
    m.update({"schedule": {}, "case": case.to_dict(), "files": [], "history": []})
    refresh_dates(m)
    return m


def new_year_manifest(commune: str, year: int, rel_path: str) -> dict[str, Any]:
    return {
        "format": FORMAT, "record": "year", "commune": commune, "case_id": None, "year": year,
        "path": rel_path,
        "FileCode": f"{commune}.{year}.ca-nam", "DocOrdinal": None, "TypeName": "Hồ sơ",
        "CodeNumber": None, "CodeNotation": None, "IssuedDate": None, "OrganName": None,
        "Subject": f"Hồ sơ công khai thông tin năm {year}", "PageAmount": None, "Signer": None,
        "To": [], "Maintenance": DEFAULT_MAINTENANCE, "StartDate": None, "EndDate": None,
        "item": None, "law_item": None, "schedule": {}, "files": [], "history": [],
    }


def refresh_dates(m: dict[str, Any]) -> None:
    """StartDate/EndDate: the span of the folder's documents (Phụ lục VI: thời gian bắt đầu/kết thúc)."""
    days = [f["doc_date"] for f in m["files"] if f.get("doc_date")]
    if m.get("IssuedDate"):
        days.append(m["IssuedDate"])
    if days:
        m["StartDate"], m["EndDate"] = min(days), max(days)


def _nfc(obj: Any) -> Any:
    if isinstance(obj, str):
        return unicodedata.normalize("NFC", obj)
    if isinstance(obj, dict):
        return {_nfc(k): _nfc(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_nfc(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def dumps(m: dict[str, Any]) -> bytes:
    return (json.dumps(_nfc(m), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def load(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def save(path: Path, m: dict[str, Any]) -> None:
    fsutil.atomic_replace_bytes(path, dumps(m))
