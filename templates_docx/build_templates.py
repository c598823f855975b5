"""Build the nine Nghị định 30/2020 .docx templates (docxtpl) from code, reproducibly.

Run: ``.venv/bin/python templates_docx/build_templates.py`` (writes ``templates_docx/<kind>.docx``
and ``group_notice.txt``). The .docx files are committed too, so a commune can open one in Word,
but this script is the source: change the format here, then rebuild.

Format (Nghị định 30/2020/NĐ-CP, Phụ lục I):
- A4, margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; page numbers centred in the top
  margin, none on page 1.
- Times New Roman on every style, for every script slot (ascii, hAnsi, eastAsia, cs): python-docx's
  default template uses theme fonts (Calibri/Cambria) whose substitutes have no Vietnamese.
- Header: a borderless two-column table. Left: the issuing body (upper case, bold 13) with a short
  rule under it, then ``Số: 05/KH-UBND`` (13). Right: the national title (bold 12), the motto
  (bold 13) with a rule as long as the motto, then the italic place-and-date line (14).
  The rules are short, empty paragraphs with a top border, indented so the line is centred.
- Document type in bold upper case (14), the subject in bold (14) with a short rule under it.
- Body justified, first-line indent 1.27 cm, 6 pt after, single line spacing.
- Signatures in a borderless two-column table: ``Nơi nhận:`` (bold italic 12, list 11) at the
  left level with ``TM. ỦY BAN NHÂN DÂN`` / ``CHỦ TỊCH``; minutes: THƯ KÝ (left) / CHỦ TỌA (right)
  and the witnesses below.

Jinja tags are written as whole runs (one run per tag) so docxtpl sees them intact; paragraph
loops use docxtpl's ``{%p … %}`` form, table rows ``{%tr … %}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
FONT = "Times New Roman"

#: Column widths (cm) of the header and signature tables; the text width is 21 - 3 - 1.5 = 16.5 cm.
TEXT_WIDTH_CM = 16.5
LEFT_COL_CM = 6.5
RIGHT_COL_CM = TEXT_WIDTH_CM - LEFT_COL_CM
CELL_MARGIN_CM = 0.19  # Word's default left/right cell margin
#: Rule lengths: ND30 asks 1/3-1/2 of the body name under it, and the motto's own length
#: (Liberation Serif Bold 13 pt: "Độc lập - Tự do - Hạnh phúc" measures 5.6 cm).
BODY_RULE_CM = 2.2
MOTTO_RULE_CM = 5.6
SUBJECT_RULE_CM = 3.0

Run = tuple[str, str]  # (text, flags): flags among "b", "i", e.g. ("KẾ HOẠCH", "b")


# ---------------------------------------------------------------- low-level XML helpers


def _set_fonts(rpr) -> None:  # type: ignore[no-untyped-def]
    """Times New Roman in all four slots, theme fonts removed (they win over explicit names)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _rpr_of(element):  # type: ignore[no-untyped-def]
    rpr = element.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        element.append(rpr)
    return rpr


def _lang_vi(rpr) -> None:  # type: ignore[no-untyped-def]
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")


