"""The year's dossier as an inspector opens it (issue 13, point 7): cover, printed MỤC LỤC, every section.

GIVEN a small year of Kép made by the real pipeline with the real LibreOffice — a permanent item (1.2,
the land-recovery regulation) issued in 2023 and posted then, the January 2024 run (the yearly plan
05/KH-UBND, its posting, the re-posting of the regulation at the UBND and at each cultural house), a
Q1 document posted, broadcast and ended, the Q1 list (1.8) and its posting, the report before the
People's Council's July session — in a copy of Kép's profile cut to two residential groups (its people
and session dates still marked as samples, so every document is a draft)
WHEN the 2024 dossier is assembled (``assemble_year_dossier``)
THEN page 1 is the cover with the commune's body from its kind and the year, page 2 starts ``MỤC LỤC``,
the sections are in the plan's order, every printed page number points at the page where that
document starts (its text shows it), the January re-postings are in sections 3 and 4, drafts and
sample dates are marked, the bookmarks agree with the MỤC LỤC, and the file is PDF/A-2b;
AND the 2023 dossier leaves the 2024 re-postings out; AND the version kept of a document is the
signed one, else the newest final, else the newest draft.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader, PdfWriter

from congkhai.case import Case
from congkhai.config import REPO_ROOT, settings
from congkhai.convert import PdfMetadata, verify_pdf
from congkhai.convert.dossier import (
    SAMPLE_MARK,
    SECTIONS,
    entries_from_case,
    front_matter,
    section_title,
)
from congkhai.pipeline.calendar_jobs import (
    assemble_year_dossier,
    council_report_day,
    run_council,
    run_daily,
    run_january,
    run_quarterly,
)
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.issuance import run_issuance
from congkhai.textutil import date_words

pytestmark = pytest.mark.slow

REGULATION = Case(commune="kep", issued=dt.date(2023, 10, 2), dropped=dt.date(2023, 10, 2),
                  subject="Ban hành Quy chế thực hiện dân chủ trong công tác thu hồi đất, bồi thường, hỗ trợ, "
                          "tái định cư trên địa bàn thị trấn", doc_number="88", doc_code="QĐ-UBND",
                  doc_type="QUYẾT ĐỊNH", item="1.2", law_item=4)
BUDGET = Case(commune="kep", issued=dt.date(2024, 2, 20), dropped=dt.date(2024, 2, 20),
              subject="Công khai số liệu thực hiện dự toán ngân sách thị trấn năm 2023", doc_number="21",
              doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q1-4", law_item=2)
SESSION = dt.date(2024, 7, 12)  # a sample date of Kép's profile


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def page_texts(path: Path) -> list[str]:
    return [flat(p.extract_text() or "") for p in PdfReader(path).pages]


def small_kep(tmp: Path) -> Path:
    """Kép's profile with two residential groups (samples kept), its 2024 plan issued as 05/KH-UBND of
    05/01/2024, and the same plan standing as the 2023 one (the permanent item's year)."""
    dst = tmp / "communes" / "kep"
    shutil.copytree(REPO_ROOT / "communes" / "kep", dst)
    profile = dst / "commune.yaml"
    text = profile.read_text(encoding="utf-8")
    text = re.sub(r"\n  - \{code: tdp(0[3-9]|10),[^\n]*", "", text)
    assert text.count("{code: tdp") == 2
    profile.write_text(text, encoding="utf-8")
    plan = (dst / "plan-2024.yaml").read_text(encoding="utf-8")
    issued = plan.replace("\nnumber: null", '\nnumber: "05/KH-UBND"').replace("\nissued: null", "\nissued: 2024-01-05")
    assert issued != plan
    (dst / "plan-2024.yaml").write_text(issued, encoding="utf-8")
    (dst / "plan-2023.yaml").write_text(plan.replace("\nyear: 2024", "\nyear: 2023"), encoding="utf-8")
    return dst.parent


def blank_pdf(path: Path) -> Path:
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.write(path)
    return path


def open_case(run: CommuneRun, case: Case, tmp: Path) -> str:
    run.archive.open_case(case).add_original(blank_pdf(tmp / f"{case.doc_number}.pdf"))
    return case.case_id


@pytest.fixture(scope="module")
def converter():
    from congkhai.convert import get_converter

    with get_converter() as conv:
        yield conv


@pytest.fixture(scope="module")
def year(tmp_path_factory, converter):
    tmp = tmp_path_factory.mktemp("dossier-year")
    mp = pytest.MonkeyPatch()
    mp.setenv("CONGKHAI_DATA", str(tmp / "data"))
    mp.setenv("CONGKHAI_ARCHIVE", str(tmp / "archive"))
    mp.setenv("CONGKHAI_COMMUNES", str(small_kep(tmp)))
    try:
        run = CommuneRun("kep", settings())
        reg = open_case(run, REGULATION, tmp)
        assert not run_issuance(run, [reg], converter)["failed"]
        january = run_january(run, dt.date(2024, 1, 8), converter)
        assert not january["reposts"]["failed"] and len(january["reposts"]["filed"]) == 3, january["reposts"]
        budget = open_case(run, BUDGET, tmp)
        assert not run_issuance(run, [budget], converter)["failed"]
        daily = run_daily(run, dt.date(2024, 3, 28), converter)
        assert not daily["failed"], daily["failed"]
        quarterly = run_quarterly(run, dt.date(2024, 4, 1), converter)
        assert quarterly["list"]["filed"], quarterly
        council = run_council(run, council_report_day(run, SESSION), converter)
        assert council["filed"], council
        result = assemble_year_dossier(run, 2024, converter)
        folder = run.archive.year_folder(2024)
        pdf = folder.latest("dossier", "pdf").abs_path
        yield {"run": run, "tmp": tmp, "january": january, "result": result, "pdf": pdf,
               "texts": page_texts(pdf), "reg": reg, "budget": budget}
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def printed(year):
    """The MỤC LỤC as printed (its pages' text, flattened) and, per document, the expected row text."""
    from congkhai.convert.dossier import display_title, entries_from_year, order_entries, state_mark

    run = year["run"]
    cover, toc = year["result"]["front_pages"]
    assert (cover, toc) == (1, 2)
    contents = " ".join(year["texts"][cover:cover + toc])
    front = front_matter(run.commune, year=2024)
    entries = order_entries(entries_from_year(run.archive.commune_dir, 2024))
    rows = []
    for e in entries:
        title = f"{display_title(e, front)} {state_mark(e)}"
        m = re.search(re.escape(flat(title)) + r" (\d+)\b", contents)
        assert m, f"not in the MỤC LỤC: {title}"
        rows.append((e, title, int(m.group(1)), m.start()))
    return {"contents": contents, "rows": rows, "front": front}


def test_cover_is_page_one(year):
    """Page 1: the superior body, then the commune's body as its profile names it, the year's heading,
    the period (first to last document date; the last follows a sample session date: marked), counts."""
    run, text = year["run"], year["texts"][0]
    body = run.commune.body_name_upper
    assert body == "ỦY BAN NHÂN DÂN THỊ TRẤN KÉP"
    assert text.index("ỦY BAN NHÂN DÂN HUYỆN LẠNG GIANG") < text.index(body) < text.index(
        "HỒ SƠ CÔNG KHAI THÔNG TIN NĂM 2024")
    report_day = council_report_day(run, SESSION)
    assert f"Thời gian: từ ngày 05/01/2024 đến ngày {report_day:%d/%m/%Y} {SAMPLE_MARK}" in text
    result = year["result"]
    assert f"Gồm: {result['documents']} văn bản, {result['pages']} trang" in text
    assert "Đơn vị lập và lưu hồ sơ: Văn phòng UBND thị trấn Kép" in text
    assert "MỤC LỤC" not in text


def test_contents_start_on_page_two(year):
    assert year["texts"][1].startswith("MỤC LỤC")
    assert not year["texts"][2].startswith("MỤC LỤC")  # its second page: the page number, the table header
    assert year["texts"][2].startswith("3 STT")


def test_every_printed_page_number_points_at_its_document(year, printed):
    """Each row's page is where that document starts: its first page carries the ND30 header (Số:), its
    type, and its number, else the subject it posts, else its date in words; pages increase down the
    MỤC LỤC and the documents fill the file to its last page."""
    from congkhai.documents.kinds import KINDS

    texts = year["texts"]
    pages = [page for _, _, page, _ in printed["rows"]]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)
    assert pages[0] == 1 + sum(year["result"]["front_pages"])
    for e, title, page, _ in printed["rows"]:
        text = texts[page - 1]
        assert "Số:" in text and flat(KINDS[e.kind].doc_type) in text, (title, page, text[:300])
        subject = title.split(": ", 1)[1].split(" (", 1)[0].casefold()[:60] if ": " in title else ""
        own = e.number if e.number else subject if subject else date_words(e.date)  # the council report
        assert own.casefold() in text.casefold(), (title, own, page, text[:600])
    last, n_last = printed["rows"][-1][0], len(PdfReader(printed["rows"][-1][0].pdf).pages)
    assert printed["rows"][-1][2] + n_last - 1 == len(texts) == year["result"]["pages"], last


