"""Signed scans close the loop (issue 14, point 4): the QR code on every generated page brings the
signed, stamped paper back to its document.

GIVEN a case of Kép issued through the real pipeline (docxtpl, real LibreOffice: every page carries a
QR code naming the commune, the case, the document key and its version)
WHEN staff drop the printed page back into the inbox — a page rendered at 150 dpi, a phone-like
photo (turned 3.5°, scaled 0.8, JPEG quality 70), a page whose code is gone, a code of another
commune or of a case the archive does not hold — and the real ``process_inbox`` runs
THEN a recognised scan is filed byte-identical as the signed version of exactly that document (the
manifest says so, the clerk's handwritten number is recorded when none was), no case is opened and
nothing is left for issuance; a code naming nothing we hold goes to review with a Vietnamese note.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw, ImageFont

from congkhai.case import Case
from congkhai.config import settings
from congkhai.documents import qr
from congkhai.intake.claim import pending_cases, process_inbox
from congkhai.intake.extract import inspect
from congkhai.intake.options import IntakeOptions
from congkhai.intake.signed import codes_on, read_generated
from tests.conftest import REPO

pytestmark = pytest.mark.slow

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FAST = IntakeOptions(stable_seconds=0, settle_seconds=0, review_threshold=0.5)
CASE_ID = "20240325-15-qd-ubnd"
NOW = dt.datetime(2024, 3, 28, 9, 0, tzinfo=TZ)
HAND = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf"


# ------------------------------------------------------------------ the code itself


def test_key_round_trip_is_short_and_alphanumeric():
    ref = qr.DocRef("kep", CASE_ID, "posting_start_group:tdp01", 2)
    text = qr.encode(ref)
    assert text == "CK1/KEP/20240325-15-QD-UBND/4:TDP01/2" and len(text) <= 40
    assert qr.decode(text) == ref
    year = qr.decode(qr.encode(qr.DocRef("kep", "2024", "quarterly_list:2024-Q1", 1)))
    assert year is not None and year.is_year and year.case_id is None and year.key == "quarterly_list:2024-q1"
    assert qr.decode("https://vneid.gov.vn/xyz") is None and qr.decode("CK1/KEP/x/99/1") is None
    import segno

    code = segno.make(text, error="q", boost_error=False, micro=False)
    assert code.mode == "alphanumeric" and code.version <= 3 and code.error in ("M", "Q")


# ------------------------------------------------------------------ a case issued for real


def _blank_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.write(path)
    return path


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """Case 15/QĐ-UBND of 25/03/2024 (item Q1-8): start minutes and notice as drafts, then the posting
    and the clerk's number 31 of the UBND minute recorded (finals, version 2)."""
    from congkhai.convert import get_converter
    from congkhai.pipeline import actions
    from congkhai.pipeline.context import CommuneRun
    from congkhai.pipeline.issuance import run_issuance

    tmp = tmp_path_factory.mktemp("signed")
    # Kép's profile with its sample names taken as real ones: a final may be made (not only drafts)
    communes = tmp / "communes"
    shutil.copytree(REPO / "communes" / "kep", communes / "kep")
    profile = communes / "kep" / "commune.yaml"
    profile.write_text(re.sub(r"(?m)^\s*(\w+_)?sample: true\s*$\n?", "", profile.read_text(encoding="utf-8")),
                       encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONGKHAI_DATA", str(tmp / "data"))
        mp.setenv("CONGKHAI_COMMUNES", str(communes))
        for var in ("CONGKHAI_INBOX", "CONGKHAI_ARCHIVE", "CONGKHAI_INDEX_URL"):
            mp.delenv(var, raising=False)
        s = settings()
        run = CommuneRun("kep", s)
        case = Case(commune="kep", issued=dt.date(2024, 3, 25), subject="Dự toán ngân sách năm 2024",
                    doc_number="15", doc_code="QĐ-UBND", doc_type="QUYẾT ĐỊNH", item="Q1-8", law_item=2)
        run.archive.open_case(case).add_original(_blank_pdf(tmp / "orig.pdf"))
        with get_converter() as conv:
            run_issuance(run, [case.case_id], conv)
            at = dt.datetime(2024, 3, 26, 17, 0, tzinfo=TZ)
            actions.record_evidence(run, CASE_ID, "posting", {"at": "2024-03-26 08:30", "by": "Lê Thị Hoa",
                                                             "witnesses": ["Nguyễn Văn Bình"], "groups": "all"},
                                    by="vp", at=at, day=dt.date(2024, 3, 26), converter=conv)
            actions.record_evidence(run, CASE_ID, "numbers", {"posting_start_ubnd": 31}, by="vp", at=at,
                                    day=dt.date(2024, 3, 26), converter=conv)
        yield SimpleNamespace(tmp=tmp, s=s, run=run)


def folder_of(env):
    from congkhai.archive import Archive

    return Archive(env.s.archive_root, "kep").find_case(CASE_ID)


def latest(env, key: str) -> tuple[Path, dict]:
    folder = folder_of(env)
    entry = max((f for f in folder.manifest["files"] if f["key"] == key and f["path"].endswith(".pdf")),
                key=lambda f: f["version"])
    return folder.path / entry["path"], entry


def page_png(pdf: Path, out: Path, dpi: int = 150, page: int = 1) -> Path:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf),
                    str(out.with_suffix(""))], check=True)
    return out


