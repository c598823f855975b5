"""Vietnamese test documents made with python-docx (before the real docxtpl templates exist).

Every style gets Times New Roman (ascii, hAnsi, eastAsia, cs), so fontconfig maps it to
Liberation Serif 2 with every Vietnamese glyph; all text is NFC. ``sample_set(folder, n)``
makes ``n`` mixed documents (posting minutes, plans with a table, reports over two pages) and
returns :class:`Doc` records saying what text each PDF must contain.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "Times New Roman"
NAMES = ("Đặng Minh Khôi", "Nguyễn Thị Hương", "Trần Văn Dũng", "Lê Thị Ánh Tuyết", "Phạm Quốc Việt")
PANGRAM = "Ấn định: ằ ắ ẳ ẵ ặ ầ ấ ẩ ẫ ậ ề ế ể ễ ệ ỉ ĩ ị ồ ố ổ ỗ ộ ờ ớ ở ỡ ợ ừ ứ ử ữ ự ỳ ỷ ỹ ỵ Đ đ Ơ Ư"


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def date_words(d: dt.date) -> str:
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"


def _set_font(style) -> None:
    style.font.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    # Theme fonts (Calibri/Cambria) would override the names above.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def new_document():
    doc = Document()
    for style in doc.styles:
        if style.type == 1 or style.type == 3:  # paragraph and table styles
            try:
                _set_font(style)
            except (AttributeError, ValueError):
                pass
    doc.styles["Normal"].font.size = Pt(13)
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin = sec.bottom_margin = Cm(2)
    sec.left_margin, sec.right_margin = Cm(3), Cm(1.5)
    # Leaked template properties: the converter must replace them per document.
    doc.core_properties.title = "Template title (must not leak)"
    return doc


@dataclass(frozen=True)
class Doc:
    path: Path
    kind: str
    title: str
    number: str
    date: dt.date
    expect_text: tuple[str, ...]
    pages: int


def make_docx(
    path: Path,
    *,
    kind: str = "posting_start_ubnd",
    title: str = "Biên bản niêm yết công khai",
    number: str = "05/BB-UBND",
    date: dt.date = dt.date(2024, 1, 5),
    person: str = NAMES[0],
    paragraphs: int = 4,
    table_rows: int = 0,
    page_break: bool = False,
) -> Doc:
    """One Nghị định 30-looking document; returns what its PDF must contain."""
    title, person = nfc(title), nfc(person)
    doc = new_document()
    head = doc.add_table(rows=1, cols=2)
    head.cell(0, 0).text = nfc("UBND XÃ KÉP\nSố: ") + number
    head.cell(0, 1).text = nfc("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    p = doc.add_paragraph(nfc(f"Kép, {date_words(date)}"))
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(title.upper()).bold = True
    for i in range(paragraphs):
        doc.add_paragraph(nfc(
            f"{i + 1}. Hôm nay, {date_words(date)}, tại trụ sở Ủy ban nhân dân xã Kép, ông (bà) {person} "
            "cùng đại diện Ban công tác Mặt trận tổ dân phố đã tiến hành niêm yết công khai thông tin "
            "tại Bản tin công khai theo Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15."
        ))
    if table_rows:
        t = doc.add_table(rows=table_rows + 1, cols=3)
        t.style = "Table Grid"
        for j, h in enumerate(("STT", "Nội dung công khai", "Hình thức")):
            t.cell(0, j).text = nfc(h)
        for r in range(1, table_rows + 1):
            t.cell(r, 0).text = str(r)
            t.cell(r, 1).text = nfc(f"Dự toán ngân sách xã năm {date.year}, mục {r}")
            t.cell(r, 2).text = nfc("Niêm yết, loa truyền thanh")
    if page_break:
        doc.add_page_break()
        doc.add_paragraph(nfc("Phụ lục: danh sách tổ dân phố đã niêm yết — Tổ dân phố Đồng Quang, Hữu Nghị."))
    doc.add_paragraph(nfc(PANGRAM))
    sig = doc.add_paragraph()
    sig.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sig.add_run(nfc("CHỦ TỊCH\n\n\n") + person).bold = True
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return Doc(path=path, kind=kind, title=title, number=number, date=date,
               expect_text=(number, person, date_words(date)), pages=2 if page_break else 1)


KINDS = (
    ("yearly_plan", "Kế hoạch thực hiện công khai thông tin năm 2024", "KH-UBND"),
    ("activity_plan", "Kế hoạch công khai dự toán ngân sách xã", "KH-UBND"),
    ("posting_start_ubnd", "Biên bản niêm yết công khai tại trụ sở UBND xã", "BB-UBND"),
    ("posting_start_group", "Biên bản niêm yết tại nhà văn hóa tổ dân phố", "BB-TDP"),
    ("broadcast_report", "Báo cáo kết quả phát tin trên Đài truyền thanh", "BC-ĐTT"),
    ("posting_end", "Biên bản kết thúc công khai thông tin", "BB-UBND"),
    ("council_report", "Báo cáo kết quả thực hiện công khai trình HĐND xã", "BC-UBND"),
)


def sample_set(folder: Path, n: int = 40, year: int = 2024) -> list[Doc]:
    """``n`` mixed documents: kinds in turn, every 5th with a table, every 7th two pages long."""
    docs = []
    for i in range(n):
        kind, title, suffix = KINDS[i % len(KINDS)]
        d = dt.date(year, 1 + (i * 11) // max(n, 1) % 12, 1 + (i * 7) % 28)
        docs.append(make_docx(
            folder / f"{i:03d}-{kind}.docx", kind=kind, title=title, number=f"{i + 1:02d}/{suffix}",
            date=d, person=NAMES[i % len(NAMES)], paragraphs=2 + i % 2,
            table_rows=6 if i % 5 == 0 else 0, page_break=(i % 7 == 3),
        ))
    return docs
