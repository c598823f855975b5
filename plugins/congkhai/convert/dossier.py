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
are not merged (a scan duplicates a generated minute; a dossier is the output).

Decisions (documented here, the lead may revise them):

* ``quarterly_list`` gets its own section 8 after the seed's seven. It is neither a plan
  (section 1) nor a minute: it is item 1.8 of the plan, a disclosed list drawn from the
  democracy software each quarter, so filing it under the yearly plan would hide it.
* Originals of the issued documents that were disclosed (``disclosed_document``) are not in the
  seed's list; the minutes cite them by number. When the caller passes them they go last, in an
  appendix "Phụ lục: Văn bản được công khai", so the numbered sections stay as the seed has them.

Inside a section documents are in date order (then number, then title). The outline has one
entry per non-empty section with one child per document; page labels restart per section with
the section number as prefix (``3-1``, ``3-2``, ``PL-1``). Merging with pypdf drops PDF/A, so the
merged file is rewritten as PDF/A-2b (Ghostscript locally, see :mod:`congkhai.convert.pdfa`;
the converter's ``to_pdfa`` when Ghostscript is missing) and verified like any output; if the
PDF/A tool lost the outline or page labels they are put back and checked again.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from congkhai.convert.base import ConversionError, Converter, PdfMetadata, PdfVerificationError
from congkhai.convert.verify import PdfReport, verify_pdf
from congkhai.documents.kinds import ALL_KINDS
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
#: Which kinds go in which section: read from the one kind table (``Kind.dossier_section``).
SECTIONS: tuple[Section, ...] = (
    *(Section(str(n), title, tuple(k.id for k in ALL_KINDS.values() if k.dossier_section == n))
      for n, title in _SECTION_TITLES.items()),
    Section("PL", "Phụ lục: Văn bản được công khai",
            ("disclosed_document", *(k.id for k in ALL_KINDS.values() if k.dossier_appendix))),
)
KIND_SECTION: dict[str, Section] = {k: s for s in SECTIONS for k in s.kinds}


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
    """One PDF of the dossier: its kind (hence section), date, title and optional number."""

    kind: str
    date: dt.date
    title: str
    pdf: Path
    number: str = ""

    @property
    def label(self) -> str:
        """The outline text: ``05/01/2024 – 02/BB-UBND – Biên bản niêm yết …``."""
        parts = [self.date.strftime("%d/%m/%Y")]
        if self.number:
            parts.append(self.number)
        parts.append(self.title)
        return nfc(" – ".join(parts))


@dataclass(frozen=True)
class DossierReport:
    path: Path
    pages: int
    #: (section label, number of documents, first page index 0-based)
    sections: tuple[tuple[str, int, int], ...]
    page_labels: tuple[str, ...]
    pdf: PdfReport


def order_entries(entries: Iterable[DossierEntry]) -> list[DossierEntry]:
    """Section order, then chronological inside each section (number, title break ties)."""
    order = {s.key: i for i, s in enumerate(SECTIONS)}
    return sorted(entries, key=lambda e: (order[section_for(e.kind).key], e.date, e.number, e.title))


@dataclass
class _Plan:
    """Where each section and document starts, to build (and rebuild) the navigation."""

    sections: list[tuple[Section, int, list[tuple[DossierEntry, int]]]]
    total: int

    def labels(self) -> list[str]:
        out: list[str] = []
        bounds = [first for _, first, _ in self.sections] + [self.total]
        for (sec, first, _), end in zip(self.sections, bounds[1:], strict=True):
            out += [f"{sec.key}-{i}" for i in range(1, end - first + 1)]
        return out


def _apply_navigation(writer, plan: _Plan) -> None:
    bounds = [first for _, first, _ in plan.sections] + [plan.total]
    for (sec, first, docs), end in zip(plan.sections, bounds[1:], strict=True):
        prefix = "" if sec.key == "PL" else f"{sec.key}. "
        parent = writer.add_outline_item(title=f"{prefix}{sec.title}", page_number=first)
        for entry, page in docs:
            writer.add_outline_item(title=entry.label, page_number=page, parent=parent)
        writer.set_page_label(page_index_from=first, page_index_to=end - 1, style="/D",
                              prefix=f"{sec.key}-", start=1)


def _merge(entries: Sequence[DossierEntry], out: Path) -> _Plan:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    plan = _Plan(sections=[], total=0)
    for entry in entries:
        sec = section_for(entry.kind)
        if not plan.sections or plan.sections[-1][0] is not sec:
            plan.sections.append((sec, len(writer.pages), []))
        start = len(writer.pages)
        writer.append(PdfReader(entry.pdf), import_outline=False)
        plan.sections[-1][2].append((entry, start))
    plan.total = len(writer.pages)
    _apply_navigation(writer, plan)
    with open(out, "wb") as fh:
        writer.write(fh)
    return plan


def _navigation_intact(path: Path, plan: _Plan) -> bool:
    from pypdf import PdfReader

    reader = PdfReader(path)
    top = [o for o in reader.outline if not isinstance(o, list)]
    return len(top) == len(plan.sections) and list(reader.page_labels) == plan.labels()


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
) -> DossierReport:
    """Merge ``entries`` into ``out_pdf`` with sections, outline, page labels and metadata.

    With ``pdfa`` (the default) the result is PDF/A-2b, checked by :func:`verify_pdf`.
    Raises :class:`ConversionError` for a missing or broken input PDF, :class:`UsageError` for
    an unknown kind or an empty list.
    """
    out_pdf = Path(out_pdf)
    ordered = order_entries(entries)
    if not ordered:
        raise UsageError("Không có văn bản nào để lập hồ sơ.", "No documents to assemble.", kind="dossier_empty")
    for e in ordered:  # fail early, naming the bad file, before any merging
        try:
            verify_pdf(e.pdf, pdfa=False, require_vietnamese_title=False)
        except PdfVerificationError as err:
            raise ConversionError(
                f"Không đưa được «{e.title}» vào hồ sơ: {'; '.join(err.reasons)}",
                f"Cannot add {e.pdf} to the dossier: {'; '.join(err.reasons)}",
                kind="dossier_input", path=str(e.pdf),
            ) from err
    meta = PdfMetadata(title=title, subject=subject, author=author, keywords=tuple(keywords))
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="congkhai-dossier-", dir=out_pdf.parent) as td:
        merged = Path(td) / "merged.pdf"
        plan = _merge(ordered, merged)
        final = Path(td) / "final.pdf"
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
        final.replace(out_pdf)
    sections = tuple(
        (f"{s.key}. {s.title}", len(docs), first) for s, first, docs in plan.sections
    )
    return DossierReport(path=out_pdf, pages=plan.total, sections=sections,
                         page_labels=tuple(plan.labels()), pdf=report)


