"""Check a produced PDF before anyone receives it: a bad PDF is an error, never a silent file.

Checks (every failed one is listed in the :class:`PdfVerificationError`):

1. a real PDF: the file exists, starts with ``%PDF-``, opens in pypdf, has pages > 0 and the
   expected page count when known;
2. its text contains every expected string (e.g. the document number), both sides compared
   after NFC and whitespace normalisation (LibreOffice breaks lines where it likes);
3. PDF/A-2b claims: XMP ``pdfaid:part`` 2 / ``pdfaid:conformance`` B and an OutputIntent with a
   destination ICC profile (veraPDF is not available here: claims, not a full validation);
4. metadata: Info and XMP title/subject/author agree with each other and with the expected
   values, and the title is Vietnamese (has Vietnamese letters), not a template's leftover.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from congkhai.convert.base import PdfMetadata, PdfVerificationError
from congkhai.textutil import nfc

#: Letters only Vietnamese uses among Latin scripts (with tone or vowel marks, and đ).
_VI_LETTERS = set(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
)


def normalize_text(text: str) -> str:
    """NFC, every run of whitespace (incl. no-break spaces) to one space, stripped."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).replace("\u00ad", "")).strip()


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


def _xmp_claims(reader) -> tuple[str | None, str | None, dict[str, str]]:
    """(pdfaid part, conformance, {title, subject, author}) from the XMP packet, if any."""
    xmp = reader.xmp_metadata
    if xmp is None:
        return None, None, {}
    part = conf = None
    try:
        part, conf = xmp.pdfaid_part, xmp.pdfaid_conformance
    except Exception:  # noqa: BLE001 - fall back to the raw packet below
        pass
    raw = xmp.stream.get_data().decode("utf-8", "replace")
    if not part:  # element or attribute form (Ghostscript writes attributes)
        m = re.search(r"pdfaid:part\s*(?:=\s*['\"]|>)\s*(\d)", raw)
        part = m.group(1) if m else None
    if not conf:
        m = re.search(r"pdfaid:conformance\s*(?:=\s*['\"]|>)\s*([A-Za-z])", raw)
        conf = m.group(1) if m else None

    def first(value) -> str:
        if isinstance(value, dict):
            value = value.get("x-default") or next(iter(value.values()), "")
        elif isinstance(value, list):
            value = value[0] if value else ""
        return nfc(str(value or ""))

    meta = {}
    for key, getter in (("title", "dc_title"), ("subject", "dc_description"), ("author", "dc_creator")):
        try:
            meta[key] = first(getattr(xmp, getter))
        except Exception:  # noqa: BLE001 - a malformed XMP field counts as missing
            meta[key] = ""
    return str(part) if part is not None else None, str(conf) if conf else None, meta


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
        text = normalize_text(" ".join(page.extract_text() or "" for page in reader.pages))
        for want in expected:
            if want not in text:
                reasons.append(f"thiếu nội dung «{want}»")

    part, conf, xmp_meta = _xmp_claims(reader)
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
    if pdfa or xmp_meta:
        for key, value in info_meta.items():
            if value and xmp_meta.get(key, "") != value:
                reasons.append(f"{key} trong XMP («{xmp_meta.get(key, '')}») khác Info («{value}»)")

    if reasons:
        raise PdfVerificationError(path, reasons)
    return PdfReport(path=path, pages=n_pages, text=text, pdfa_part=part, pdfa_conformance=conf,
                     **info_meta)
