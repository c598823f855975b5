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
        "case_id": None, "issued": "2024-04-02", "item": None, "doc_number": "01", "doc_code": "DM-UBND",
        "subject": "Danh mục thông tin đã công khai quý I năm 2024", "path": "kep/2024/00_ca-nam",
        "files": [{"kind": "quarterly_list",
                   "path": "kep/2024/00_ca-nam/08_danh-muc-cong-khai-quy_2024-q1_so-01-DM-UBND_v1.pdf",
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
