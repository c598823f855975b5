"""The citizens' page (issue 16): ``congkhai publish`` builds a static Vietnamese site of what is disclosed.

Two archives:
- a small one made here with the archive's own API (blank PDFs, no converter: fast): a case posted and
  recorded with a final, a draft, .docx files and a draft-only notice; a case with drafts only; a
  cancelled case with a final; built with a copy of Kép's profile whose people are real, and once with
  Kép's shipped profile (placeholders: the "Dữ liệu mẫu" banner);
- the cockpit's archive (``tests/cockpit_support.py``: six cases issued and answered by the real pipeline
  and LibreOffice, built once per session), for the browser walk: Playwright with Debian's Chromium
  opens ``index.html`` from disk at 1366 and 390 px and follows item → case → PDF. Screenshots
  ``public-site-1366.png`` and ``public-site-390.png`` go to ``CONGKHAI_SITE_SCREENSHOTS`` when set
  (``docs/``), else to the test's temp dir.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from congkhai.archive.store import Archive
from congkhai.case import Case
from congkhai.config import REPO_ROOT, settings
from congkhai.documents.samples import with_answers
from congkhai.errors import PermanentError
from congkhai.pipeline.context import CommuneRun
from congkhai.publish import build_site
from congkhai.publish.site import GENERATOR

ON = dt.date(2024, 4, 2)
POSTED = {"at": "2024-03-26 08:30", "by": "Lê Thị Hoa", "witnesses": [], "groups": ["tdp01"]}
BIN = Path(sys.executable).parent


def _pdf(path: Path, marker: str) -> Path:
    """A one-page PDF whose bytes differ by ``marker`` (its /Title)."""
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.add_metadata({"/Title": marker})
    w.write(path)
    return path


def _docx(path: Path) -> Path:
    from docx import Document

    d = Document()
    d.add_paragraph("DỰ THẢO")
    d.save(str(path))
    return path


def real_communes(tmp: Path) -> Path:
    """A copy of the communes folder where Kép's placeholders are real names (finals are allowed)."""
    dst = tmp / "communes"
    shutil.copytree(REPO_ROOT / "communes", dst)
    yaml = dst / "kep" / "commune.yaml"
    text = re.sub(r"\n\s*sample: true", "", yaml.read_text(encoding="utf-8"))
    yaml.write_text(text.replace("\ngroups_sample: true", "\ngroups_sample: false"), encoding="utf-8")
    return dst


