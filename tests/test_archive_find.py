"""Retrieval: dates (issue date or any document's date), ranges and their edges, item, kind,
text without diacritics, per-year documents, and an index that is derived (reindex = incremental)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from congkhai.archive import find, reindex
from congkhai.archive.index import mark_stale, open_index
from congkhai.errors import UsageError
from tests.archive_support import populate, sample_files


@pytest.fixture
def root(tmp_path: Path) -> Path:
    populate(tmp_path / "archive", sample_files(tmp_path / "src"))
    return tmp_path / "archive"


def ids(results: list[dict]) -> list[str | None]:
    return [r["case_id"] or r["path"].rsplit("/", 1)[-1] for r in results]


def test_find_on_a_day_matches_issue_date_or_any_document_date(root: Path) -> None:
    """An end minute dated 2024-03-06 makes its case found on that day, beside the case issued that day."""
    assert ids(find(root, "kep", on=dt.date(2024, 3, 6))) == ["20240202-15-qd-ubnd", "20240306-07-kh-ubnd"]
    assert ids(find(root, "kep", on="2024-02-05")) == ["20240202-15-qd-ubnd"]
    assert find(root, "kep", on="2024-02-06") == []


def test_date_range_edges_are_inclusive(root: Path) -> None:
    assert ids(find(root, "kep", date_from="2023-12-29", date_to="2024-01-10")) == [
        "20231229-50-qd-ubnd", "20240110-20-qd-ubnd"]
    assert ids(find(root, "kep", date_from="2023-12-30", date_to="2024-01-09")) == []
    assert ids(find(root, "kep", date_from="2024-01-11", date_to="2024-01-12")) == ["20240110-20-qd-ubnd"]
    assert ids(find(root, "kep", date_from="2024-03-07")) == ["00_ca-nam"]
    assert ids(find(root, "kep", date_to="2023-12-31")) == ["20231229-50-qd-ubnd"]
    assert len(find(root, "kep")) == 5
    with pytest.raises(UsageError):
        find(root, "kep", date_from="2024-02-01", date_to="2024-01-01")
    with pytest.raises(UsageError):
        find(root, "kep", on="2024-01-01", date_from="2024-01-01")
    with pytest.raises(UsageError):
        find(root, "kep", on="01/02/2024")


def test_text_search_ignores_diacritics_and_case(root: Path) -> None:
    """``ho ngheo`` finds ``hộ nghèo``; ``Đ``/``đ`` match ``D``/``d``; PDF text counts, not only subjects."""
    assert ids(find(root, "kep", text="ho ngheo")) == ["20240202-15-qd-ubnd"]
    assert ids(find(root, "kep", text="HỘ NGHÈO")) == ["20240202-15-qd-ubnd"]
    assert ids(find(root, "kep", text="dong quan")) == ids(find(root, "kep", text="Đồng Quan"))
    # In the subject of the road case (first: the best match), in the minutes' PDF text of two others.
    found = ids(find(root, "kep", text="DONG QUAN"))
    assert found[0] == "20240306-07-kh-ubnd" and sorted(found[1:]) == ["20240110-20-qd-ubnd", "20240202-15-qd-ubnd"]
    assert ids(find(root, "kep", text="duong giao thong")) == ["20240306-07-kh-ubnd"]
    # "thiên tai" is in the subject of the 2023 case and in the text of the quarterly list's PDF
    assert ids(find(root, "kep", text="thien tai")) == ["20231229-50-qd-ubnd", "00_ca-nam"]
    assert ids(find(root, "kep", text="ngan sa")) == ["20240110-20-qd-ubnd"]  # last word may be unfinished
    assert find(root, "kep", text="xyzzy") == [] and find(root, "kep", text=" -- ") == []
    assert ids(find(root, "kep", text="15/QĐ-UBND")) == ["20240202-15-qd-ubnd"]


def test_item_kind_and_per_year_entries(root: Path) -> None:
    assert ids(find(root, "kep", item="Q1-2")) == ["20240110-20-qd-ubnd"]
    res = find(root, "kep", kind="posting_end")
    assert ids(res) == ["20240202-15-qd-ubnd"]
    assert [f["kind"] for f in res[0]["files"]] == ["posting_end"]
    (q,) = find(root, "kep", kind="quarterly_list")
    assert q == {
        "case_id": None, "issued": "2024-04-02", "item": None, "doc_number": "01", "doc_code": "TB-UBND",
        "subject": "Danh mục thông tin đã công khai quý I năm 2024", "path": "kep/2024/00_ca-nam",
        "files": [{"kind": "quarterly_list",
                   "path": "kep/2024/00_ca-nam/08_danh-muc-cong-khai-quy_2024-q1_so-01-TB-UBND_v1.pdf",
                   "sha256": q["files"][0]["sha256"], "version": 1, "doc_date": "2024-04-02", "number": 1,
                   "code": "TB-UBND", "state": "draft"}],
    }
    assert (root / q["files"][0]["path"]).is_file()
    with pytest.raises(UsageError):
        find(root, "kep", kind="khong-co")


def test_reindex_equals_incremental_index(root: Path) -> None:
    """The index built file by file while filing equals one rebuilt from the manifests alone."""
    idx = open_index(root, "kep")
    incremental = idx.dump()
    idx.close()
    shutil.rmtree(root / "kep" / ".index")
    stats = reindex(root, "kep")
    assert stats["folders"] == 5 and stats["entries"] == 5 and stats["pdf_texts_extracted"] == 5
    idx = open_index(root, "kep")
    assert idx.dump() == incremental
    idx.close()
    again = reindex(root, "kep")
    assert again["pdf_texts_extracted"] == 0  # cached by SHA-256


def test_deleted_or_stale_index_is_rebuilt_by_find(root: Path, tmp_path: Path) -> None:
    shutil.rmtree(root / "kep" / ".index")
    assert ids(find(root, "kep", text="ho ngheo")) == ["20240202-15-qd-ubnd"]
    # A folder copied in from a backup (no incremental update) is found once the index is marked stale.
    src = next((root / "kep/2024/03/06").iterdir())
    (root / "kep/2025/03/06").mkdir(parents=True)
    shutil.copytree(src, root / "kep/2025/03/06" / src.name)
    assert len(find(root, "kep", text="duong giao thong")) == 1
    mark_stale(root, "kep")
    assert len(find(root, "kep", text="duong giao thong")) == 2
    assert not (root / "kep/.index/STALE").exists()


def test_several_communes_each_their_tree(root: Path, tmp_path: Path) -> None:
    from congkhai.archive import Archive
    from tests.archive_support import case

    files = sample_files(tmp_path / "src")
    other = Archive(root, "tanhoa").open_case(case(commune="tanhoa"))
    other.add_original(files["ho_ngheo.pdf"])
    assert [r["path"].split("/")[0] for r in find(root, None, text="ho ngheo")] == ["kep", "tanhoa"]
    assert [r["path"].split("/")[0] for r in find(root, "tanhoa")] == ["tanhoa"]


def test_pages_and_totals(root: Path, tmp_path: Path) -> None:
    """find_page: a page of the chronological list and the total; offsets past the end; limits checked."""
    from congkhai.archive.find import find_page

    everything = find(root, "kep")
    assert len(everything) == 5
    for limit in (1, 2, 3, 5, 7):
        for offset in range(0, 7):
            page, total = find_page(root, "kep", limit=limit, offset=offset)
            assert page == everything[offset : offset + limit] and total == 5, (limit, offset)
    assert find_page(root, "kep", text="dong quan", limit=1) == (find(root, "kep", text="dong quan")[:1], 3)
    assert find_page(root, "kep", text="xyzzy", limit=1) == ([], 0)
    assert find_page(root, "kep", limit=2, with_total=False)[1] == -1  # more may exist, not counted
    assert find_page(root, "kep", offset=4) == (everything[4:], 5)
    assert find(root, "kep", limit=2, offset=3) == everything[3:5]
    with pytest.raises(UsageError):
        find_page(root, "kep", limit=0)
    with pytest.raises(UsageError):
        find_page(root, "kep", offset=-1)
    # Several communes: merged in date order, then paged; the total adds up.
    from congkhai.archive import Archive
    from tests.archive_support import case

    files = sample_files(tmp_path / "src")
    Archive(root, "tanhoa").open_case(case(commune="tanhoa")).add_original(files["ho_ngheo.pdf"])
    both = find(root, None)
    assert len(both) == 6
    for offset in range(0, 7):
        assert find_page(root, None, limit=2, offset=offset) == (both[offset : offset + 2], 6)


def test_year_documents_calendar_counts_and_years(root: Path) -> None:
    from congkhai.archive.find import archive_years, calendar_counts

    (q,) = find(root, "kep", year_documents=True)
    assert q["case_id"] is None and q["path"] == "kep/2024/00_ca-nam"
    # The page's calendar: cases by their issue date only (what the cards show), no per-year documents.
    assert calendar_counts(root, "kep", "2024-01-01", "2024-12-31", issued_only=True, cases_only=True) == {
        "2024-01-10": 1, "2024-02-02": 1, "2024-03-06": 1}
    assert calendar_counts(root, "kep", "2024-01-01", "2024-12-31", by_month=True, issued_only=True,
                           cases_only=True) == {"2024-01": 1, "2024-02": 1, "2024-03": 1}
    days = calendar_counts(root, "kep", "2024-01-01", "2024-12-31")
    assert days == {"2024-01-10": 1, "2024-01-12": 1, "2024-02-02": 1, "2024-02-05": 1, "2024-03-06": 2,
                    "2024-04-02": 1}
    months = calendar_counts(root, "kep", "2024-01-01", "2024-12-31", by_month=True)
    assert months == {"2024-01": 1, "2024-02": 1, "2024-03": 2, "2024-04": 1}  # a case once per month
    assert archive_years(root, "kep") == [2023, 2024] and archive_years(root, "khong-co") == []


def test_cli_shows_a_page_by_default_and_says_so_on_stderr(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The JSON list on stdout stays a list; the total goes to stderr when more entries match."""
    import json

    from typer.testing import CliRunner

    from congkhai import cli_archive

    app = cli_archive.archive_app
    monkeypatch.setattr(cli_archive, "DEFAULT_LIMIT", 2)
    r = CliRunner().invoke(app, ["find", "--archive", str(root), "--json"])
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 2
    assert "Hiển thị 1–2 trong 5 kết quả" in r.stderr and "--all" in r.stderr
    r = CliRunner().invoke(app, ["find", "--archive", str(root), "--json", "--all"])
    assert len(json.loads(r.stdout)) == 5 and r.stderr == ""
    r = CliRunner().invoke(app, ["find", "--archive", str(root), "--json", "--limit", "3", "--offset", "3"])
    assert [e["issued"] for e in json.loads(r.stdout)] == ["2024-03-06", "2024-04-02"] and r.stderr == ""
    r = CliRunner().invoke(app, ["find", "--archive", str(root)])
    assert "Tổng: 5 kết quả, hiển thị 1–2" in r.stdout
    r = CliRunner().invoke(app, ["find", "--archive", str(root), "--all", "--limit", "3"])
    assert r.exit_code == 2 and "không dùng cả hai" in r.stderr


