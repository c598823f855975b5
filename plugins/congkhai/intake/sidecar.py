"""Sidecar stage: the staff's ``<name>.yaml`` beside a document, and retries it asks for.

A sidecar (``QD 15.pdf.yaml`` or ``QD 15.yaml``) overrides what intake reads (``item: Q1-7``,
``issued: 2024-01-05``, ``subject: …``). Dropped alone in the inbox, it names a document set aside
earlier in ``errors/`` or ``review/``: that document goes back to the inbox and is taken in again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import unicodedata
from pathlib import Path
from typing import Any

from congkhai.config import Settings
from congkhai.errors import PermanentError
from congkhai.intake import notes
from congkhai.intake.options import IntakeReport
from congkhai.intake.scan import SIDECAR_SUFFIXES, is_junk

SIDECAR_MAX = 64 * 1024
SIDECAR_FIELDS = {"item", "law_item", "dropped", "issued", "doc_number", "doc_code", "doc_type", "subject",
                  "signer", "issuer", "place"}


def sidecar_for(doc: Path) -> Path | None:
    """``name.pdf.yaml`` or ``name.yaml`` beside ``doc`` (names compared in NFC)."""
    want = {unicodedata.normalize("NFC", doc.name + s) for s in SIDECAR_SUFFIXES}
    want |= {unicodedata.normalize("NFC", doc.stem + s) for s in SIDECAR_SUFFIXES}
    try:
        for e in os.scandir(doc.parent):
            if unicodedata.normalize("NFC", e.name) in want and e.is_file(follow_symlinks=False):
                return Path(e.path)
    except OSError:
        return None
    return None


def read_sidecar(path: Path) -> dict[str, Any]:
    import yaml

    try:
        if path.stat().st_size > SIDECAR_MAX:
            raise ValueError("too large")
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise PermanentError(
            "Tệp .yaml đi kèm không đọc được (sai cú pháp). Mỗi dòng dạng 'tên: giá trị', ví dụ 'item: Q1-7'.",
            f"The .yaml sidecar is not valid YAML: {err}", kind="bad_sidecar", field="sidecar") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PermanentError("Tệp .yaml đi kèm phải gồm các dòng 'tên: giá trị', ví dụ 'item: Q1-7'.",
                             "The sidecar must be a mapping, e.g. 'item: Q1-7'", kind="bad_sidecar")
    unknown = sorted(str(k) for k in data if k not in SIDECAR_FIELDS)
    if unknown:
        raise PermanentError(
            f"Tệp .yaml có trường không biết: {', '.join(unknown)}. Dùng: {', '.join(sorted(SIDECAR_FIELDS))}.",
            f"Unknown sidecar fields: {', '.join(unknown)}", kind="bad_sidecar", field=unknown[0])
    out = dict(data)
    for k in ("dropped", "issued"):
        v = out.get(k)
        if v is not None and not isinstance(v, dt.date):
            try:
                out[k] = dt.date.fromisoformat(str(v))
            except ValueError as err:
                raise PermanentError(f"Ngày '{v}' trong tệp .yaml phải viết dạng YYYY-MM-DD (ví dụ 2024-02-05).",
                                     f"Date '{v}' in the sidecar must be YYYY-MM-DD", kind="bad_sidecar",
                                     field=k) from err
        if isinstance(out.get(k), dt.datetime):
            out[k] = out[k].date()
    for k in ("doc_number", "doc_code", "doc_type", "subject", "signer", "issuer", "place"):
        if out.get(k) is not None:
            out[k] = unicodedata.normalize("NFC", str(out[k])).strip()
    if out.get("doc_type"):
        out["doc_type"] = out["doc_type"].upper()
    return out


def retry_from_sidecars(commune: str, s: Settings, inbox: Path, report: IntakeReport) -> None:
    """A sidecar dropped alone in the inbox names a document set aside earlier: bring it back."""
    if not inbox.is_dir():
        return
    for folder in [inbox] + [Path(e.path) for e in os.scandir(inbox) if e.is_dir(follow_symlinks=False)
                             and not is_junk(e.name)]:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        names = {unicodedata.normalize("NFC", e.name) for e in entries}
        for e in entries:
            if not e.name.lower().endswith(SIDECAR_SUFFIXES) or is_junk(e.name):
                continue
            base = unicodedata.normalize("NFC", os.path.splitext(e.name)[0])
            if base in names or any(n.startswith(base + ".") and not n.endswith(SIDECAR_SUFFIXES) for n in names):
                continue  # its document is right here
            for area in (s.errors_dir(commune), s.review_dir(commune)):
                doc = _set_aside_doc(area, base)
                if doc is None:
                    continue
                dest = notes.free_name(folder, doc.name)
                os.rename(doc, dest)
                note = doc.with_name(doc.name + ".txt")
                with contextlib.suppress(OSError):
                    note.unlink()  # our own note; the document goes back to work
                # the sidecar must match the (possibly renamed) document
                if dest.name != doc.name:
                    os.rename(e.path, dest.with_name(dest.name + ".yaml"))
                report.retried.append(dest.name)
                break


def _set_aside_doc(area: Path, base: str) -> Path | None:
    if not area.is_dir():
        return None
    for e in os.scandir(area):
        n = unicodedata.normalize("NFC", e.name)
        if n.endswith(".txt") or n.endswith(SIDECAR_SUFFIXES):
            continue
        if n == base or os.path.splitext(n)[0] == base:
            return Path(e.path)
    return None