# -- where entries come from: the archive's manifests, or a plain folder of PDFs ----------------

#: Archive kinds never merged into a dossier.
SKIPPED_KINDS = frozenset({"signed_scan", "dossier"})


def _manifest_entries(manifest_path: Path, with_originals: bool) -> list[DossierEntry]:
    """The newest PDF of every (kind, key) listed in one archive ``manifest.json``."""
    import json

    m = json.loads(manifest_path.read_text(encoding="utf-8"))
    folder = manifest_path.parent
    issued = m.get("IssuedDate")
    newest: dict[tuple[str, str], dict] = {}
    for f in m.get("files", []):
        kind = f.get("kind", "")
        if not str(f.get("path", "")).lower().endswith(".pdf") or kind in SKIPPED_KINDS:
            continue
        if kind not in KIND_SECTION or (section_for(kind).key == "PL" and not with_originals):
            continue
        k = (kind, f.get("key", kind))
        if k not in newest or f.get("version", 0) > newest[k].get("version", 0):
            newest[k] = f
    out = []
    for f in newest.values():
        day = f.get("doc_date") or issued
        if f.get("number") is not None and f.get("code"):
            number = f"{int(f['number']):02d}/{f['code']}"
        elif f["kind"] in ("original", "disclosed_document"):
            number = "/".join(x for x in (m.get("CodeNumber"), m.get("CodeNotation")) if x)
        else:
            number = ""
        title = f.get("title") or m.get("Subject") or f["kind"]
        out.append(DossierEntry(
            kind=f["kind"], date=dt.date.fromisoformat(day) if day else dt.date.min,
            title=nfc(title), pdf=folder / f["path"], number=nfc(number),
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
    """Entries of every manifest of ``year`` under a commune's archive tree (``<root>/<commune>``)."""
    base = Path(commune_archive) / f"{year:04d}"
    if not base.is_dir():
        raise UsageError(
            f"Kho lưu trữ chưa có năm {year} ({base}).", f"The archive has no year {year} ({base}).",
            kind="dossier_year", path=str(base),
        )
    out: list[DossierEntry] = []
    for manifest in sorted(base.rglob("manifest.json")):
        if "/." in manifest.as_posix():  # hidden folders: index, temporary files
            continue
        out += _manifest_entries(manifest, with_originals)
    return out


_DATE_IN_NAME = re.compile(r"(20\d\d)-?(\d\d)-?(\d\d)")


def entries_from_folder(folder: Path | str) -> list[DossierEntry]:
    """A plain folder of PDFs: the kind is read from the file name (``…posting_end….pdf`` or the
    archive's words, e.g. ``bien-ban-ket-thuc``), the date from ``YYYY-MM-DD``/``YYYYMMDD`` in the
    name (else the file's time), the title from the PDF's own title (else the file name).
    Files whose kind cannot be told are refused, naming them (a dossier never guesses a section).
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
        out.append(DossierEntry(kind=kind, date=day, title=nfc(title), pdf=pdf))
    if unknown:
        raise UsageError(
            "Không biết các tệp sau thuộc mục nào của hồ sơ (tên tệp cần có loại văn bản, ví dụ "
            f"bien-ban-ket-thuc): {', '.join(unknown)}",
            f"Cannot tell the dossier section of: {', '.join(unknown)} (put the kind in the file name)",
            kind="dossier_kind",
        )
    return out