def test_sections_in_the_plans_order(year, printed):
    """Sections 1–7 of the plan's dossier list, then the quarterly lists; an empty one says so."""
    contents, wording = printed["contents"], printed["front"].wording
    heads = [contents.index(f"{s.key}. {section_title(s, wording)}") for s in SECTIONS if s.key != "PL"]
    assert heads == sorted(heads)
    assert "3. Biên bản niêm yết tại Bản tin công khai của UBND thị trấn Kép" in contents
    assert "5. Báo cáo kết quả phát tin, bài của Đài truyền thanh thị trấn Kép" in contents
    two = contents.index("2. Kế hoạch công khai thông tin đối với công việc")
    assert contents[two:heads[2]].endswith("Không có văn bản. ")
    # each document under its own section, in date order within it
    sections = [(s.key, pos) for s, pos in zip([s for s in SECTIONS if s.key != "PL"], heads, strict=True)]
    for e, title, _, pos in printed["rows"]:
        shown_in = [k for k, start in sections if start < pos][-1]
        assert shown_in == str(sec_of(e.kind)), title
    by_section: dict[str, list[dt.date]] = {}
    for e, *_ in printed["rows"]:
        by_section.setdefault(sec_of(e.kind), []).append(e.date)
    assert all(days == sorted(days) for days in by_section.values())