def _text_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF with this (ASCII-folded) text: the benchmark's maker, fast enough for many files."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_archive", Path(__file__).parent.parent / "bench" / "archive.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    path.write_bytes(mod.text_pdf(lines))
    return path


def test_boilerplate_of_generated_documents_ranks_below_the_source_and_subject(tmp_path: Path) -> None:
    """GIVEN three cases whose generated minutes all say "thủ tục hành chính … Zalo", one whose subject
    and one whose original are about administrative procedures WHEN searching "thu tuc hanh chinh" THEN
    every case matches but the subject's and the original's come first, in that order (issue 16, 8)."""
    from congkhai.archive import Archive
    from tests.archive_support import case

    a = Archive(tmp_path / "archive", "kep")
    boiler = ["BIEN BAN NIEM YET", "Giai quyet thu tuc hanh chinh tai bo phan mot cua; nhan tin qua Zalo"]
    subjects = {"11": "Công bố thủ tục hành chính mới ban hành", "12": "Phê duyệt danh sách hộ nghèo",
                "13": "Giao dự toán ngân sách"}
    bodies = {"11": ["QUYET DINH", "Cong bo danh muc"], "12": ["QUYET DINH", "Danh sach ho ngheo"],
              "13": ["QUYET DINH", "Du toan; thu tuc hanh chinh ve ngan sach duoc niem yet"]}
    for i, (number, subject) in enumerate(subjects.items()):
        f = a.open_case(case(dt.date(2024, 3, 1 + i), number, subject=subject, item=None))
        f.add_original(_text_pdf(tmp_path / f"o{number}.pdf", bodies[number]))
        f.add_file("posting_start_ubnd", _text_pdf(tmp_path / f"g{number}.pdf", boiler + [number]), number=int(number),
                   doc_date=dt.date(2024, 3, 5), versioned_key="posting_start_ubnd", state="draft")
    root = tmp_path / "archive"
    found = [r["doc_number"] for r in find(root, "kep", text="thu tuc hanh chinh")]
    assert found == ["11", "13", "12"]
    assert sorted(r["doc_number"] for r in find(root, "kep", text="zalo")) == ["11", "12", "13"]


