"""Vietnamese OCR for scans: tesseract ``vie`` for reading, ocrmypdf for a searchable PDF/A.

Reading uses tesseract's TSV output (each word with its box) so the two-column header can be put
back in reading order (``parse.columnize``); a wide horizontal gap between two words on one line
is a column break. Pages are rasterised with pdftoppm at 200 dpi (the Nghị định 30 minimum for
scans), grey, only the first and the last page (header and signature): OCR is slow on 2 cores.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from congkhai.errors import PermanentError, TransientError
from congkhai.intake.parse import Segment

OCR_DPI = 200
OCR_TIMEOUT = 120  # seconds per page; a page takes 1–3 s here
MAX_IMAGE_SIDE = 3000  # phone photos are downscaled to this before OCR


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise TransientError(
            f"Máy chủ thiếu chương trình {tool} để đọc bản quét (cài tesseract-ocr, tesseract-ocr-vie, poppler-utils)",
            f"{tool} is not installed (install tesseract-ocr, tesseract-ocr-vie, poppler-utils)",
            kind="ocr_missing",
        )
    return path


def tesseract_rows(image: Path, lang: str = "vie") -> list[list[Segment]]:
    """OCR one image; return its lines as positioned segments (x as a fraction of the text width)."""
    try:
        proc = subprocess.run(
            [_need("tesseract"), str(image), "stdout", "-l", lang, "--psm", "3", "tsv"],
            capture_output=True, timeout=OCR_TIMEOUT, check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise TransientError("Đọc bản quét quá lâu", "OCR timed out", kind="ocr_timeout") from err
    if proc.returncode != 0:
        raise PermanentError(
            "Không đọc được ảnh bản quét", f"tesseract failed: {proc.stderr.decode(errors='replace')[:200]}",
            kind="unreadable",
        )
    words: dict[tuple[int, int, int], list[tuple[int, int, int, str]]] = {}
    reader = csv.reader(io.StringIO(proc.stdout.decode("utf-8", errors="replace")), delimiter="\t",
                        quoting=csv.QUOTE_NONE)
    next(reader, None)
    for row in reader:
        if len(row) < 12 or row[0] != "5" or not row[11].strip():
            continue
        key = (int(row[2]), int(row[3]), int(row[4]))
        left, top, width, height = (int(v) for v in row[6:10])
        words.setdefault(key, []).append((left, left + width, height, row[11].strip()))
    if not words:
        return []
    x_min = min(w[0] for ws in words.values() for w in ws)
    x_max = max(w[1] for ws in words.values() for w in ws)
    span = max(x_max - x_min, 1)
    rows: list[list[Segment]] = []
    for ws in words.values():
        ws.sort()
        heights = sorted(w[2] for w in ws)
        h = max(heights[len(heights) // 2], 10)
        segs: list[Segment] = []
        cur: list[tuple[int, int, int, str]] = [ws[0]]
        for w in ws[1:]:
            if w[0] - cur[-1][1] > 2.2 * h:  # a column gap, not a space between words
                segs.append(_seg(cur, x_min, span))
                cur = []
            cur.append(w)
        segs.append(_seg(cur, x_min, span))
        rows.append(segs)
    return rows


def _seg(ws: list[tuple[int, int, int, str]], x_min: int, span: int) -> Segment:
    return Segment((ws[0][0] - x_min) / span, (ws[-1][1] - x_min) / span, " ".join(w[3] for w in ws))


def pdf_pages_to_png(pdf: Path, pages: list[int], outdir: Path, dpi: int = OCR_DPI) -> list[Path]:
    """Rasterise the given 1-based pages of ``pdf`` to grey PNGs."""
    out = []
    for p in pages:
        prefix = outdir / f"p{p}"
        proc = subprocess.run(
            [_need("pdftoppm"), "-r", str(dpi), "-gray", "-f", str(p), "-l", str(p), "-png", "-singlefile",
             str(pdf), str(prefix)],
            capture_output=True, timeout=OCR_TIMEOUT, check=False,
        )
        png = prefix.with_suffix(".png")
        if proc.returncode != 0 or not png.is_file():
            raise PermanentError("Không dựng được ảnh trang PDF để đọc", f"pdftoppm failed on page {p}",
                                 kind="unreadable")
        out.append(png)
    return out


def open_grey(src: Path, max_side: int = MAX_IMAGE_SIDE) -> Any:
    """Decode an image safely (Pillow's bomb cap), grey, downscaled to at most ``max_side``."""
    from PIL import Image

    try:
        with Image.open(src) as img:
            img.load()
            img = img.convert("L")
    except Image.DecompressionBombError as err:
        raise PermanentError("Ảnh quá lớn (nghi là tệp độc hại)", "image too large (decompression bomb)",
                             kind="bomb") from err
    except Exception as err:  # PIL raises many kinds for a damaged file
        raise PermanentError("Ảnh bị hỏng, không mở được", f"cannot decode image: {err}", kind="corrupt") from err
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side))
    return img


