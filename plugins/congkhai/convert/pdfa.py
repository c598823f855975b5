"""Restore PDF/A-2b on a PDF that lost it (pypdf merging drops the XMP and OutputIntents).

Locally this is Debian's Ghostscript (``gs -dPDFA=2``) with the sRGB ICC profile that
Ghostscript itself ships (package libgs-common: ``/usr/share/color/icc/ghostscript/srgb.icc``).
Ghostscript 10.00 discards any non-ASCII ``DOCINFO`` in PDF/A mode ("cannot be represented in
XMP"), so Vietnamese titles are written afterwards with pikepdf (installed with ocrmypdf), whose
metadata editor keeps the Info dictionary and the XMP packet in step and leaves the PDF/A
claims and OutputIntent alone. Ghostscript keeps the outline (bookmarks) and the page labels of
its input (checked in tests).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from congkhai.convert.base import ConversionError, ConverterUnavailable, PdfMetadata, publish, temp_output

ICC_CANDIDATES = (
    Path("/usr/share/color/icc/ghostscript/srgb.icc"),
    Path("/usr/share/color/icc/sRGB.icc"),
    Path("/usr/share/color/icc/colord/sRGB.icc"),
)
GS_TIMEOUT = 600.0


def icc_profile() -> Path:
    for p in ICC_CANDIDATES:
        if p.is_file():
            return p
    raise ConverterUnavailable(
        "Không tìm thấy hồ sơ màu sRGB (gói libgs-common của Debian) để tạo PDF/A.",
        "No sRGB ICC profile found (Debian package libgs-common) to make PDF/A.",
        kind="pdfa_icc_missing",
    )


def _def_ps(icc: Path) -> str:
    icc_ps = str(icc).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"""%!
/ICCProfile ({icc_ps}) def
[/_objdef {{icc_PDFA}} /type /stream /OBJ pdfmark
[{{icc_PDFA}} << /N 3 >> /PUT pdfmark
[{{icc_PDFA}} ICCProfile (r) file /PUT pdfmark
[/_objdef {{OutputIntent_PDFA}} /type /dict /OBJ pdfmark
[{{OutputIntent_PDFA}} <<
  /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {{icc_PDFA}}
  /OutputConditionIdentifier (sRGB) /Info (sRGB IEC61966-2.1)
>> /PUT pdfmark
[{{Catalog}} << /OutputIntents [ {{OutputIntent_PDFA}} ] >> /PUT pdfmark
"""


def ghostscript_pdfa(src_pdf: Path, out_pdf: Path, metadata: PdfMetadata | None = None) -> Path:
    """Rewrite ``src_pdf`` as PDF/A-2b at ``out_pdf`` (atomic); return ``out_pdf``."""
    gs = shutil.which("gs")
    if gs is None:
        raise ConverterUnavailable(
            "Không tìm thấy Ghostscript (gói ghostscript của Debian) để tạo PDF/A.",
            "Ghostscript (Debian package ghostscript) not found: cannot make PDF/A.",
            kind="pdfa_tool_missing",
        )
    src_pdf, out_pdf = Path(src_pdf), Path(out_pdf)
    icc = icc_profile()
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_output(out_pdf)
    with tempfile.TemporaryDirectory(prefix="congkhai-gs-") as td:
        defs = Path(td) / "pdfa_def.ps"
        defs.write_text(_def_ps(icc), encoding="ascii")
        cmd = [
            gs, "-q", "-dBATCH", "-dNOPAUSE", "-dNOOUTERSAVE", "-dPDFA=2",
            "-dPDFACompatibilityPolicy=1",  # drop what PDF/A forbids instead of failing
            "-sColorConversionStrategy=RGB", "-sDEVICE=pdfwrite",
            f"--permit-file-read={icc}", f"-sOutputFile={tmp}", str(defs), str(src_pdf),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=GS_TIMEOUT,
                                  env={**os.environ, "LC_ALL": "C.UTF-8"})
        except subprocess.TimeoutExpired as err:
            tmp.unlink(missing_ok=True)
            raise ConverterUnavailable(
                f"Ghostscript quá {GS_TIMEOUT:g} giây khi tạo PDF/A cho {src_pdf.name}.",
                f"Ghostscript timed out making PDF/A of {src_pdf.name}.", kind="timeout",
            ) from err
    if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ConversionError(
            f"Ghostscript không tạo được PDF/A từ {src_pdf.name}.",
            f"Ghostscript failed to make PDF/A from {src_pdf.name}: {' | '.join(detail)}",
            kind="pdfa_failed", path=str(src_pdf),
        )
    try:
        if metadata is not None:
            set_metadata(tmp, metadata)
        publish(tmp, out_pdf)
    finally:
        tmp.unlink(missing_ok=True)
    return out_pdf


#: Characters XML escapes; LibreOffice 7.4 escapes them twice in the XMP packet of its PDFs.
XML_SPECIALS = frozenset("&<>\"'")


def has_xml_specials(meta: PdfMetadata) -> bool:
    return any(ch in XML_SPECIALS for text in (meta.title, meta.subject, meta.author) for ch in text)


def repair_xmp_text(pdf_path: Path, meta: PdfMetadata) -> bool:
    """Write title/subject/author into the XMP again where it disagrees with ``meta`` (in place).

    LibreOffice 7.4 (Debian 12) writes ``A&B`` into the XMP as ``A&amp;amp;B``: read as XML, the
    title is the text ``A&amp;B`` while its Info dictionary says ``A&B``. pikepdf escapes once and
    keeps Info in step; the PDF/A claims, the OutputIntent and the other XMP fields stay. Returns
    True when the file was rewritten; a PDF pikepdf cannot open is left as it is (verification
    then says what is wrong with it).
    """
    import pikepdf

    want = {"dc:title": meta.title, "dc:description": meta.subject}
    try:
        with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
            with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
                wrong: dict[str, str | list[str]] = {k: v for k, v in want.items() if v and xmp.get(k) != v}
                if meta.author and list(xmp.get("dc:creator") or []) != [meta.author]:
                    wrong["dc:creator"] = [meta.author]
                for key, value in wrong.items():
                    xmp[key] = value
            if not wrong:
                return False
            pdf.save(pdf_path)
    except (pikepdf.PdfError, OSError, ValueError):
        return False
    return True


def set_metadata(pdf_path: Path, meta: PdfMetadata, creator_tool: str = "congkhai") -> None:
    """Write title/subject/author/keywords into Info and XMP together (in place)."""
    import pikepdf

    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:title"] = meta.title
            if meta.subject:
                xmp["dc:description"] = meta.subject
            if meta.author:
                xmp["dc:creator"] = [meta.author]
            if meta.keywords:
                xmp["pdf:Keywords"] = ", ".join(meta.keywords)
            xmp["xmp:CreatorTool"] = creator_tool
        pdf.save(pdf_path)
