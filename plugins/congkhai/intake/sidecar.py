"""Sidecar stage: the staff's ``<name>.yaml`` beside a document, and retries it asks for.

A sidecar (``QD 15.pdf.yaml`` or ``QD 15.yaml``, any letter case) overrides what intake reads
(``item: Q1-7``, ``issued: 2024-01-05``, ``subject: …``). It is staff input and is read as such:
at most 64 KB, a regular file (a symlink is refused, never followed), YAML without anchors or
aliases (a few hundred bytes of aliases expand to gigabytes), and every field validated by the
``Sidecar`` model, each string bounded. Any problem is a ``PermanentError`` (kind ``bad_sidecar``)
naming the field in Vietnamese: the document goes to ``errors/`` with its sidecar beside it.

Dropped alone in the inbox, a sidecar names a document set aside earlier in ``errors/`` or
``review/``: that document goes back to the inbox and is taken in again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import stat
import unicodedata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from congkhai.config import Settings
from congkhai.errors import PermanentError
from congkhai.intake import notes
from congkhai.intake.options import IntakeReport
from congkhai.intake.quality import usable_subject
from congkhai.intake.scan import display_name, is_junk, is_sidecar_name
from congkhai.textutil import AliasRefused, strict_yaml_load

SIDECAR_MAX = 64 * 1024
NOT_IN_PLAN = ("", "none", "null", "khong", "không")

#: What each field holds, as staff are told when it is wrong (Vietnamese, English).
FIELD_HELP: dict[str, tuple[str, str]] = {
    "item": ("mã mục của kế hoạch công khai (xem bằng: congkhai plan items), ví dụ 'item: Q1-7'; "
             "'item: null' nếu văn bản không thuộc kế hoạch năm", "a plan item code such as Q1-7, or null"),
    "law_item": ("số khoản của Điều 11 Luật Thực hiện dân chủ ở cơ sở, một số từ 1 đến 14, ví dụ 'law_item: 5'",
                 "an Article 11 item number, 1 to 14"),
    "dropped": ("ngày thả văn bản, viết dạng YYYY-MM-DD, ví dụ 'dropped: 2024-02-05'", "a date YYYY-MM-DD"),
    "issued": ("ngày ban hành, viết dạng YYYY-MM-DD, ví dụ 'issued: 2024-01-05'", "a date YYYY-MM-DD"),
    "doc_number": ("số văn bản, ví dụ 'doc_number: 15'", "the document number"),
    "doc_code": ("ký hiệu văn bản, ví dụ 'doc_code: QĐ-UBND'", "the document code"),
    "doc_type": ("loại văn bản, ví dụ 'doc_type: QUYẾT ĐỊNH'", "the document type"),
    "subject": ("trích yếu viết bằng chữ, ví dụ 'subject: Về việc phê duyệt danh sách hộ nghèo năm 2024'",
                "the subject, in words"),
    "signer": ("họ tên người ký, ví dụ 'signer: Đặng Minh Khôi'", "the signer's name"),
    "issuer": ("cơ quan ban hành, ví dụ 'issuer: UBND huyện Lạng Giang'", "the issuing body"),
    "place": ("địa danh ở dòng ngày tháng, ví dụ 'place: Kép'", "the place of the date line"),
}
SIDECAR_FIELDS = set(FIELD_HELP)
_TEXT_FIELDS = ("doc_number", "doc_code", "doc_type", "subject", "signer", "issuer", "place")


def _text(v: Any) -> str | None:
    """A one-line NFC string from a YAML scalar (numbers written bare become text: ``doc_number: 15``)."""
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, str | int | float):
        raise ValueError("phải là chữ / must be text")
    s = unicodedata.normalize("NFC", str(v))
    s = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in s)
    return " ".join(s.split()) or None


def _date(v: Any) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        v = v.date()
    elif isinstance(v, str):
        try:
            v = dt.date.fromisoformat(v.strip())
        except ValueError as err:
            raise ValueError("ngày phải viết dạng YYYY-MM-DD / a date must be YYYY-MM-DD") from err
    if not isinstance(v, dt.date):
        raise ValueError("ngày phải viết dạng YYYY-MM-DD / a date must be YYYY-MM-DD")
    if not 1990 <= v.year <= 2100:
        raise ValueError("năm phải từ 1990 đến 2100 / the year must be 1990-2100")
    return v


class Sidecar(BaseModel):
    """What staff may write in a sidecar; every field optional, every string bounded.

    ``item`` given as ``null`` (or ``không``) means "not in the yearly plan": see ``item_given``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    item: str | None = Field(default=None, max_length=20)
    law_item: int | None = Field(default=None, ge=1, le=14)
    dropped: dt.date | None = None
    issued: dt.date | None = None
    doc_number: str | None = Field(default=None, max_length=20)
    doc_code: str | None = Field(default=None, max_length=60)
    doc_type: str | None = Field(default=None, max_length=60)
    subject: str | None = Field(default=None, max_length=500)
    signer: str | None = Field(default=None, max_length=120)
    issuer: str | None = Field(default=None, max_length=200)
    place: str | None = Field(default=None, max_length=80)

    @property
    def item_given(self) -> bool:
        """True when the sidecar says which item (``item: Q1-7``) or none (``item: null``)."""
        return "item" in self.model_fields_set

    @field_validator("item", mode="before")
    @classmethod
    def _item(cls, v: Any) -> str | None:
        s = _text(v)
        return None if s is None or s.lower() in NOT_IN_PLAN else s

    @field_validator("law_item", mode="before")
    @classmethod
    def _law_item(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("phải là một số / must be a number")
        return v.strip() if isinstance(v, str) else v

    @field_validator("dropped", "issued", mode="before")
    @classmethod
    def _dates(cls, v: Any) -> dt.date | None:
        return _date(v)

    @field_validator(*_TEXT_FIELDS, mode="before")
    @classmethod
    def _texts(cls, v: Any) -> str | None:
        return _text(v)

    @field_validator("doc_type")
    @classmethod
    def _upper(cls, v: str | None) -> str | None:
        return v.upper() if v else v

    @field_validator("subject")
    @classmethod
    def _readable(cls, v: str | None) -> str | None:
        if v is not None and not usable_subject(v):
            raise ValueError("trích yếu phải viết bằng chữ / the subject must be words")
        return v


def _bad(vi: str, en: str, field: str = "sidecar") -> PermanentError:
    return PermanentError(vi, en, kind="bad_sidecar", field=field)


def _shown_value(v: Any) -> str:
    s = repr(v) if not isinstance(v, str) else f"'{v}'"
    return s if len(s) <= 60 else s[:57] + "…'"


def _validation_error(err: ValidationError) -> PermanentError:
    e = err.errors()[0]
    field = str(e["loc"][0]) if e["loc"] else "sidecar"
    if e["type"] == "extra_forbidden":
        known = ", ".join(sorted(SIDECAR_FIELDS))
        return _bad(f"Tệp .yaml đi kèm có trường không biết: '{display_name(field)[:40]}'. Các trường dùng được: "
                    f"{known}.", f"Unknown sidecar field '{field[:40]}' (known: {known})", field)
    vi, en = FIELD_HELP.get(field, ("", ""))
    got = _shown_value(e.get("input"))
    return _bad(f"Trường '{field}' trong tệp .yaml đi kèm không hợp lệ (đang ghi: {got}). Cần ghi: {vi}.",
                f"Sidecar field '{field}' is invalid ({got}): {e['msg']}; expected {en}", field)


def _read_bytes(path: Path) -> bytes:
    """At most SIDECAR_MAX bytes of a regular file; a symlink or a special file is refused."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _bad("Tệp .yaml đi kèm là lối tắt (shortcut/symlink), không phải tệp thật: không đọc. Hãy sao "
                       "chép chính tệp .yaml vào hộp thư.", "The sidecar is a symlink: not followed") from err
        raise _bad("Không mở được tệp .yaml đi kèm.", f"Cannot open the sidecar: {err}") from err
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _bad("Tệp .yaml đi kèm không phải tệp thường (thư mục hoặc tệp đặc biệt).",
                       "The sidecar is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(SIDECAR_MAX + 1)
    finally:
        os.close(fd)
    if len(data) > SIDECAR_MAX:
        raise _bad(f"Tệp .yaml đi kèm quá lớn (hơn {SIDECAR_MAX // 1024} KB): chỉ cần vài dòng 'tên: giá trị'.",
                   f"The sidecar is larger than {SIDECAR_MAX // 1024} KB")
    return data


def parse_sidecar(data: bytes) -> Sidecar:
    """Validate a sidecar's bytes; ``PermanentError(kind="bad_sidecar", field=…)`` when anything is wrong."""
    import yaml

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _bad("Tệp .yaml đi kèm không phải chữ UTF-8: hãy lưu lại bằng Notepad (mã hóa UTF-8).",
                   "The sidecar is not UTF-8 text") from err
    try:
        raw = strict_yaml_load(text)
    except AliasRefused as err:
        raise _bad("Tệp .yaml đi kèm dùng ký hiệu '&' hoặc '*' (tham chiếu YAML), không được phép. Hãy viết "
                   "thẳng giá trị, mỗi dòng dạng 'tên: giá trị'.", f"The sidecar uses YAML anchors/aliases: {err}"
                   ) from err
    except (yaml.YAMLError, ValueError, RecursionError) as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (dòng {mark.line + 1})" if mark else ""
        raise _bad(f"Tệp .yaml đi kèm sai cú pháp{where}. Mỗi dòng dạng 'tên: giá trị', ví dụ 'item: Q1-7'.",
                   f"The sidecar is not valid YAML: {str(err)[:200]}") from err
    if raw is None:
        return Sidecar()
    if not isinstance(raw, dict):
        raise _bad("Tệp .yaml đi kèm phải gồm các dòng 'tên: giá trị', ví dụ 'item: Q1-7'.",
                   "The sidecar must be a mapping, e.g. 'item: Q1-7'")
    bad_keys = [k for k in raw if not isinstance(k, str)]
    if bad_keys:
        raise _bad(f"Tệp .yaml đi kèm có trường không biết: '{_shown_value(bad_keys[0])}'.",
                   f"Unknown sidecar field {bad_keys[0]!r}", "sidecar")
    try:
        return Sidecar.model_validate(raw)
    except ValidationError as err:
        raise _validation_error(err) from err


def read_sidecar(path: Path) -> Sidecar:
    """Read and validate the sidecar at ``path`` (see ``parse_sidecar``)."""
    return parse_sidecar(_read_bytes(path))


def sidecar_for(doc: Path) -> Path | None:
    """``name.pdf.yaml`` (preferred) or ``name.yaml`` beside ``doc``: NFC names, suffix in any case.

    A symlink is returned too (it is claimed with the document and refused once, with a note).
    """
    full, stem = unicodedata.normalize("NFC", doc.name), unicodedata.normalize("NFC", doc.stem)
    found: dict[str, Path] = {}
    try:
        for e in os.scandir(doc.parent):
            n = unicodedata.normalize("NFC", e.name)
            if not is_sidecar_name(n) or not (e.is_symlink() or e.is_file(follow_symlinks=False)):
                continue
            base = n.rsplit(".", 1)[0]
            if base in (full, stem):
                found.setdefault(base, Path(e.path))
    except OSError:
        return None
    return found.get(full) or found.get(stem)


def retry_from_sidecars(commune: str, s: Settings, inbox: Path, report: IntakeReport) -> None:
    """A sidecar dropped alone in the inbox names a document set aside earlier: bring it back.

    A lone sidecar that is a symlink (or not a regular file) is set aside at once with a note, so
    it neither brings a document back nor is looked at again.
    """
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
            if not is_sidecar_name(e.name) or is_junk(e.name):
                continue
            base = unicodedata.normalize("NFC", os.path.splitext(e.name)[0])
            if base in names or any(n.startswith(base + ".") and not is_sidecar_name(n) for n in names):
                continue  # its document is right here
            if e.is_symlink() or not e.is_file(follow_symlinks=False):
                _refuse_lone_sidecar(Path(e.path), commune, s, inbox, report)
                continue
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


def _refuse_lone_sidecar(path: Path, commune: str, s: Settings, inbox: Path, report: IntakeReport) -> None:
    shown = display_name(path.name)
    with contextlib.suppress(FileNotFoundError):
        dest = notes.set_aside(
            path, s.errors_dir(commune), original_name=shown,
            title_vi="Tệp .yaml chưa được dùng",
            what_vi="Tệp .yaml này là lối tắt (shortcut/symlink) hoặc không phải tệp thường: không đọc.",
            fix_vi="Sao chép chính tệp .yaml (không phải lối tắt) vào hộp thư.",
            title_en="Sidecar not used", what_en="The sidecar is a symlink or not a regular file: not followed.",
            fix_en="Copy the .yaml file itself (not a shortcut) into the inbox.", inbox=inbox,
        )
        report.errors.append({"name": shown, "kind": "bad_sidecar", "path": str(dest),
                              "message": "symlink sidecar refused"})


def _set_aside_doc(area: Path, base: str) -> Path | None:
    if not area.is_dir():
        return None
    for e in os.scandir(area):
        n = unicodedata.normalize("NFC", e.name)
        if n.endswith(".txt") or is_sidecar_name(n):
            continue
        if n == base or os.path.splitext(n)[0] == base:
            return Path(e.path)
    return None
