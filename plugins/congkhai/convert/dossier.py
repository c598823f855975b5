"""The disclosure dossier (hồ sơ công khai thông tin): many PDFs merged into one archival file.

Sections follow the seed plan's "II. HỒ SƠ CÔNG KHAI THÔNG TIN" list (1 … 7). The caller says
which section a document belongs to through its *kind*:

====================  ===  =====================================================================
kind                  sec  title
====================  ===  =====================================================================
yearly_plan           1    Kế hoạch thực hiện công khai thông tin của UBND xã
activity_plan         2    Kế hoạch công khai thông tin đối với công việc, hoạt động cụ thể
posting_start_ubnd    3    Biên bản niêm yết tại Bản tin công khai của UBND xã
posting_start_group   4    Biên bản niêm yết tại Bản tin công khai ở nhà văn hóa tổ dân phố
broadcast_report      5    Báo cáo kết quả phát tin, bài của Đài truyền thanh xã
posting_end           6    Biên bản kết thúc công khai thông tin
council_report        7    Báo cáo kết quả thực hiện công khai trình kỳ họp HĐND xã
quarterly_list        8    Danh sách nội dung đã thực hiện công khai theo quý
disclosed_document    PL   Phụ lục: Văn bản được công khai
====================  ===  =====================================================================

The archive's kind names are accepted too: ``group_notice`` (the notice asking group leaders to
post) goes with section 4, ``original`` is ``disclosed_document``; ``signed_scan`` and ``dossier``
are not merged as such (a signed scan *replaces* the generated PDF it is the signed copy of; a
dossier is the output).

The file opens with front matter (:class:`FrontMatter`, made from the commune profile):

* a **cover** (bìa hồ sơ): the superior body and the commune's body in capitals, ``HỒ SƠ CÔNG KHAI
  THÔNG TIN NĂM 2024``, the period covered (first to last document date), the number of documents
  and pages, how many are drafts / finals / signed copies, who keeps it, the retention when the
  profile states one, and any sample data of the profile the dossier relies on, marked ``(mẫu)``;
* a printed **MỤC LỤC**: every section in order (an empty one says so) and under it every document
  (number, date, title, its state) with the page of the final PDF it starts on. The page numbers
  depend on the MỤC LỤC's own length, so it is laid out, converted, measured and laid out again
  until its length is stable (two passes as a rule).

Both are built here as .docx with python-docx (Nghị định 30 margins, Times New Roman on every
style, NFC text) and converted by the project's converter, like every other document.

Decisions (documented here, the lead may revise them):

* ``quarterly_list`` gets its own section 8 after the seed's seven. It is neither a plan
  (section 1) nor a minute: it is item 1.8 of the plan, a disclosed list drawn from the
  democracy software each quarter, so filing it under the yearly plan would hide it.
* Originals of the issued documents that were disclosed (``disclosed_document``) are not in the
  seed's list; the minutes cite them by number. When the caller passes them they go last, in an
  appendix "Phụ lục: Văn bản được công khai", so the numbered sections stay as the seed has them.
* One version per document key: the signed copy (a signed scan filed for it), else the newest
  final, else the newest draft (a file without a recorded state counts as a draft of unknown
  state). The MỤC LỤC marks each document's state.
* The January re-posting minutes of the permanent items (plan items 1.2–1.7, key suffix
  ``:tai-niem-yet-<year>``) are filed in the case folder of the year the item was issued, but they
  are the evidence of the year they were made in: a year's dossier takes them from every folder,
  and the year of the folder leaves them out.
* Page labels are the plain page numbers of the file (1 … N), the numbers the MỤC LỤC prints, so
  a PDF viewer and the printed MỤC LỤC agree.

Inside a section documents are in date order (then number, then title). The outline has an entry
for the cover, one for the MỤC LỤC, one per non-empty section with one child per document.
Merging with pypdf drops PDF/A, so the merged file is rewritten as PDF/A-2b (Ghostscript locally,
see :mod:`congkhai.convert.pdfa`; the converter's ``to_pdfa`` when Ghostscript is missing) and
verified like any output; if the PDF/A tool lost the outline or page labels they are put back and
checked again.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from congkhai.convert.base import ConversionError, Converter, PdfMetadata, PdfVerificationError
from congkhai.convert.verify import PdfReport, verify_pdf
from congkhai.documents.kinds import ALL_KINDS, DRAFT_MARK
from congkhai.errors import UsageError
from congkhai.textutil import nfc


@dataclass(frozen=True)
class Section:
    key: str  # number as shown: "1" … "8", "PL"
    title: str
    kinds: tuple[str, ...]


_SECTION_TITLES = {
    1: "Kế hoạch thực hiện công khai thông tin của UBND xã",
    2: "Kế hoạch công khai thông tin đối với công việc, hoạt động cụ thể",
    3: "Biên bản niêm yết tại Bản tin công khai của UBND xã",
    4: "Biên bản niêm yết tại Bản tin công khai ở nhà văn hóa tổ dân phố",
    5: "Báo cáo kết quả phát tin, bài của Đài truyền thanh xã",
    6: "Biên bản kết thúc công khai thông tin",
    7: "Báo cáo kết quả thực hiện công khai trình kỳ họp HĐND xã",
    8: "Danh sách nội dung đã thực hiện công khai theo quý",
}
#: The same titles with the commune's own words (``FrontMatter.wording``): its body, group word,
#: radio station and council. Used when the dossier is made for a commune.
_SECTION_TITLES_FOR = {
    1: "Kế hoạch thực hiện công khai thông tin của {body_short}",
    2: "Kế hoạch công khai thông tin đối với công việc, hoạt động cụ thể",
    3: "Biên bản niêm yết tại Bản tin công khai của {body_short}",
    4: "Biên bản niêm yết tại Bản tin công khai ở nhà văn hóa {group_word}",
    5: "Báo cáo kết quả phát tin, bài của {radio_name}",
    6: "Biên bản kết thúc công khai thông tin",
    7: "Báo cáo kết quả thực hiện công khai trình kỳ họp {council_short}",
    8: "Danh sách nội dung đã thực hiện công khai theo quý",
}
#: Which kinds go in which section: read from the one kind table (``Kind.dossier_section``).
SECTIONS: tuple[Section, ...] = (
    *(Section(str(n), title, tuple(k.id for k in ALL_KINDS.values() if k.dossier_section == n))
      for n, title in _SECTION_TITLES.items()),
    Section("PL", "Phụ lục: Văn bản được công khai",
            ("disclosed_document", *(k.id for k in ALL_KINDS.values() if k.dossier_appendix))),
)
KIND_SECTION: dict[str, Section] = {k: s for s in SECTIONS for k in s.kinds}

#: Document states (archive manifest ``state``), best first: the signed copy is the evidence of record.
STATE_RANK: dict[str | None, int] = {"signed": 3, "final": 2, "draft": 1, None: 1}
#: What the MỤC LỤC prints after a document's title, by state (None: the manifest records none).
STATE_MARKS: dict[str | None, str] = {
    "signed": "(bản có chữ ký, dấu)",
    "final": "(bản chính thức)",
    "draft": "(dự thảo)",
    None: "(chưa rõ trạng thái)",
}
#: The bookmark marks: only what a reader must not miss.
_OUTLINE_MARKS: dict[str | None, str] = {"signed": "(bản có chữ ký, dấu)", "draft": "(dự thảo)"}
#: Printed after a sample value of the commune profile (commune.yaml ``sample: true``).
SAMPLE_MARK = "(mẫu)"
#: The key suffix of a January re-posting minute (``pipeline.issuance.repost``).
REPOST_KEY = re.compile(r":tai-niem-yet-(\d{4})$")
#: Kinds whose date follows from the People's Council's session dates (the report is made before one).
SESSION_DATED_KINDS = frozenset({"council_report"})


def section_for(kind: str) -> Section:
    try:
        return KIND_SECTION[kind]
    except KeyError:
        raise UsageError(
            f"Loại văn bản «{kind}» không thuộc mục nào của hồ sơ công khai.",
            f"Document kind {kind!r} belongs to no dossier section; known: {', '.join(KIND_SECTION)}",
            kind="dossier_kind", field="kind",
        ) from None


@dataclass(frozen=True)
class DossierEntry:
    """One PDF of the dossier: its kind (hence section), date, title and optional number.

    ``state``: ``draft`` / ``final`` / ``signed`` as the archive manifest records it (None: not
    recorded). ``repost_year``: the year of a January re-posting minute (None otherwise).
    """

    kind: str
    date: dt.date
    title: str
    pdf: Path
    number: str = ""
    state: str | None = None
    repost_year: int | None = None
    undated: bool = False  # its date line is a blank to fill in: the MỤC LỤC prints no date for it

    @property
    def label(self) -> str:
        """The outline text: ``05/01/2024 – 02/BB-UBND – Biên bản niêm yết …``."""
        return entry_label(self)


def _fmt(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def _strip_draft(title: str) -> str:
    """A draft's title begins ``DỰ THẢO - ``; the dossier prints the state apart."""
    prefix = f"{DRAFT_MARK} - "
    return title[len(prefix):] if title.startswith(prefix) else title