def _no_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def _fixed_widths(table: Table, widths_cm: Sequence[float]) -> None:
    """Widths in both the grid and every cell (LibreOffice reads the grid, Word the cells)."""
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(int(sum(widths_cm) / 2.54 * 1440)))
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(int(w / 2.54 * 1440)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(w)


def _border(paragraph: Paragraph, edge: str = "top") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    el = OxmlElement(f"w:{edge}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), "6")  # eighths of a point: a 0.75 pt line
    el.set(qn("w:space"), "1")
    el.set(qn("w:color"), "000000")
    bdr.append(el)
    ppr.append(bdr)


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field as begin/instr/separate/end runs (understood by Word and LibreOffice)."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""
        run.font.size = Pt(13)


def _draft_mark(paragraph: Paragraph) -> None:
    """``{{ draft_mark }}``: ``DỰ THẢO`` on a draft, empty on a final (one run, bold 13)."""
    run = paragraph.add_run("{{ draft_mark }}")
    run.bold = True
    run.font.size = Pt(13)


def _cant_split(table: Table) -> None:
    """No row of ``table`` breaks across pages."""
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        el = OxmlElement("w:cantSplit")
        trpr.append(el)


def _keep_with_next(table: Table, last_row_too: bool = False) -> None:
    """Every paragraph of the table's rows (but the last's) keeps with the next: Word and LibreOffice
    then move the rows together, and a paragraph before the table with its first row."""
    rows = table.rows if last_row_too else table.rows[:-1]
    for row in rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


# ---------------------------------------------------------------- the builder


class Builder:
    """One template under construction; methods append ND30-formatted blocks."""

    def __init__(self, body_size: float = 14) -> None:
        self.body_size = body_size
        self.doc = Document()
        self._page()
        self._styles()
        # python-docx starts with one empty paragraph; remove it so the header is first.
        body = self.doc.element.body
        for p in body.findall(qn("w:p")):
            body.remove(p)
        self._last: Paragraph | None = None  # the last body paragraph (kept with the signature)

    # -- document-wide settings
    def _page(self) -> None:
        s = self.doc.sections[0]
        s.orientation = WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = Mm(210), Mm(297)
        s.top_margin, s.bottom_margin = Mm(20), Mm(20)
        s.left_margin, s.right_margin = Mm(30), Mm(15)
        s.header_distance, s.footer_distance = Mm(10), Mm(10)
        # Page numbers: centred in the top margin, not on page 1 (ND30). A draft's mark, DỰ THẢO, at the
        # right of every page's header (page 1 too): text, so it survives any PDF text extraction.
        s.different_first_page_header_footer = True
        hp = s.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.LEFT
        stops = hp.paragraph_format.tab_stops
        stops.add_tab_stop(Cm(TEXT_WIDTH_CM / 2), WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
        hp.add_run("\t").font.size = Pt(13)
        _page_field(hp)
        hp.add_run("\t").font.size = Pt(13)
        _draft_mark(hp)
        fp = s.first_page_header.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _draft_mark(fp)

    def _styles(self) -> None:
        styles_el = self.doc.styles.element
        defaults = styles_el.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault"))
        rpr = _rpr_of(rpr_default)
        _set_fonts(rpr)
        _lang_vi(rpr)
        for style in self.doc.styles:
            el = style.element
            if el.get(qn("w:type")) in ("paragraph", "character", "table"):
                _set_fonts(_rpr_of(el))
        # Table styles' conditional formats (tblStylePr) carry theme fonts too: fix every rFonts.
        for fonts in list(styles_el.iter(qn("w:rFonts"))):
            _set_fonts(fonts.getparent())
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(self.body_size)
        pf = normal.paragraph_format
        pf.space_before, pf.space_after = Pt(0), Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        props = self.doc.core_properties
        props.title = props.subject = props.keywords = props.comments = props.category = ""
        props.author = props.last_modified_by = "congkhai"

    # -- paragraphs
    def para(
        self,
        runs: str | Iterable[Run],
        *,
        where: _Cell | None = None,
        align: str = "justify",
        size: float | None = None,
        indent: bool = True,
        after: float = 6,
        before: float = 0,
        flags: str = "",
        keep_next: bool = False,
    ) -> Paragraph:
        """A paragraph of runs; ``runs`` as a plain string is one run with ``flags``."""
        target = where if where is not None else self.doc
        p = target.add_paragraph()
        p.alignment = {
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
        }[align]
        pf = p.paragraph_format
        pf.space_after, pf.space_before = Pt(after), Pt(before)
        pf.first_line_indent = Cm(1.27) if indent else Cm(0)
        if keep_next:
            pf.keep_with_next = True
        if where is None:
            self._last = p
        items: list[Run] = [(runs, flags)] if isinstance(runs, str) else list(runs)
        for text, f in items:
            r = p.add_run(text)
            r.bold = "b" in f or None
            r.italic = "i" in f or None
            r.font.size = Pt(size or self.body_size)
        # The paragraph mark's size sets an empty paragraph's height.
        mark = _rpr_of(p._p.get_or_add_pPr())
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(int((size or self.body_size) * 2)))
        mark.append(sz)
        return p

    def tag(self, tag: str, where: _Cell | None = None) -> None:
        """A docxtpl paragraph tag (``for x in xs``, ``endfor``, ``if …``): the paragraph vanishes."""
        target = where if where is not None else self.doc
        p = target.add_paragraph()
        p.add_run("{%p " + tag + " %}")

    def rule(self, where: _Cell, col_cm: float, length_cm: float, after: float = 2) -> None:
        """A centred short line: an empty 1-pt paragraph whose top border is the rule."""
        p = where.add_paragraph()
        pf = p.paragraph_format
        usable = col_cm - 2 * CELL_MARGIN_CM
        side = max((usable - length_cm) / 2, 0)
        pf.left_indent = pf.right_indent = Cm(side)
        # A little space above, so the line sits under the descenders instead of touching them.
        pf.space_before, pf.space_after = Pt(3), Pt(after)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(2)
        mark = _rpr_of(p._p.get_or_add_pPr())
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), "2")
        mark.append(sz)
        _border(p, "top")

    def table(self, widths_cm: Sequence[float], rows: int = 1) -> Table:
        t = self.doc.add_table(rows=rows, cols=len(widths_cm))
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_borders(t)
        _fixed_widths(t, widths_cm)
        for row in t.rows:
            for cell in row.cells:
                # A new cell holds one empty paragraph; drop it so blocks start at the top.
                for p in list(cell.paragraphs):
                    p._p.getparent().remove(p._p)
        return t

    # -- ND30 blocks
    def header(self) -> None:
        """The two-column header: issuing body + number | national title, motto + place and date.

        Two rows so ``Số:`` and the place-and-date line sit on the same line whatever the body name.
        """
        t = self.table([LEFT_COL_CM, RIGHT_COL_CM], rows=2)
        left, right = t.rows[0].cells
        self.tag("if issuer_parent", left)
        self.para("{{ issuer_parent }}", where=left, align="center", size=13, indent=False, after=0)
        self.tag("endif", left)
        self.tag("for line in issuer_lines", left)
        self.para("{{ line }}", where=left, align="center", size=13, indent=False, after=0, flags="b")
        self.tag("endfor", left)
        self.rule(left, LEFT_COL_CM, BODY_RULE_CM)
        self.para(
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", where=right, align="center", size=12, indent=False, after=0, flags="b"
        )
        self.para("Độc lập - Tự do - Hạnh phúc", where=right, align="center", size=13, indent=False, after=0, flags="b")
        self.rule(right, RIGHT_COL_CM, MOTTO_RULE_CM)
        left2, right2 = t.rows[1].cells
        self.para("Số: {{ number_notation }}", where=left2, align="center", size=13, indent=False, after=0)
        self.para("{{ place_date }}", where=right2, align="center", size=14, indent=False, after=0, flags="i")

    def title(self, doc_type: str, subject: str = "{{ subject }}", extra: Sequence[str] = ()) -> None:
        """Document type (bold upper case), the subject (bold), a short rule under it."""
        self.para(doc_type, align="center", size=14, indent=False, before=12, after=0, flags="b", keep_next=True)
        self.para(subject, align="center", size=14, indent=False, after=0, flags="b", keep_next=True)
        for line in extra:
            self.para(line, align="center", size=14, indent=False, after=0, flags="b", keep_next=True)
        p = self.doc.add_paragraph()
        pf = p.paragraph_format
        side = (TEXT_WIDTH_CM - SUBJECT_RULE_CM) / 2
        pf.left_indent = pf.right_indent = Cm(side)
        pf.space_before, pf.space_after = Pt(4), Pt(10)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(2)
        _border(p, "top")

    def items(self, var: str, prefix: str = "", flags: str = "", **kw) -> None:  # type: ignore[no-untyped-def]
        """A paragraph per element of the list ``var`` (each element a string)."""
        self.tag(f"for x in {var}")
        self.para([(prefix, ""), ("{{ x }}", flags)] if prefix else "{{ x }}", flags=flags, **kw)
        self.tag("endfor")

    def keep_last_with_signature(self) -> None:
        """The paragraph before a signature block stays on its page (a signature never stands alone)."""
        if self._last is not None:
            self._last.paragraph_format.keep_with_next = True

    def signature_ubnd(self) -> None:
        """``Nơi nhận:`` at the left, level with ``TM. ỦY BAN NHÂN DÂN`` / ``CHỦ TỊCH`` at the right; the
        block's one row never splits and the last paragraph before it keeps with it."""
        self.keep_last_with_signature()
        self.para("", after=0, indent=False, keep_next=True)
        t = self.table([LEFT_COL_CM - 0.5, RIGHT_COL_CM + 0.5])
        _cant_split(t)
        left, right = t.rows[0].cells
        self.recipients(left)
        self.tag("if signer_authority", right)
        self.para("{{ signer_authority }}", where=right, align="center", size=14, indent=False, after=0, flags="b")
        self.tag("endif", right)
        self.para("{{ signer_title }}", where=right, align="center", size=14, indent=False, after=0, flags="b")
        for _ in range(4):
            self.para("", where=right, align="center", indent=False, after=0)
        self.para("{{ signer_name }}", where=right, align="center", size=14, indent=False, after=0, flags="b")

    def recipients(self, cell: _Cell, before: float = 0) -> None:
        self.para("Nơi nhận:", where=cell, align="left", size=12, indent=False, after=0, before=before, flags="bi")
        self.tag("for r in recipients", cell)
        self.para("- {{ r }}", where=cell, align="left", size=11, indent=False, after=0)
        self.tag("endfor", cell)

    def signature_minutes(self) -> None:
        """THƯ KÝ (left) / CHỦ TỌA (right) and, between them under their own heading, the witnesses (each
        with their role, so no label sits under the secretary's or the chair's name as if it were their
        title); then ``Nơi nhận:``. The row never splits and stays with the closing paragraph."""
        self.keep_last_with_signature()
        self.para("", after=0, indent=False, size=8, keep_next=True)
        third = TEXT_WIDTH_CM / 3
        t = self.table([third, third, third])
        left, middle, right = t.rows[0].cells
        for cell, role, name in ((left, "THƯ KÝ", "secretary_name"), (right, "CHỦ TỌA", "chair_name")):
            self.para(role, where=cell, align="center", size=13, indent=False, after=0, flags="b")
            self.para("(Ký, ghi rõ họ tên)", where=cell, align="center", size=12, indent=False, after=0, flags="i")
            for _ in range(3):
                self.para("", where=cell, align="center", indent=False, after=0, size=13)
            self.para("{{ " + name + " }}", where=cell, align="center", size=13, indent=False, after=0, flags="b")
        self.tag("if witnesses", middle)
        self.para("NGƯỜI CHỨNG KIẾN", where=middle, align="center", size=13, indent=False, after=0, flags="b")
        self.tag("for w in witnesses", middle)
        self.tag("if w.role", middle)
        self.para("{{ w.role }}", where=middle, align="center", size=12, indent=False, after=0, flags="i")
        self.tag("else", middle)
        self.para("(Ký, ghi rõ họ tên)", where=middle, align="center", size=12, indent=False, after=0, flags="i")
        self.tag("endif", middle)
        for _ in range(3):
            self.para("", where=middle, align="center", indent=False, after=0, size=13)
        self.para("{{ w.name }}", where=middle, align="center", size=13, indent=False, after=6, flags="b")
        self.tag("endfor", middle)
        self.tag("endif", middle)
        # A cell must keep one paragraph even when the loop renders nothing.
        self.para("", where=middle, indent=False, after=0, size=2)
        _cant_split(t)
        _keep_with_next(t, last_row_too=True)
        t2 = self.table([TEXT_WIDTH_CM])
        self.recipients(t2.rows[0].cells[0], before=10)

    def save(self, name: str) -> Path:
        out = HERE / f"{name}.docx"
        self.doc.save(str(out))
        return out


