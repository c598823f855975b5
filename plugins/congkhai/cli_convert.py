"""Commands ``congkhai convert`` (one .docx to a checked PDF/A-2b) and ``congkhai dossier``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from congkhai.errors import UsageError

#: Abbreviations that stay in capitals when a title is put in sentence case.
_ABBREV = {"UBND", "HĐND", "MTTQ", "QĐ", "KH", "BB", "BC", "TB", "TDP", "ĐTT", "VN"}


def _sentence_case(text: str) -> str:
    words = [w if w.strip(".,:;()") in _ABBREV else w.lower() for w in text.split()]
    out = " ".join(words)
    return out[:1].upper() + out[1:]


def _default_title(src: Path) -> str:
    """The document's name line (Nghị định 30 prints it in capitals), else its core title, else the stem."""
    from congkhai.convert.verify import looks_vietnamese

    if src.suffix.lower() == ".docx":
        try:
            import docx

            d = docx.Document(str(src))
            for para in d.paragraphs[:15]:
                text = " ".join(para.text.split())
                if len(text) >= 8 and text.upper() == text and looks_vietnamese(text):
                    return _sentence_case(text)
            core = d.core_properties.title or ""
            if looks_vietnamese(core):
                return core
        except Exception:  # noqa: BLE001 - the converter reports a broken file properly
            pass
    return src.stem


def convert_cmd(
    src: Path = typer.Argument(..., help="Tệp .docx cần chuyển / input .docx"),
    out: Path = typer.Argument(..., help="Tệp PDF kết quả / output PDF"),
    title: str = typer.Option(None, "--title", help="Tiêu đề PDF (mặc định: tên văn bản trong tệp)"),
    subject: str = typer.Option("", "--subject", help="Trích yếu / subject"),
    author: str = typer.Option("", "--author", help="Cơ quan ban hành / author"),
    expect: list[str] = typer.Option([], "--expect", help="Nội dung PDF phải có (lặp lại được)"),
    pages: int = typer.Option(None, "--pages", help="Số trang phải có"),
    pdfa: bool = typer.Option(True, "--pdfa/--no-pdfa", help="PDF/A-2b (mặc định) / plain PDF"),
) -> None:
    """Chuyển một .docx sang PDF/A-2b đã kiểm tra / convert one .docx to a verified PDF/A-2b."""
    from congkhai.convert import ConvertJob, PdfMetadata, get_converter

    if not src.is_file():
        raise UsageError(f"Không tìm thấy tệp {src}", f"File not found: {src}", kind="usage", path=str(src))
    meta = PdfMetadata(title=title or _default_title(src), subject=subject, author=author)
    job = ConvertJob(src=src, out=out, metadata=meta, expect_text=tuple(expect), expect_pages=pages, pdfa=pdfa)
    with get_converter() as conv:
        result = conv.convert_many([job])[0]
    result.raise_for_error()
    typer.echo(f"{out}  ({result.pages} trang, {result.seconds:.2f} s, {result.backend})")