@dataclass(frozen=True)
class FrontMatter:
    """What the cover and the MỤC LỤC print about the commune (all NFC, from its profile).

    ``sample_dates``: dates of the profile marked as samples (the People's Council's session dates);
    wherever one is printed it is followed by ``(mẫu)``, and the documents whose date follows from
    them (``SESSION_DATED_KINDS``) print their own date with ``(mẫu)`` too.
    """

    body_upper: str  # ỦY BAN NHÂN DÂN THỊ TRẤN KÉP
    heading: str  # HỒ SƠ CÔNG KHAI THÔNG TIN NĂM 2024
    superior_upper: str = ""  # ỦY BAN NHÂN DÂN HUYỆN LẠNG GIANG (above the body; empty: none)
    subtitle: str = ""  # (Theo Luật … và Kế hoạch thực hiện công khai năm 2024 của UBND thị trấn Kép)
    contents_subtitle: str = ""  # under MỤC LỤC
    kept_by: str = ""  # Văn phòng UBND thị trấn Kép
    retention: str = ""  # Thời hạn bảo quản, when the profile states one
    notes: tuple[str, ...] = ()  # further lines on the cover (sample data named, marked)
    wording: Mapping[str, str] = field(default_factory=dict)  # body_short, group_word, radio_name, …
    section_notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # lines under a section
    sample_dates: frozenset[dt.date] = frozenset()

    def fingerprint(self) -> str:
        """What the front pages depend on besides the documents (the dossier is remade when it changes)."""
        import json

        return json.dumps({k: (sorted(map(str, v)) if isinstance(v, frozenset) else v)
                           for k, v in self.__dict__.items()}, sort_keys=True, ensure_ascii=False, default=str)


def section_title(sec: Section, wording: Mapping[str, str] | None = None) -> str:
    """The section's title; with a commune's wording, in its own words (``UBND thị trấn Kép``)."""
    if not wording or sec.key == "PL":
        return sec.title
    template = _SECTION_TITLES_FOR[int(sec.key)]
    values = {"body_short": "UBND xã", "group_word": "tổ dân phố", "radio_name": "Đài truyền thanh xã",
              "council_short": "HĐND xã", **{k: v for k, v in wording.items() if v}}
    return nfc(template.format(**values))


def _sample_marked(text: str, front: FrontMatter | None) -> str:
    """``… ngày 12/07/2024 (mẫu)``: each sample date printed in ``text`` is marked."""
    if front is None or not front.sample_dates:
        return text
    for d in sorted(front.sample_dates):
        for shown in {_fmt(d), f"{d.day}/{d.month}/{d.year}"}:
            text = re.sub(rf"(?<![\d/]){re.escape(shown)}(?![\d/])(?! \(mẫu\))", f"{shown} {SAMPLE_MARK}", text)
    return text


def is_sample_dated(entry: DossierEntry, front: FrontMatter | None) -> bool:
    """Whether the entry's own date follows from sample data of the profile."""
    return front is not None and bool(front.sample_dates) and entry.kind in SESSION_DATED_KINDS