def phone_photo(png: Path, out: Path) -> Path:
    with Image.open(png) as im:
        photo = im.convert("RGB").rotate(3.5, expand=True, fillcolor=(205, 200, 190), resample=Image.BICUBIC)
        photo = photo.resize((int(photo.width * 0.8), int(photo.height * 0.8)), Image.LANCZOS)
        photo.save(out, "JPEG", quality=70)
    return out


def words(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    html = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def write_number(png: Path, pdf: Path, number: str, dpi: int = 150) -> None:
    """The clerk writes the number by hand in the blank before ``/BB-UBND`` (blue ink, slanted)."""
    x0, y0, _, y1, _ = next(w for w in words(pdf) if w[4].startswith("/BB-UBND"))
    k = dpi / 72
    with Image.open(png) as im:
        im = im.convert("RGB")
        draw = ImageDraw.Draw(im)
        font = ImageFont.truetype(HAND, int((y1 - y0) * k * 0.85))
        width = draw.textlength(number, font=font)
        draw.text((x0 * k - width - 2, y0 * k + 1), number, fill=(20, 40, 150), font=font)
        im.save(png)


def drop(env, name: str, src: Path) -> Path:
    inbox = env.s.inbox_dir("kep")
    inbox.mkdir(parents=True, exist_ok=True)
    p = inbox / name
    p.write_bytes(src.read_bytes())
    t = time.time() - 60
    os.utime(p, (t, t))
    return p


def case_count(env) -> int:
    root = env.s.archive_dir("kep")
    return sum(1 for m in root.rglob("manifest.json") if json.loads(m.read_text(encoding="utf-8")).get("case_id"))


# ------------------------------------------------------------------ the page


def test_every_page_carries_the_code_in_the_left_margin(issued):
    """GIVEN the group minute (two pages) WHEN each page is rendered THEN each holds its code, 16 mm,
    in the left margin's bottom corner (outside the 30 mm margin's text edge, above the paper's edge)."""
    pdf, entry = latest(issued, "posting_start_group:tdp01")
    expect = qr.encode(qr.DocRef("kep", CASE_ID, "posting_start_group:tdp01", entry["version"]))
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                             text=True).stdout).group(1))
    import zxingcpp

    for page in range(1, pages + 1):
        png = page_png(pdf, issued.tmp / f"page{page}.png", dpi=150, page=page)
        with Image.open(png) as im:
            [code] = zxingcpp.read_barcodes(im, formats=zxingcpp.BarcodeFormat.QRCode)
        assert code.text == expect
        mm = 25.4 / 150
        xs = [p.x * mm for p in (code.position.top_left, code.position.bottom_right)]
        ys = [p.y * mm for p in (code.position.top_left, code.position.bottom_right)]
        assert 5 <= min(xs) and max(xs) <= 25, xs  # the text starts at 30 mm
        assert 265 <= min(ys) and max(ys) <= 292, ys  # bottom margin: text ends at 277 mm, paper at 297
        assert 15 <= max(xs) - min(xs) <= 17