def test_snippets_keep_the_diacritics_and_mark_every_word(root: Path) -> None:
    """GIVEN the poverty case (its original's PDF says "hộ nghèo, hộ cận nghèo") WHEN searching without
    diacritics, with snippets THEN the passage comes from the original with the words as written."""
    (r,) = find(root, "kep", text="ho ngheo", snippets=True)
    s = r["snippet"]
    assert s["kind"] == "original" and s["path"].endswith(".pdf")
    marked = [p["text"] for p in s["parts"] if p["match"]]
    assert marked[:2] == ["hộ", "nghèo"] and "hộ cận nghèo" in "".join(p["text"] for p in s["parts"])
    (r,) = find(root, "kep", text="ngan sa", snippets=True)  # an unfinished last word is marked whole
    assert [p["text"] for p in r["snippet"]["parts"] if p["match"]][:2] == ["ngân", "sách"]
    assert "snippet" not in find(root, "kep", text="ho ngheo")[0]  # only when asked
    assert all("score" not in r for r in find(root, None, text="dong quan"))


def test_snippet_pieces_are_plain_text(root: Path) -> None:
    from congkhai.archive.index import snippet

    parts = snippet("<b>Hộ</b> nghèo & <script>x</script>", ["ho", "ngheo"])
    assert parts is not None and "".join(t for t, _ in parts) == "<b>Hộ</b> nghèo & <script>x</script>"
    assert [t for t, m in parts if m] == ["Hộ", "nghèo"]
    assert snippet("không có gì", ["xyz"]) is None and snippet("", ["a"]) is None