def display_title(entry: DossierEntry, front: FrontMatter | None = None) -> str:
    """The title as the dossier prints it: no draft prefix, a re-posting said so, sample dates marked."""
    title = _strip_draft(entry.title)
    if entry.repost_year is not None:
        title = f"{title} (niêm yết lại tháng 01/{entry.repost_year})"
    return nfc(_sample_marked(title, front))


def display_date(entry: DossierEntry, front: FrontMatter | None = None) -> str:
    if entry.date == dt.date.min or entry.undated:
        return ""
    return _fmt(entry.date) + (f" {SAMPLE_MARK}" if is_sample_dated(entry, front) else "")


def state_mark(entry: DossierEntry) -> str:
    """The MỤC LỤC's state note; none for the disclosed originals (issued documents, not ours)."""
    if section_for(entry.kind).key == "PL":
        return ""
    return STATE_MARKS.get(entry.state, STATE_MARKS[None])


def entry_label(entry: DossierEntry, front: FrontMatter | None = None) -> str:
    """The outline text: ``05/01/2024 – 02/BB-UBND – Biên bản niêm yết … (dự thảo)``."""
    parts = [display_date(entry, front)] if entry.date != dt.date.min and not entry.undated else []
    if entry.number:
        parts.append(entry.number)
    title = display_title(entry, front)
    mark = _OUTLINE_MARKS.get(entry.state, "") if section_for(entry.kind).key != "PL" else ""
    parts.append(f"{title} {mark}" if mark else title)
    return nfc(" – ".join(parts))


@dataclass(frozen=True)
class ContentsRow:
    """One document as the MỤC LỤC prints it, and the page (1-based) of the final PDF it starts on."""

    section: str
    entry: DossierEntry
    number: str
    date: str
    title: str  # with its state mark
    page: int


@dataclass(frozen=True)
class DossierReport:
    path: Path
    pages: int
    #: (section label, number of documents, first page index 0-based)
    sections: tuple[tuple[str, int, int], ...]
    page_labels: tuple[str, ...]
    pdf: PdfReport
    #: the MỤC LỤC as printed (empty without front matter)
    contents: tuple[ContentsRow, ...] = ()
    #: pages of the cover and of the MỤC LỤC (0, 0 without front matter)
    front_pages: tuple[int, int] = (0, 0)


def order_entries(entries: Iterable[DossierEntry]) -> list[DossierEntry]:
    """Section order, then chronological inside each section (number, title break ties)."""
    order = {s.key: i for i, s in enumerate(SECTIONS)}
    return sorted(entries, key=lambda e: (order[section_for(e.kind).key], e.date, e.number, e.title))


@dataclass
class _Plan:
    """Where the front pages, each section and each document start, to build (and rebuild) the navigation."""

    sections: list[tuple[Section, int, list[tuple[DossierEntry, int]]]]
    total: int
    front: tuple[int, int] = (0, 0)  # pages of the cover, of the MỤC LỤC
    wording: Mapping[str, str] | None = None
    front_matter: FrontMatter | None = None

    def labels(self) -> list[str]:
        return [str(i) for i in range(1, self.total + 1)]

    @property
    def top_items(self) -> int:
        return sum(1 for n in self.front if n) + len(self.sections)


def _apply_navigation(writer, plan: _Plan) -> None:
    cover, toc = plan.front
    if cover:
        writer.add_outline_item(title="Bìa hồ sơ", page_number=0)
    if toc:
        writer.add_outline_item(title="Mục lục", page_number=cover)
    for sec, first, docs in plan.sections:
        prefix = "" if sec.key == "PL" else f"{sec.key}. "
        parent = writer.add_outline_item(title=f"{prefix}{section_title(sec, plan.wording)}", page_number=first)
        for entry, page in docs:
            writer.add_outline_item(title=entry_label(entry, plan.front_matter), page_number=page, parent=parent)
    writer.set_page_label(page_index_from=0, page_index_to=plan.total - 1, style="/D", start=1)


def _layout(entries: Sequence[DossierEntry], pages: Sequence[int], offset: int) -> _Plan:
    """Where each section and document starts when the documents follow ``offset`` front pages."""
    plan = _Plan(sections=[], total=offset)
    for entry, n in zip(entries, pages, strict=True):
        sec = section_for(entry.kind)
        if not plan.sections or plan.sections[-1][0] is not sec:
            plan.sections.append((sec, plan.total, []))
        plan.sections[-1][2].append((entry, plan.total))
        plan.total += n
    return plan


def _merge(pdfs: Sequence[Path], plan: _Plan, out: Path) -> None:
    """Concatenate ``pdfs`` with qpdf (pikepdf: about 2 s for Kép's 686 documents, against 7 s with
    pypdf), then put the outline and the page labels of ``plan`` on the result (Ghostscript keeps them)."""
    import io

    import pikepdf

    merged = pikepdf.new()
    sources = []
    try:
        for pdf in pdfs:  # read into memory: a year's documents would otherwise hold one file descriptor each
            src = pikepdf.open(io.BytesIO(Path(pdf).read_bytes()))
            sources.append(src)
            merged.pages.extend(src.pages)
        if len(merged.pages) != plan.total:
            raise ConversionError(
                f"Hồ sơ ghép được {len(merged.pages)} trang, mục lục tính {plan.total} trang.",
                f"The merged dossier has {len(merged.pages)} pages, the layout {plan.total}.", kind="dossier_layout",
            )
        _outline_pikepdf(merged, plan)
        merged.save(out)
    finally:
        merged.close()
        for src in sources:
            src.close()


def _outline_pikepdf(pdf: Any, plan: _Plan) -> None:
    """The same outline and page labels as :func:`_apply_navigation`, written with pikepdf."""
    import pikepdf

    cover, toc = plan.front
    with pdf.open_outline() as outline:
        if cover:
            outline.root.append(pikepdf.OutlineItem("Bìa hồ sơ", 0))
        if toc:
            outline.root.append(pikepdf.OutlineItem("Mục lục", cover))
        for sec, first, docs in plan.sections:
            prefix = "" if sec.key == "PL" else f"{sec.key}. "
            parent = pikepdf.OutlineItem(f"{prefix}{section_title(sec, plan.wording)}", first)
            parent.children.extend(pikepdf.OutlineItem(entry_label(entry, plan.front_matter), page)
                                   for entry, page in docs)
            outline.root.append(parent)
    pdf.Root.PageLabels = pdf.make_indirect(pikepdf.Dictionary(
        Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)])))