def test_the_code_moves_no_text(issued, tmp_path):
    """GIVEN a one-page minute rendered with and without its code WHEN both are converted THEN the
    same number of pages and every word in the same place: the floating code pushes nothing."""
    from congkhai.convert import get_converter
    from congkhai.convert.base import ConvertJob, PdfMetadata
    from congkhai.documents.render import render
    from congkhai.pipeline.issuance import issuance_specs

    specs = [sp for sp in issuance_specs(issued.run, folder_of(issued))
             if sp.key in ("posting_start_ubnd", "posting_start_group:tdp01")]
    jobs = []
    for sp in specs:
        for with_code in (False, True):
            docx = tmp_path / f"{sp.kind}-{int(with_code)}.docx"
            render(sp.kind, sp.context, docx)
            if with_code:
                qr.stamp_docx(docx, qr.encode(qr.DocRef("kep", CASE_ID, sp.key, 9)))
            jobs.append(ConvertJob(src=docx, out=docx.with_suffix(".pdf"), job_id=docx.stem,
                                   metadata=PdfMetadata(title=sp.title, subject="Biên bản", author="UBND thị trấn Kép")))
    with get_converter() as conv:
        results = conv.convert_many(jobs)
    assert all(r.ok for r in results), [str(r.error) for r in results]
    for plain, coded in zip(results[::2], results[1::2], strict=True):
        assert plain.pages == coded.pages
        assert words(plain.pdf) == words(coded.pdf)
    assert results[0].pages == 1  # the UBND minute is one page, code or not


# ------------------------------------------------------------------ inspect