def sec_of(kind: str) -> str:
    from congkhai.convert.dossier import section_for

    return section_for(kind).key


def test_january_reposts_of_permanent_items_are_in(year, printed):
    """The regulation issued in 2023 was posted again in January 2024, at the UBND and at each cultural
    house: those minutes (filed in the 2023 case) are in sections 3 and 4 of 2024, and only there."""
    reposts = [(e, title, page) for e, title, page, _ in printed["rows"] if e.repost_year == 2024]
    assert sorted((e.kind, e.date) for e, _, _ in reposts) == [
        ("posting_start_group", dt.date(2024, 1, 8)), ("posting_start_group", dt.date(2024, 1, 8)),
        ("posting_start_ubnd", dt.date(2024, 1, 8))]
    assert all("/2023/10/02/" in e.pdf.as_posix() for e, _, _ in reposts)
    assert printed["contents"].count("(niêm yết lại tháng 01/2024)") == 3
    for _, title, page in reposts:
        assert "Quy chế thực hiện dân chủ trong công tác thu hồi đất" in year["texts"][page - 1], title
    # the 2023 dossier (made by the same January run) has the 2023 posting, not the 2024 re-postings
    d2023 = year["january"]["dossier"]
    assert d2023["documents"] == 4 and d2023["reposts"] == 0
    text2023 = " ".join(page_texts(year["run"].archive.commune_dir / d2023["path"]))
    assert "niêm yết lại" not in text2023 and "MỤC LỤC" in text2023 and "NĂM 2023" in text2023