def _navigation_intact(path: Path, plan: _Plan) -> bool:
    from pypdf import PdfReader

    reader = PdfReader(path)
    top = [o for o in reader.outline if not isinstance(o, list)]
    return len(top) == plan.top_items and list(reader.page_labels) == plan.labels()


def _restore_navigation(path: Path, plan: _Plan, meta: PdfMetadata) -> None:
    """Put the outline and page labels back (clone keeps the XMP and OutputIntents)."""
    from pypdf import PdfWriter

    from congkhai.convert.pdfa import set_metadata

    writer = PdfWriter(clone_from=str(path))
    writer._root_object.pop("/Outlines", None)  # noqa: SLF001 - replace, do not duplicate
    writer._root_object.pop("/PageLabels", None)  # noqa: SLF001
    _apply_navigation(writer, plan)
    tmp = path.with_suffix(".nav.pdf")
    with open(tmp, "wb") as fh:
        writer.write(fh)
    set_metadata(tmp, meta)  # pypdf touched Info: bring Info and XMP back in step
    tmp.replace(path)


# -- the front pages: cover and MỤC LỤC, as .docx (Nghị định 30 format) -------------------------

_FONT = "Times New Roman"
_TEXT_CM = 16.5  # A4 21 cm - left 3 cm - right 1.5 cm
#: Columns of the MỤC LỤC table (cm): STT, number, date, title, page.
_TOC_COLS = (1.2, 2.9, 2.4, 8.4, 1.6)
_TOC_HEAD = ("STT", "Số, ký hiệu", "Ngày, tháng, năm", "Tên loại và trích yếu nội dung", "Trang")
_NO_NUMBER = "(chưa có số)"


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _el(tag: str, **attrs: str):  # type: ignore[no-untyped-def]
    from docx.oxml import OxmlElement

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(_qn(k.replace("_", ":", 1)), v)
    return el