def test_inspect_reports_the_generated_document(issued):
    """GIVEN page 1 at 150 dpi and a phone-like photo of it WHEN inspected (the function behind
    ``congkhai inspect --json``) THEN both name the case, the kind, the key and the version."""
    pdf, entry = latest(issued, "posting_start_group:tdp01")
    png = page_png(pdf, issued.tmp / "tdp01.png")
    photo = phone_photo(png, issued.tmp / "tdp01-photo.jpg")
    want = {"commune": "kep", "case_id": CASE_ID, "year": None, "kind": "posting_start_group",
            "key": "posting_start_group:tdp01", "version": entry["version"]}
    for path in (png, photo):
        started = time.perf_counter()
        ref = read_generated(path)
        print(f"\nQR read from {path.name}: {(time.perf_counter() - started) * 1000:.0f} ms")
        assert ref is not None and ref.to_json() == want
        assert inspect(path, commune="kep", classify=False).to_json()["generated"] == want
    from typer.testing import CliRunner

    from congkhai.cli import app

    res = CliRunner().invoke(app, ["inspect", str(photo), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["generated"] == want


# ------------------------------------------------------------------ intake


def _check_signed(env, report, key: str, version: int, scan: Path, matched_by: str, cases_before: int) -> dict:
    assert report.new == [] and report.review == [] and report.errors == [], report.to_dict()
    [done] = report.signed
    assert (done["case_id"], done["key"], done["version"], done["matched_by"]) == (CASE_ID, key, version, matched_by)
    folder = folder_of(env)
    rec = folder.manifest["signed"][key]
    assert rec["state"] == "signed" and rec["by"] == "scan" and rec["on"] == NOW.date().isoformat()
    assert rec["version"] == version and rec["matched_by"] == matched_by
    [entry] = [f for f in folder.manifest["files"] if f["path"] == rec["scan"]]
    assert entry["kind"] == "signed_scan" and entry["state"] == "signed"
    assert entry["signed_of"] == {"key": key, "version": version}
    assert entry["path"].startswith("10_ban-quet-co-chu-ky_")
    assert (folder.path / entry["path"]).read_bytes() == scan.read_bytes()  # byte-identical
    assert any(e["event"] == "signed" and e["key"] == key for e in folder.manifest["history"])
    assert case_count(env) == cases_before  # no case opened
    assert pending_cases("kep", env.s) == []  # nothing for issuance
    assert not any(env.s.inbox_dir("kep").iterdir())
    return done


def test_page_at_150_dpi_is_filed_as_signed_with_the_clerks_number(issued):
    """GIVEN page 1 of the group minute with the number 07 written by hand in its blank WHEN dropped
    THEN it is the signed version of that minute, and 7 is recorded as the clerk's number (by scan)."""
    pdf, entry = latest(issued, "posting_start_group:tdp01")
    assert entry.get("number") is None  # printed blank: the clerk numbers by hand
    png = page_png(pdf, issued.tmp / "signed-tdp01.png")
    write_number(png, pdf, "07")
    before = case_count(issued)
    drop(issued, "scan 0001.png", png)
    report = process_inbox("kep", issued.s, now=NOW, options=FAST)
    done = _check_signed(issued, report, "posting_start_group:tdp01", entry["version"], png, "qr", before)
    assert done["number"] == 7 and done["number_recorded"]
    case = folder_of(issued).case
    assert case.evidence["numbers"]["value"]["posting_start_group:tdp01"] == 7
    assert case.evidence["numbers"]["value"]["posting_start_ubnd"] == 31  # the operator's answer stays
    assert case.evidence["numbers"]["by"] == "scan"
    # the same scan again: a duplicate, not a second signed version
    drop(issued, "scan 0001 (1).png", png)
    again = process_inbox("kep", issued.s, now=NOW, options=FAST)
    assert again.signed == [] and [d["case_id"] for d in again.duplicates] == [CASE_ID]


def test_phone_photo_is_filed_as_signed(issued):
    """GIVEN a phone-like photo of the group 2 minute WHEN dropped THEN the signed version of that minute."""
    pdf, entry = latest(issued, "posting_start_group:tdp02")
    photo = phone_photo(page_png(pdf, issued.tmp / "tdp02.png"), issued.tmp / "IMG_2024.jpg")
    before = case_count(issued)
    drop(issued, "IMG_2024.jpg", photo)
    report = process_inbox("kep", issued.s, now=NOW, options=FAST)
    done = _check_signed(issued, report, "posting_start_group:tdp02", entry["version"], photo, "qr", before)
    assert done["path"].endswith(".jpg")


def test_scanner_pdf_is_filed_as_signed(issued):
    """GIVEN a scanner's PDF (one 200 dpi image a page) of the group 3 minute WHEN dropped THEN its
    page 1 is rendered, the code read, and the PDF filed byte-identical as that minute's signed version."""
    pdf, entry = latest(issued, "posting_start_group:tdp03")
    png = page_png(pdf, issued.tmp / "tdp03.png", dpi=200)
    scan = issued.tmp / "SCAN_0003.pdf"
    with Image.open(png) as im:
        im.convert("L").save(scan, "PDF", resolution=200)
    assert read_generated(scan).key == "posting_start_group:tdp03"
    before = case_count(issued)
    drop(issued, "SCAN_0003.pdf", scan)
    report = process_inbox("kep", issued.s, now=NOW, options=FAST)
    done = _check_signed(issued, report, "posting_start_group:tdp03", entry["version"], scan, "qr", before)
    assert done["path"].endswith(".pdf")


def test_page_without_code_is_matched_by_number_date_and_kind(issued):
    """GIVEN the final UBND minute (31/BB-UBND, dated 26/03/2024) whose code was cut off WHEN dropped
    THEN it is matched by its printed number, date and type and filed as its signed version."""
    pdf, entry = latest(issued, "posting_start_ubnd")
    assert (entry["number"], entry["doc_date"]) == (31, "2024-03-26")
    png = page_png(pdf, issued.tmp / "ubnd.png", dpi=200)
    with Image.open(png) as im:
        im = im.convert("L")
        ImageDraw.Draw(im).rectangle((0, im.height * 0.85, im.width * 0.15, im.height), fill=255)
        im.save(png)
        assert codes_on(im) == []
    before = case_count(issued)
    drop(issued, "ubnd-khong-ma.png", png)
    report = process_inbox("kep", issued.s, now=NOW, options=FAST)
    done = _check_signed(issued, report, "posting_start_ubnd", entry["version"], png, "number", before)
    assert done["number"] == 31 and not done["number_recorded"]


def _with_code(page: Path, text: str, out: Path) -> Path:
    """``page`` with its code replaced by one holding ``text`` (same place, same size)."""
    import io

    import zxingcpp

    with Image.open(page) as im:
        im = im.convert("L")
        [code] = zxingcpp.read_barcodes(im, formats=zxingcpp.BarcodeFormat.QRCode)
        x0, y0 = code.position.top_left.x, code.position.top_left.y
        side = code.position.bottom_right.x - x0
        im.paste(255, (x0 - 4, y0 - 4, x0 + side + 8, y0 + side + 8))
        with Image.open(io.BytesIO(qr.png_bytes(text))) as q:
            im.paste(q.convert("L").resize((side, side), Image.NEAREST), (x0, y0))
        im.save(out)
    return out


def test_code_of_another_commune_or_an_unknown_case_goes_to_review(issued):
    """GIVEN the page with the code of another commune, and with one naming a case the archive does
    not hold WHEN dropped THEN both go to review with a Vietnamese note; nothing is filed."""
    pdf, _ = latest(issued, "group_notice")
    page = page_png(pdf, issued.tmp / "notice.png")
    other = _with_code(page, "CK1/TANHOA/20240325-15-QD-UBND/5/1", issued.tmp / "xa-khac.png")
    unknown = _with_code(page, "CK1/KEP/20240101-99-QD-UBND/5/1", issued.tmp / "ho-so-la.png")
    assert read_generated(other).commune == "tanhoa"
    before = case_count(issued)
    drop(issued, "xa-khac.png", other)
    drop(issued, "ho-so-la.png", unknown)
    report = process_inbox("kep", issued.s, now=NOW, options=FAST)
    assert report.signed == [] and report.new == [] and len(report.review) == 2, report.to_dict()
    notes = {Path(r["path"]).name: Path(r["path"] + ".txt").read_text(encoding="utf-8") for r in report.review}
    assert "không phải của xã này ('kep')" in notes["xa-khac.png"] and "'tanhoa'" in notes["xa-khac.png"]
    assert "lưu trữ không có hồ sơ này" in notes["ho-so-la.png"]
    assert all(n.startswith("Bản quét có chữ ký chưa khớp văn bản nào") for n in notes.values())
    assert case_count(issued) == before and pending_cases("kep", issued.s) == []
    assert "group_notice" not in folder_of(issued).manifest.get("signed", {})


def test_the_archive_verifies_with_its_signed_scans(issued):
    """GIVEN the signed scans filed above WHEN the archive is verified THEN every file is as listed."""
    from congkhai.archive.verify import verify

    report = verify(issued.s.archive_root, "kep")
    assert report.checked > 0
    assert not (report.missing or report.changed or report.unknown or report.damaged), report


def test_a_code_of_the_year_folder_names_its_document(tmp_path):
    """GIVEN a quarterly list filed in the year folder WHEN a code names it (upper-cased key) THEN it
    resolves to that document; a key the folder does not hold is unmatched."""
    from congkhai.archive import Archive
    from congkhai.intake.signed import Target, Unmatched, resolve

    archive = Archive(tmp_path / "archive", "kep", index=False)
    pdf = _blank_pdf(tmp_path / "q1.pdf")
    archive.year_folder(2024).add_file("quarterly_list", pdf, number=3, doc_date=dt.date(2024, 4, 1),
                                       versioned_key="quarterly_list:2024-Q1")
    ref = qr.decode(qr.encode(qr.DocRef("kep", "2024", "quarterly_list:2024-Q1", 1)))
    found = resolve(ref, "kep", archive)
    assert isinstance(found, Target) and (found.key, found.version) == ("quarterly_list:2024-Q1", 1)
    missing = resolve(qr.DocRef("kep", "2024", "quarterly_list:2024-q2", 1), "kep", archive)
    assert isinstance(missing, Unmatched) and "không có văn bản này" in missing.vi
    assert isinstance(resolve(qr.DocRef("kep", "2023", "quarterly_list:2023-q4", 1), "kep", archive), Unmatched)
