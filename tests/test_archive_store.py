"""The archive tree: layout, durable never-overwriting writes, versions, idempotent re-filing, manifest."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from pathlib import Path

import pytest

from congkhai.archive import Archive, fsutil, layout
from congkhai.archive.manifest import PHU_LUC_VI
from congkhai.errors import PermanentError, UsageError
from tests.archive_support import case, sample_files


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return sample_files(tmp_path / "src")


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "archive", "kep")


def test_case_folder_by_issue_date_with_readable_slug(archive: Archive, files: dict[str, Path]) -> None:
    """GIVEN a decision 15/QĐ-UBND of 2 Feb 2024 WHEN it is filed THEN it lives in 2024/02/02/15-QD-UBND_…"""
    folder = archive.open_case(case())
    assert folder.rel_path == "2024/02/02/15-QD-UBND_phe-duyet-danh-sach-ho-ngheo-ho-can-ngheo-nam"
    entry = folder.add_original(files["ho_ngheo.pdf"])
    assert entry.path == "00_van-ban-goc_15-QD-UBND_v1.pdf"
    assert entry.abs_path.read_bytes() == files["ho_ngheo.pdf"].read_bytes()
    assert entry.sha256 == fsutil.sha256_file(files["ho_ngheo.pdf"])
    for name in folder.path.relative_to(archive.root).parts + (entry.path,):
        assert name.isascii() and " " not in name


def test_generated_file_names(archive: Archive, files: dict[str, Path]) -> None:
    folder = archive.open_case(case())
    d = dt.date(2024, 2, 5)
    ubnd = folder.add_file("posting_start_ubnd", files["niem_yet.pdf"], number=5, doc_date=d,
                           versioned_key="posting_start_ubnd")
    group = folder.add_file("posting_start_group", files["niem_yet.docx"], number=6, doc_date=d,
                            versioned_key="posting_start_group:TDP số 3")
    unnumbered = folder.add_file("broadcast_report", files["niem_yet.pdf"], number=None, doc_date=d,
                                 versioned_key="broadcast_report")
    assert ubnd.path == "03_bien-ban-niem-yet-ubnd_so-05-BB-UBND_v1.pdf"
    assert group.path == "04_bien-ban-niem-yet-tdp_tdp-so-3_so-06-BB-UBND_v1.docx"
    assert unnumbered.path == "06_bao-cao-phat-tin_v1.pdf"
    with pytest.raises(UsageError):
        folder.add_file("nonsense", files["niem_yet.pdf"], number=1, doc_date=d, versioned_key="x")


def test_regenerated_document_is_a_new_version_and_nothing_is_overwritten(
    archive: Archive, files: dict[str, Path]
) -> None:
    """GIVEN a filed minute WHEN it is regenerated with other bytes THEN v2 is added and v1 stays intact."""
    folder = archive.open_case(case())
    d = dt.date(2024, 2, 5)
    kw = dict(number=5, doc_date=d, versioned_key="posting_start_ubnd")
    v1_docx = folder.add_file("posting_start_ubnd", files["niem_yet.docx"], **kw)
    v1 = folder.add_file("posting_start_ubnd", files["niem_yet.pdf"], **kw)
    v1_bytes = v1.abs_path.read_bytes()
    v2 = folder.add_file("posting_start_ubnd", files["niem_yet_v2.pdf"], **kw)
    assert (v1_docx.version, v1.version, v2.version) == (1, 1, 2)
    assert v2.path.endswith("_v2.pdf")
    assert v1.abs_path.read_bytes() == v1_bytes
    assert folder.latest("posting_start_ubnd") == v2
    assert [e.version for e in folder.files(key="posting_start_ubnd", ext="pdf")] == [1, 2]
    events = [h["event"] for h in folder.manifest["history"]]
    assert events.count("filed") == 2 and events.count("new_version") == 1


def test_refiling_same_bytes_is_idempotent(archive: Archive, files: dict[str, Path]) -> None:
    """GIVEN a task that filed a PDF WHEN the task is re-run with the same bytes THEN no version is added."""
    folder = archive.open_case(case())
    kw = dict(number=5, doc_date=dt.date(2024, 2, 5), versioned_key="posting_start_ubnd")
    first = folder.add_file("posting_start_ubnd", files["niem_yet.pdf"], **kw)
    again = archive.open_case(case()).add_file("posting_start_ubnd", files["niem_yet.pdf"], **kw)
    assert again == first
    assert len(archive.find_case(case().case_id).manifest["files"]) == 1
    # The same render inputs (a converter that stamps the time gives other bytes) also count as the same.
    a = folder.add_file("activity_plan", files["du_toan.pdf"], number=3, doc_date=None,
                        versioned_key="activity_plan", inputs_digest="abc")
    b = folder.add_file("activity_plan", files["ho_ngheo.pdf"], number=3, doc_date=None,
                        versioned_key="activity_plan", inputs_digest="abc")
    assert a == b
    assert folder.add_original(files["ho_ngheo.pdf"]) == folder.add_original(files["ho_ngheo.pdf"])


def test_file_left_by_a_crash_is_adopted_not_duplicated(archive: Archive, files: dict[str, Path]) -> None:
    """GIVEN a copy that reached the disk but not the manifest (crash) WHEN the task retries THEN it is adopted."""
    folder = archive.open_case(case())
    name = "03_bien-ban-niem-yet-ubnd_so-05-BB-UBND_v1.pdf"
    fsutil.atomic_copy(files["niem_yet.pdf"], folder.path / name)
    e = folder.add_file("posting_start_ubnd", files["niem_yet.pdf"], number=5, doc_date=dt.date(2024, 2, 5),
                        versioned_key="posting_start_ubnd")
    assert (e.path, e.version) == (name, 1)
    # A foreign file in the way is never overwritten: the next free version is used.
    foreign = "03_bien-ban-niem-yet-ubnd_so-05-BB-UBND_v2.pdf"
    (folder.path / foreign).write_bytes(b"not ours")
    e2 = folder.add_file("posting_start_ubnd", files["niem_yet_v2.pdf"], number=5, doc_date=dt.date(2024, 2, 5),
                         versioned_key="posting_start_ubnd")
    assert e2.version == 3 and (folder.path / foreign).read_bytes() == b"not ours"


def test_atomic_writes_never_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    fsutil.atomic_write_bytes(target, b"one")
    with pytest.raises(FileExistsError):
        fsutil.atomic_write_bytes(target, b"two")
    with pytest.raises(FileExistsError):
        fsutil.atomic_copy(target, target)
    assert target.read_bytes() == b"one"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]  # no temporary left behind


def test_manifest_has_phu_luc_vi_fields(archive: Archive, files: dict[str, Path]) -> None:
    folder = archive.open_case(case())
    folder.add_original(files["ho_ngheo.pdf"])
    folder.set_schedule({"posting_start": dt.date(2024, 2, 5), "posting_end": dt.date(2024, 3, 6)})
    folder.add_file("posting_end", files["niem_yet.pdf"], number=9, doc_date=dt.date(2024, 3, 6),
                    versioned_key="posting_end")
    folder.record_event("feedback", text="Ông Trần Văn B đề nghị bổ sung hộ ở tổ 5")
    m = json.loads(folder.manifest_path.read_text(encoding="utf-8"))
    for key in PHU_LUC_VI:
        assert key in m
    assert m["TypeName"] == "Quyết định" and m["CodeNumber"] == "15" and m["CodeNotation"] == "QĐ-UBND"
    assert m["IssuedDate"] == "2024-02-02" and m["PageAmount"] == 1 and m["Signer"] == "Nguyễn Văn An"
    assert (m["StartDate"], m["EndDate"]) == ("2024-02-02", "2024-03-06")
    assert m["item"] == "Q1-7" and m["law_item"] == 7
    assert m["schedule"] == {"posting_start": "2024-02-05", "posting_end": "2024-03-06"}
    f = m["files"][-1]
    assert set(f) >= {"kind", "path", "sha256", "size", "number", "version", "doc_date", "created"}
    assert [h["event"] for h in m["history"]] == ["opened", "filed", "schedule", "filed", "feedback"]


def test_open_case_loads_and_updates(archive: Archive) -> None:
    c = case()
    first = archive.open_case(c)
    c.posted = dt.date(2024, 2, 6)
    again = archive.open_case(c)
    assert again.path == first.path
    assert again.case is not None and again.case.posted == dt.date(2024, 2, 6)
    assert again.manifest["history"][-1] == {**again.manifest["history"][-1], "event": "case_updated",
                                             "fields": ["posted"]}
    # Another case with the same folder name on the same day gets a suffix, never the same folder.
    other = case(number=None, code=None)
    twin = case(number=None, code=None, subject=other.subject)
    twin.sha256 = "f" * 64
    a, b = archive.open_case(other), archive.open_case(twin)
    assert a.path != b.path and b.path.name.endswith("_2")
    with pytest.raises(PermanentError):
        archive.open_case(case(commune="tanhoa"))


def test_year_folder_and_lookups(archive: Archive, files: dict[str, Path]) -> None:
    y = archive.year_folder(2024)
    assert y.rel_path == f"2024/{layout.YEAR_DIR}" and y.is_year and y.case_id is None
    e = y.add_file("quarterly_list", files["danh_muc.pdf"], number=1, doc_date=dt.date(2024, 4, 2),
                   versioned_key="quarterly_list:2024-Q1")
    assert e.path == "08_danh-muc-cong-khai-quy_2024-q1_so-01-TB-UBND_v1.pdf"
    assert e.title == "Danh sách các nội dung đã công khai theo quý năm 2024"
    assert archive.year_folder(2024).manifest["files"][0]["sha256"] == e.sha256
    folder = archive.open_case(case())
    orig = folder.add_original(files["ho_ngheo.pdf"])
    assert archive.find_case(case().case_id).path == folder.path  # type: ignore[union-attr]
    assert archive.find_case("20240203-x") is None
    assert archive.find_case_by_sha(orig.sha256).path == folder.path  # type: ignore[union-attr]
    assert archive.find_case_by_sha("0" * 64) is None
    assert [f.rel_path for f in archive.iter_folders()] == [y.rel_path, folder.rel_path]


def _file_one(args: tuple[str, str, int]) -> str:
    root, src, n = args
    folder = Archive(Path(root), "kep").open_case(case())
    return folder.add_file("posting_start_group", Path(src), number=10 + n, doc_date=dt.date(2024, 2, 5),
                           versioned_key=f"posting_start_group:tdp-{n}").path


def test_parallel_tasks_filing_into_one_case_lose_nothing(tmp_path: Path, files: dict[str, Path]) -> None:
    """GIVEN 8 processes filing one minute each into one case THEN the manifest lists all 8."""
    # spawn, not fork: the test process may already run threads (Airflow imported by other tests).
    root = tmp_path / "archive"
    Archive(root, "kep").open_case(case())
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        names = pool.map(_file_one, [(str(root), str(files["niem_yet.pdf"]), n) for n in range(8)])
    folder = Archive(root, "kep").find_case(case().case_id)
    assert folder is not None
    assert sorted(f["path"] for f in folder.manifest["files"]) == sorted(names)
    assert len(set(names)) == 8


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (40, 60), 255).save(out, format="PNG")
    return out.getvalue()


def test_original_is_archived_under_the_extension_of_its_content(archive: Archive, files: dict[str, Path],
                                                                 tmp_path: Path) -> None:
    """GIVEN originals whose dropped names lie about their type (a PDF named .html, a PNG named .docx,
    a PDF with an emoji name and no extension) WHEN filed THEN each is archived under the extension its
    bytes show, and the dropped name is kept in the manifest as data only."""
    drops = tmp_path / "drops"
    (drops / "N-1").mkdir(parents=True)
    html_pdf = drops / "N-1" / "QD 406 cong khai.html"
    html_pdf.write_bytes(files["ho_ngheo.pdf"].read_bytes() + b"\n<script>alert(document.cookie)</script>\n")
    png_docx = drops / "scan.docx"
    png_docx.write_bytes(_png())
    emoji = drops / "Quyết định 📄🔥"
    emoji.write_bytes(files["du_toan.pdf"].read_bytes())
    jpeg = drops / "anh.pdf"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    tiff = drops / "quet"
    tiff.write_bytes(b"II*\x00" + b"\x00" * 64)
    unknown = drops / "ghi-chu.pdf"
    unknown.write_bytes(b"<html><script>alert(1)</script></html>")

    got = {}
    for i, src in enumerate((html_pdf, png_docx, emoji, jpeg, tiff, unknown)):
        folder = archive.open_case(case(number=str(400 + i)))
        got[src.name] = folder.add_original(src)
    exts = {name: e.path.rsplit(".", 1)[-1] for name, e in got.items()}
    assert exts == {"QD 406 cong khai.html": "pdf", "scan.docx": "png", "Quyết định 📄🔥": "pdf",
                    "anh.pdf": "jpg", "quet": "tiff", "ghi-chu.pdf": "bin"}
    e = got["QD 406 cong khai.html"]
    assert e.path == "00_van-ban-goc_400-QD-UBND_v1.pdf" and e.abs_path.read_bytes() == html_pdf.read_bytes()
    [entry] = [f for f in json.loads((e.abs_path.parent / layout.MANIFEST).read_text(encoding="utf-8"))["files"]]
    assert entry["original_name"] == "QD 406 cong khai.html"
    assert archive.find_case(case(number="402").case_id).manifest["files"][0]["original_name"] == "Quyết định 📄🔥"
    assert archive.find_case(case(number="400").case_id).manifest["PageAmount"] == 1  # read as the PDF it is
    # The same bytes dropped again under yet another name are the same original, not a second one.
    again = drops / "lai.docx"
    again.write_bytes(html_pdf.read_bytes())
    folder = archive.open_case(case(number="400"))
    assert folder.add_original(again) == e and len(folder.manifest["files"]) == 1


def test_an_original_filed_under_its_dropped_extension_is_not_filed_twice(archive: Archive, files: dict[str, Path],
                                                                           tmp_path: Path) -> None:
    """GIVEN an original archived before this fix as ``….html`` WHEN the same bytes are filed again
    THEN the existing entry is returned (no ``.pdf`` twin beside it)."""
    from tests.test_web_security import file_legacy_original

    folder = archive.open_case(case())
    src = tmp_path / "x.html"
    src.write_bytes(files["ho_ngheo.pdf"].read_bytes())
    name = file_legacy_original(folder, src, "html")
    assert name == "00_van-ban-goc_15-QD-UBND_v1.html"
    assert folder.add_original(src).path == name and len(folder.reload()["files"]) == 1