def make_archive(root: Path, communes: Path) -> dict[str, object]:
    """GIVEN cases filed with the archive's API: POSTED (a final, a draft, .docx), DRAFTS, CANCELLED."""
    s = dataclasses.replace(settings(), communes_dir=communes, archive_root=root / "archive", data_dir=root / "data")
    src = root / "src"
    src.mkdir(parents=True)
    archive = Archive(s.archive_root, "kep", index=False)
    posted = with_answers(Case(commune="kep", issued=dt.date(2024, 3, 25), doc_number="15", doc_code="QĐ-UBND",
                               doc_type="QUYẾT ĐỊNH", item="Q1-8", law_item=2, dropped=dt.date(2024, 3, 25),
                               subject="Dự toán ngân sách năm 2024 <đã được HĐND quyết định> & phân bổ"),
                          {"posting": POSTED}, by="admin")
    f = archive.open_case(posted)
    f.add_original(_pdf(src / "orig-15.pdf", "original 15"))
    draft = _pdf(src / "draft.pdf", "draft minutes")
    f.add_file("posting_start_ubnd", draft, number=None, doc_date=dt.date(2024, 3, 26),
               versioned_key="posting_start_ubnd", state="draft")
    f.add_file("posting_start_ubnd", _docx(src / "draft.docx"), number=None, doc_date=dt.date(2024, 3, 26),
               versioned_key="posting_start_ubnd", state="draft")
    final = _pdf(src / "final.pdf", "final minutes")
    f.add_file("posting_start_ubnd", final, number=31, doc_date=dt.date(2024, 3, 26),
               versioned_key="posting_start_ubnd", state="final")
    f.add_file("posting_start_ubnd", _docx(src / "final.docx"), number=31, doc_date=dt.date(2024, 3, 26),
               versioned_key="posting_start_ubnd", state="final")
    notice = _pdf(src / "notice.pdf", "draft notice")
    f.add_file("group_notice", notice, number=None, doc_date=dt.date(2024, 3, 26), versioned_key="group_notice",
               state="draft")

    drafts = Case(commune="kep", issued=dt.date(2024, 3, 29), doc_number="30", doc_code="QĐ-UBND",
                  doc_type="QUYẾT ĐỊNH", item="Q1-10", law_item=1, subject="Kế hoạch chỉ có bản dự thảo")
    g = archive.open_case(drafts)
    g.add_original(_pdf(src / "orig-30.pdf", "original 30"))
    g.add_file("posting_start_ubnd", _pdf(src / "d30.pdf", "draft 30"), number=None, doc_date=dt.date(2024, 4, 1),
               versioned_key="posting_start_ubnd", state="draft")

    cancelled = with_answers(Case(commune="kep", issued=dt.date(2024, 3, 20), doc_number="18", doc_code="QĐ-UBND",
                                  doc_type="QUYẾT ĐỊNH", item="Q1-6", law_item=1, status="cancelled",
                                  subject="Văn bản thả nhầm đã hủy"), {"posting": {**POSTED, "at": "2024-03-21 08:00"}})
    h = archive.open_case(cancelled)
    h.add_original(_pdf(src / "orig-18.pdf", "original 18"))
    h.add_file("posting_start_ubnd", _pdf(src / "f18.pdf", "final 18"), number=20, doc_date=dt.date(2024, 3, 21),
               versioned_key="posting_start_ubnd", state="final")
    return {"settings": s, "draft": draft, "final": final, "notice": notice, "posted": posted.case_id,
            "drafts": drafts.case_id, "cancelled": cancelled.case_id}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("publish")
    built = make_archive(root, real_communes(root))
    site = root / "public" / "kep"
    built["result"] = build_site(CommuneRun("kep", built["settings"]), ON, site)
    built["site"] = site
    built["root"] = root
    return built


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def site_files(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file()}


def test_only_final_pdfs_are_published(small: dict) -> None:
    """THEN the final and the original are there, the drafts, the .docx and the draft-only case are not."""
    files = site_files(small["site"])
    pdfs = {n: p for n, p in files.items() if n.startswith("tep/")}
    assert all(n.endswith(".pdf") and p.read_bytes().startswith(b"%PDF-") for n, p in pdfs.items()), pdfs
    hashes = {sha(p) for p in pdfs.values()}
    assert sha(small["final"]) in hashes
    assert sha(small["draft"]) not in hashes and sha(small["notice"]) not in hashes
    assert not [n for n in files if n.endswith((".docx", ".json", ".txt", ".yaml"))], files
    assert not [n for n in files if not re.fullmatch(r"[A-Za-z0-9._/-]+", n)], files
    pages = sorted(n for n in files if n.endswith(".html"))
    assert pages == ["gop-y.html", f"hs-{small['posted']}.html", "index.html", "theo-muc.html", "theo-thang.html"]
    case_page = (small["site"] / f"hs-{small['posted']}.html").read_text(encoding="utf-8")
    assert case_page.count("Tải PDF:") == 2  # the original and the final minutes
    assert "Tải PDF: Quyết định 15/QĐ-UBND (văn bản gốc)" in case_page
    assert "Tải PDF: Biên bản niêm yết tại Bản tin công khai của UBND</a>" in case_page
    assert "Niêm yết từ ngày 26/03/2024 đến ngày" in case_page and "Trụ sở UBND thị trấn Kép" in case_page
    assert "Nhà văn hóa Tổ dân phố số 1" in case_page and "Tổ dân phố số 2" not in case_page
    # Escaped, not markup; the cancelled case nowhere.
    assert "&lt;đã được HĐND quyết định&gt; &amp; phân bổ" in case_page
    index = (small["site"] / "index.html").read_text(encoding="utf-8")
    assert "Văn bản thả nhầm" not in index and "chỉ có bản dự thảo" not in index
    r = small["result"]
    assert (r.cases, r.current, r.pdfs, r.changed) == (1, 1, 2, True)