# ---------------------------------------------------------------- the nine templates


def yearly_plan() -> Builder:
    """Kế hoạch thực hiện công khai năm …: the seed's structure, filled from the plan data."""
    b = Builder(14)
    b.header()
    b.title("KẾ HOẠCH")
    b.items("bases", flags="i")
    b.para("{{ intro }}")
    b.para("I. MỤC ĐÍCH, YÊU CẦU", flags="b", keep_next=True)
    b.para("1. Mục đích", flags="b", keep_next=True)
    b.items("purposes")
    b.para("2. Yêu cầu", flags="b", keep_next=True)
    b.items("requirements")
    b.para("II. NỘI DUNG, HÌNH THỨC, THỜI GIAN, THỜI ĐIỂM CÔNG KHAI THÔNG TIN", flags="b", keep_next=True)
    b.para("1. Những nội dung công khai thường xuyên", flags="b", keep_next=True)
    b.tag("for it in regular_items")
    b.para([("{{ it.number }}. {{ it.title }}", "b")], keep_next=True)
    b.para([("a) ", ""), ("Hình thức, thời gian công khai", "i")], keep_next=True)
    b.tag("for c in it.channels")
    b.para("+ {{ c }}")
    b.tag("endfor")
    b.tag("if it.timing|length == 1")
    b.para([("b) ", ""), ("Thời điểm công khai:", "i"), (" {{ it.timing[0] }}", "")])
    b.tag("else")
    b.para([("b) ", ""), ("Thời điểm công khai", "i")], keep_next=True)
    b.tag("for t in it.timing")
    b.para("+ {{ t }}")
    b.tag("endfor")
    b.tag("endif")
    b.tag("endfor")
    b.para("2. Những nội dung công khai trong năm {{ year }}", flags="b", keep_next=True)
    b.para([("2.1. Thời điểm công khai: ", "i"), ("{{ yearly_timing }}", "")])
    b.para([("2.2. Hình thức, thời gian công khai:", "i")], keep_next=True)
    b.items("yearly_channels", prefix="+ ")
    b.para([("2.3. Nội dung công khai", "i")], keep_next=True)
    b.tag("for s in content_sections")
    b.para([("{{ s.number }}. ", ""), ("{{ s.heading }}:", "i"), (" {{ s.intro }}", "")])
    b.tag("for it in s.entries")
    b.para("({{ loop.index }}) {{ it }}")
    b.tag("endfor")
    b.tag("endfor")
    b.para("III. HỒ SƠ CÔNG KHAI THÔNG TIN", flags="b", keep_next=True)
    b.para("{{ dossier_intro }}")
    b.tag("for d in dossier")
    b.para("{{ loop.index }}. {{ d }}")
    b.tag("endfor")
    b.para("IV. TỔ CHỨC THỰC HIỆN", flags="b", keep_next=True)
    b.tag("for o in organisation")
    b.para([("{{ loop.index }}. {{ o.heading }}", "b")], keep_next=True)
    b.tag("for x in o.paragraphs")
    b.para("{{ x }}")
    b.tag("endfor")
    b.tag("endfor")
    b.para("{{ closing }}")
    b.signature_ubnd()
    return b


