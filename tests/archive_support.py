"""Shared helpers of the archive tests: real PDFs (converted once per process by LibreOffice) and cases."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from congkhai.case import Case

#: name -> paragraphs. Each becomes a .docx (python-docx) and a PDF (LibreOffice) with real text.
TEXTS: dict[str, list[str]] = {
    "ho_ngheo": ["QUYẾT ĐỊNH", "Phê duyệt danh sách hộ nghèo, hộ cận nghèo năm 2024 trên địa bàn thị trấn Kép"],
    "du_toan": ["QUYẾT ĐỊNH", "Giao dự toán thu, chi ngân sách thị trấn năm 2024"],
    "niem_yet": ["BIÊN BẢN", "Niêm yết công khai tại trụ sở UBND thị trấn Kép, đường Đồng Quan"],
    "niem_yet_v2": ["BIÊN BẢN", "Niêm yết công khai tại trụ sở UBND thị trấn Kép (bản sửa), đường Đồng Quan"],
    "danh_muc": ["DANH MỤC", "Thông tin đã công khai quý I năm 2024: quỹ phòng chống thiên tai"],
}

_CACHE: dict[str, Path] = {}


def _make() -> dict[str, Path]:
    from docx import Document

    out = Path(tempfile.mkdtemp(prefix="congkhai-archive-pdfs-"))
    for name, paras in TEXTS.items():
        d = Document()
        for p in paras:
            d.add_paragraph(p)
        d.save(str(out / f"{name}.docx"))
    profile = out / "lo-profile"  # never share a LibreOffice profile with another process
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), *(str(out / f"{n}.docx") for n in TEXTS)],
        check=True, capture_output=True, timeout=180,
    )
    shutil.rmtree(profile, ignore_errors=True)
    files = {}
    for n in TEXTS:
        pdf = out / f"{n}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF-"), f"LibreOffice did not convert {n}"
        files[f"{n}.pdf"] = pdf
        files[f"{n}.docx"] = out / f"{n}.docx"
    return files


def sample_files(dest: Path) -> dict[str, Path]:
    """Copies of the sample .docx/.pdf files in ``dest`` (converted once per test process)."""
    if not _CACHE:
        _CACHE.update(_make())
    dest.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, src in _CACHE.items():
        out[name] = dest / name
        if not out[name].exists():
            shutil.copyfile(src, out[name])
    return out


def case(
    issued: dt.date = dt.date(2024, 2, 2),
    number: str | None = "15",
    code: str | None = "QĐ-UBND",
    subject: str = "Phê duyệt danh sách hộ nghèo, hộ cận nghèo năm 2024",
    item: str | None = "Q1-7",
    commune: str = "kep",
) -> Case:
    return Case(commune=commune, issued=issued, subject=subject, doc_number=number, doc_code=code,
                doc_type="QUYẾT ĐỊNH", issuer="UBND thị trấn Kép", signer="Nguyễn Văn An", item=item,
                law_item=7)


def populate(root: Path, files: dict[str, Path]) -> dict[str, object]:
    """A small archive of commune ``kep``: four cases across a year boundary and a quarterly list.

    - 2023-12-29 50/QĐ-UBND quỹ phòng chống thiên tai (no generated documents)
    - 2024-01-10 20/QĐ-UBND dự toán, item Q1-2, posting minute 2024-01-12
    - 2024-02-02 15/QĐ-UBND hộ nghèo, item Q1-7, posting minute 2024-02-05, end minute 2024-03-06
    - 2024-03-06 07/KH-UBND đường giao thông Đồng Quan (issued the day A's end minute is dated)
    - 2024/00_ca-nam: quarterly list no. 01 dated 2024-04-02
    """
    from congkhai.archive import Archive

    a = Archive(root, "kep")
    d0 = a.open_case(case(dt.date(2023, 12, 29), "50", subject="Trích lập Quỹ phòng, chống thiên tai", item=None))
    d0.add_original(files["danh_muc.pdf"])
    b = a.open_case(case(dt.date(2024, 1, 10), "20", subject="Giao dự toán ngân sách năm 2024", item="Q1-2"))
    b.add_original(files["du_toan.pdf"])
    b.add_file("posting_start_ubnd", files["niem_yet.pdf"], number=1, doc_date=dt.date(2024, 1, 12),
               versioned_key="posting_start_ubnd")
    c = a.open_case(case())
    c.add_original(files["ho_ngheo.pdf"])
    c.add_file("posting_start_ubnd", files["niem_yet.docx"], number=5, doc_date=dt.date(2024, 2, 5),
               versioned_key="posting_start_ubnd")
    c.add_file("posting_start_ubnd", files["niem_yet.pdf"], number=5, doc_date=dt.date(2024, 2, 5),
               versioned_key="posting_start_ubnd")
    c.add_file("posting_end", files["niem_yet_v2.pdf"], number=9, doc_date=dt.date(2024, 3, 6),
               versioned_key="posting_end")
    d = a.open_case(case(dt.date(2024, 3, 6), "07", "KH-UBND", subject="Đầu tư đường giao thông tổ dân phố Đồng Quan",
                         item=None))
    d.add_original(files["niem_yet.docx"])
    y = a.year_folder(2024)
    y.add_file("quarterly_list", files["danh_muc.pdf"], number=1, doc_date=dt.date(2024, 4, 2),
               versioned_key="quarterly_list:2024-Q1", title="Danh mục thông tin đã công khai quý I năm 2024")
    return {"archive": a, "d0": d0, "b": b, "c": c, "d": d, "year": y}
