"""The QR code on every generated document: which commune, case, document and version a page is.

A printed draft or final comes back signed and stamped (a scanner PDF, a phone photo); intake reads
this code (``congkhai.intake.signed``) and files the scan as the signed version of exactly that
document. The code holds a short key, upper case so that QR's alphanumeric mode keeps it small
(version 2, 25 × 25 modules, for a usual key; error correction the highest level — M, Q or H — that fits in the
version M needs: one encoding, segno's ``boost_error``)::

    CK1/KEP/20240325-15-QD-UBND/4:TDP01/1
    │   │   │                   │ │     └ version of the PDF it was rendered for
    │   │   │                   │ └ the rest of the document key (group, quarter, session…)
    │   │   │                   └ the kind's number in the kind table (documents/kinds.py)
    │   │   └ the case id (or the year, ``2024``, for the year folder's documents)
    │   └ the commune's code
    └ format 1 of this key

Upper-casing loses the case of a key (``quarterly_list:2024-Q1``): the reader resolves a key
against the documents filed in that folder, case-insensitively.

The picture (16 mm) is anchored in the page footer of every section (the first page's footer and
the others), floating in the **left margin's bottom corner** (30 mm wide in Nghị định 30): it sits
outside the text area, away from the signatures and the stamp on the right, at least 7 mm from the
paper's edges (printers do not print the outer 4–5 mm), and it takes no room from the text: a
floating picture (``wrapNone``) does not push the body, so a one-page minute stays one page.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from congkhai.documents.kinds import ALL_KINDS

log = logging.getLogger(__name__)

#: First field of every key: a code with another first field is not ours.
PREFIX = "CK1"
#: Printed side of the code (PLATFORM.md: 15 mm decoded at 200 dpi after a 4° turn; 12 mm did not).
SIZE_MM = 16.0
#: The longest key written (QR version 4 at M); longer ones are refused: the code would be too dense.
MAX_KEY = 60
#: QR alphanumeric mode's characters: a key made of them only is about half as dense as bytes.
_ALNUM = re.compile(r"^[0-9A-Z $%*+\-./:]*$")
_EMU_PER_MM = 36000
_MAX_DPI = 300
_KIND_BY_NUMBER = {k.number: k.id for k in ALL_KINDS.values()}


@dataclass(frozen=True)
class DocRef:
    """One generated document, as its QR code names it."""

    commune: str
    folder: str  # the case id, or the year ("2024") for the year folder's documents
    key: str  # the archive's document key (lower case when read back from a code)
    version: int

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def is_year(self) -> bool:
        return bool(re.fullmatch(r"\d{4}", self.folder))

    @property
    def case_id(self) -> str | None:
        return None if self.is_year else self.folder

    def to_json(self) -> dict[str, Any]:
        """What ``congkhai inspect --json`` prints under ``generated``."""
        return {"commune": self.commune, "case_id": self.case_id, "year": int(self.folder) if self.is_year else None,
                "kind": self.kind, "key": self.key, "version": self.version}


def encode(ref: DocRef) -> str:
    """The text of the code: ``CK1/KEP/<case id or year>/<kind number>[:<rest of key>]/<version>``."""
    kind, _, rest = ref.key.partition(":")
    number = ALL_KINDS[kind].number
    text = "/".join((PREFIX, ref.commune, ref.folder, f"{number}:{rest}" if rest else str(number), str(ref.version)))
    if _ALNUM.match(text.upper()):
        text = text.upper()
    if len(text) > MAX_KEY:
        raise ValueError(f"QR key too long ({len(text)} > {MAX_KEY}): {text}")
    return text


def decode(text: str) -> DocRef | None:
    """The document a code names, or None when the code is not one of ours (another QR on the page)."""
    parts = (text or "").strip().split("/")
    if len(parts) < 5 or parts[0].upper() != PREFIX:
        return None
    commune, folder, version = parts[1].lower(), parts[2].lower(), parts[-1]
    number, _, rest = "/".join(parts[3:-1]).partition(":")
    if not (number.isdigit() and version.isdigit() and commune and folder):
        return None
    kind = _KIND_BY_NUMBER.get(int(number))
    if kind is None:
        return None
    return DocRef(commune, folder, f"{kind}:{rest.lower()}" if rest else kind, int(version))


def png_bytes(text: str, size_mm: float = SIZE_MM) -> bytes:
    """The code as a black-and-white PNG without quiet zone (the paper margin is one), a whole number
    of pixels a module at no more than 300 dpi: LibreOffice's PDF export resamples finer pictures to
    300 dpi, which would blur the modules' edges."""
    import segno

    qr = segno.make(text, error="m", boost_error=True, micro=False)  # Q or H when it costs no extra modules
    buf = io.BytesIO()
    scale = max(1, int(size_mm / 25.4 * _MAX_DPI) // qr.symbol_size(border=0)[0])
    qr.save(buf, kind="png", scale=scale, border=0)
    return buf.getvalue()


def next_version(files: list[dict[str, Any]], key: str) -> int:
    """The version the PDF of ``key`` will get when filed next (the archive's own rule)."""
    return max((f["version"] for f in files if f["key"] == key and f["path"].lower().endswith(".pdf")), default=0) + 1


def stamp_docx(docx: Path, text: str, *, size_mm: float = SIZE_MM) -> None:
    """Put the code ``text`` in every page's footer of ``docx`` (rewritten in place)."""
    import docx as python_docx

    doc = python_docx.Document(str(docx))
    stamp(doc, text, size_mm=size_mm)
    doc.save(str(docx))


def stamp(doc: Any, text: str, *, size_mm: float = SIZE_MM) -> None:
    """Put the code ``text`` in every page's footer of ``doc``, an open python-docx Document (rendering
    stamps the document it is about to save: no second parse and write of the .docx)."""
    from docx.shared import Mm

    png = io.BytesIO(png_bytes(text, size_mm))
    even = doc.settings.odd_and_even_pages_header_footer
    n = 0
    for i, section in enumerate(doc.sections):
        footers = [section.footer]
        if section.different_first_page_header_footer:
            footers.append(section.first_page_footer)
        if even:
            footers.append(section.even_page_footer)
        for footer in footers:
            if i > 0 and footer.is_linked_to_previous:
                continue  # shows the previous section's footer, already stamped
            last = footer.paragraphs[-1] if footer.paragraphs else None
            para = last if last is not None and not last.text.strip() and not _has_drawing(last) \
                else footer.add_paragraph()
            png.seek(0)
            shape = para.add_run().add_picture(png, width=Mm(size_mm), height=Mm(size_mm))
            n += 1
            _float_in_left_margin(shape._inline, section, size_mm, text, 0x51520000 + n)


def _has_drawing(paragraph: Any) -> bool:
    from docx.oxml.ns import qn

    return paragraph._p.find(".//" + qn("w:drawing")) is not None


def _float_in_left_margin(inline: Any, section: Any, size_mm: float, text: str, shape_id: int) -> None:
    """Turn an inline picture into one anchored to the page, in the left margin's bottom corner."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    left = section.left_margin.mm if section.left_margin is not None else 30.0
    height = section.page_height.mm if section.page_height is not None else 297.0
    gap = min(max((left - size_mm) / 2, 5.0), 10.0)
    x, y = round(gap * _EMU_PER_MM), round((height - gap - size_mm) * _EMU_PER_MM)
    side = round(size_mm * _EMU_PER_MM)
    anchor = parse_xml(
        f'<wp:anchor {nsdecls("wp", "a")} distT="0" distB="0" distL="0" distR="0" simplePos="0" '
        'relativeHeight="251659264" behindDoc="0" locked="1" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{side}" cy="{side}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        '</wp:anchor>'
    )
    doc_pr = inline.find(qn("wp:docPr"))
    doc_pr.set("id", str(shape_id))
    doc_pr.set("name", f"QR {shape_id - 0x51520000}")
    doc_pr.set("descr", f"Mã QR của văn bản / document code: {text}")
    anchor.append(doc_pr)
    frame = inline.find(qn("wp:cNvGraphicFramePr"))
    anchor.append(frame if frame is not None else parse_xml(f'<wp:cNvGraphicFramePr {nsdecls("wp")}/>'))
    anchor.append(inline.find(qn("a:graphic")))
    inline.getparent().replace(inline, anchor)


def code_for(commune: str, folder: Any, key: str) -> str | None:
    """The code of document ``key`` about to be filed in ``folder`` (an archive CaseFolder), for the
    version its PDF will be filed as; None when the key is too long for a small code (the document is
    made without one: a scan of it is matched by number)."""
    where = folder.case_id or str(folder.manifest["year"])
    try:
        return encode(DocRef(commune, where, key, next_version(folder.manifest["files"], key)))
    except (KeyError, ValueError) as err:
        log.warning("no QR code on %s: %s", key, err)
        return None