def activity_plan() -> Builder:
    """Kế hoạch công khai thông tin đối với công việc, hoạt động cụ thể (not in the yearly plan)."""
    b = Builder(14)
    b.header()
    b.title("KẾ HOẠCH")
    b.items("bases", flags="i")
    b.para("{{ intro }}")
    b.para("I. MỤC ĐÍCH, YÊU CẦU", flags="b", keep_next=True)
    b.items("purposes", prefix="- ")
    b.para("II. NỘI DUNG CÔNG KHAI", flags="b", keep_next=True)
    b.para("{{ content }}")
    b.para("III. HÌNH THỨC, THỜI GIAN, THỜI ĐIỂM CÔNG KHAI", flags="b", keep_next=True)
    b.para([("1. Thời điểm công khai: ", "i"), ("{{ timing }}", "")])
    b.para([("2. Hình thức, thời gian công khai:", "i")], keep_next=True)
    b.items("channels", prefix="+ ")
    b.para("IV. TỔ CHỨC THỰC HIỆN", flags="b", keep_next=True)
    b.items("responsibilities", prefix="- ")
    b.signature_ubnd()
    return b


def _minute_opening(b: Builder) -> None:
    b.para("{{ opening }}", keep_next=True)
    b.tag("for a in attendees")
    b.para("{{ loop.index }}. {{ a }}", after=0)
    b.tag("endfor")