def test_states_and_samples_are_marked(year, printed):
    """Drafts say so; the plan (numbered by plan-2024.yaml) is the one final; a sample session date is
    never printed bare on the cover or in the MỤC LỤC, nor the report date that follows from it."""
    contents, cover = printed["contents"], year["texts"][0]
    drafts = [r for r in printed["rows"] if r[0].state == "draft"]
    finals = [r for r in printed["rows"] if r[0].state == "final"]
    assert len(drafts) == year["result"]["states"]["draft"] == contents.count("(dự thảo)")
    assert [e.number for e, *_ in finals] == ["05/KH-UBND"]
    assert "05/KH-UBND 05/01/2024 Kế hoạch thực hiện công khai năm 2024 (bản chính thức)" in contents
    assert f"Trong đó: 1 bản chính thức; {len(drafts)} dự thảo" in cover
    for text in (cover, contents):
        for day in ("12/07/2024", "20/12/2024"):
            assert text.count(day) >= 1
            assert text.count(day) == text.count(f"{day} {SAMPLE_MARK}"), (day, text)
    report_day = council_report_day(year["run"], SESSION)
    assert f"{report_day:%d/%m/%Y} {SAMPLE_MARK} Báo cáo kết quả thực hiện công khai trình kỳ họp HĐND ngày " \
           f"12/07/2024 {SAMPLE_MARK} (dự thảo)" in contents
    assert f"Các kỳ họp thường lệ năm 2024: 12/07/2024 {SAMPLE_MARK}, 20/12/2024 {SAMPLE_MARK}" in contents


def test_bookmarks_match_the_contents(year, printed):
    reader = PdfReader(year["pdf"])
    outline = reader.outline
    tops = [o for o in outline if not isinstance(o, list)]
    assert [t["/Title"] for t in tops[:2]] == ["Bìa hồ sơ", "Mục lục"]
    assert [reader.get_destination_page_number(t) for t in tops[:2]] == [0, 1]
    children = [c for o in outline if isinstance(o, list) for c in o]
    assert len(children) == len(printed["rows"])
    for child, (_e, title, page, _) in zip(children, printed["rows"], strict=True):
        assert reader.get_destination_page_number(child) == page - 1
        assert title.rsplit(" (", 1)[0] in child["/Title"]
    shown = [t["/Title"].split(". ", 1)[0] for t in tops[2:]]
    assert shown == sorted({sec_of(e.kind) for e, *_ in printed["rows"]})
    assert list(reader.page_labels) == [str(i) for i in range(1, len(reader.pages) + 1)]


def test_the_dossier_is_pdfa_and_made_once(year):
    run = year["run"]
    report = verify_pdf(year["pdf"], expect_pages=year["result"]["pages"], pdfa=True,
                        expect_text=["MỤC LỤC", "HỒ SƠ CÔNG KHAI THÔNG TIN NĂM 2024"],
                        metadata=PdfMetadata("Hồ sơ công khai thông tin năm 2024 — UBND thị trấn Kép",
                                             author="UBND thị trấn Kép"))
    assert report.pdfa_part == "2"
    again = assemble_year_dossier(run, 2024)
    assert again["skipped"] == "unchanged"


# -- without the pipeline: which version is kept, the commune's own words ------------------------

def _manifest(folder: Path, files: list[dict], **extra) -> None:
    (folder / "manifest.json").write_text(json.dumps({
        "record": "case", "IssuedDate": "2024-02-02", "CodeNumber": "15", "CodeNotation": "QĐ-UBND",
        "Subject": "Giao dự toán ngân sách", "files": files, **extra}, ensure_ascii=False), encoding="utf-8")


def _file(folder: Path, name: str, kind: str, key: str, version: int, state: str | None, **more) -> dict:
    blank_pdf(folder / name)
    return {"kind": kind, "key": key, "path": name, "version": version, "number": more.pop("number", None),
            "code": more.pop("code", "BB-UBND"), "doc_date": "2024-02-05", "title": more.pop("title", f"{key} v{version}"),
            "sha256": "", "size": 0, **({"state": state} if state else {}), **more}


