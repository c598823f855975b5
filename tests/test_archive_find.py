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
    assert ids(find(root, "kep", text="DONG QUAN")) == ["20240110-20-qd-ubnd", "20240202-15-qd-ubnd",
                                                        "20240306-07-kh-ubnd"]  # the minutes' PDF text
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
                   "sha256": q["files"][0]["sha256"], "version": 1}],
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
