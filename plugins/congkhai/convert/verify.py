"""Check a produced PDF before anyone receives it: a bad PDF is an error, never a silent file.

Checks (every failed one is listed in the :class:`PdfVerificationError`):

1. a real PDF: the file exists, starts with ``%PDF-``, opens in pypdf, has pages > 0 and the
   expected page count when known;
2. its text contains every expected string (e.g. the document number), both sides compared
   after NFC and whitespace normalisation (LibreOffice breaks lines where it likes);
3. PDF/A-2b claims: XMP ``pdfaid:part`` 2 / ``pdfaid:conformance`` B and an OutputIntent with a
   destination ICC profile (veraPDF is not available here: claims, not a full validation);
4. metadata: Info and XMP title/subject/author agree with each other and with the expected
   values, and the title is Vietnamese (has Vietnamese letters), not a template's leftover. The
   XMP packet is parsed as XML and its decoded text compared (NFC): ``A&B`` in Info equals
   ``A&amp;B`` in the packet's source, never the text ``A&amp;B``.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import unescape

from congkhai.convert.base import PdfMetadata, PdfVerificationError
from congkhai.textutil import nfc

#: Letters only Vietnamese uses among Latin scripts (with tone or vowel marks, and đ).
_VI_LETTERS = set(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
)


def normalize_text(text: str) -> str:
    """NFC, every run of whitespace (incl. no-break spaces) to one space, stripped."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).replace("\u00ad", "")).strip()


def _unescape_xml(text: str) -> str:
    return unescape(text, {"&quot;": '"', "&apos;": "'"})


def looks_vietnamese(text: str) -> bool:
    return any(ch in _VI_LETTERS for ch in nfc(text).lower())


@dataclass(frozen=True)
class PdfReport:
    """What verification saw: page count, the normalised text and the metadata found."""

    path: Path
    pages: int
    text: str
    pdfa_part: str | None
    pdfa_conformance: str | None
    title: str
    subject: str
    author: str


_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class XmpClaims:
    """What the XMP packet says, as decoded text (XML entities resolved once, NFC)."""

    pdfa_part: str | None = None
    pdfa_conformance: str | None = None
    title: str = ""
    subject: str = ""
    author: str = ""
    present: bool = False
    error: str = ""

    def get(self, key: str) -> str:
        return {"title": self.title, "subject": self.subject, "author": self.author}[key]


def _pdfaid(root: ET.Element, name: str) -> str | None:
    """``pdfaid:<name>`` as an element (LibreOffice, pikepdf) or an attribute (Ghostscript)."""
    tag = f"{{{_NS['pdfaid']}}}{name}"
    for desc in root.iter(f"{{{_NS['rdf']}}}Description"):
        value = desc.get(tag)
        if value is None:
            child = desc.find(tag)
            value = child.text if child is not None else None
        if value and value.strip():
            return value.strip()
    return None


def _dc_text(root: ET.Element, name: str) -> str:
    """A Dublin Core property's text: the ``x-default`` item of an rdf:Alt, else the first rdf:li."""
    for prop in root.iter(f"{{{_NS['dc']}}}{name}"):
        items = prop.findall(".//rdf:li", _NS)
        if not items:
            return nfc("".join(prop.itertext()).strip())
        chosen = next((li for li in items if li.get(_XML_LANG) == "x-default"), items[0])
        return nfc("".join(chosen.itertext()))
    return ""


def read_xmp(reader) -> XmpClaims:
    """Parse the document's XMP packet as the XML it is; the text compared is the decoded text."""
    meta = reader.trailer["/Root"].get("/Metadata")
    if meta is None:
        return XmpClaims()
    try:
        raw = meta.get_object().get_data()
        root = ET.fromstring(raw)
    except (ET.ParseError, AttributeError, ValueError, KeyError) as err:
        return XmpClaims(present=True, error=str(err))
    return XmpClaims(
        pdfa_part=_pdfaid(root, "part"),
        pdfa_conformance=_pdfaid(root, "conformance"),
        title=_dc_text(root, "title"),
        subject=_dc_text(root, "description"),
        author=_dc_text(root, "creator"),
        present=True,
    )