def dossier_cmd(
    out: Path = typer.Option(..., "--out", help="Tệp PDF hồ sơ / output PDF"),
    year: int = typer.Option(None, "--year", help="Năm: gộp mọi hồ sơ vụ việc của năm trong kho lưu trữ"),
    case: Path = typer.Option(None, "--case", help="Một thư mục hồ sơ vụ việc (có manifest.json)"),
    folder: Path = typer.Option(None, "--from", help="Một thư mục các tệp PDF (loại văn bản trong tên tệp)"),
    commune: str = typer.Option("kep", "--commune", help="Mã xã / commune code"),
    title: str = typer.Option(None, "--title", help="Tiêu đề hồ sơ"),
    author: str = typer.Option(None, "--author", help="Cơ quan lập hồ sơ (mặc định: UBND xã theo hồ sơ xã)"),
    with_originals: bool = typer.Option(
        None, "--with-originals/--without-originals",
        help="Kèm văn bản được công khai (phụ lục); mặc định: có với --case, không với --year",
    ),
    front: bool = typer.Option(
        True, "--front/--no-front",
        help="Bìa hồ sơ và mục lục in có số trang, lấy từ hồ sơ xã (mặc định: có) / cover and printed MỤC LỤC",
    ),
    pdfa: bool = typer.Option(True, "--pdfa/--no-pdfa"),
) -> None:
    """Lập hồ sơ công khai thông tin (một tệp PDF/A có bìa, mục lục in và bookmark) / assemble the dossier."""
    from congkhai.config import settings
    from congkhai.convert.dossier import (
        assemble,
        entries_from_case,
        entries_from_folder,
        entries_from_year,
        front_matter,
    )

    chosen = [x for x in (year, case, folder) if x is not None]
    if len(chosen) != 1:
        raise UsageError("Chọn đúng một trong --year, --case, --from.",
                         "Give exactly one of --year, --case, --from.", kind="usage")
    if year is not None:
        entries = entries_from_year(settings().archive_dir(commune), year,
                                    with_originals=bool(with_originals))
        title = title or f"Hồ sơ công khai thông tin năm {year}"
    elif case is not None:
        entries = entries_from_case(case, with_originals=with_originals is not False)
        title = title or f"Hồ sơ công khai thông tin – {case.name}"
    else:
        entries = entries_from_folder(folder)
        title = title or f"Hồ sơ công khai thông tin – {dt.date.today():%d/%m/%Y}"
    matter = None
    if front:
        profile = _commune_profile(commune)
        if year is not None:
            matter = front_matter(profile, year=year)
        else:
            matter = front_matter(profile, subtitle=f"({_case_line(case) if case is not None else title})")
    report = assemble(entries, out, title, author=author or _commune_name(commune), pdfa=pdfa, front=matter)
    typer.echo(f"{report.path}  ({report.pages} trang, {sum(n for _, n, _ in report.sections)} văn bản)")
    if report.front_pages != (0, 0):
        cover, toc = report.front_pages
        typer.echo(f"  Bìa: {cover} trang; mục lục: {toc} trang (từ trang {cover + 1})")
    for label, n, first in report.sections:
        typer.echo(f"  {label}: {n} văn bản, từ trang {report.page_labels[first]}")


def _case_line(case: Path) -> str:
    """``Công khai Quyết định số 15/QĐ-UBND ngày 02/02/2024: Giao dự toán …`` from a case's manifest."""
    import json

    m = json.loads((case / "manifest.json").read_text(encoding="utf-8"))
    number = "/".join(x for x in (m.get("CodeNumber"), m.get("CodeNotation")) if x)
    issued = dt.date.fromisoformat(m["IssuedDate"]).strftime(" ngày %d/%m/%Y") if m.get("IssuedDate") else ""
    what = f"văn bản số {number}{issued}" if number else f"văn bản{issued}"
    return f"Công khai {what}: {m.get('Subject') or case.name}"


def _commune_profile(commune: str):  # type: ignore[no-untyped-def]
    """The commune profile the cover and MỤC LỤC print from; a Vietnamese usage error when unreadable."""
    from congkhai import commune as commune_mod
    from congkhai.errors import CongkhaiError

    try:
        return commune_mod.load_commune(commune)
    except CongkhaiError as err:
        raise UsageError(
            f"Không đọc được hồ sơ xã «{commune}» để in bìa và mục lục: {err.message_vi} "
            "(dùng --commune, hoặc --no-front để lập hồ sơ không có bìa).",
            f"Cannot read the profile of {commune!r} for the cover and MỤC LỤC (use --commune or --no-front).",
            kind="usage", field="commune",
        ) from err


def _commune_name(commune: str) -> str:
    """``UBND xã Kép`` from the commune profile when it can be read, else a plain label."""
    try:
        from congkhai import commune as commune_mod

        prof = commune_mod.load_commune(commune)
        return prof.body_short or f"UBND {prof.name}"
    except Exception:  # noqa: BLE001 - metadata only: fall back to the code
        pass
    return f"UBND xã {commune}"


def register(app: typer.Typer) -> None:
    app.command("convert")(convert_cmd)
    app.command("dossier")(dossier_cmd)
