"""Every kind, for Kép and for demo-xa, converted to PDF by the local LibreOffice and read back.

GIVEN the sample contexts of both communes rendered to .docx
WHEN all are converted in one ``soffice`` call
THEN each PDF's text has the number, the date line, the subject and the signer, with every
Vietnamese diacritic intact, and the one-page minutes stay on one page.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from congkhai.documents.register import Register
from congkhai.documents.render import render
from congkhai.documents.samples import sample_contexts, soffice_to_pdf

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")

COMMUNES = ("kep", "demo-xa")
ONE_PAGE = ("posting_start_ubnd", "posting_start_group", "posting_end", "broadcast_report", "group_notice")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, dict]]:
    base = tmp_path_factory.mktemp("pdf")
    docs, ctxs = [], {}
    for code in COMMUNES:
        reg = Register(code, path=base / f"{code}.sqlite")
        for kind, ctx in sample_contexts(code, reg).items():
            docs.append(render(kind, ctx, base / "docx" / f"{code}__{kind}.docx"))
            ctxs[(code, kind)] = ctx
    out = soffice_to_pdf(docs, base / "pdf")
    return {key: (pdf, ctxs[key]) for key, pdf in zip(ctxs, out, strict=True)}


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _text(pdf: Path) -> str:
    return _flat("\n".join(p.extract_text() or "" for p in PdfReader(str(pdf)).pages))


@pytest.mark.slow
def test_pdf_text_has_number_date_subject_signer(pdfs) -> None:
    assert len(pdfs) == 17
    for (code, kind), (pdf, ctx) in pdfs.items():
        text = _text(pdf)
        assert _flat(f"Số: {ctx['number_notation']}") in text, (code, kind)
        assert _flat(ctx["place_date"]) in text, (code, kind)
        assert _flat(ctx["subject"]) in text, (code, kind)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
        if "signer_title" in ctx:
            assert ctx["signer_title"] in text, (code, kind)
            if ctx["signer_name"]:
                assert ctx["signer_name"] in text, (code, kind)
        else:
            assert "THƯ KÝ" in text and "CHỦ TỌA" in text
            assert ctx["chair_name"] in text and ctx["secretary_name"] in text, (code, kind)
        assert "Nơi nhận:" in text
        assert "{{" not in text and "{%" not in text


@pytest.mark.slow
def test_every_diacritic_survives(pdfs) -> None:
    """Every Vietnamese letter of the body paragraphs comes back from the PDF (no substitute font,
    no decomposed or missing marks): the set of non-ASCII letters of the context is in the text."""
    for (code, kind), (pdf, ctx) in pdfs.items():
        text = _text(pdf)
        wanted = set()
        for key in ("subject", "place_date", "document", "opening", "intro", "closing"):
            value = ctx.get(key)
            if isinstance(value, str):
                wanted |= {ch for ch in unicodedata.normalize("NFC", value) if ord(ch) > 127 and ch.isalpha()}
        missing = {ch for ch in wanted if ch not in text}
        assert not missing, (code, kind, sorted(missing))
        # whole sentences, not only letters
        for key in ("document", "opening"):
            if isinstance(ctx.get(key), str):
                assert _flat(ctx[key]) in text, (code, kind, key)


@pytest.mark.slow
def test_one_page_minutes_stay_one_page(pdfs) -> None:
    for (code, kind), (pdf, _) in pdfs.items():
        if kind in ONE_PAGE:
            assert len(PdfReader(str(pdf)).pages) == 1, (code, kind)


@pytest.mark.slow
def test_page_numbers_from_page_two(pdfs) -> None:
    pdf, _ = pdfs[("kep", "yearly_plan")]
    pages = PdfReader(str(pdf)).pages
    assert len(pages) > 3
    first_lines = [(p.extract_text() or "").strip().splitlines()[0].strip() for p in pages]
    # the header line: the page number (from page 2), and the draft's mark at the right of every page
    assert first_lines[0] == "DỰ THẢO"
    assert first_lines[1] == "2 DỰ THẢO" and first_lines[2] == "3 DỰ THẢO"
