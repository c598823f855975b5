"""Refuse hostile or unusable files before any parser opens them.

Every refusal is a ``PermanentError`` whose ``kind`` names the problem (``empty``, ``oversized``,
``wrong_type``, ``corrupt``, ``encrypted``, ``bomb``, ``entity``) and whose messages tell staff,
in Vietnamese first, what to do. The type comes from the file's first bytes, never its name.

DOCX is a zip of XML parts. Before python-docx opens one we check the zip's declared sizes
(total, per part, compression ratio), then decompress every XML part with a hard cap (declared
sizes can lie) and refuse any ``<!DOCTYPE``/``<!ENTITY`` (the "billion laughs" entity bomb: Word
never writes a DTD).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from congkhai.errors import PermanentError

MAX_BYTES = int(float(os.environ.get("CONGKHAI_INTAKE_MAX_MB", "50")) * 1024 * 1024)
ZIP_MAX_TOTAL = 200 * 1024 * 1024  # declared uncompressed bytes of all parts
ZIP_MAX_PART = 100 * 1024 * 1024
ZIP_MAX_RATIO = 200  # uncompressed / compressed, for parts over 1 MiB
ZIP_MAX_ENTRIES = 5000
KINDS_VI = {"pdf": "PDF", "docx": "Word (.docx)", "image": "ảnh"}

FIX_TYPE_VI = "Hãy lưu văn bản thành PDF hoặc Word (.docx), hoặc ảnh quét (PDF, JPG, PNG), rồi thả lại vào hộp thư."
FIX_TYPE_EN = "Save it as PDF or Word (.docx), or a scan (PDF, JPG, PNG), and drop it in the inbox again."


@dataclass(frozen=True)
class FileKind:
    kind: str  # pdf | docx | image
    detail: str  # e.g. "png", "jpeg", "tiff"


def _err(kind: str, vi: str, en: str, path: Path) -> PermanentError:
    return PermanentError(vi, en, kind=kind, path=str(path))


def sniff(path: Path, head: bytes) -> FileKind:
    """The file's type from its first bytes."""
    if head.startswith(b"%PDF-") or (b"%PDF-" in head[:1024]):
        return FileKind("pdf", "pdf")
    if head.startswith(b"PK\x03\x04"):
        return FileKind("docx", "zip")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind("image", "png")
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind("image", "jpeg")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return FileKind("image", "tiff")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _err("wrong_type", "Tệp Word cũ (.doc) chưa được hỗ trợ. Hãy mở bằng Word và lưu lại thành .docx "
                   "hoặc PDF, rồi thả lại vào hộp thư.",
                   "Old Word .doc is not supported: save it as .docx or PDF and drop it again.", path)
    raise _err("wrong_type", f"Không phải văn bản PDF, Word hay ảnh quét. {FIX_TYPE_VI}",
               f"Not a PDF, DOCX or scanned image. {FIX_TYPE_EN}", path)


def check_zip(path: Path) -> None:
    """Zip-bomb and entity-bomb checks for a .docx (raises PermanentError)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise _err("corrupt", "Tệp Word bị hỏng (không mở được). Hãy lưu lại từ Word rồi thả lại vào hộp thư.",
                   f"Corrupt .docx (bad zip): {err}", path) from err
    with zf:
        infos = zf.infolist()
        if len(infos) > ZIP_MAX_ENTRIES:
            raise _err("bomb", "Tệp Word có cấu trúc bất thường (quá nhiều phần), nghi là tệp độc hại; đã để riêng.",
                       f"Suspicious .docx: {len(infos)} zip entries", path)
        names = {i.filename for i in infos}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise _err("wrong_type", f"Tệp nén này không phải văn bản Word (.docx). {FIX_TYPE_VI}",
                       f"A zip file that is not a .docx. {FIX_TYPE_EN}", path)
        total = 0
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > ZIP_MAX_PART or total > ZIP_MAX_TOTAL or (
                info.file_size > (1 << 20) and ratio > ZIP_MAX_RATIO
            ):
                raise _err("bomb", "Tệp Word khi giải nén lớn bất thường (nghi là “bom nén”), đã để riêng, "
                           "không mở. Hãy xuất lại văn bản từ Word rồi thả lại.",
                           f"Zip bomb suspected in .docx ({info.filename}: {info.file_size} bytes, ratio {ratio:.0f})",
                           path)
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                continue
            _check_xml_part(zf, info, path)


def _check_xml_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    limit = min(info.file_size, ZIP_MAX_PART)
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as err:
        kind = "encrypted" if "encrypted" in str(err).lower() or "password" in str(err).lower() else "corrupt"
        raise _err(kind, "Tệp Word bị hỏng hoặc có mật khẩu. Hãy gỡ mật khẩu, lưu lại rồi thả lại vào hộp thư.",
                   f"Cannot read .docx part {info.filename}: {err}", path) from err
    if len(data) > limit:
        raise _err("bomb", "Tệp Word khi giải nén lớn hơn khai báo (nghi là “bom nén”), đã để riêng, không mở.",
                   f"{info.filename} decompresses beyond its declared size", path)
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise _err("entity", "Tệp Word chứa khai báo XML bất thường (DOCTYPE/ENTITY, nghi là tệp độc hại), "
                   "đã để riêng, không mở. Hãy xuất lại văn bản từ Word rồi thả lại.",
                   f"XML DOCTYPE/ENTITY in {info.filename} (entity bomb / XXE refused)", path)


def check(path: Path, *, max_bytes: int | None = None) -> FileKind:
    """Size and type checks common to all files; zip checks for .docx. Returns the file's kind."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(2048)
    except OSError as err:
        raise _err("unreadable", "Không đọc được tệp (quyền truy cập?)", f"cannot read file: {err}", path) from err
    if size == 0:
        raise _err("empty", "Tệp rỗng (0 byte): có thể việc sao chép chưa xong hoặc bị lỗi. "
                   "Hãy sao chép lại tệp vào hộp thư.",
                   "Empty file (0 bytes): the copy failed or was interrupted; copy it again.", path)
    if size > max_bytes:
        raise _err("oversized", f"Tệp quá lớn ({size / 1048576:.0f} MB, tối đa {max_bytes / 1048576:.0f} MB). "
                   "Hãy quét lại ở 200–300 dpi, đen trắng hoặc xám, hoặc tách thành nhiều tệp.",
                   f"File too large ({size} bytes, limit {max_bytes}); rescan at 200–300 dpi or split it.", path)
    kind = sniff(path, head)
    if kind.kind == "docx":
        check_zip(path)
    return kind