def _minute_closing(b: Builder, before: float = 0) -> None:
    b.para("{{ closing }}", before=before)


def _posting_start_minute() -> Builder:
    """A start-of-posting minute; where it was posted comes from the context (``location``)."""
    b = Builder(13)
    b.header()
    b.title("BIÊN BẢN")
    _minute_opening(b)
    b.para("Tiến hành niêm yết công khai văn bản sau:", keep_next=True, before=6)
    b.para("{{ document }}", flags="b")
    b.para([("Địa điểm niêm yết: ", "b"), ("{{ location }}.", "")])
    b.para([("Thời gian niêm yết: ", "b"), ("{{ period }}.", "")])
    b.tag("if timeliness")
    b.para("{{ timeliness }}")
    b.tag("endif")
    b.para("{{ also }}")
    _minute_closing(b)
    b.signature_minutes()
    return b


def posting_start_ubnd() -> Builder:
    """Biên bản niêm yết (bắt đầu công khai) tại Bản tin công khai của UBND."""
    return _posting_start_minute()


def posting_start_group() -> Builder:
    """Biên bản niêm yết tại Bản tin công khai ở nhà văn hóa của một thôn / tổ dân phố."""
    return _posting_start_minute()


def broadcast_report() -> Builder:
    """Báo cáo kết quả phát tin của Đài truyền thanh: days, times, number of broadcasts."""
    b = Builder(14)
    b.header()
    b.title("BÁO CÁO")
    b.para("{{ intro }}")
    b.para([("1. Nội dung phát tin: ", "b"), ("{{ document }}.", "")])
    b.para([("2. Thời gian, số lần phát tin:", "b")], keep_next=True)
    _data_table(
        b,
        [1.3, 4.5, 6.7, 4.0],
        ("STT", "Ngày phát", "Giờ phát", "Số lần phát"),
        "r in broadcasts",
        ("{{ loop.index }}", "{{ r.date }}", "{{ r.times }}", "{{ r.count }}"),
        ("center", "center", "center", "center"),
        size=13,
    )
    b.para("", after=0, indent=False, size=6)
    b.para([("3. Tổng hợp: ", "b"), ("{{ summary }}", "")])
    b.para("{{ closing }}")
    b.signature_ubnd()
    return b


