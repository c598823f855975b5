"""A subject with ``& < > " '`` is a normal subject: rendered, converted, verified and filed like any other.

Subjects such as ``Công ty TNHH Xây dựng A&B`` or ``"Chợ trung tâm"`` are common. LibreOffice 7.4
escapes these characters twice in the XMP packet of its PDFs (``A&B`` is read back as the text
``A&amp;B``), so verification used to refuse every posting document of such a case, on every run.

GIVEN such a subject WHEN a document is rendered from its template, converted by the real
LibreOffice and verified THEN the PDF's text contains the subject exactly, and its Info title and
its XMP title (parsed as XML) both equal the title asked for; and the issuance of a case with that
subject files every posting document.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from congkhai.convert import ConvertJob, PdfMetadata, PdfVerificationError, verify_pdf
from congkhai.convert.local import LocalConverter
from congkhai.convert.verify import read_xmp

pytestmark = pytest.mark.slow

SUBJECT = unicodedata.normalize("NFC", "Công ty TNHH \"Xây dựng\" A&B <Kép> 'mới'")
AUTHOR = "UBND thị trấn Kép & Tân Dĩnh"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pdf_text(path: Path) -> str:
    return flat(" ".join(p.extract_text() or "" for p in PdfReader(path).pages))


def xmp_title_by_hand(path: Path) -> str:
    """The XMP dc:title, read with nothing but an XML parser (independent of verify.py)."""
    raw = PdfReader(path).trailer["/Root"]["/Metadata"].get_object().get_data()
    ns = {"dc": "http://purl.org/dc/elements/1.1/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
    li = ET.fromstring(raw).find(".//dc:title/rdf:Alt/rdf:li", ns)
    assert li is not None
    return "".join(li.itertext())


@pytest.fixture(scope="module")
def conv():
    with LocalConverter(1, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """The real posting-minutes template rendered (docxtpl, autoescape) with the subject."""
    from congkhai.documents.register import Register
    from congkhai.documents.render import render
    from congkhai.documents.samples import sample_contexts

    base = tmp_path_factory.mktemp("render")
    ctx = dict(sample_contexts("kep", Register("kep", path=base / "reg.sqlite"))["posting_start_ubnd"])
    ctx["subject"] = SUBJECT
    return render("posting_start_ubnd", ctx, base / "minutes.docx")


def test_docx_has_the_subject_as_text_and_in_its_core_properties(rendered):
    """GIVEN the rendered .docx WHEN read as a Word document THEN its body and properties hold the subject."""
    from docx import Document

    with zipfile.ZipFile(rendered) as z:  # every part is well-formed XML (autoescape)
        for name in z.namelist():
            if name.endswith(".xml"):
                ET.fromstring(z.read(name))
    doc = Document(str(rendered))
    body = flat(" ".join(p.text for p in doc.paragraphs)
                + " ".join(c.text for t in doc.tables for r in t.rows for c in r.cells))
    assert SUBJECT in body
    assert "&amp;" not in body and "&#34;" not in body and "&quot;" not in body
    assert doc.core_properties.subject == SUBJECT
    assert doc.core_properties.title.endswith(f": {SUBJECT}")


def test_conversion_and_verification_pass_with_xml_characters(conv, rendered, tmp_path):
    """GIVEN the document WHEN converted to PDF/A by LibreOffice THEN verification passes, the text
    has the subject exactly, and Info and XMP (title, subject, author) are the values asked for."""
    meta = PdfMetadata(f"Biên bản niêm yết: {SUBJECT}", SUBJECT, AUTHOR, ("công khai",))
    pdf = conv.convert(ConvertJob(rendered, tmp_path / "minutes.pdf", metadata=meta, expect_text=(SUBJECT,)))

    report = verify_pdf(pdf, expect_text=(SUBJECT,), metadata=meta)
    assert SUBJECT in pdf_text(pdf)
    assert (report.title, report.subject, report.author) == (meta.title, SUBJECT, AUTHOR)
    info = PdfReader(pdf).metadata
    assert info["/Title"] == meta.title and info["/Subject"] == SUBJECT
    assert xmp_title_by_hand(pdf) == meta.title
    xmp = read_xmp(PdfReader(pdf))
    assert (xmp.title, xmp.subject, xmp.author) == (meta.title, SUBJECT, AUTHOR)
    assert (xmp.pdfa_part, xmp.pdfa_conformance) == ("2", "B")


def test_plain_titles_are_not_rewritten(conv, rendered, tmp_path):
    """GIVEN a title without XML characters WHEN converted THEN LibreOffice's XMP is kept as written."""
    meta = PdfMetadata("Biên bản niêm yết công khai", "Dự toán ngân sách", "UBND thị trấn Kép")
    pdf = conv.convert(ConvertJob(rendered, tmp_path / "plain.pdf", metadata=meta))
    raw = PdfReader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<xmp:CreatorTool>Writer</xmp:CreatorTool>" in raw  # untouched by pikepdf
    assert xmp_title_by_hand(pdf) == meta.title


