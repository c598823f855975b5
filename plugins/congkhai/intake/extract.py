"""Read a dropped document itself: its text (pypdf, python-docx or Vietnamese OCR) and its fields.

``inspect(path)`` is what ``congkhai inspect`` prints and what intake files a case from. It never
trusts the file name: the type comes from the file's bytes (``preflight``), the fields from its
text (``parse``). A PDF whose first page has (almost) no text layer is a scan and goes to OCR.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from congkhai.errors import PermanentError
from congkhai.intake import ocr, preflight
from congkhai.intake.cover import recipients
from congkhai.intake.parse import Fields, columnize, layout_rows, parse_lines, prepare
from congkhai.intake.signer import signature_title

#: A page with fewer letters than this in its text layer is treated as a scan.
MIN_TEXT_LETTERS = 40


@dataclass
class DocumentInfo:
    """What intake read from a document (``None`` for what it could not read)."""

    doc_number: str | None = None
    doc_code: str | None = None
    doc_type: str | None = None
    issued: dt.date | None = None
    place: str | None = None
    issuer: str | None = None
    subject: str | None = None
    signer: str | None = None
    item: str | None = None
    law_item: int | None = None
    confidence: float = 0.0
    text_source: str | None = None  # "text" | "docx" | "ocr"
    #: folded-able body text (for the classifier and the archive's full-text search); not in to_json
    text: str = dataclasses.field(default="", repr=False)
    pages: int | None = None
    #: the title lines above the signer's name ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"; intake.signer)
    signer_title: str | None = None
    #: the "Kính gửi:" recipients, one per item (intake.cover)
    recipients: list[str] = dataclasses.field(default_factory=list)
    #: what the document asks to post, where, when, by whom (``cover.PostingRequest`` as JSON); set by
    #: intake against the commune profile (``cover.read_posting_request``)
    posting_request: dict[str, Any] | None = None
    #: the generated document whose QR code is on page 1: a signed scan coming back (``intake.signed``)
    generated: Any = None

    JSON_KEYS = ("doc_number", "doc_code", "doc_type", "issued", "place", "issuer", "subject", "signer",
                 "item", "law_item", "confidence", "text_source")

    def to_json(self) -> dict[str, Any]:
        """Exactly the keys ``congkhai inspect --json`` prints."""
        out: dict[str, Any] = {}
        for k in self.JSON_KEYS:
            v = getattr(self, k)
            out[k] = v.isoformat() if isinstance(v, dt.date) else v
        out["confidence"] = round(float(self.confidence or 0.0), 3)
        if self.generated is not None:  # only for a recognised generated document
            out["generated"] = self.generated.to_json()
        return out


@dataclass
class TextResult:
    lines: list[str]
    source: str
    pages: int | None


# ------------------------------------------------------------------ readers


def read_pdf(path: Path) -> TextResult:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            # An owner password only (printing restrictions) opens with an empty user password.
            try:
                ok = reader.decrypt("")
            except Exception:  # pypdf raises several kinds for unsupported crypto
                ok = 0
            if not ok:
                raise PermanentError(
                    "PDF có mật khẩu, không đọc được. Hãy gỡ mật khẩu (hoặc in/xuất lại ra PDF không khóa) "
                    "rồi thả lại vào hộp thư.",
                    "Encrypted PDF: remove the password (or re-export without one) and drop it again.",
                    kind="encrypted", path=str(path))
        n = len(reader.pages)
        if n == 0:
            raise PermanentError("PDF không có trang nào", "PDF has no pages", kind="corrupt", path=str(path))
        wanted = [0] if n == 1 else ([0, 1, n - 1] if n > 2 else [0, 1])
        texts = [reader.pages[i].extract_text(extraction_mode="layout") or "" for i in wanted]
    except PermanentError:
        raise
    except (PdfReadError, FileNotDecryptedError, ValueError, KeyError, TypeError, AttributeError,
            IndexError, RecursionError, OSError, AssertionError, ZeroDivisionError) as err:
        raise PermanentError("PDF bị hỏng, không mở được. Hãy xuất lại hoặc quét lại rồi thả lại vào hộp thư.",
                             f"Corrupt PDF: {type(err).__name__}: {err}", kind="corrupt", path=str(path)) from err
    if sum(c.isalpha() for c in texts[0]) < MIN_TEXT_LETTERS:
        rows = ocr.ocr_pdf_rows(path, n)
        return TextResult(columnize(rows), "ocr", n)
    rows = [r for t in texts for r in layout_rows(t)]
    return TextResult(columnize(rows), "text", n)


def _docx_block_lines(block: Any) -> list[str]:
    """Lines of a paragraph or a table (tables read column by column, like the printed header)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if isinstance(block, Paragraph):
        return block.text.splitlines()
    lines: list[str] = []
    assert isinstance(block, Table)
    grid = [row.cells for row in block.rows]
    ncols = max((len(cells) for cells in grid), default=0)
    # A merged cell repeats (across its row, down its column): read each <w:tc> once. Remember the
    # elements themselves, kept alive here: lxml's proxy objects are transient and their id() is
    # reused, which skipped a random cell (often the date) in some reads, differently in each process.
    seen: set[object] = set()
    for c in range(ncols):
        for cells in grid:
            if c >= len(cells) or cells[c]._tc in seen:
                continue
            seen.add(cells[c]._tc)
            for inner in cells[c].iter_inner_content():
                lines.extend(_docx_block_lines(inner))
    return lines


