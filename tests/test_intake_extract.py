"""Reading documents: field-level accuracy on the generated Kép 2024 corpus, and parser edge cases.

The corpus (tests/corpus/make_corpus.py) is built once with the real LibreOffice and cached in the
pytest cache; scans are OCR'd with the real tesseract ``vie``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import unicodedata
from pathlib import Path

import pytest

from congkhai.errors import PermanentError
from congkhai.intake.extract import inspect
from congkhai.intake.parse import parse_lines

sys.path.insert(0, str(Path(__file__).parent))
from corpus import make_corpus  # noqa: E402

FIELDS = ("doc_number", "doc_code", "doc_type", "issued", "place", "issuer", "subject", "signer")


@pytest.fixture(scope="session")
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    d = Path(cache.mkdir("congkhai-intake-corpus")) if cache else tmp_path_factory.mktemp("intake-corpus")
    expected = make_corpus.build(d)
    return d, expected


def _accuracy(corpus_dir: Path, expected: dict, formats: tuple[str, ...]) -> dict[str, float]:
    hits = dict.fromkeys(FIELDS, 0)
    n = 0
    misses = []
    for name, exp in expected.items():
        if exp["format"] not in formats:
            continue
        got = inspect(corpus_dir / name, classify=False).to_json()
        assert got["text_source"] == exp["text_source"], name
        n += 1
        for k in FIELDS:
            if got[k] == exp[k]:
                hits[k] += 1
            else:
                misses.append((name, k, got[k], exp[k]))
    acc = {k: hits[k] / n for k in FIELDS}
    print(f"\nfield accuracy over {n} documents ({', '.join(formats)}):")
    for k in FIELDS:
        print(f"  {k:11} {acc[k]:.0%}")
    for m in misses:
        print("  miss:", m)
    return acc


def test_corpus_has_at_least_30_documents_of_every_kind(corpus):
    _, expected = corpus
    assert len(expected) >= 30
    fmts = {e["format"] for e in expected.values()}
    assert {"docx", "pdf", "scan_pdf", "scan_png", "scan_jpg"} <= fmts
    assert {e["doc_type"] for e in expected.values()} >= {
        "QUYẾT ĐỊNH", "KẾ HOẠCH", "BÁO CÁO", "THÔNG BÁO", "TỜ TRÌNH", "NGHỊ QUYẾT", "BIÊN BẢN", "CÔNG VĂN"}


def test_text_documents_accuracy(corpus):
    """GIVEN the PDF-with-text and DOCX documents WHEN read THEN ≥95% on number, date, type."""
    d, expected = corpus
    acc = _accuracy(d, expected, ("docx", "pdf"))
    for k in ("doc_number", "doc_code", "issued", "doc_type"):
        assert acc[k] >= 0.95, k
    for k in ("subject", "issuer", "signer", "place"):
        assert acc[k] >= 0.85, k


@pytest.mark.slow
def test_scans_accuracy_with_vietnamese_ocr(corpus):
    """GIVEN image-only scans (skewed, speckled; PDF, PNG, JPEG) WHEN OCR'd THEN ≥85% on number, date, type."""
    d, expected = corpus
    acc = _accuracy(d, expected, ("scan_pdf", "scan_png", "scan_jpg"))
    for k in ("doc_number", "issued", "doc_type"):
        assert acc[k] >= 0.85, k


@pytest.mark.slow
def test_searchable_pdfa_from_a_scan(corpus, tmp_path):
    from pypdf import PdfReader

    from congkhai.intake.ocr import make_searchable_pdf

    d, _ = corpus
    src = d / "scan_0004.pdf"
    before = src.read_bytes()
    out = make_searchable_pdf(src, tmp_path / "out.pdf")
    assert src.read_bytes() == before  # the original is never altered
    text = PdfReader(out).pages[0].extract_text()
    assert "80/TB-UBND" in text
    meta = PdfReader(out).root_object["/Metadata"].get_object().get_data()
    assert b"pdfaid" in meta


def test_inspect_json_has_exactly_the_documented_keys(corpus):
    d, _ = corpus
    data = inspect(d / "cv120.pdf").to_json()
    assert list(data) == ["doc_number", "doc_code", "doc_type", "issued", "place", "issuer", "subject", "signer",
                          "item", "law_item", "confidence", "text_source"]
    assert data["doc_type"] == "CÔNG VĂN" and data["doc_code"] == "UBND-VP"
    assert data["subject"].startswith("V/v niêm yết")
    assert data["item"] == "1.7" and data["law_item"] == 13
    json.dumps(data)


