"""The text of a PDF with PDFium (pypdfium2, Chromium's PDF engine), for the checks and the archive index.

About 35–50 ms for a one-page minute, against about 1 s with pypdf's ``extract_text`` on the PDF/A
files LibreOffice writes (and 250 ms with poppler's ``pdftotext``, which builds a colour transform for
the OutputIntent first). PDFium is not thread-safe: one extraction at a time in a process (one lock
for every caller: the converter's verification threads and the index)."""

from __future__ import annotations

import threading
import unicodedata
from pathlib import Path

_LOCK = threading.Lock()


def pdf_text(path: Path | str, max_pages: int | None = None) -> str | None:
    """The text of the first ``max_pages`` pages (all by default), pages joined by a newline, NFC;
    None when PDFium is missing or cannot read the file (the caller falls back or gives up)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - pypdfium2 is in requirements.lock
        return None
    try:
        with _LOCK:
            doc = pdfium.PdfDocument(str(path))
            try:
                parts = []
                for i in range(len(doc) if max_pages is None else min(len(doc), max_pages)):
                    page = doc[i]
                    textpage = page.get_textpage()
                    parts.append(textpage.get_text_range())
                    textpage.close()
                    page.close()
            finally:
                doc.close()
    except Exception:  # noqa: BLE001 - PDFium raises its own PdfiumError and others on damaged files
        return None
    return unicodedata.normalize("NFC", "\n".join(parts).replace("\r\n", "\n").replace("\r", "\n"))