def read_docx(path: Path) -> TextResult:
    import docx

    try:
        document = docx.Document(str(path))
        lines: list[str] = []
        for block in document.iter_inner_content():
            lines.extend(_docx_block_lines(block))
    except PermanentError:
        raise
    except Exception as err:  # python-docx/lxml raise many kinds for a damaged package
        raise PermanentError("Tệp Word bị hỏng, không mở được. Hãy lưu lại từ Word rồi thả lại vào hộp thư.",
                             f"Corrupt .docx: {type(err).__name__}: {err}", kind="corrupt", path=str(path)) from err
    return TextResult(lines, "docx", None)


def read_image(path: Path) -> TextResult:
    return TextResult(columnize(ocr.ocr_image_rows(path)), "ocr", 1)


def read_text(path: Path, *, max_bytes: int | None = None) -> TextResult:
    """Preflight, then the text in reading order. Raises PermanentError for what cannot be read."""
    path = Path(path)
    kind = preflight.check(path, max_bytes=max_bytes)
    if kind.kind == "pdf":
        res = read_pdf(path)
    elif kind.kind == "docx":
        res = read_docx(path)
    else:
        res = read_image(path)
    if sum(c.isalpha() for line in res.lines for c in line) < 10:
        raise PermanentError(
            "Không đọc được chữ nào trong văn bản (bản quét mờ, trắng hoặc ngược?). Hãy quét lại rõ hơn "
            "(200–300 dpi, thẳng trang) rồi thả lại, hoặc thêm tệp .yaml ghi số, ngày, trích yếu.",
            "No text could be read (blank, blurred or upside-down scan?): rescan, or add a .yaml sidecar.",
            kind="unreadable", path=str(path))
    return res


# ------------------------------------------------------------------ inspect


def _default_commune() -> str:
    return os.environ.get("CONGKHAI_COMMUNE") or "kep"


def inspect(path: Path, *, commune: str | None = None, classify: bool = True, plan: Any = None,
            max_bytes: int | None = None) -> DocumentInfo:
    """Read ``path`` and return its fields, classified against the commune's plan for the issue year.

    ``plan`` may be given (tests, batch runs); otherwise it is loaded for the document's year. A
    missing plan leaves ``item`` null and ``confidence`` 0. Raises ``PermanentError`` for a file
    that cannot be opened (wrong type, corrupt, encrypted, empty, oversized, hostile).
    """
    res = read_text(Path(path), max_bytes=max_bytes)
    f: Fields = parse_lines(res.lines)
    info = DocumentInfo(
        doc_number=f.doc_number, doc_code=f.doc_code, doc_type=f.doc_type, issued=f.issued, place=f.place,
        issuer=f.issuer, subject=f.subject, signer=f.signer, text_source=res.source,
        text="\n".join(res.lines), pages=res.pages,
        signer_title=signature_title(res.lines, f.signer), recipients=recipients(prepare(res.lines))[0],
    )
    if res.source != "docx":
        from congkhai.intake.signed import read_generated

        info.generated = read_generated(Path(path))
    if classify:
        from congkhai.intake.classify import classify_info, plan_for

        plan = plan if plan is not None else plan_for(commune or _default_commune(), info.issued)
        if plan is not None:
            result = classify_info(info, plan)
            info.item, info.law_item, info.confidence = result.item, result.law_item, result.confidence
    return info