def test_verification_names_a_twice_escaped_xmp(conv, rendered, tmp_path):
    """GIVEN a PDF whose XMP says ``A&amp;B`` (the text) while Info says ``A&B`` WHEN verified THEN it
    fails naming the double escaping; the same file with the XMP written once passes."""
    import pikepdf

    from congkhai.convert.pdfa import repair_xmp_text

    meta = PdfMetadata(f"Biên bản: {SUBJECT}", SUBJECT, "UBND thị trấn Kép")
    pdf = conv.convert(ConvertJob(rendered, tmp_path / "a.pdf", metadata=meta))
    with pikepdf.open(pdf, allow_overwriting_input=True) as doc:
        with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:title"] = meta.title.replace("&", "&amp;").replace('"', "&quot;")
        doc.save(pdf)
    with pytest.raises(PdfVerificationError) as err:
        verify_pdf(pdf, metadata=meta)
    assert "hai lần" in str(err.value) and "title trong XMP" in str(err.value)
    assert repair_xmp_text(pdf, meta) is True
    assert verify_pdf(pdf, metadata=meta).title == meta.title
    assert repair_xmp_text(pdf, meta) is False  # nothing left to repair


def test_issuance_of_a_case_with_such_a_subject(tmp_path, monkeypatch, conv):
    """GIVEN a case of Kép whose subject has ``& < > " '`` WHEN its posting documents are issued (what the
    congkhai_issuance task runs) THEN every one is filed, its text has the subject, Info = XMP title."""
    from pypdf import PdfWriter

    from congkhai.case import Case
    from congkhai.config import settings
    from congkhai.pipeline.context import CommuneRun
    from congkhai.pipeline.issuance import run_issuance

    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("CONGKHAI_ARCHIVE", str(tmp_path / "archive"))
    run = CommuneRun("kep", settings())
    case = Case(commune="kep", issued=dt.date(2024, 3, 25), subject=SUBJECT, doc_number="15",
                doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q1-8", law_item=2)
    orig = tmp_path / "orig.pdf"
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.write(orig)
    run.archive.open_case(case).add_original(orig)

    result = run_issuance(run, [case.case_id], conv)

    assert not result["failed"], result["failed"]
    folder = run.archive.find_case(case.case_id)
    pdfs = [f for f in folder.manifest["files"] if f["path"].endswith(".pdf") and f["key"] != "original"]
    keys = {f["key"] for f in pdfs}
    assert "posting_start_ubnd" in keys and "posting_start_group:tdp01" in keys, keys
    cited = SUBJECT[0].lower() + SUBJECT[1:]  # a sentence may cite it with a small letter
    for f in pdfs:
        path = folder.path / f["path"]
        text = pdf_text(path)
        assert SUBJECT in text or cited in text, f["key"]
        title = PdfReader(path).metadata["/Title"]
        assert title.endswith(SUBJECT) and xmp_title_by_hand(path) == title, f["key"]
