"""PDF verification and the disclosure dossier (merge, outline, page labels, PDF/A restoration)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import unicodedata

import pytest
from pypdf import PdfReader, PdfWriter

from congkhai.convert import ConversionError, ConvertJob, PdfMetadata, PdfVerificationError, verify_pdf
from congkhai.convert.dossier import (
    SECTIONS,
    DossierEntry,
    assemble,
    entries_from_case,
    entries_from_folder,
    entries_from_year,
    order_entries,
    section_for,
)
from congkhai.convert.local import LocalConverter
from congkhai.convert.pdfa import ghostscript_pdfa
from congkhai.errors import UsageError
from tests.docgen import make_docx

META = PdfMetadata("Biên bản niêm yết công khai", "Công khai dự toán", "UBND thị trấn Kép")

# kind, date, number, title (deliberately out of order)
PLAN = [
    ("posting_end", dt.date(2024, 3, 6), "09/BB-UBND", "Biên bản kết thúc công khai dự toán"),
    ("posting_start_ubnd", dt.date(2024, 2, 5), "05/BB-UBND", "Biên bản niêm yết tại trụ sở UBND"),
    ("yearly_plan", dt.date(2024, 1, 5), "01/KH-UBND", "Kế hoạch thực hiện công khai thông tin năm 2024"),
    ("posting_start_ubnd", dt.date(2024, 1, 20), "03/BB-UBND", "Biên bản niêm yết quy chế dân chủ"),
    ("quarterly_list", dt.date(2024, 3, 31), "02/DM-UBND", "Danh sách nội dung đã công khai quý I"),
    ("original", dt.date(2024, 2, 2), "15/QĐ-UBND", "Quyết định giao dự toán ngân sách xã"),
    ("posting_start_group", dt.date(2024, 2, 6), "06/BB-UBND", "Biên bản niêm yết tại nhà văn hóa"),
]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """Real PDF/A files of PLAN from the local LibreOffice (one two pages long)."""
    d = tmp_path_factory.mktemp("dossier-src")
    jobs = []
    for i, (kind, day, number, title) in enumerate(PLAN):
        doc = make_docx(d / f"{i}-{kind}.docx", kind=kind, title=title, number=number, date=day,
                        page_break=(i == 1))
        jobs.append(ConvertJob(doc.path, d / f"{i}-{kind}.pdf", metadata=PdfMetadata(title, "", "UBND thị trấn Kép"),
                               expect_text=(number,), expect_pages=doc.pages))
    with LocalConverter(2) as conv:
        results = conv.convert_many(jobs)
    assert all(r.ok for r in results), [str(r.error) for r in results]
    return [r.pdf for r in results]


@pytest.fixture()
def entries(pdfs):
    return [DossierEntry(kind, day, title, pdf, number)
            for (kind, day, number, title), pdf in zip(PLAN, pdfs, strict=True)]


# -- verify_pdf --------------------------------------------------------------------------------

def test_verify_accepts_a_good_pdf_with_nfd_and_spacing_differences(pdfs):
    nfd = unicodedata.normalize("NFD", "tại trụ sở Ủy   ban nhân dân\nxã Kép")
    report = verify_pdf(pdfs[2], expect_text=[nfd, "01/KH-UBND"], expect_pages=1, pdfa=True,
                        metadata={"title": "Kế hoạch thực hiện công khai thông tin năm 2024",
                                  "author": "UBND thị trấn Kép"})
    assert report.pages == 1 and report.pdfa_part == "2"


def test_verify_lists_every_failed_check(pdfs):
    with pytest.raises(PdfVerificationError) as exc:
        verify_pdf(pdfs[2], expect_text=["không có trong văn bản"], expect_pages=2,
                   metadata=PdfMetadata("Tiêu đề khác", author="UBND xã Khác"))
    reasons = " | ".join(exc.value.reasons)
    assert "không có trong văn bản" in reasons and "cần 2" in reasons
    assert "Tiêu đề khác" in reasons and "UBND xã Khác" in reasons
    assert exc.value.kind == "pdf_verification"


@pytest.mark.parametrize("content, reason", [
    (b"", "%PDF-"),
    (b"<html>not a pdf</html>", "%PDF-"),
    (b"%PDF-1.7\n garbage garbage", "pypdf"),
])
def test_verify_rejects_what_is_not_a_pdf(tmp_path, content, reason):
    p = tmp_path / "x.pdf"
    p.write_bytes(content)
    with pytest.raises(PdfVerificationError, match=reason.replace("%", "%")):
        verify_pdf(p)


def test_verify_catches_a_merged_file_that_lost_pdfa(pdfs, tmp_path):
    w = PdfWriter()
    w.append(pdfs[0])
    w.add_metadata({"/Title": "Hồ sơ"})
    out = tmp_path / "m.pdf"
    w.write(out)
    with pytest.raises(PdfVerificationError) as exc:
        verify_pdf(out)
    assert any("PDF/A-2b" in r for r in exc.value.reasons)
    assert any("OutputIntent" in r for r in exc.value.reasons)
    verify_pdf(out, pdfa=False)


def test_verify_rejects_an_english_template_title(tmp_path, pdfs):
    w = PdfWriter(clone_from=pdfs[0])
    w.add_metadata({"/Title": "Template title"})
    w.write(tmp_path / "t.pdf")
    with pytest.raises(PdfVerificationError, match="không phải tiếng Việt"):
        verify_pdf(tmp_path / "t.pdf", pdfa=False)


# -- Ghostscript PDF/A ----------------------------------------------------------------------------

def test_ghostscript_restores_pdfa_with_vietnamese_metadata(pdfs, tmp_path):
    w = PdfWriter()
    for p in pdfs[:3]:
        w.append(p)
    w.add_outline_item(title="Mục một", page_number=0)
    w.write(tmp_path / "merged.pdf")
    meta = PdfMetadata("Hồ sơ công khai thông tin năm 2024", "Lưu trữ", "UBND thị trấn Kép", ("công khai",))
    out = ghostscript_pdfa(tmp_path / "merged.pdf", tmp_path / "a.pdf", meta)
    report = verify_pdf(out, expect_text=["09/BB-UBND", "Đặng Minh Khôi"], expect_pages=4, metadata=meta)
    assert report.subject == "Lưu trữ"
    assert PdfReader(out).outline[0]["/Title"] == "Mục một"


# -- dossier --------------------------------------------------------------------------------------

def test_sections_follow_the_seed_plan():
    assert [s.key for s in SECTIONS] == ["1", "2", "3", "4", "5", "6", "7", "8", "PL"]
    assert section_for("council_report").key == "7"
    assert section_for("quarterly_list").key == "8"
    assert section_for("original").key == "PL"
    with pytest.raises(UsageError):
        section_for("unknown_kind")


def test_order_is_by_section_then_date(entries):
    ordered = order_entries(entries)
    assert [e.number for e in ordered] == [
        "01/KH-UBND", "03/BB-UBND", "05/BB-UBND", "06/BB-UBND", "09/BB-UBND", "02/DM-UBND", "15/QĐ-UBND"]


def test_assemble_dossier(entries, tmp_path):
    """GIVEN seven PDFs of five sections and the appendix WHEN assembled (no front matter) THEN one verified
    PDF/A-2b with a bookmark per section, a child per document (chronological) and page labels 1 … N."""
    out = tmp_path / "ho-so-2024.pdf"
    report = assemble(entries, out, "Hồ sơ công khai thông tin năm 2024", author="UBND thị trấn Kép")
    assert report.pages == 8
    assert report.page_labels == tuple(str(i) for i in range(1, 9))
    assert report.front_pages == (0, 0) and report.contents == ()
    reader = PdfReader(out)
    assert list(reader.page_labels) == list(report.page_labels)
    tops = [o for o in reader.outline if not isinstance(o, list)]
    assert [t["/Title"] for t in tops] == [
        "1. Kế hoạch thực hiện công khai thông tin của UBND xã",
        "3. Biên bản niêm yết tại Bản tin công khai của UBND xã",
        "4. Biên bản niêm yết tại Bản tin công khai ở nhà văn hóa tổ dân phố",
        "6. Biên bản kết thúc công khai thông tin",
        "8. Danh sách nội dung đã thực hiện công khai theo quý",
        "Phụ lục: Văn bản được công khai",
    ]
    children = reader.outline[3]  # under section 3
    assert [c["/Title"] for c in children] == [
        "20/01/2024 – 03/BB-UBND – Biên bản niêm yết quy chế dân chủ",
        "05/02/2024 – 05/BB-UBND – Biên bản niêm yết tại trụ sở UBND",
    ]
    assert reader.get_destination_page_number(children[1]) == 2
    verify_pdf(out, expect_text=["15/QĐ-UBND", "02/DM-UBND"], expect_pages=8,
               metadata=PdfMetadata("Hồ sơ công khai thông tin năm 2024", author="UBND thị trấn Kép"))
    assert not [p for p in tmp_path.iterdir() if p.name != out.name]  # no temporary files left


def test_assemble_refuses_a_broken_input_naming_it(entries, tmp_path):
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    with pytest.raises(ConversionError, match="Biên bản hỏng") as exc:
        assemble([*entries, DossierEntry("posting_end", dt.date(2024, 4, 1), "Biên bản hỏng", bad)],
                 tmp_path / "x.pdf", "Hồ sơ")
    assert exc.value.path == str(bad)
    assert not (tmp_path / "x.pdf").exists()
    with pytest.raises(UsageError):
        assemble([], tmp_path / "x.pdf", "Hồ sơ")


def test_entries_from_archive_manifest(pdfs, tmp_path):
    """A case folder as the archive writes it: newest version per key; signed scans left out."""
    case = tmp_path / "2024" / "02" / "02" / "15-QD-UBND_du-toan"
    case.mkdir(parents=True)
    files = []
    for name, kind, key, version, number, code, day, src in [
        ("00_van-ban-goc.pdf", "original", "original", 1, None, None, None, pdfs[5]),
        ("03_bb-v1.pdf", "posting_start_ubnd", "posting_start_ubnd", 1, 5, "BB-UBND", "2024-02-05", pdfs[1]),
        ("03_bb-v2.pdf", "posting_start_ubnd", "posting_start_ubnd", 2, 5, "BB-UBND", "2024-02-05", pdfs[1]),
        ("07_kt.pdf", "posting_end", "posting_end", 1, 9, "BB-UBND", "2024-03-06", pdfs[0]),
        ("10_scan.pdf", "signed_scan", "signed_scan", 1, None, None, None, pdfs[0]),
        ("07_kt.docx", "posting_end", "posting_end", 1, 9, "BB-UBND", "2024-03-06", None),
    ]:
        if src:
            (case / name).write_bytes(src.read_bytes())
        files.append({"kind": kind, "key": key, "path": name, "version": version, "number": number,
                      "code": code, "doc_date": day, "title": None, "sha256": "", "size": 0})
    (case / "manifest.json").write_text(json.dumps({
        "record": "case", "IssuedDate": "2024-02-02", "CodeNumber": "15", "CodeNotation": "QĐ-UBND",
        "Subject": "Giao dự toán ngân sách xã năm 2024", "files": files}, ensure_ascii=False), encoding="utf-8")
    got = sorted((e.kind, e.pdf.name, e.number, e.date.isoformat()) for e in entries_from_case(case))
    assert got == [
        ("original", "00_van-ban-goc.pdf", "15/QĐ-UBND", "2024-02-02"),
        ("posting_end", "07_kt.pdf", "09/BB-UBND", "2024-03-06"),
        ("posting_start_ubnd", "03_bb-v2.pdf", "05/BB-UBND", "2024-02-05"),
    ]
    assert [e.kind for e in entries_from_case(case, with_originals=False)].count("original") == 0
    with pytest.raises(UsageError):
        entries_from_case(tmp_path)


def test_cli_dossier_from_a_folder(pdfs, tmp_path):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for i, p in enumerate(pdfs[:4]):
        (folder / f"2024-0{i + 1}-10_{p.name}").write_bytes(p.read_bytes())
    assert {e.kind for e in entries_from_folder(folder)} == {"posting_end", "posting_start_ubnd", "yearly_plan"}
    out = tmp_path / "hs.pdf"
    run = subprocess.run([sys.executable, "-m", "congkhai.cli", "dossier", "--from", str(folder), "--out", str(out),
                          "--title", "Hồ sơ công khai thử", "--author", "UBND thị trấn Kép"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    # the default profile (Kép) words the sections, the cover and the MỤC LỤC (two more pages)
    assert "1. Kế hoạch thực hiện công khai thông tin của UBND thị trấn Kép: 1 văn bản" in run.stdout
    assert "Bìa: 1 trang; mục lục: 1 trang" in run.stdout
    verify_pdf(out, expect_pages=7, expect_text=["MỤC LỤC", "HỒ SƠ CÔNG KHAI THÔNG TIN", "Hồ sơ công khai thử"],
               metadata=PdfMetadata("Hồ sơ công khai thử"))
    bare = subprocess.run([sys.executable, "-m", "congkhai.cli", "dossier", "--from", str(folder), "--out", str(out),
                           "--no-front", "--title", "Hồ sơ công khai thử"], capture_output=True, text=True, timeout=120)
    assert bare.returncode == 0, bare.stderr
    verify_pdf(out, expect_pages=5, metadata=PdfMetadata("Hồ sơ công khai thử"))
    (folder / "la.pdf").write_bytes(pdfs[0].read_bytes())
    bad = subprocess.run([sys.executable, "-m", "congkhai.cli", "dossier", "--from", str(folder), "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "la.pdf" in bad.stderr


def test_dossier_of_a_year_from_the_real_archive(pdfs, tmp_path):
    """GIVEN an archive written by congkhai.archive WHEN `congkhai dossier --year` runs THEN the
    newest version of every generated PDF of the year is merged by section (originals left out)."""
    import os

    from congkhai.archive import Archive
    from congkhai.case import Case

    root = tmp_path / "archive"
    arch = Archive(root, "kep", index=False)
    year = arch.year_folder(2024)
    year.add_file("yearly_plan", pdfs[2], number=1, code="KH-UBND", doc_date=dt.date(2024, 1, 5),
                  versioned_key="yearly_plan", title="Kế hoạch thực hiện công khai thông tin năm 2024")
    case = arch.open_case(Case(commune="kep", issued=dt.date(2024, 2, 2), subject="Giao dự toán ngân sách xã",
                               doc_number="15", doc_code="QĐ-UBND"))
    case.add_original(pdfs[5])
    case.add_file("posting_start_ubnd", pdfs[3], number=3, doc_date=dt.date(2024, 2, 5),
                  versioned_key="posting_start_ubnd")
    case.add_file("posting_start_ubnd", pdfs[1], number=5, doc_date=dt.date(2024, 2, 5),
                  versioned_key="posting_start_ubnd")  # version 2 (two pages) replaces version 1
    for i, tdp in enumerate(("tdp-so-1", "tdp-so-2")):
        case.add_file("posting_start_group", pdfs[6], number=6 + i, doc_date=dt.date(2024, 2, 6 + i),
                      versioned_key=f"posting_start_group:{tdp}")
    case.add_file("posting_end", pdfs[0], number=9, doc_date=dt.date(2024, 3, 6), versioned_key="posting_end")
    entries = entries_from_year(root / "kep", 2024)
    assert sorted((e.kind, e.number) for e in entries) == [
        ("posting_end", "09/BB-UBND"), ("posting_start_group", "06/BB-UBND"), ("posting_start_group", "07/BB-UBND"),
        ("posting_start_ubnd", "05/BB-UBND"), ("yearly_plan", "01/KH-UBND")]

    out = tmp_path / "ho-so.pdf"
    env = {**os.environ, "CONGKHAI_ARCHIVE": str(root)}
    run = subprocess.run([sys.executable, "-m", "congkhai.cli", "dossier", "--year", "2024", "--commune", "kep",
                          "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    reader = PdfReader(out)
    assert list(reader.page_labels) == [str(i) for i in range(1, 9)]  # cover, MỤC LỤC, six pages
    assert [o["/Title"][:2] for o in reader.outline if not isinstance(o, list)] == ["Bì", "Mụ", "1.", "3.", "4.", "6."]
    verify_pdf(out, expect_text=["05/BB-UBND", "09/BB-UBND", "MỤC LỤC"], expect_pages=8,
               metadata=PdfMetadata("Hồ sơ công khai thông tin năm 2024"))
    with_orig = subprocess.run([sys.executable, "-m", "congkhai.cli", "dossier", "--year", "2024", "--commune", "kep",
                                "--with-originals", "--out", str(out)], capture_output=True, text=True, env=env,
                               timeout=120)
    assert with_orig.returncode == 0, with_orig.stderr
    tops = [o for o in PdfReader(out).outline if not isinstance(o, list)]
    assert tops[-1]["/Title"] == "Phụ lục: Văn bản được công khai"
    one = subprocess.run([sys.executable, "-m", "congkhai.cli", "dossier", "--case", str(case.path), "--commune", "kep",
                          "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert one.returncode == 0, one.stderr
    cover = " ".join((PdfReader(out).pages[0].extract_text() or "").split())
    assert "ỦY BAN NHÂN DÂN THỊ TRẤN KÉP" in cover
    assert "(Công khai văn bản số 15/QĐ-UBND ngày 02/02/2024: Giao dự toán ngân sách xã)" in cover


def test_a_folder_pdf_titled_as_a_draft_is_a_draft(pdfs, tmp_path):
    """GIVEN a PDF whose title is ``DỰ THẢO - …`` in a plain folder WHEN read THEN a draft, title without the mark."""
    w = PdfWriter(clone_from=pdfs[0])
    w.add_metadata({"/Title": "DỰ THẢO - Biên bản kết thúc công khai dự toán"})
    w.write(tmp_path / "2024-03-06_posting_end.pdf")
    (e,) = entries_from_folder(tmp_path)
    assert (e.state, e.title) == ("draft", "Biên bản kết thúc công khai dự toán")
    assert e.label == "06/03/2024 – Biên bản kết thúc công khai dự toán (dự thảo)"