def _data_table(
    b: Builder,
    widths: Sequence[float],
    heads: Sequence[str],
    loop: str,
    values: Sequence[str],
    aligns: Sequence[str],
    size: float,
) -> Table:
    """A bordered table: a bold head row, then one row per element (docxtpl ``{%tr %}`` rows)."""
    t = b.table(widths, rows=4)
    for cell, h in zip(t.rows[0].cells, heads, strict=True):
        b.para(h, where=cell, align="center", size=size, indent=False, after=3, before=3, flags="b")
    for r, tag in ((1, "{%tr for " + loop + " %}"), (3, "{%tr endfor %}")):
        for cell in t.rows[r].cells:
            b.para("", where=cell, indent=False, after=0, size=2)
        t.rows[r].cells[0].paragraphs[0].add_run(tag)
    for cell, v, a in zip(t.rows[2].cells, values, aligns, strict=True):
        b.para(v, where=cell, align=a, size=size, indent=False, after=3, before=3)
    _grid_lines(t)
    return t


def _grid_lines(t: Table) -> None:
    """Single black lines on every edge (the data tables, unlike the header, have borders)."""
    tblpr = t._tbl.tblPr
    for old in tblpr.findall(qn("w:tblBorders")):
        tblpr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tblpr.append(borders)


def posting_end() -> Builder:
    """Biên bản kết thúc công khai: the actual period and the feedback received."""
    b = Builder(13)
    b.header()
    b.title("BIÊN BẢN")
    _minute_opening(b)
    b.para("Cùng xác nhận việc kết thúc công khai văn bản sau:", keep_next=True, before=6)
    b.para("{{ document }}", flags="b")
    b.para([("Hình thức, địa điểm đã công khai:", "b")], keep_next=True)
    b.items("channels", prefix="- ", after=0)
    b.para([("Thời gian công khai thực tế: ", "b"), ("{{ period }}.", "")], before=6)
    b.para([("Ý kiến phản hồi: ", "b"), ("{{ feedback_intro }}", "")], keep_next=True)
    b.items("feedback", prefix="- ", after=0)
    _minute_closing(b, before=6)
    b.signature_minutes()
    return b