def verify_pdf(
    path: Path | str,
    expect_text: Iterable[str] = (),
    expect_pages: int | None = None,
    pdfa: bool = True,
    metadata: PdfMetadata | dict | None = None,
    *,
    require_vietnamese_title: bool = True,
) -> PdfReport:
    """Verify ``path``; return what was seen, or raise :class:`PdfVerificationError` with every reason."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    path = Path(path)
    if isinstance(metadata, dict):
        metadata = PdfMetadata(**metadata)
    reasons: list[str] = []
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as err:
        raise PdfVerificationError(path, [f"không đọc được tệp ({err.strerror})"]) from err
    if not head.startswith(b"%PDF-"):
        raise PdfVerificationError(path, ["không phải tệp PDF (thiếu %PDF-)"])
    try:
        reader = PdfReader(path)
        n_pages = len(reader.pages)
    except (PyPdfError, ValueError, OSError, KeyError) as err:
        raise PdfVerificationError(path, [f"pypdf không mở được ({err})"]) from err
    if n_pages == 0:
        raise PdfVerificationError(path, ["PDF không có trang nào"])
    if expect_pages is not None and n_pages != expect_pages:
        reasons.append(f"có {n_pages} trang, cần {expect_pages}")

    expected = [normalize_text(t) for t in expect_text if normalize_text(t)]
    text = ""
    if expected:
        from congkhai.convert.pdftext import pdf_text

        raw = pdf_text(path)  # PDFium: ≈ 40 ms a page, pypdf's extract_text up to 1 s
        if raw is None:
            raw = " ".join(page.extract_text() or "" for page in reader.pages)
        text = normalize_text(raw)
        for want in expected:
            if want not in text:
                reasons.append(f"thiếu nội dung «{want}»")

    xmp = read_xmp(reader)
    part, conf = xmp.pdfa_part, xmp.pdfa_conformance
    if xmp.error:
        reasons.append(f"gói XMP không phải XML hợp lệ ({xmp.error})")
    if pdfa:
        if part != "2" or (conf or "").upper() != "B":
            reasons.append(f"không có khai báo PDF/A-2b trong XMP (part={part}, conformance={conf})")
        intents = reader.trailer["/Root"].get("/OutputIntents")
        intents = intents.get_object() if intents is not None else None
        if not intents or not any(
            "/DestOutputProfile" in oi.get_object() for oi in intents
        ):
            reasons.append("thiếu OutputIntent (hồ sơ màu ICC) của PDF/A")

    info = reader.metadata or {}
    info_meta = {
        "title": nfc(str(info.get("/Title") or "")),
        "subject": nfc(str(info.get("/Subject") or "")),
        "author": nfc(str(info.get("/Author") or "")),
    }
    if not info_meta["title"]:
        reasons.append("thiếu tiêu đề (Title) trong thông tin tài liệu")
    elif require_vietnamese_title and not looks_vietnamese(info_meta["title"]):
        reasons.append(f"tiêu đề «{info_meta['title']}» không phải tiếng Việt")
    if metadata is not None:
        for key in ("title", "subject", "author"):
            want = getattr(metadata, key)
            if want and info_meta[key] != want:
                reasons.append(f"{key} trong Info là «{info_meta[key]}», cần «{want}»")
    if pdfa or xmp.present:
        for key, value in info_meta.items():
            seen = xmp.get(key)
            if value and seen != value:
                twice = " (XMP bị mã hóa ký tự XML hai lần)" if nfc(_unescape_xml(seen)) == value else ""
                reasons.append(f"{key} trong XMP («{seen}») khác Info («{value}»){twice}")
    if reasons:
        raise PdfVerificationError(path, reasons)
    return PdfReport(path=path, pages=n_pages, text=text, pdfa_part=part, pdfa_conformance=conf,
                     **info_meta)
