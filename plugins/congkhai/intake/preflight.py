"""Refuse hostile or unusable files before any parser opens them.

Every refusal is a ``PermanentError`` whose ``kind`` names the problem (``empty``, ``oversized``,
``wrong_type``, ``corrupt``, ``encrypted``, ``bomb``, ``entity``) and whose messages tell staff,
in Vietnamese first, what to do. The type comes from the file's first bytes, never its name.

DOCX is a zip of XML parts. Before python-docx opens one we check the zip's declared sizes
(total, per part, compression ratio), then decompress every XML part (``.xml``, ``.rels``, or any
part whose first bytes are XML) with a hard cap (declared sizes can lie), read its prolog with
libxml2 (entities, DTD and network off) and refuse any DOCTYPE or ENTITY, whatever the encoding
and wherever it is (the "billion laughs" entity bomb, XXE: Word never writes a DTD).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from congkhai.errors import PermanentError

MAX_BYTES = int(float(os.environ.get("CONGKHAI_INTAKE_MAX_MB", "50")) * 1024 * 1024)
ZIP_MAX_TOTAL = 200 * 1024 * 1024  # declared uncompressed bytes of all parts
ZIP_MAX_PART = 100 * 1024 * 1024
ZIP_MAX_RATIO = 200  # uncompressed / compressed, for parts over 1 MiB
ZIP_MAX_ENTRIES = 5000
PART_CHUNK = 1 << 16  # bytes decompressed and parsed at a time
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
            _check_part(zf, info, path)


class _Doctype(Exception):
    """The prolog of a part declares a DOCTYPE."""


class _RootElement(Exception):
    """The prolog of a part is over: no DOCTYPE can follow."""


class _PrologReader:
    """lxml parser target that builds nothing and stops at the DOCTYPE or at the root element.

    A DOCTYPE is only allowed in the prolog, before the root element (libxml2, and python-docx
    with it, refuses one anywhere else). lxml reports it before it reads the internal subset: no
    entity is declared, expanded or fetched.
    """

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise _Doctype(name)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootElement(tag)

    def close(self) -> None:
        return None


def _looks_like_xml(head: bytes) -> bool:
    """True unless a part's first bytes, BOM, NUL bytes and blanks aside, open with something else than ``<``."""
    head = head.replace(b"\0", b"").lstrip(b"\xef\xbb\xbf\xfe\xff \t\r\n")
    return not head or head.startswith(b"<")


def _entity_error(path: Path, part: str) -> PermanentError:
    return _err("entity", "Tệp Word chứa khai báo XML bất thường (DOCTYPE/ENTITY, nghi là tệp độc hại), "
                "đã để riêng, không mở. Hãy xuất lại văn bản từ Word rồi thả lại.",
                f"XML DOCTYPE/ENTITY in {part} (entity bomb / XXE refused)", path)


def _check_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Refuse an XML part (named ``.xml``/``.rels``, or opening like XML whatever its name) with a DTD.

    The part is decompressed in chunks under a hard cap (declared sizes can lie). Its prolog is
    read by the parser python-docx uses (libxml2, via lxml) with entities, DTD loading and network
    off: it finds the encoding as python-docx will (UTF-8, UTF-16 LE/BE, with or without a BOM)
    and a DOCTYPE wherever the prolog puts it (after a long comment, processing instructions).
    Every chunk is also searched, NUL bytes aside (so UTF-16 and UTF-32 read as ASCII), for
    ``<!DOCTYPE``/``<!ENTITY`` markup anywhere. A named part whose prolog is not XML is ``corrupt``.
    """
    named_xml = info.filename.lower().endswith((".xml", ".rels"))
    limit = min(info.file_size, ZIP_MAX_PART)
    parser = etree.XMLParser(target=_PrologReader(), resolve_entities=False, no_network=True, load_dtd=False)
    in_prolog = True
    broken: etree.XMLSyntaxError | None = None
    read = 0
    tail = b""
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(PART_CHUNK):
                if read == 0 and not named_xml and not _looks_like_xml(chunk):
                    return  # an image, a font, a thumbnail: python-docx never parses it
                read += len(chunk)
                if read > limit:
                    raise _err("bomb", "Tệp Word khi giải nén lớn hơn khai báo (nghi là “bom nén”), đã để riêng, "
                               "không mở.", f"{info.filename} decompresses beyond its declared size", path)
                text = tail + chunk.replace(b"\0", b"").lower()
                if b"<!doctype" in text or b"<!entity" in text:
                    raise _entity_error(path, info.filename)
                tail = text[-8:]
                if in_prolog:
                    try:
                        parser.feed(chunk)
                    except _RootElement:
                        in_prolog = False
                    except etree.XMLSyntaxError as err:
                        in_prolog, broken = False, err
            if in_prolog and read:
                try:
                    parser.close()
                except _RootElement:
                    pass
                except etree.XMLSyntaxError as err:
                    broken = err
    except _Doctype as err:
        raise _entity_error(path, info.filename) from err
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as err:
        kind = "encrypted" if "encrypted" in str(err).lower() or "password" in str(err).lower() else "corrupt"
        raise _err(kind, "Tệp Word bị hỏng hoặc có mật khẩu. Hãy gỡ mật khẩu, lưu lại rồi thả lại vào hộp thư.",
                   f"Cannot read .docx part {info.filename}: {err}", path) from err
    if broken is not None and named_xml:  # a broken SVG picture, say, is Word's to show or not
        raise _err("corrupt", "Tệp Word bị hỏng (một phần nội dung không đọc được). Hãy lưu lại từ Word rồi "
                   "thả lại vào hộp thư.", f"Corrupt .docx: {info.filename} does not open as XML: {broken}",
                   path) from broken


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
