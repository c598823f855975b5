"""Build the intake test corpus: realistic Kép 2024 issued documents with their expected fields.

Each document is written with python-docx in the Nghị định 30/2020 layout (a borderless two-column
header table: issuing body and ``Số:`` on the left, the national motto and the italic place-and-date
line on the right; the document type and the subject; a short body; ``Nơi nhận:`` beside the
signature block). From the .docx files we make:

- ``docx``: the .docx itself (a few in NFD, as some Windows tools save them);
- ``pdf``: converted by one real LibreOffice run (text layer);
- ``scan``: page 1 of such a PDF rasterised with pdftoppm at 200 dpi, skewed, speckled, blurred and
  wrapped back into an image-only PDF (or left as a PNG/JPEG photo of the page).

File names are deliberately unhelpful (``scan_0007.pdf``, ``Document1.docx``). ``expected.json`` maps
each file name to the fields ``congkhai inspect`` should find. Run it as a script to build into a
folder: ``python tests/corpus/make_corpus.py OUTDIR``; ``build(outdir)`` is what the tests call (it is
cached: a matching ``VERSION`` stamp means the corpus is already there).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

#: Bump when the corpus changes, so cached copies are rebuilt.
VERSION = "7"

UBND = ("ỦY BAN NHÂN DÂN", "THỊ TRẤN KÉP")
UBND_SUP = ("UBND HUYỆN LẠNG GIANG", "ỦY BAN NHÂN DÂN", "THỊ TRẤN KÉP")
HDND = ("HỘI ĐỒNG NHÂN DÂN", "THỊ TRẤN KÉP")
CHAIR = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
VICE = ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
HDND_CHAIR = ("TM. HỘI ĐỒNG NHÂN DÂN", "CHỦ TỊCH")

BODY_GENERIC = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số "
    "điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;",
    "Căn cứ Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15 ngày 10 tháng 11 năm 2022;",
    "Căn cứ Quyết định số 411/QĐ-UBND ngày 21/3/2022 của Chủ tịch UBND tỉnh Bắc Giang;",
]


@dataclass
class Spec:
    name: str  # output file name (often meaningless on purpose)
    fmt: str  # docx | pdf | scan_pdf | scan_png | scan_jpg
    number: str
    code: str
    issued: dt.date
    doc_type: str | None  # None: an official letter (công văn) with V/v
    subject: list[str]  # lines as printed (V/v lines for a letter)
    signer: str
    item: str | None = None
    body_lines: tuple[str, ...] = ()
    issuer_lines: tuple[str, ...] = UBND
    title: tuple[str, ...] = CHAIR
    place: str = "Kép"
    minutes_secretary: str | None = None  # BIÊN BẢN: THƯ KÝ on the left, CHỦ TỌA (signer) on the right
    nfd: bool = False
    month_no_zero: bool = False  # "tháng 3" (correct) vs "tháng 01"; some clerks write "ngày 5"
    extra: dict = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        lines = self.issuer_lines[1:] if self.issuer_lines is UBND_SUP else self.issuer_lines
        return " ".join(lines)

    @property
    def doc_type_expected(self) -> str:
        return self.doc_type or "CÔNG VĂN"

    def date_line(self) -> str:
        d = self.issued
        day = f"{d.day:02d}" if not self.month_no_zero else str(d.day)
        month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
        return f"{self.place}, ngày {day} tháng {month} năm {d.year}"


D = dt.date


def specs() -> list[Spec]:
    """The corpus: ≥ 30 documents across the year, every type, every layout variant we must read."""
    s = [
        Spec("KH-cong-khai-2024.pdf", "pdf", "01", "KH-UBND", D(2024, 1, 5), "KẾ HOẠCH",
             ["Thực hiện công khai trong cơ quan hành chính nhà nước", "và theo Luật dân chủ ở cơ sở năm 2024"],
             "Đặng Minh Khôi", item="1.1"),
        Spec("Document1.docx", "docx", "15", "QĐ-UBND", D(2024, 1, 10), "QUYẾT ĐỊNH",
             ["Về việc ban hành Quy chế thực hiện dân chủ của Ủy ban nhân dân thị trấn Kép"],
             "Đặng Minh Khôi", item="1.3"),
        Spec("scan_0001.pdf", "scan_pdf", "12", "BC-UBND", D(2024, 1, 15), "BÁO CÁO",
             ["Tình hình phát triển kinh tế - xã hội năm 2023"], "Đặng Minh Khôi", item="Q1-3"),
        Spec("nq dutoan.pdf", "pdf", "05", "NQ-HĐND", D(2024, 1, 8), "NGHỊ QUYẾT",
             ["Về dự toán ngân sách nhà nước năm 2024"], "Hoàng Văn Lâm", item="Q1-8",
             issuer_lines=HDND, title=HDND_CHAIR),
        Spec("vb moi (2).docx", "docx", "08", "KH-UBND", D(2024, 1, 18), "KẾ HOẠCH",
             ["Phát triển kinh tế - xã hội năm 2024"], "Đặng Minh Khôi", item="Q1-6", issuer_lines=UBND_SUP),
        Spec("20240122.pdf", "pdf", "20", "TB-UBND", D(2024, 1, 22), "THÔNG BÁO",
             ["Số liệu và thuyết minh tình hình thực hiện dự toán", "ngân sách thị trấn năm 2023"],
             "Nguyễn Văn Hùng", item="Q1-4", title=VICE),
        Spec("scan_0002.pdf", "scan_pdf", "25", "KH-UBND", D(2024, 1, 29), "KẾ HOẠCH",
             ["Lấy ý kiến Nhân dân về nội dung thị trấn đưa ra lấy ý kiến năm 2024"], "Đặng Minh Khôi",
             item="Q1-1"),
        Spec("bao cao y kien.docx", "docx", "30", "BC-UBND", D(2024, 2, 26), "BÁO CÁO",
             ["Kết quả tổng hợp ý kiến và giải trình, tiếp thu ý kiến của Nhân dân"], "Đặng Minh Khôi",
             item="Q1-2", nfd=True),
        Spec("QD phi le phi.pdf", "pdf", "05", "2024/QĐ-UBND", D(2024, 2, 2), "QUYẾT ĐỊNH",
             ["Ban hành quy định đối tượng, mức thu các loại phí, lệ phí", "do thị trấn trực tiếp thu"],
             "Đặng Minh Khôi", item="U-1"),
        Spec("TTr.docx", "docx", "18", "TTr-UBND", D(2024, 3, 4), "TỜ TRÌNH",
             ["Đề nghị phê chuẩn phương án chuyển dịch cơ cấu kinh tế năm 2024 của thị trấn"],
             "Đặng Minh Khôi", item="Q1-9"),
        Spec("cv120.pdf", "pdf", "120", "UBND-VP", D(2024, 3, 12), None,
             ["V/v niêm yết công khai các thủ tục hành chính", "tại Bộ phận Một cửa"], "Nguyễn Văn Hùng",
             item="1.7", title=VICE),
        Spec("scan_0003.pdf", "scan_pdf", "45", "BC-UBND", D(2024, 3, 20), "BÁO CÁO",
             ["Kết quả thực hiện phương án chuyển dịch cơ cấu kinh tế năm 2023"], "Đặng Minh Khôi",
             item="Q1-5"),
        Spec("nq quyet toan.docx", "docx", "12", "NQ-HĐND", D(2024, 4, 15), "NGHỊ QUYẾT",
             ["Phê chuẩn quyết toán ngân sách nhà nước năm 2023"], "Hoàng Văn Lâm", item="Q2-1",
             issuer_lines=HDND, title=HDND_CHAIR),
        Spec("thong bao.pdf", "pdf", "55", "TB-UBND", D(2024, 4, 10), "THÔNG BÁO",
             ["Số liệu và thuyết minh tình hình thực hiện dự toán ngân sách thị trấn quý I năm 2024"],
             "Nguyễn Văn Hùng", item="Q2-2", title=VICE, month_no_zero=True),
        Spec("KH lay y kien.pdf", "pdf", "60", "KH-UBND", D(2024, 5, 6), "KẾ HOẠCH",
             ["Lấy ý kiến Nhân dân về dự thảo quy hoạch chi tiết", "khu dân cư số 2 thị trấn Kép"],
             "Đặng Minh Khôi", item="Q2-3"),
        Spec("BB kiem ke.docx", "docx", "21", "BB-UBND", D(2024, 5, 20), "BIÊN BẢN",
             ["Kiểm kê, đánh giá lại tài sản công do thị trấn quản lý năm 2024"], "Đặng Minh Khôi",
             item="N-6", minutes_secretary="Ngô Thị Hoa", title=("CHỦ TỌA",)),
        Spec("scan_0004.pdf", "scan_pdf", "80", "TB-UBND", D(2024, 7, 10), "THÔNG BÁO",
             ["Số liệu và thuyết minh tình hình thực hiện dự toán ngân sách", "thị trấn 6 tháng đầu năm 2024"],
             "Nguyễn Văn Hùng", item="Q3-1", title=VICE),
        Spec("KH thu hoi dat.pdf", "pdf", "85", "KH-UBND", D(2024, 7, 15), "KẾ HOẠCH",
             ["Thu hồi đất, bồi thường, hỗ trợ, tái định cư thực hiện dự án", "đường tỉnh 295 đoạn qua thị trấn Kép"],
             "Đặng Minh Khôi", item="N-2"),
        Spec("TB mat GCN.docx", "docx", "92", "TB-UBND", D(2024, 8, 1), "THÔNG BÁO",
             ["Mất Giấy chứng nhận quyền sử dụng đất của hộ ông Nguyễn Văn Tám"], "Nguyễn Văn Hùng",
             item="N-12", title=VICE),
        Spec("IMG_20240916_0932.png", "scan_png", "150", "QĐ-UBND", D(2024, 9, 16), "QUYẾT ĐỊNH",
             ["Về việc hỗ trợ các hộ gia đình bị thiệt hại do thiên tai bão số 3"], "Đặng Minh Khôi",
             item="N-7"),
        Spec("BC quyen gop.pdf", "pdf", "160", "BC-UBND", D(2024, 9, 30), "BÁO CÁO",
             ["Kết quả quản lý, sử dụng các nguồn đóng góp, quyên góp tự nguyện", "khắc phục hậu quả bão số 3"],
             "Đặng Minh Khôi", item="N-8"),
        Spec("tb quy 3.docx", "docx", "170", "TB-UBND", D(2024, 10, 10), "THÔNG BÁO",
             ["Số liệu và thuyết minh tình hình thực hiện dự toán ngân sách thị trấn quý III năm 2024"],
             "Nguyễn Văn Hùng", item="Q4-1", title=VICE),
        Spec("KH ho ngheo.pdf", "pdf", "175", "KH-UBND", D(2024, 10, 15), "KẾ HOẠCH",
             ["Rà soát hộ nghèo, hộ cận nghèo năm 2024 trên địa bàn thị trấn Kép"], "Đặng Minh Khôi",
             item="Q4-4"),
        Spec("scan_0005.pdf", "scan_pdf", "210", "QĐ-UBND", D(2024, 11, 28), "QUYẾT ĐỊNH",
             ["Về việc công nhận kết quả rà soát hộ nghèo, hộ cận nghèo năm 2024"], "Đặng Minh Khôi",
             item="Q4-5"),
        Spec("TB nhap ngu.pdf", "pdf", "215", "TB-UBND", D(2024, 12, 2), "THÔNG BÁO",
             ["Số lượng, đối tượng, tiêu chuẩn gọi công dân nhập ngũ năm 2025"], "Nguyễn Văn Hùng",
             item="Q4-7", title=VICE),
        Spec("Document2.docx", "docx", "220", "QĐ-UBND", D(2024, 12, 10), "QUYẾT ĐỊNH",
             ["Về việc phê duyệt danh sách công dân đủ điều kiện nhập ngũ năm 2025"], "Đặng Minh Khôi",
             item="Q4-8", issuer_lines=UBND_SUP),
        Spec("scan_0006.jpg", "scan_jpg", "225", "TB-UBND", D(2024, 12, 16), "THÔNG BÁO",
             ["Danh sách công dân được gọi nhập ngũ năm 2025"], "Nguyễn Văn Hùng", item="Q4-9", title=VICE),
        Spec("QD tam hoan.pdf", "pdf", "228", "QĐ-UBND", D(2024, 12, 18), "QUYẾT ĐỊNH",
             ["Về việc tạm hoãn gọi nhập ngũ, miễn gọi nhập ngũ", "đối với công dân năm 2025"],
             "Đặng Minh Khôi", item="Q4-10"),
        Spec("tb cand.docx", "docx", "230", "TB-UBND", D(2024, 12, 20), "THÔNG BÁO",
             ["Danh sách công dân đủ điều kiện thực hiện nghĩa vụ tham gia Công an nhân dân năm 2025"],
             "Nguyễn Văn Hùng", item="Q4-11", title=VICE, nfd=True),
        Spec("BC tin nhiem.pdf", "pdf", "200", "BC-UBND", D(2024, 11, 5), "BÁO CÁO",
             ["Kết quả lấy phiếu tín nhiệm đối với Chủ tịch, Phó Chủ tịch", "Ủy ban nhân dân thị trấn"],
             "Đặng Minh Khôi", item="N-10"),
        Spec("cv135.docx", "docx", "135", "UBND-ĐC", D(2024, 3, 25), None,
             ["V/v công khai thủ tục cấp Giấy chứng nhận quyền sử dụng đất,", "quyền sở hữu nhà ở"],
             "Nguyễn Văn Hùng", item="N-13", title=VICE),
        Spec("BC kiem toan.pdf", "pdf", "240", "BC-UBND", D(2024, 12, 25), "BÁO CÁO",
             ["Kết quả thực hiện các kiến nghị của Kiểm toán nhà nước"], "Đặng Minh Khôi", item="N-11"),
        Spec("scan_0007.pdf", "scan_pdf", "03", "TB-UBND", D(2024, 1, 3), "THÔNG BÁO",
             ["Đối tượng, mức thu các loại phí, lệ phí năm 2024"], "Nguyễn Văn Hùng", item="U-1", title=VICE),
        Spec("QD nha o.docx", "docx", "100", "QĐ-UBND", D(2024, 6, 12), "QUYẾT ĐỊNH",
             ["Về việc phê duyệt danh sách hộ được hỗ trợ xây dựng nhà ở năm 2024"], "Đặng Minh Khôi",
             item=None),
        Spec("BB tiep dan.pdf", "pdf", "07", "BB-UBND", D(2024, 2, 5), "BIÊN BẢN",
             ["Họp xét duyệt đối tượng hưởng chính sách trợ cấp xã hội năm 2024"], "Đặng Minh Khôi",
             item=None, minutes_secretary="Ngô Thị Hoa", title=("CHỦ TỌA",)),
    ]
    return s


# ---------------------------------------------------------------- docx writing


def _fonts(doc: Document) -> None:
    """Times New Roman on every style we use (PLATFORM.md: python-docx defaults have no Vietnamese)."""
    for style_name in ("Normal", "Table Grid"):
        try:
            st = doc.styles[style_name]
        except KeyError:
            continue
        st.font.name = "Times New Roman"
        st.font.size = Pt(13)
        rpr = st.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(attr), "Times New Roman")


def _para(container, text: str, *, bold=False, italic=False, size=13, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=0, nfd=False, indent=False):
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if indent:
        p.paragraph_format.first_line_indent = Cm(1.0)
    run = p.add_run(unicodedata.normalize("NFD" if nfd else "NFC", text))
    run.bold = bold
    run.italic = italic
    run.font.size = Pt(size)
    run.font.name = "Times New Roman"
    return p


def _cell(table, r: int, c: int):
    cell = table.cell(r, c)
    # A fresh cell holds one empty paragraph: remove it so the first line is ours.
    for p in list(cell.paragraphs):
        p._element.getparent().remove(p._element)
    return cell


def _widths(table, widths_cm: tuple[float, float]) -> None:
    """Column widths come from w:tblGrid in LibreOffice (PLATFORM.md): set grid and cells."""
    grid = table._tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=False):
        gc.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(w)


def write_docx(spec: Spec, path: Path) -> None:
    nfd = spec.nfd
    doc = Document()
    _fonts(doc)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2), Cm(2)
    sec.left_margin, sec.right_margin = Cm(3), Cm(1.5)
    doc.core_properties.title = ""  # a template's title must not leak into the PDF
    doc.core_properties.author = "UBND thị trấn Kép"

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(head, (6.0, 10.5))
    left, right = _cell(head, 0, 0), _cell(head, 0, 1)
    for i, line in enumerate(spec.issuer_lines):
        sup = spec.issuer_lines is UBND_SUP and i == 0
        _para(left, line, bold=not sup, size=12 if sup else 13, nfd=nfd)
    _para(left, "_______", size=8)
    _para(left, f"Số: {spec.number}/{spec.code}", nfd=nfd)
    if spec.doc_type is None:  # official letter: V/v lines under the number
        for line in spec.subject:
            _para(left, line, size=12, nfd=nfd)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, nfd=nfd)
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, nfd=nfd)
    _para(right, "_______________________", size=8)
    _para(right, spec.date_line(), italic=True, size=13, nfd=nfd)

    _para(doc, "", size=6)
    if spec.doc_type is not None:
        _para(doc, spec.doc_type, bold=True, size=14, nfd=nfd)
        for line in spec.subject:
            _para(doc, line, bold=True, size=14, nfd=nfd)
        _para(doc, "_________", size=8, space_after=6)
        if spec.doc_type == "QUYẾT ĐỊNH":
            _para(doc, "CHỦ TỊCH ỦY BAN NHÂN DÂN THỊ TRẤN KÉP", bold=True, size=14, space_after=6, nfd=nfd)
    else:
        _para(doc, "Kính gửi: Các tổ dân phố thuộc thị trấn Kép.", size=14, space_after=6, nfd=nfd)

    body = list(spec.body_lines) or _body_for(spec)
    for line in body:
        _para(doc, line, size=13, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=6, nfd=nfd, indent=True)

    _para(doc, "", size=6)
    sig = doc.add_table(rows=1, cols=2)
    _widths(sig, (8.0, 8.5))
    left, right = _cell(sig, 0, 0), _cell(sig, 0, 1)
    if spec.minutes_secretary:
        _para(left, "THƯ KÝ", bold=True, size=13, nfd=nfd)
        for _ in range(3):
            _para(left, "", size=13)
        _para(left, spec.minutes_secretary, bold=True, size=14, nfd=nfd)
    else:
        _para(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, nfd=nfd)
        for line in ("- UBND huyện Lạng Giang;", "- TT Đảng ủy, HĐND thị trấn;", "- Lưu: VT, VP."):
            _para(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT, nfd=nfd)
    for line in spec.title:
        _para(right, line, bold=True, size=13, nfd=nfd)
    _para(right, "(Đã ký)", italic=True, size=13, nfd=nfd)
    for _ in range(2):
        _para(right, "", size=13)
    _para(right, spec.signer, bold=True, size=14, nfd=nfd)
    doc.save(str(path))


def _body_for(spec: Spec) -> list[str]:
    subj = " ".join(spec.subject)
    if spec.doc_type == "QUYẾT ĐỊNH":
        return BODY_GENERIC[:2] + [
            "Xét đề nghị của công chức Văn phòng - Thống kê thị trấn.",
            f"Điều 1. Ban hành kèm theo Quyết định này nội dung {subj[0].lower() + subj[1:]}.",
            "Điều 2. Quyết định có hiệu lực kể từ ngày ký.",
        ]
    if spec.doc_type == "BIÊN BẢN":
        return [
            f"Hôm nay, {spec.issued.day:02d}/{spec.issued.month:02d}/{spec.issued.year}, tại trụ sở UBND "
            "thị trấn Kép, chúng tôi gồm có:",
            "Chủ tọa: ông Đặng Minh Khôi, Chủ tịch UBND thị trấn; thư ký: bà Ngô Thị Hoa, công chức Văn phòng.",
            "Cuộc họp kết thúc vào hồi 11 giờ 00 cùng ngày, biên bản được thông qua.",
        ]
    if spec.doc_type is None:
        return [
            "Thực hiện Kế hoạch số 01/KH-UBND ngày 05/01/2024 của UBND thị trấn về thực hiện công khai "
            "năm 2024, UBND thị trấn đề nghị các tổ dân phố triển khai thực hiện nội dung trên.",
            "Đề nghị các đồng chí tổ trưởng tổ dân phố quan tâm thực hiện.",
        ]
    return BODY_GENERIC[1:2] + [
        f"Ủy ban nhân dân thị trấn Kép {spec.doc_type.lower()} về {subj[0].lower() + subj[1:]} như sau:",
        "Các bộ phận chuyên môn, tổ dân phố căn cứ nội dung trên tổ chức thực hiện nghiêm túc, hiệu quả.",
    ]


# ---------------------------------------------------------------- conversion and scans


def convert_all(docx_files: list[Path], outdir: Path) -> None:
    """One LibreOffice run for all files, with a private profile (never share a profile)."""
    if not docx_files:
        return
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as prof:
        cmd = ["soffice", f"-env:UserInstallation=file://{prof}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), *map(str, docx_files)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    for f in docx_files:
        pdf = outdir / (f.stem + ".pdf")
        # soffice exits 0 when it fails: check the result itself
        if not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF-"):
            raise RuntimeError(f"LibreOffice did not convert {f}")


def make_scan(pdf: Path, out: Path, seed: int) -> None:
    """Rasterise page 1 at 200 dpi and make it look scanned: skew, speckles, blur, grey paper."""
    from PIL import Image, ImageFilter

    rnd = random.Random(seed)
    with tempfile.TemporaryDirectory() as td:
        subprocess.run(["pdftoppm", "-r", "200", "-gray", "-f", "1", "-l", "1", "-png", str(pdf),
                        f"{td}/p"], check=True, capture_output=True)
        png = next(Path(td).glob("p*.png"))
        img = Image.open(png).convert("L")
        img.load()
    angle = rnd.choice([-1, 1]) * rnd.uniform(0.6, 1.8)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    noise = Image.effect_noise(img.size, 40).point(lambda v: 0 if v < 18 else 255)  # sparse dark specks
    img = Image.composite(img, noise, noise)  # speck where the noise is black
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    img = img.point(lambda v: int(v * 0.9 + 12))  # grey paper, lighter ink contrast
    if out.suffix == ".pdf":
        img.save(out, "PDF", resolution=200.0)
    elif out.suffix == ".jpg":
        img.save(out, "JPEG", quality=70, dpi=(200, 200))
    else:
        img.save(out, "PNG", dpi=(200, 200))


def expected_fields(spec: Spec) -> dict:
    return {
        "doc_number": spec.number,
        "doc_code": spec.code,
        "doc_type": spec.doc_type_expected,
        "issued": spec.issued.isoformat(),
        "place": spec.place,
        "issuer": spec.issuer,
        "subject": " ".join(spec.subject),
        "signer": spec.signer,
        "item": spec.item,
        "format": spec.fmt,
        "text_source": {"docx": "docx", "pdf": "text"}.get(spec.fmt, "ocr"),
    }


def build(outdir: Path, *, only: set[str] | None = None) -> dict[str, dict]:
    """Build the corpus into ``outdir`` (skipped when already built at this VERSION); return expected."""
    outdir = Path(outdir)
    stamp = outdir / "VERSION"
    exp_file = outdir / "expected.json"
    if stamp.is_file() and stamp.read_text() == VERSION and exp_file.is_file():
        return json.loads(exp_file.read_text(encoding="utf-8"))
    if outdir.exists():
        shutil.rmtree(outdir)
    outdir.mkdir(parents=True)
    work = outdir / "_work"
    work.mkdir()
    all_specs = [s for s in specs() if only is None or s.name in only]
    to_convert: list[Path] = []
    for i, spec in enumerate(all_specs):
        src = work / f"d{i:02d}.docx"
        write_docx(spec, src)
        if spec.fmt == "docx":
            shutil.copyfile(src, outdir / spec.name)
        else:
            to_convert.append(src)
    convert_all(to_convert, work)
    for i, spec in enumerate(all_specs):
        pdf = work / f"d{i:02d}.pdf"
        if spec.fmt == "pdf":
            shutil.copyfile(pdf, outdir / spec.name)
        elif spec.fmt.startswith("scan"):
            make_scan(pdf, outdir / spec.name, seed=i)
    shutil.rmtree(work)
    expected = {s.name: expected_fields(s) for s in all_specs}
    exp_file.write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")
    stamp.write_text(VERSION)
    return expected


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TMPDIR", "/tmp") + "/congkhai-corpus")
    exp = build(target)
    print(f"{len(exp)} documents in {target}")
