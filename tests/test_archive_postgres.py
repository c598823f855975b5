"""The PostgreSQL index (CONGKHAI_INDEX_URL=postgresql://…) gives the same answers as SQLite.

A private PostgreSQL cluster (tests/pg_support.py) is started on loopback for this module (~3 s); the
module is skipped when the server binaries are not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from congkhai.archive import Archive, find, reindex
from congkhai.archive.index import PostgresIndex
from tests.archive_support import case, populate, sample_files
from tests.pg_support import PgCluster, pg_cluster


@pytest.fixture(scope="module")
def pg() -> Iterator[PgCluster]:
    with pg_cluster() as cluster:
        yield cluster


@pytest.fixture
def pg_url(pg: PgCluster) -> str:
    return pg.url


def test_postgres_index_matches_sqlite(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    files = sample_files(tmp_path / "src")
    sq_root, pg_root = tmp_path / "sqlite", tmp_path / "pg"
    populate(sq_root, files)
    monkeypatch.setenv("CONGKHAI_INDEX_URL", pg_url)
    parts = populate(pg_root, files)
    assert not (pg_root / "kep" / ".index" / "index.sqlite").exists()  # filed straight into PostgreSQL
    queries = [dict(on="2024-03-06"), dict(date_from="2023-12-29", date_to="2024-01-10"), dict(item="Q1-2"),
               dict(kind="posting_end"), dict(text="ho ngheo"), dict(text="DONG QUAN"), dict(text="ngan sa"),
               dict(text="thien tai"), dict(text="15/QĐ-UBND"), dict()]
    for q in queries:
        pg = find(pg_root, "kep", **q)  # type: ignore[arg-type]
        sq = find(sq_root, "kep", index_url="", **q)  # type: ignore[arg-type]
        strip = lambda rs: [{**r, "path": r["path"], "files": r["files"]} for r in rs]  # noqa: E731
        assert strip(pg) == strip(sq), q
    arch: Archive = parts["archive"]  # type: ignore[assignment]
    orig = arch.find_case(case().case_id).files(kind="original")[0]  # type: ignore[union-attr]
    assert arch.find_case_by_sha(orig.sha256).path == orig.abs_path.parent  # type: ignore[union-attr]
    # reindex from the manifests gives the same rows as the incremental updates
    idx = PostgresIndex(pg_url)
    before = idx.dump("kep")
    stats = reindex(pg_root, "kep", pg_url)
    assert stats["entries"] == 5 and stats["pdf_texts_extracted"] == 0
    assert idx.dump("kep") == before
    idx.close()


def test_index_reconnects_after_postgres_restart(pg: PgCluster) -> None:
    """GIVEN an index opened by a long-lived process WHEN PostgreSQL restarts THEN its next call works on
    a new connection (a plain PostgresIndex stays dead until the process restarts: every later update
    marks the index stale, every search fails)."""
    from congkhai.archive.index_pg import ResilientPostgresIndex

    idx, plain = ResilientPostgresIndex(pg.url), PostgresIndex(pg.url)
    assert idx.is_built("restart") is False and plain.is_built("restart") is False
    pg.stop("fast")
    pg.start()
    assert idx.is_built("restart") is False
    with pytest.raises(Exception):  # noqa: B017 (psycopg.OperationalError: the connection was terminated)
        plain.is_built("restart")
    idx.close()