def test_cli_inspect(corpus):
    from typer.testing import CliRunner

    from congkhai.cli import app

    d, _ = corpus
    res = CliRunner().invoke(app, ["inspect", str(d / "Document1.docx"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["doc_number"], data["doc_code"], data["issued"]) == ("15", "QĐ-UBND", "2024-01-10")
    assert data["text_source"] == "docx"


def test_cli_inspect_unopenable_file_exits_2(tmp_path):
    from typer.testing import CliRunner

    from congkhai.cli import app

    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF-1.4\ngarbage")
    res = CliRunner().invoke(app, ["inspect", str(bad), "--json"])
    assert res.exit_code == 2
    assert "lỗi" in res.output
    res = CliRunner().invoke(app, ["inspect", str(tmp_path / "missing.pdf"), "--json"])
    assert res.exit_code == 2


# ------------------------------------------------------------------ parser cases


HEADER = ["ỦY BAN NHÂN DÂN", "THỊ TRẤN KÉP", "_____"]
MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "_______"]


@pytest.mark.parametrize(("line", "number", "code"), [
    ("Số: 15/QĐ-UBND", "15", "QĐ-UBND"),
    ("Số: 05/2024/QĐ-UBND", "05", "2024/QĐ-UBND"),
    ("Số: 120/UBND-VP", "120", "UBND-VP"),
    ("Sô: 15/QÐ-UBND", "15", "QĐ-UBND"),  # OCR: ô for ố, Eth for Đ
    ("So: 07 / BB - UBND", "07", "BB-UBND"),  # no accents, spaces around separators
    ("Số:18/TTr-UBND", "18", "TTr-UBND"),
    ("Số: 21/QD-UBND", "21", "QĐ-UBND"),  # typed without the Đ
])
def test_number_forms(line, number, code):
    f = parse_lines(HEADER + [line] + MOTTO + ["Kép, ngày 05 tháng 01 năm 2024", "QUYẾT ĐỊNH", "Về việc x"])
    assert (f.doc_number, f.doc_code) == (number, code)


def test_body_references_are_not_the_number_or_the_date():
    lines = HEADER + ["Số: 03/KH-UBND"] + MOTTO + ["Kép, ngày 29 tháng 6 năm 2024", "KẾ HOẠCH",
                                                  "Tổ chức lấy ý kiến", "Căn cứ Luật số 10/2022/QH15 ngày 10 tháng 11 năm 2022;"]
    f = parse_lines(lines)
    assert (f.doc_number, f.doc_code, f.issued) == ("03", "KH-UBND", dt.date(2024, 6, 29))
    assert f.subject == "Tổ chức lấy ý kiến"


def test_nfd_and_ocr_diacritic_errors():
    raw = HEADER + ["Số: 15/QĐ-UBND"] + MOTTO + ["Kép, ngảy 05 thäng 01 nảm 2024", "QUYÉT ĐINH",
                                                 "Về việc ban hành quy chế", "Căn cứ Luật"]
    f = parse_lines([unicodedata.normalize("NFD", x) for x in raw])
    assert f.issued == dt.date(2024, 1, 5)
    assert f.place == "Kép"
    assert f.doc_type == "QUYẾT ĐỊNH"
    assert f.subject == "Về việc ban hành quy chế"
    assert unicodedata.is_normalized("NFC", f.subject)


def test_letter_with_vv_over_two_lines_is_cong_van():
    lines = HEADER + ["Số: 120/UBND-VP", "V/v tăng cường công tác", "phòng chống dịch bệnh"] + MOTTO + [
        "Kép, ngày 12 tháng 3 năm 2024", "Kính gửi: Các tổ dân phố.", "Nội dung."]
    f = parse_lines(lines)
    assert f.doc_type == "CÔNG VĂN"
    assert f.subject == "V/v tăng cường công tác phòng chống dịch bệnh"


def test_merged_ocr_header_lines():
    """OCR that glued the two header columns into one line still yields number, date and issuer."""
    lines = ["ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "THỊ TRẤN KÉP Độc lập - Tự do - Hạnh phúc",
             "Số: 80/TB-UBND Kép, ngày 10 tháng 7 năm 2024", "THÔNG BÁO", "Kết quả", "Căn cứ"]
    f = parse_lines(lines)
    assert (f.doc_number, f.doc_code, f.issued, f.place) == ("80", "TB-UBND", dt.date(2024, 7, 10), "Kép")
    assert f.doc_type == "THÔNG BÁO"


def test_signer_of_minutes_is_the_chair_on_the_right():
    lines = HEADER + ["Số: 07/BB-UBND"] + MOTTO + ["Kép, ngày 05 tháng 02 năm 2024", "BIÊN BẢN", "Họp xét",
                                                   "Nội dung.", "THƯ KÝ", "Ngô Thị Hoa", "CHỦ TỌA", "(Đã ký)",
                                                   "Đặng Minh Khôi"]
    assert parse_lines(lines).signer == "Đặng Minh Khôi"


def test_unreadable_files_raise_permanent_errors(tmp_path):
    empty = tmp_path / "a.pdf"
    empty.write_bytes(b"")
    with pytest.raises(PermanentError) as e:
        inspect(empty)
    assert e.value.kind == "empty"
    txt = tmp_path / "b.docx"
    txt.write_text("not a docx")
    with pytest.raises(PermanentError) as e:
        inspect(txt)
    assert e.value.kind == "wrong_type"