def _fonts(rpr) -> None:  # type: ignore[no-untyped-def]
    """Times New Roman in all four slots; theme fonts removed (they win over explicit names)."""
    fonts = rpr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(_qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(_qn(attr), _FONT)


def _new_docx(title: str, *, first_page_number: int | None = None):  # type: ignore[no-untyped-def]
    """An empty A4 document with ND30 margins, Times New Roman on every style, Vietnamese language.

    ``first_page_number``: page numbers centred in the top margin from the second page on, counting
    from that number (the page the document has in the dossier); None: no page numbers.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    doc = Document()
    styles = doc.styles.element
    rpr_default = styles.find(_qn("w:docDefaults")).find(_qn("w:rPrDefault"))
    rpr = rpr_default.find(_qn("w:rPr"))
    if rpr is None:
        rpr = _el("w:rPr")
        rpr_default.append(rpr)
    _fonts(rpr)
    lang = rpr.find(_qn("w:lang"))
    if lang is None:
        lang = _el("w:lang")
        rpr.append(lang)
    lang.set(_qn("w:val"), "vi-VN")
    lang.set(_qn("w:eastAsia"), "vi-VN")
    for fonts in list(styles.iter(_qn("w:rFonts"))):  # every style, table conditional formats too
        _fonts(fonts.getparent())
    normal = doc.styles["Normal"]
    normal.font.size = Pt(14)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after = Pt(0), Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    body = doc.element.body
    for p in body.findall(_qn("w:p")):
        body.remove(p)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15)
    sec.header_distance, sec.footer_distance = Mm(10), Mm(10)
    if first_page_number is not None:
        sec.different_first_page_header_footer = True  # ND30: no number on a document's first page
        sec._sectPr.append(_el("w:pgNumType", w_start=str(first_page_number)))  # noqa: SLF001
        hp = sec.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for kind, text in (("begin", ""), ("", " PAGE "), ("separate", ""), ("", "2"), ("end", "")):
            run = hp.add_run()
            run.font.size = Pt(13)
            if kind:
                run._r.append(_el("w:fldChar", w_fldCharType=kind))  # noqa: SLF001
            elif text == " PAGE ":
                instr = _el("w:instrText", xml_space="preserve")
                instr.text = text
                run._r.append(instr)  # noqa: SLF001
            else:
                run.text = text
    props = doc.core_properties
    props.title = nfc(title)
    props.subject = props.keywords = props.comments = props.category = ""
    props.author = props.last_modified_by = "congkhai"
    return doc


def _para(target, text: str = "", *, align: str = "center", size: float = 14, bold: bool = False,  # type: ignore[no-untyped-def]
          italic: bool = False, before: float = 0, after: float = 0, left_cm: float = 0, keep_next: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    p = target.add_paragraph()
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    pf = p.paragraph_format
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    if left_cm:
        pf.left_indent = Cm(left_cm)
    if keep_next:
        pf.keep_with_next = True
    if text:
        run = p.add_run(nfc(text))
        run.bold, run.italic = bold or None, italic or None
        run.font.size = Pt(size)
    mark = p._p.get_or_add_pPr()  # noqa: SLF001 - the paragraph mark's size sets an empty line's height
    mark_rpr = _el("w:rPr")
    mark_rpr.append(_el("w:sz", w_val=str(int(size * 2))))
    mark.append(mark_rpr)
    return p


def _rule(doc, length_cm: float, after: float = 0) -> None:  # type: ignore[no-untyped-def]
    """A centred short line (an empty paragraph whose top border is the rule), as under a body's name."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Cm, Pt

    p = _para(doc, size=1)
    pf = p.paragraph_format
    side = max((_TEXT_CM - length_cm) / 2, 0)
    pf.left_indent = pf.right_indent = Cm(side)
    pf.space_before, pf.space_after = Pt(2), Pt(after)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(2)
    bdr = _el("w:pBdr")
    bdr.append(_el("w:top", w_val="single", w_sz="6", w_space="1", w_color="000000"))
    p._p.get_or_add_pPr().find(_qn("w:rPr")).addprevious(bdr)  # noqa: SLF001 - schema order: pBdr before rPr


def _table(doc, widths: Sequence[float], rows: int):  # type: ignore[no-untyped-def]
    """A table with single grid lines and fixed widths (grid and cells: LibreOffice reads the grid)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    t = doc.add_table(rows=rows, cols=len(widths))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    tblpr = t._tbl.tblPr  # noqa: SLF001
    borders = _el("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{edge}", w_val="single", w_sz="4", w_space="0", w_color="000000"))
    tblpr.append(borders)
    tblpr.append(_el("w:tblLayout", w_type="fixed"))
    tblw = tblpr.find(_qn("w:tblW"))
    if tblw is None:
        tblw = _el("w:tblW")
        tblpr.append(tblw)
    tblw.set(_qn("w:type"), "dxa")
    tblw.set(_qn("w:w"), str(int(sum(widths) / 2.54 * 1440)))
    for col, w in zip(t._tbl.tblGrid.findall(_qn("w:gridCol")), widths, strict=True):  # noqa: SLF001
        col.set(_qn("w:w"), str(int(w / 2.54 * 1440)))
    for row in t.rows:
        row._tr.get_or_add_trPr().append(_el("w:cantSplit"))  # noqa: SLF001
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Cm(w)
    return t


def _cell(cell, text: str, *, align: str = "left", bold: bool = False, italic: bool = False,  # type: ignore[no-untyped-def]
          size: float = 12) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    empty = [p for p in cell.paragraphs if not p.text]  # a new (or merged) cell holds an empty paragraph
    _para(cell, text, align=align, size=size, bold=bold, italic=italic, before=2, after=2)
    for p in empty:
        p._p.getparent().remove(p._p)  # noqa: SLF001


@dataclass(frozen=True)
class _Counts:
    documents: int
    pages: int
    first: str  # printed first date, "" when none
    last: str
    states: tuple[tuple[str, int], ...]  # (printed state, number of documents)


def _counts(entries: Sequence[DossierEntry], total_pages: int, front: FrontMatter) -> _Counts:
    dated = [e for e in entries if e.date != dt.date.min and not e.undated]
    first = min(dated, key=lambda e: e.date) if dated else None
    last = max(dated, key=lambda e: (e.date, is_sample_dated(e, front))) if dated else None
    states: dict[str, int] = {}
    for e in entries:
        if section_for(e.kind).key == "PL":
            continue
        label = STATE_MARKS.get(e.state, STATE_MARKS[None]).strip("()")
        states[label] = states.get(label, 0) + 1
    order = [STATE_MARKS[s].strip("()") for s in ("signed", "final", "draft", None)]
    return _Counts(
        documents=len(entries), pages=total_pages,
        first=display_date(first, front) if first else "", last=display_date(last, front) if last else "",
        states=tuple((s, states[s]) for s in order if s in states),
    )


def _cover_docx(front: FrontMatter, counts: _Counts, out: Path) -> Path:
    doc = _new_docx(front.heading)
    if front.superior_upper:
        _para(doc, front.superior_upper, size=13)
    _para(doc, front.body_upper, size=13, bold=True)
    _rule(doc, 2.5)
    _para(doc, front.heading, size=20, bold=True, before=150, after=12)
    if front.subtitle:
        _para(doc, front.subtitle, size=14, italic=True, after=6)
    _rule(doc, 4.0, after=60)
    lines = []
    if counts.first:
        lines.append(f"Thời gian: từ ngày {counts.first} đến ngày {counts.last}")
    lines.append(f"Gồm: {counts.documents} văn bản, {counts.pages} trang (kể cả bìa và mục lục)")
    if counts.states:
        lines.append("Trong đó: " + "; ".join(f"{n} {s}" for s, n in counts.states))
    if front.kept_by:
        lines.append(f"Đơn vị lập và lưu hồ sơ: {front.kept_by}")
    if front.retention:
        lines.append(f"Thời hạn bảo quản: {front.retention}")
    for line in lines:
        _para(doc, line, align="left", size=14, left_cm=1.5, after=8)
    for note in front.notes:
        _para(doc, note, align="justify", size=12, italic=True, left_cm=1.5, before=6)
    doc.save(str(out))
    return out


def _contents_docx(front: FrontMatter, plan: _Plan, out: Path) -> tuple[Path, list[ContentsRow]]:
    """The MỤC LỤC: every section (empty ones said so) and every document with its first page (1-based)."""
    doc = _new_docx(f"Mục lục – {front.heading}", first_page_number=plan.front[0] + 1)
    _para(doc, "MỤC LỤC", size=14, bold=True, after=2)
    if front.contents_subtitle:
        _para(doc, front.contents_subtitle, size=14, italic=True, after=8)
    starts = {sec.key: (first, docs) for sec, first, docs in plan.sections}
    shown = [s for s in SECTIONS if s.key != "PL" or s.key in starts]  # the appendix only when present
    n_rows = 1 + sum(1 + len(front.section_notes.get(s.key, ())) + max(len(starts.get(s.key, (0, []))[1]), 1)
                     for s in shown)  # heading, notes, the documents or "Không có văn bản."
    t = _table(doc, _TOC_COLS, n_rows)
    head = t.rows[0]
    head._tr.get_or_add_trPr().append(_el("w:tblHeader"))  # noqa: SLF001 - repeated on every page
    for cell, text in zip(head.cells, _TOC_HEAD, strict=True):
        _cell(cell, text, align="center", bold=True)
    rows: list[ContentsRow] = []
    r = 1

    def wide(text: str, *, bold: bool = False, italic: bool = False, page: str = "") -> None:
        """A row across the first four columns: a section's heading or a note, kept with the next row."""
        nonlocal r
        cells = t.rows[r].cells
        merged = cells[0].merge(cells[3])
        _cell(merged, text, bold=bold, italic=italic)
        _cell(t.rows[r].cells[4], page, align="center", bold=bold)
        for cell in (merged, t.rows[r].cells[4]):
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
        r += 1

    for sec in shown:
        first, docs = starts.get(sec.key, (None, []))
        prefix = "" if sec.key == "PL" else f"{sec.key}. "
        wide(f"{prefix}{section_title(sec, front.wording)}", bold=True, page=str(first + 1) if docs else "")
        for note in front.section_notes.get(sec.key, ()):
            wide(note, italic=True)
        if not docs:
            wide("Không có văn bản.", italic=True)
        for i, (entry, page) in enumerate(docs, start=1):
            mark = state_mark(entry)
            title = display_title(entry, front) + (f" {mark}" if mark else "")
            row = ContentsRow(section=sec.key, entry=entry, number=entry.number or _NO_NUMBER,
                              date=display_date(entry, front), title=nfc(title), page=page + 1)
            cells = t.rows[r].cells
            _cell(cells[0], str(i), align="center")
            _cell(cells[1], row.number, align="center", italic=not entry.number)
            _cell(cells[2], row.date, align="center")
            _cell(cells[3], row.title)
            _cell(cells[4], str(row.page), align="center")
            rows.append(row)
            r += 1
    doc.save(str(out))
    return out, rows


def _front_pages(
    front: FrontMatter, ordered: Sequence[DossierEntry], pages: Sequence[int], work: Path,
    converter: Converter | None, meta: PdfMetadata,
) -> tuple[Path, Path, _Plan, list[ContentsRow]]:
    """Cover and MỤC LỤC as verified PDFs, laid out until their page counts are stable."""
    from pypdf import PdfReader

    from congkhai.convert.base import ConvertJob

    # About 12.5 rows a page (titles wrap to two or three lines): Kép's 2024 dossiers, 197 documents → 16
    # pages and 686 → 55, are laid out at the first try. A wrong guess only costs one more conversion.
    guess = (1, max(1, round((len(ordered) + 4) / 12.5)))
    for attempt in range(6):
        plan = _layout(ordered, pages, sum(guess))
        plan.front, plan.wording, plan.front_matter = guess, front.wording, front
        counts = _counts(ordered, plan.total, front)
        cover = _cover_docx(front, counts, work / f"bia-{attempt}.docx")
        toc, rows = _contents_docx(front, plan, work / f"muc-luc-{attempt}.docx")
        jobs = [
            ConvertJob(cover, work / f"bia-{attempt}.pdf", metadata=replace(meta, title=front.heading),
                       expect_text=(front.heading,)),
            ConvertJob(toc, work / f"muc-luc-{attempt}.pdf",
                       metadata=replace(meta, title=f"Mục lục – {front.heading}"), expect_text=("MỤC LỤC",)),
        ]
        if converter is None:
            from congkhai.convert import get_converter

            with get_converter() as conv:
                results = conv.convert_many(jobs)
        else:
            results = converter.convert_many(jobs)
        cover_pdf, toc_pdf = (res.raise_for_error() for res in results)
        got = (len(PdfReader(cover_pdf).pages), len(PdfReader(toc_pdf).pages))
        if got == guess:
            return cover_pdf, toc_pdf, plan, rows
        guess = got
    raise ConversionError(
        "Không xếp được mục lục hồ sơ: số trang của mục lục thay đổi sau mỗi lần dàn trang.",
        "The MỤC LỤC's page count did not settle.", kind="dossier_layout",
    )


def _image_as_pdf(src: Path, out: Path) -> Path:
    """A signed scan filed as a photo (JPEG/PNG/TIFF) as a one-page-per-frame PDF at its own resolution."""
    from PIL import Image, ImageSequence

    with Image.open(src) as im:
        frames = [f.convert("RGB") for f in ImageSequence.Iterator(im)]
        dpi = im.info.get("dpi", (200, 200))[0] or 200
    frames[0].save(out, "PDF", save_all=True, append_images=frames[1:], resolution=float(dpi))
    return out


def assemble(
    entries: Iterable[DossierEntry],
    out_pdf: Path | str,
    title: str,
    *,
    subject: str = "Hồ sơ công khai thông tin",
    author: str = "",
    keywords: Sequence[str] = ("công khai thông tin",),
    converter: Converter | None = None,
    pdfa: bool = True,
    front: FrontMatter | None = None,
) -> DossierReport:
    """Merge ``entries`` into ``out_pdf`` with sections, outline, page labels and metadata.

    With ``front`` the file opens with a cover and a printed MỤC LỤC (converted by ``converter``, or
    the configured one). With ``pdfa`` (the default) the result is PDF/A-2b, checked by
    :func:`verify_pdf`. Raises :class:`ConversionError` for a missing or broken input PDF,
    :class:`UsageError` for an unknown kind or an empty list.
    """
    from pypdf import PdfReader

    out_pdf = Path(out_pdf)
    ordered = order_entries(entries)
    if not ordered:
        raise UsageError("Không có văn bản nào để lập hồ sơ.", "No documents to assemble.", kind="dossier_empty")
    meta = PdfMetadata(title=title, subject=subject, author=author, keywords=tuple(keywords))
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="congkhai-dossier-", dir=out_pdf.parent) as td:
        work = Path(td)
        ready: list[DossierEntry] = []
        pages: list[int] = []
        for i, e in enumerate(ordered):  # fail early, naming the bad file, before any merging
            try:
                if e.pdf.suffix.lower() in (".jpg", ".jpeg", ".png", ".tif", ".tiff") and e.pdf.is_file():
                    e = replace(e, pdf=_image_as_pdf(e.pdf, work / f"scan-{i}.pdf"))
                pages.append(verify_pdf(e.pdf, pdfa=False, require_vietnamese_title=False).pages)
            except (PdfVerificationError, OSError) as err:
                reasons = "; ".join(getattr(err, "reasons", [str(err)]))
                raise ConversionError(
                    f"Không đưa được «{e.title}» vào hồ sơ: {reasons}",
                    f"Cannot add {e.pdf} to the dossier: {reasons}",
                    kind="dossier_input", path=str(e.pdf),
                ) from err
            ready.append(e)
        rows: list[ContentsRow] = []
        if front is not None:
            cover_pdf, toc_pdf, plan, rows = _front_pages(front, ready, pages, work, converter, meta)
            sources = [cover_pdf, toc_pdf, *(e.pdf for e in ready)]
            # the rows name the entries as given (a photo scan's own path, not its temporary PDF)
            rows = [replace(r, entry=o) for r, o in zip(rows, ordered, strict=True)]
        else:
            plan = _layout(ready, pages, 0)
            sources = [e.pdf for e in ready]
        merged = work / "merged.pdf"
        _merge(sources, plan, merged)
        final = work / "final.pdf"
        from congkhai.convert.pdfa import ghostscript_pdfa, set_metadata

        if pdfa:
            if shutil.which("gs") or converter is None:
                ghostscript_pdfa(merged, final, meta)
            else:
                converter.to_pdfa(merged, final, meta)
        else:
            shutil.copyfile(merged, final)
            set_metadata(final, meta)
        if not _navigation_intact(final, plan):
            _restore_navigation(final, plan, meta)
            if not _navigation_intact(final, plan):
                raise PdfVerificationError(out_pdf, ["mục lục (bookmark) hoặc số trang bị mất sau khi tạo PDF/A"])
        try:
            report = verify_pdf(final, expect_pages=plan.total, pdfa=pdfa, metadata=meta)
        except PdfVerificationError as err:
            raise PdfVerificationError(out_pdf, err.reasons) from None
        if front is not None:  # one page's text, not the whole file's (≈40 ms a page)
            toc_text = PdfReader(final).pages[plan.front[0]].extract_text() or ""
            if "MỤC LỤC" not in nfc(toc_text):
                raise PdfVerificationError(out_pdf, [f"trang {plan.front[0] + 1} không phải mục lục"])
        final.replace(out_pdf)
    sections = tuple((f"{s.key}. {section_title(s, plan.wording)}", len(docs), first) for s, first, docs in plan.sections)
    return DossierReport(path=out_pdf, pages=plan.total, sections=sections, page_labels=tuple(plan.labels()),
                         pdf=report, contents=tuple(rows), front_pages=plan.front)