def test_one_version_per_document_the_best_state_then_the_newest(tmp_path):
    """GIVEN versions draft 1, final 2, draft 3 of the board minute, two drafts and a version without a
    state of a group minute, and for the end minute a final and a signed scan of it
    WHEN the case's entries are read THEN the final (v2), the newest draft (v3 outranks the stateless
    v1, read as a draft), and the signed scan (with the clerk's number read from it) are kept."""
    case = tmp_path / "2024" / "02" / "02" / "15-QD-UBND_du-toan"
    case.mkdir(parents=True)
    files = [
        _file(case, "03_a_v1.pdf", "posting_start_ubnd", "posting_start_ubnd", 1, "draft"),
        _file(case, "03_a_v2.pdf", "posting_start_ubnd", "posting_start_ubnd", 2, "final"),
        _file(case, "03_a_v3.pdf", "posting_start_ubnd", "posting_start_ubnd", 3, "draft"),
        _file(case, "04_b_v1.pdf", "posting_start_group", "posting_start_group:tdp01", 1, None),
        _file(case, "04_b_v2.pdf", "posting_start_group", "posting_start_group:tdp01", 2, "draft",
              title="DỰ THẢO - Biên bản niêm yết tại nhà văn hóa"),
        _file(case, "04_b_v3.pdf", "posting_start_group", "posting_start_group:tdp01", 3, "draft"),
        _file(case, "07_c_v1.pdf", "posting_end", "posting_end", 1, "final", title="Biên bản kết thúc công khai"),
        _file(case, "10_scan_v1.pdf", "signed_scan", "signed_scan:bien-ban:x", 1, "signed", number=12,
              signed_of={"key": "posting_end", "version": 1}, title="Bản có chữ ký"),
    ]
    _manifest(case, files)
    got = {e.kind: e for e in entries_from_case(case, with_originals=False)}
    assert got["posting_start_ubnd"].pdf.name == "03_a_v2.pdf" and got["posting_start_ubnd"].state == "final"
    assert got["posting_start_group"].pdf.name == "04_b_v3.pdf" and got["posting_start_group"].state == "draft"
    end = got["posting_end"]
    assert (end.pdf.name, end.state, end.number, end.title) == (
        "10_scan_v1.pdf", "signed", "12/BB-UBND", "Biên bản kết thúc công khai")
    assert len(got) == 3


def test_front_matter_speaks_the_communes_own_words():
    """GIVEN a rural commune (kind xa) with no written body name WHEN its front matter is made THEN the
    cover says ỦY BAN NHÂN DÂN XÃ …, section 4 says thôn, and no sample note when its sessions are real."""
    from congkhai.commune import Commune

    raw = yaml.safe_load((REPO_ROOT / "communes" / "kep" / "commune.yaml").read_text(encoding="utf-8"))
    for key in ("body_name_upper", "body_short", "superior_upper", "superior_full_upper"):
        raw.pop(key)
    raw.update(code="tanhung", kind="xa", name="xã Tân Hưng", superior="UBND huyện Lạng Giang", place="Tân Hưng")
    raw["council"] = {"name": "Hội đồng nhân dân xã Tân Hưng", "sessions": {2024: [dt.date(2024, 7, 5)]}}
    raw["radio"] = {"has_radio": False}
    front = front_matter(Commune.model_validate(raw), year=2024)
    assert front.body_upper == "ỦY BAN NHÂN DÂN XÃ TÂN HƯNG"
    assert front.superior_upper == "ỦY BAN NHÂN DÂN HUYỆN LẠNG GIANG"
    assert front.heading == "HỒ SƠ CÔNG KHAI THÔNG TIN NĂM 2024"
    assert section_title(SECTIONS[3], front.wording) == "Biên bản niêm yết tại Bản tin công khai ở nhà văn hóa thôn"
    assert section_title(SECTIONS[0], front.wording).endswith("của UBND xã Tân Hưng")
    assert not front.sample_dates and not front.notes
    assert front.section_notes["7"] == ("Các kỳ họp thường lệ năm 2024: 05/07/2024",)


def test_an_undated_draft_prints_no_date_in_the_contents(tmp_path: Path) -> None:
    """GIVEN a draft whose date line is a blank (the yearly plan before its issue date is recorded) and
    a dated one WHEN the MỤC LỤC and the bookmarks are written THEN the undated one shows no date (its
    filing day is not a date it carries) and the cover's period counts only printed dates."""
    from congkhai.convert.dossier import DossierEntry, display_date, entry_label

    undated = DossierEntry(kind="yearly_plan", date=dt.date(2024, 1, 2), title="Kế hoạch công khai năm 2024",
                           pdf=tmp_path / "a.pdf", state="draft", undated=True)
    dated = DossierEntry(kind="quarterly_list", date=dt.date(2024, 4, 1), title="Danh sách quý I",
                         pdf=tmp_path / "b.pdf", state="draft")
    assert display_date(undated) == "" and "02/01/2024" not in entry_label(undated)
    assert display_date(dated) == "01/04/2024"