def test_no_machine_path_no_manifest_and_vietnamese_pages(small: dict) -> None:
    """No absolute path, "/tmp", ".json" or temp name in any file; every page: lang="vi", one h1, landmarks."""
    root = str(small["root"])
    for name, p in site_files(small["site"]).items():
        data = p.read_bytes()
        for bad in (root.encode(), b"/tmp", b".json", b"/home/", b"file:", b"manifest"):
            assert bad not in data, (name, bad)
        if not name.endswith(".html"):
            continue
        html = data.decode("utf-8")
        assert '<html lang="vi">' in html and f'content="{GENERATOR}"' in html
        assert html.count("<h1") == 1, name
        for tag in ("<header", "<nav", '<main id="noi-dung"', "<footer", 'class="skip" href="#noi-dung"'):
            assert tag in html, (name, tag)
        assert "Dữ liệu mẫu" not in html  # the people of this profile are real
        for href in re.findall(r'href="([^"]+)"', html):
            assert not href.startswith(("/", "http:", "https:")) and ".." not in href, (name, href)
            target = href.split("#")[0]
            assert not target or (small["site"] / target).is_file(), (name, href)


def test_feedback_page_invents_no_phone_number(small: dict) -> None:
    """The profile has no address, phone or channel: the page sends people to the UBND office."""
    html = (small["site"] / "gop-y.html").read_text(encoding="utf-8")
    assert "Văn phòng UBND thị trấn Kép" in html
    assert "chưa ghi địa chỉ, số điện thoại" in html
    assert not re.search(r"\d{3,}[ .-]?\d{3,}", re.sub(r"<[^>]+>", " ", html)), html


def test_same_archive_same_bytes_and_rebuild_is_a_swap(small: dict, tmp_path: Path) -> None:
    """Deterministic: two builds give the same bytes; a rebuild with nothing new changes nothing; a rebuild
    on another day replaces the whole site at once and leaves no temporary folder."""
    run = CommuneRun("kep", small["settings"])
    other = tmp_path / "again"
    build_site(run, ON, other)
    a, b = site_files(small["site"]), site_files(other)
    assert list(a) == list(b) and all(a[n].read_bytes() == b[n].read_bytes() for n in a)
    again = build_site(run, ON, other)
    assert not again.changed and again.digest == small["result"].digest
    later = build_site(run, dt.date(2024, 6, 3), other)  # the posting has ended by then
    assert later.changed and later.current == 0
    assert "Đã kết thúc niêm yết gần đây" in (other / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again"]


def test_refuses_a_folder_it_did_not_make(small: dict, tmp_path: Path) -> None:
    run = CommuneRun("kep", small["settings"])
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "important.txt").write_text("x")
    with pytest.raises(PermanentError, match="không phải trang công khai"):
        build_site(run, ON, mine)
    assert (mine / "important.txt").read_text() == "x"
    with pytest.raises(PermanentError, match="lưu trữ"):
        build_site(run, ON, small["settings"].archive_root / "site")


def test_sample_profile_shows_the_banner_and_no_draft(tmp_path: Path) -> None:
    """GIVEN Kép's shipped profile (placeholders) and cases with drafts only THEN every page says "Dữ liệu
    mẫu" and that nothing is published yet; with a final, it is published under the banner too."""
    built = make_archive(tmp_path, REPO_ROOT / "communes")
    s = built["settings"]
    archive = Archive(s.archive_root, "kep", index=False)
    folder = archive.find_case(built["posted"])
    folder.update(lambda m: m.update(files=[f for f in m["files"] if f.get("state") != "final"]))
    site = tmp_path / "site"
    result = build_site(CommuneRun("kep", s), ON, site)
    assert result.cases == 0 and result.pdfs == 0
    pages = site_files(site)
    assert sorted(pages) == ["gop-y.html", "index.html", "site.css", "theo-muc.html", "theo-thang.html"]
    for name, p in pages.items():
        if name.endswith(".html"):
            assert "<strong>Dữ liệu mẫu.</strong>" in p.read_text(encoding="utf-8"), name
    assert "Chưa có văn bản nào được công khai" in (site / "index.html").read_text(encoding="utf-8")