def quarterly_list() -> Builder:
    """Thông báo danh sách các nội dung đã công khai trong quý: a table item/document/channels/dates."""
    b = Builder(14)
    b.header()
    b.title("THÔNG BÁO")
    b.para("{{ intro }}")
    _data_table(
        b,
        [1.3, 5.4, 3.5, 3.6, 2.7],
        ("STT", "Nội dung công khai", "Văn bản", "Hình thức", "Thời gian"),
        "r in rows",
        ("{{ loop.index }}", "{{ r.title }}", "{{ r.document }}", "{{ r.channels }}", "{{ r.dates }}"),
        ("center", "left", "left", "left", "center"),
        size=12,
    )
    b.para("", after=0, indent=False, size=6)
    b.para("{{ closing }}")
    b.signature_ubnd()
    return b


def council_report() -> Builder:
    """Báo cáo kết quả thực hiện công khai thông tin, trình kỳ họp HĐND."""
    b = Builder(14)
    b.header()
    b.title("BÁO CÁO")
    b.para("{{ intro }}")
    b.para("I. TÌNH HÌNH TRIỂN KHAI", flags="b", keep_next=True)
    b.items("deployment")
    b.para("II. KẾT QUẢ THỰC HIỆN", flags="b", keep_next=True)
    b.items("results", prefix="- ")
    b.tag("if listed")
    b.para("Các nội dung đã công khai trong kỳ:", keep_next=True)
    b.tag("for x in listed")
    b.para("{{ loop.index }}. {{ x }}", after=2)
    b.tag("endfor")
    b.tag("endif")
    b.para("III. TỒN TẠI, HẠN CHẾ", flags="b", keep_next=True)
    b.items("shortcomings", prefix="- ")
    b.para("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", flags="b", keep_next=True)
    b.items("next_steps", prefix="- ")
    b.para("{{ closing }}")
    b.signature_ubnd()
    return b


def group_notice() -> Builder:
    """Thông báo gửi trưởng thôn / tổ trưởng tổ dân phố (one page; the .txt says the same)."""
    b = Builder(14)
    b.header()
    b.title("THÔNG BÁO")
    b.para([("Kính gửi: ", ""), ("{{ addressee }}", "")], align="center", indent=False)
    b.para("{{ intro }}")
    b.para("{{ document }}", flags="b")
    b.para([("Thời gian niêm yết: ", "b"), ("{{ period }}.", "")])
    b.para("{{ request }}", keep_next=True)
    b.items("tasks", prefix="- ", after=3)
    b.para("{{ closing }}")
    b.signature_ubnd()
    return b


GROUP_NOTICE_TXT = """\
{{ issuer_full }}
THÔNG BÁO Số: {{ number_notation }} ({{ place_date }})
{{ subject }}

Kính gửi: {{ addressee }}

{{ intro }}
{{ document }}
Thời gian niêm yết: {{ period }}.

{{ request }}
{% for x in tasks %}- {{ x }}
{% endfor %}
{{ closing }}

{{ signer_authority }}
{{ signer_title }}
{{ signer_name }}
"""

BUILDERS = {
    "yearly_plan": yearly_plan,
    "activity_plan": activity_plan,
    "posting_start_ubnd": posting_start_ubnd,
    "posting_start_group": posting_start_group,
    "broadcast_report": broadcast_report,
    "posting_end": posting_end,
    "quarterly_list": quarterly_list,
    "council_report": council_report,
    "group_notice": group_notice,
}


def build_all() -> list[Path]:
    out = [builder().save(kind) for kind, builder in BUILDERS.items()]
    txt = HERE / "group_notice.txt"
    txt.write_text(GROUP_NOTICE_TXT, encoding="utf-8")
    out.append(txt)
    return out


if __name__ == "__main__":
    for path in build_all():
        print(path)