# -- the front matter of a commune ---------------------------------------------------------------

def front_matter(commune: Any, *, year: int | None = None, heading: str | None = None,
                 subtitle: str | None = None) -> FrontMatter:
    """The cover and MỤC LỤC wording of a commune profile (:class:`congkhai.commune.Commune`).

    Every name comes from the profile (its kind gives ``THỊ TRẤN`` / ``XÃ`` / ``PHƯỜNG``). The
    People's Council's session dates of ``year``, when the profile marks them as samples, are named
    on the cover and under section 7 with ``(mẫu)``, and never printed unmarked.
    """
    body = commune.body_short or f"UBND {commune.name}"
    heading = heading or ("HỒ SƠ CÔNG KHAI THÔNG TIN" + (f" NĂM {year}" if year else ""))
    if subtitle is None:
        plan = f" và Kế hoạch thực hiện công khai năm {year} của {body}" if year else ""
        subtitle = f"(Theo Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15{plan})"
    sessions = commune.sessions(year) if year else []
    sample = bool(sessions) and bool(getattr(commune.council, "sessions_sample", False))
    notes: list[str] = []
    section_notes: dict[str, tuple[str, ...]] = {}
    if sessions:
        shown = ", ".join(_fmt(d) + (f" {SAMPLE_MARK}" if sample else "") for d in sessions)
        section_notes["7"] = (f"Các kỳ họp thường lệ năm {year}: {shown}",)
    if sample:
        notes.append(
            f"Ghi chú: ngày các kỳ họp thường lệ của {commune.council_short} năm {year} là dữ liệu mẫu trong "
            f"hồ sơ đơn vị, chưa phải ngày thật: {shown}. Ngày của các báo cáo trình kỳ họp tính từ các ngày "
            f"đó, nên cũng được đánh dấu {SAMPLE_MARK}."
        )
    retention = getattr(commune, "retention", None) or getattr(commune, "dossier_retention", None) or ""
    wording = {"body_short": body, "group_word": commune.group_word,
               "radio_name": commune.radio_name or "", "council_short": commune.council_short}
    return FrontMatter(
        body_upper=commune.body_name_upper or f"ỦY BAN NHÂN DÂN {commune.name_upper}",
        heading=nfc(heading),
        superior_upper=commune.superior_full_upper or commune.superior_upper or "",
        subtitle=nfc(subtitle),
        contents_subtitle=nfc(f"{heading[:1]}{heading[1:].lower()} của {body}"),
        kept_by=commune.office.name if commune.office else "",
        retention=nfc(str(retention)),
        notes=tuple(nfc(n) for n in notes),
        wording=wording,
        section_notes=section_notes,
        sample_dates=frozenset(sessions) if sample else frozenset(),
    )