def prepare_image(src: Path, outdir: Path) -> Path:
    """Decode an image safely (size-capped), grey, downscaled to at most MAX_IMAGE_SIDE; save as PNG."""
    img = open_grey(src)
    out = outdir / "image.png"
    img.save(out, "PNG")
    return out


def ocr_pdf_rows(pdf: Path, page_count: int) -> list[list[Segment]]:
    """OCR the first page (and the last, for the signer) of an image-only PDF."""
    pages = [1] if page_count <= 1 else [1, page_count]
    rows: list[list[Segment]] = []
    with tempfile.TemporaryDirectory(prefix="congkhai-ocr-") as td:
        for png in pdf_pages_to_png(pdf, pages, Path(td)):
            rows.extend(tesseract_rows(png))
    return rows


def ocr_image_rows(image: Path) -> list[list[Segment]]:
    with tempfile.TemporaryDirectory(prefix="congkhai-ocr-") as td:
        return tesseract_rows(prepare_image(image, Path(td)))


def make_searchable_pdf(src: Path, dst: Path, *, language: str = "vie", image_dpi: int = OCR_DPI) -> Path:
    """Write a searchable PDF/A-2b of a scan (PDF or image) to ``dst`` with ocrmypdf; ``src`` untouched.

    Meant for scans (pages without a text layer): pages are OCR'd whatever they hold
    (``force_ocr``; Debian 12's Ghostscript 10.0.0 refuses ocrmypdf's ``skip_text`` mode). When the
    PDF/A step cannot run, a plain searchable PDF is written instead (``output_type="pdf"``).
    Raises ``PermanentError`` for input ocrmypdf cannot use, ``TransientError`` when a tool is missing.
    """
    import ocrmypdf

    src, dst = Path(src), Path(dst)
    kwargs: dict = dict(language=[language], output_type="pdfa-2", force_ocr=True, progress_bar=False,
                        optimize=0, jobs=1)
    if src.suffix.lower() not in (".pdf",):
        kwargs["image_dpi"] = image_dpi
    try:
        try:
            code = ocrmypdf.ocr(src, dst, **kwargs)
        except ocrmypdf.exceptions.MissingDependencyError:
            code = ocrmypdf.ocr(src, dst, **{**kwargs, "output_type": "pdf"})
    except ocrmypdf.exceptions.MissingDependencyError as err:
        raise TransientError("Thiếu công cụ để tạo PDF có chữ", f"ocrmypdf: {err}", kind="ocr_missing") from err
    except (ocrmypdf.exceptions.InputFileError, ocrmypdf.exceptions.EncryptedPdfError,
            ocrmypdf.exceptions.UnsupportedImageFormatError, ocrmypdf.exceptions.DpiError) as err:
        raise PermanentError("Không tạo được bản PDF có chữ từ bản quét", f"ocrmypdf: {err}",
                             kind="unreadable") from err
    if int(code) != 0 or not dst.is_file():
        raise PermanentError("Không tạo được bản PDF có chữ từ bản quét", f"ocrmypdf exit {int(code)}",
                             kind="unreadable")
    return dst