def test_cli_publish(small: dict, tmp_path: Path) -> None:
    """``congkhai publish``: 0 and a Vietnamese summary; an unknown commune or a bad day: 2, one line."""
    s = small["settings"]
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "CONGKHAI_COMMUNES": str(s.communes_dir),
           "CONGKHAI_DATA": str(tmp_path / "data"), "HOME": str(tmp_path)}
    args = [str(BIN / "congkhai"), "publish", "--commune", "kep", "--archive", str(s.archive_root),
            "--out", str(tmp_path / "site"), "--on", "2024-04-02"]
    ok = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("Trang công khai đã cập nhật: 1 hồ sơ (1 đang niêm yết), 2 tệp PDF")
    assert (tmp_path / "site" / "index.html").is_file()
    bad = subprocess.run([*args[:3], "khong-co", *args[4:]], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.startswith("lỗi: không có xã/thị trấn “khong-co”"), bad.stderr
    day = subprocess.run([*args[:-1], "2024-02-30"], env=env, capture_output=True, text=True, timeout=120)
    assert day.returncode == 2 and "Ngày không hợp lệ" in day.stderr and "Traceback" not in day.stderr
    # Without --out: CONGKHAI_DATA/site/<commune>.
    default = subprocess.run(args[:-4] + ["--on", "2024-04-02"], env=env, capture_output=True, text=True,
                             timeout=120)
    assert default.returncode == 0, default.stderr
    assert (tmp_path / "data" / "site" / "kep" / "index.html").is_file()


# ------------------------------------------------------------------------------------------ browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: Cheap axe-like checks run in the page: link text, image alt, heading order, contrast of every text.
AUDIT_JS = """() => {
  const out = {problems: []};
  const lum = (rgb) => {
    const c = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const parse = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const bg = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  document.querySelectorAll('a').forEach(a => {
    if (!(a.innerText || a.getAttribute('aria-label') || '').trim()) out.problems.push('empty link ' + a.outerHTML);
  });
  document.querySelectorAll('img').forEach(i => { if (!i.hasAttribute('alt')) out.problems.push('img without alt'); });
  let last = 0;
  document.querySelectorAll('h1,h2,h3,h4,h5,h6').forEach(h => {
    const n = Number(h.tagName[1]);
    if (last && n > last + 1) out.problems.push('heading skips a level: ' + h.tagName + ' ' + h.innerText);
    last = n;
  });
  out.h1 = document.querySelectorAll('h1').length;
  out.minContrast = 99;
  document.querySelectorAll('body *').forEach(el => {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const st = getComputedStyle(el);
    if (!own || st.visibility === 'hidden' || st.display === 'none' || el.offsetParent === null) return;
    const a = lum(parse(st.color).slice(0, 3)), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < out.minContrast) out.minContrast = ratio;
    if (ratio < 4.5) out.problems.push('contrast ' + ratio.toFixed(2) + ': ' + el.tagName + ' ' + el.innerText.slice(0, 40));
  });
  out.scroll = [document.documentElement.scrollWidth, document.documentElement.clientWidth];
  return out;
}"""


def shot_path(tmp_path: Path, name: str) -> Path:
    import os

    folder = os.environ.get("CONGKHAI_SITE_SCREENSHOTS")
    return (Path(folder) if folder else tmp_path) / name


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The site of the cockpit's archive (finals made by the pipeline) on 02/04/2024."""
    from tests.cockpit_support import ON as COCKPIT_ON
    from tests.cockpit_support import cockpit_archive

    built = cockpit_archive()
    s = dataclasses.replace(settings(), communes_dir=built.communes, archive_root=built.archive,
                            data_dir=built.data)
    site = tmp_path_factory.mktemp("real-site") / "kep"
    result = build_site(CommuneRun("kep", s), COCKPIT_ON, site)
    return {"site": site, "result": result, "archive": built.archive}


@pytest.mark.slow
def test_no_draft_of_the_pipeline_is_published(real_site: dict) -> None:
    """GIVEN the pipeline's archive (finals where people answered, drafts elsewhere) THEN no published PDF is a
    draft: every one is, by its bytes, an original, a final or a signed scan in its case's manifest."""
    states: dict[str, set[str | None]] = {}
    for manifest in (real_site["archive"] / "kep").rglob("manifest.json"):
        for f in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
            states.setdefault(f["sha256"], set()).add(f.get("state") if f["kind"] != "original" else "original")
    pdfs = [p for p in (real_site["site"] / "tep").rglob("*") if p.is_file()]
    assert pdfs and real_site["result"].cases == 3
    for p in pdfs:
        assert states.get(sha(p), set()) & {"original", "final", "signed"}, p
        assert "draft" not in states[sha(p)], p


@pytest.mark.slow
def test_the_site_from_disk_in_chromium(real_site: dict, tmp_path: Path) -> None:
    """Opened from disk at 1366 and 390 px: no sideways scroll, the audit is clean, item → case → PDF."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: install the Debian package `chromium`")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # Airflow's UI may load its translations and plugin links late under load

    index = (real_site["site"] / "index.html").as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            for width, height, name in ((1366, 900, "public-site-1366.png"), (390, 844, "public-site-390.png")):
                ctx = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                          device_scale_factor=1 if width > 1000 else 2)
                ctx.set_default_timeout(15_000)
                page = ctx.new_page()
                page.goto(index)
                expect(page.locator("h1")).to_have_text("Đang công khai")
                expect(page.locator("#h-dang")).to_have_text("Đang niêm yết (2)")
                # The skip link is the first stop of the keyboard, visible when focused, with a visible outline.
                page.keyboard.press("Tab")
                skip = page.locator("a.skip")
                expect(skip).to_be_focused()
                assert skip.evaluate("e => e.getBoundingClientRect().top >= 0")
                assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
                for url in (index, *(page.url.replace("index.html", n) for n in
                                     ("theo-muc.html", "theo-thang.html", "gop-y.html"))):
                    page.goto(url)
                    audit = page.evaluate(AUDIT_JS)
                    assert audit["problems"] == [] and audit["h1"] == 1, (url, audit)
                    assert audit["scroll"][0] <= audit["scroll"][1], (url, width, audit["scroll"])
                page.goto(index)
                page.screenshot(path=str(shot_path(tmp_path, name)), full_page=True)

                # By plan item → the case → its PDF.
                page.get_by_role("link", name="Theo mục kế hoạch").click()
                expect(page.locator("h1")).to_have_text("Theo mục kế hoạch công khai")
                section = page.locator("section", has=page.locator("h2", has_text="Q1-9"))
                section.get_by_role("link", name=re.compile("Phương án chuyển dịch cơ cấu kinh tế")).click()
                expect(page.locator(".kicker")).to_have_text("Quyết định 12/QĐ-UBND")
                audit = page.evaluate(AUDIT_JS)
                assert audit["problems"] == [] and audit["scroll"][0] <= audit["scroll"][1], audit
                expect(page.locator("table.docs th[scope=col]")).to_have_count(4)
                expect(page.locator("table.docs", has_text="Dự thảo")).to_have_count(0)
                link = page.get_by_role("link", name="Tải PDF: Biên bản niêm yết tại Bản tin công khai của UBND")
                href = link.get_attribute("href")
                assert href and href.startswith("tep/") and href.endswith(".pdf")
                pdf = real_site["site"] / href
                assert pdf.read_bytes().startswith(b"%PDF-")
                with page.expect_response(lambda r: r.url.endswith(".pdf")) as response:
                    link.click()
                assert response.value.ok
                ctx.close()
        finally:
            browser.close()


@pytest.mark.airflow
def test_publish_dag_run(airflow_db, small: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN the small archive WHEN `congkhai_publish` runs with a commune (the trigger form) THEN the site is
    in CONGKHAI_SITE/<commune>, built for the run's day (today: the 2024 posting has ended)."""
    from airflow.dag_processing.dagbag import DagBag

    s = small["settings"]
    for k, v in {"CONGKHAI_ARCHIVE": s.archive_root, "CONGKHAI_COMMUNES": s.communes_dir,
                 "CONGKHAI_DATA": tmp_path / "data", "CONGKHAI_SITE": tmp_path / "site"}.items():
        monkeypatch.setenv(k, str(v))
    dag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "congkhai_publish.py")).get_dag("congkhai_publish")
    run = dag.test(run_conf={"commune": "kep"})
    assert "success" in str(run.state)
    index = (tmp_path / "site" / "kep" / "index.html").read_text(encoding="utf-8")
    assert "Đã kết thúc niêm yết gần đây" in index and f"hs-{small['posted']}.html" in index