# -- where entries come from: the archive's manifests, or a plain folder of PDFs ----------------

#: Archive kinds never merged into a dossier as such (a signed scan stands in for its document).
SKIPPED_KINDS = frozenset({"signed_scan", "dossier"})
_MERGEABLE = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")


def _best(files: Sequence[dict]) -> dict:
    """The version a dossier keeps: the best state (signed, final, draft), the newest of it."""
    return max(files, key=lambda f: (STATE_RANK.get(f.get("state"), 1), f.get("version", 0)))


def _manifest_entries(manifest_path: Path, with_originals: bool, year: int | None = None,
                      folder_year: int | None = None) -> list[DossierEntry]:
    """One version of every document (kind, key) listed in one archive ``manifest.json``.

    With ``year``: only what belongs to that year's dossier — the folder's documents when the folder
    is of ``year`` (``folder_year``), except January re-postings of another year; and the January
    re-postings of ``year`` whatever the folder.
    """
    import json

    m = json.loads(manifest_path.read_text(encoding="utf-8"))
    folder = manifest_path.parent
    issued = m.get("IssuedDate")
    versions: dict[tuple[str, str], list[dict]] = {}
    by_key: dict[str, str] = {}  # document key -> kind
    for f in m.get("files", []):
        kind = f.get("kind", "")
        if not str(f.get("path", "")).lower().endswith(".pdf") or kind in SKIPPED_KINDS:
            continue
        if kind not in KIND_SECTION or (section_for(kind).key == "PL" and not with_originals):
            continue
        key = f.get("key", kind)
        versions.setdefault((kind, key), []).append(f)
        by_key[key] = kind
    signed_of = {r.get("scan"): k for k, r in (m.get("signed") or {}).items() if isinstance(r, dict)}
    for f in m.get("files", []):  # signed scans: the signed version of the document they name
        if f.get("kind") != "signed_scan" or not str(f.get("path", "")).lower().endswith(_MERGEABLE):
            continue
        of = (f.get("signed_of") or {}).get("key") or signed_of.get(f.get("path"))
        if of in by_key:
            versions[(by_key[of], of)].append({**f, "state": "signed", "signed": True})
    out = []
    for (kind, key), files in versions.items():
        repost = REPOST_KEY.search(key)
        repost_year = int(repost.group(1)) if repost else None
        if year is not None and (repost_year if repost_year is not None else folder_year) != year:
            continue
        f = _best(files)
        doc = _best([g for g in files if not g.get("signed")])  # the generated document (title, date)
        day = doc.get("doc_date") or issued
        source = f if f.get("number") is not None and f.get("code") else doc
        if source.get("number") is not None and source.get("code"):
            number = f"{int(source['number']):02d}/{source['code']}"
        elif kind in ("original", "disclosed_document"):
            number = "/".join(x for x in (m.get("CodeNumber"), m.get("CodeNotation")) if x)
        else:
            number = ""
        title = doc.get("title") or m.get("Subject") or kind
        out.append(DossierEntry(
            kind=kind, date=dt.date.fromisoformat(day) if day else dt.date.min,
            title=nfc(_strip_draft(title)), pdf=folder / f["path"], number=nfc(number),
            state=f.get("state"), repost_year=repost_year, undated=bool(doc.get("undated")) and not f.get("signed"),
        ))
    return out