def test_state_filter_and_undated_documents(root: Path, tmp_path: Path) -> None:
    """GIVEN a case whose posting minute is final (v2 after a draft v1) and another whose end minute is an
    undated draft WHEN filtering by state THEN each case is found by its newest versions' state only, and
    an undated document has no date (neither on its file nor in the calendar)."""
    from congkhai.archive import Archive

    files = sample_files(tmp_path / "src2")
    a = Archive(root, "kep")
    b = a.find_case("20240110-20-qd-ubnd")
    b.add_file("posting_start_ubnd", files["niem_yet_v2.pdf"], number=1, doc_date=dt.date(2024, 1, 12),
               versioned_key="posting_start_ubnd", state="final")
    d = a.find_case("20240306-07-kh-ubnd")
    d.add_file("posting_end", files["niem_yet_v2.pdf"], number=None, doc_date=dt.date(2024, 5, 20),
               versioned_key="posting_end", state="draft", undated=True)
    assert ids(find(root, "kep", state="final")) == ["20240110-20-qd-ubnd"]
    assert ids(find(root, "kep", state="draft")) == ["20240202-15-qd-ubnd", "20240306-07-kh-ubnd", "00_ca-nam"]
    assert find(root, "kep", state="signed") == []
    c, _ = find(root, "kep", kind="posting_end", on="2024-03-06")
    assert c["files"][0]["doc_date"] == "2024-03-06" and c["files"][0]["number"] == 9
    (r,) = find(root, "kep", kind="posting_end", date_from="2024-03-06", date_to="2024-03-06", issued_only=True)
    undated = r["files"][0]
    assert undated["doc_date"] is None and undated["number"] is None and undated["state"] == "draft"
    assert find(root, "kep", on="2024-05-20") == []  # its filing day is not its date
    with pytest.raises(UsageError):
        find(root, "kep", state="ban-nhap")


def test_an_index_of_the_old_format_is_rebuilt_when_opened(root: Path) -> None:
    """GIVEN an index written by the previous version (one ``body`` column, no format mark) WHEN opened
    THEN it is dropped, rebuilt from the manifests, and answers as before."""
    import sqlite3

    db = root / "kep" / ".index" / "index.sqlite"
    before = ids(find(root, "kep", text="ho ngheo"))
    db.unlink()
    for p in db.parent.glob("index.sqlite-*"):
        p.unlink()
    old = sqlite3.connect(db)
    old.executescript("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES('built:kep', 'x');"
                      "CREATE TABLE entries(id INTEGER PRIMARY KEY, commune TEXT, folder TEXT);"
                      "CREATE TABLE texts(sha256 TEXT PRIMARY KEY, body TEXT NOT NULL);"
                      "CREATE VIRTUAL TABLE fts USING fts5(body);")
    old.commit()
    old.close()
    assert ids(find(root, "kep", text="ho ngheo")) == before
    from congkhai.archive.index import FORMAT

    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == (FORMAT,)
    con.close()