def test_signed_scans_pdf_published_photo_not(tmp_path: Path) -> None:
    """GIVEN signed scans filed as intake files them (kind signed_scan, ``signed[<key>]`` in the manifest): a
    PDF scan of the final minutes, a PDF scan of the draft notice and a photo of nothing else
    THEN both PDF scans are published (the notice's draft PDF still not), the photo is not."""
    built = make_archive(tmp_path, real_communes(tmp_path))
    s = built["settings"]
    folder = Archive(s.archive_root, "kep", index=False).find_case(built["posted"])
    scans = {}
    for key, version, src in (("posting_start_ubnd", 2, _pdf(tmp_path / "scan-ubnd.pdf", "scan ubnd")),
                              ("group_notice", 1, _pdf(tmp_path / "scan-notice.pdf", "scan notice"))):
        filed = folder.add_file("signed_scan", src, number=None, doc_date=dt.date(2024, 3, 27),
                                versioned_key=f"signed_scan:{key}", title="bản có chữ ký")
        scans[key] = (filed, version)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 64)
    folder.add_file("signed_scan", photo, number=None, doc_date=dt.date(2024, 3, 27),
                    versioned_key="signed_scan:posting_start_group:tdp01", title="ảnh")

    def mark(m: dict) -> None:
        for key, (filed, version) in scans.items():
            m.setdefault("signed", {})[key] = {"state": "signed", "version": version, "scan": filed.path}

    folder.update(mark)
    site = tmp_path / "site"
    build_site(CommuneRun("kep", s), ON, site)
    hashes = {sha(p) for p in (site / "tep").rglob("*") if p.is_file()}
    assert {sha(tmp_path / "scan-ubnd.pdf"), sha(tmp_path / "scan-notice.pdf"), sha(built["final"])} <= hashes
    assert sha(built["notice"]) not in hashes and sha(photo) not in hashes
    assert not [p for p in (site / "tep").rglob("*") if p.is_file() and p.suffix != ".pdf"]
    page = (site / f"hs-{built['posted']}.html").read_text(encoding="utf-8")
    assert "Tải PDF: Biên bản niêm yết tại Bản tin công khai của UBND, bản có chữ ký, đóng dấu</a>" in page
    assert "Tải PDF: Thông báo gửi trưởng thôn, tổ trưởng tổ dân phố, bản có chữ ký, đóng dấu</a>" in page


def test_a_manifest_naming_a_file_outside_its_folder_publishes_nothing(tmp_path: Path) -> None:
    """GIVEN a (damaged or tampered) manifest whose final names a path outside its case folder THEN that file
    is not copied into the public site."""
    built = make_archive(tmp_path, real_communes(tmp_path))
    s = built["settings"]
    secret = _pdf(s.archive_root / "secret.pdf", "not public")
    folder = Archive(s.archive_root, "kep", index=False).find_case(built["posted"])
    entry = {"kind": "posting_end", "key": "posting_end", "path": "../../../../../secret.pdf", "sha256": sha(secret),
             "size": secret.stat().st_size, "version": 1, "number": None, "code": "BB-UBND",
             "doc_date": "2024-04-20", "created": "2024-04-20T09:00:00+07:00", "title": None, "state": "final"}
    folder.update(lambda m: m["files"].append(entry))
    site = tmp_path / "site"
    build_site(CommuneRun("kep", s), ON, site)
    assert sha(secret) not in {sha(p) for p in site.rglob("*.pdf")}
    assert "Biên bản kết thúc" not in (site / f"hs-{built['posted']}.html").read_text(encoding="utf-8")