def entries_from_case(case_dir: Path | str, *, with_originals: bool = True) -> list[DossierEntry]:
    """Entries of one archive case folder (its ``manifest.json``)."""
    manifest = Path(case_dir) / "manifest.json"
    if not manifest.is_file():
        raise UsageError(
            f"Không thấy manifest.json trong {case_dir}: không phải thư mục hồ sơ của kho lưu trữ.",
            f"No manifest.json in {case_dir}: not an archive case folder.", kind="dossier_case",
            path=str(case_dir),
        )
    return _manifest_entries(manifest, with_originals)


def entries_from_year(
    commune_archive: Path | str, year: int, *, with_originals: bool = False
) -> list[DossierEntry]:
    """Entries of ``year`` under a commune's archive tree (``<root>/<commune>``): every manifest of
    the year's folders, and the January re-posting minutes of ``year`` filed in earlier years' cases."""
    root = Path(commune_archive)
    base = root / f"{year:04d}"
    if not base.is_dir():
        raise UsageError(
            f"Kho lưu trữ chưa có năm {year} ({base}).", f"The archive has no year {year} ({base}).",
            kind="dossier_year", path=str(base),
        )
    out: list[DossierEntry] = []
    for year_dir in sorted(p for p in root.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)):
        folder_year = int(year_dir.name)
        if folder_year > year:
            continue  # a re-posting is made in January of its year, in a case of an earlier year
        for manifest in sorted(year_dir.rglob("manifest.json")):
            if "/." in manifest.relative_to(root).as_posix():  # hidden folders: index, temporary files
                continue
            out += _manifest_entries(manifest, with_originals, year=year, folder_year=folder_year)
    return out


_DATE_IN_NAME = re.compile(r"(20\d\d)-?(\d\d)-?(\d\d)")


def entries_from_folder(folder: Path | str) -> list[DossierEntry]:
    """A plain folder of PDFs: the kind is read from the file name (``…posting_end….pdf`` or the
    archive's words, e.g. ``bien-ban-ket-thuc``), the date from ``YYYY-MM-DD``/``YYYYMMDD`` in the
    name (else the file's time), the title from the PDF's own title (else the file name); a title
    ``DỰ THẢO - …`` makes it a draft, any other state is unknown. Files whose kind cannot be told are refused, naming them (a dossier never guesses a section).
    """
    from pypdf import PdfReader

    words = {k.file_word: k.id for k in ALL_KINDS.values() if k.id in KIND_SECTION}
    out, unknown = [], []
    for pdf in sorted(Path(folder).glob("*.pdf")):
        name = pdf.name.lower()
        kind = next((k for k in sorted(KIND_SECTION, key=len, reverse=True) if k in name), None)
        kind = kind or next((v for w, v in sorted(words.items(), key=lambda x: -len(x[0])) if w in name), None)
        if kind is None:
            unknown.append(pdf.name)
            continue
        m = _DATE_IN_NAME.search(pdf.name)
        day = (dt.date(int(m[1]), int(m[2]), int(m[3])) if m
               else dt.date.fromtimestamp(pdf.stat().st_mtime))
        try:
            title = str((PdfReader(pdf).metadata or {}).get("/Title") or "") or pdf.stem
        except Exception:  # noqa: BLE001 - a broken PDF is reported by assemble()
            title = pdf.stem
        title = nfc(title)  # a draft made here says so in its PDF title (``DỰ THẢO - …``)
        state = "draft" if title.startswith(f"{DRAFT_MARK} - ") else None
        out.append(DossierEntry(kind=kind, date=day, title=_strip_draft(title), pdf=pdf, state=state))
    if unknown:
        raise UsageError(
            "Không biết các tệp sau thuộc mục nào của hồ sơ (tên tệp cần có loại văn bản, ví dụ "
            f"bien-ban-ket-thuc): {', '.join(unknown)}",
            f"Cannot tell the dossier section of: {', '.join(unknown)} (put the kind in the file name)",
            kind="dossier_kind",
        )
    return out
