"""The PostgreSQL index (CONGKHAI_INDEX_URL=postgresql://…) gives the same answers as SQLite.

A private PostgreSQL cluster is started on loopback for this module (Debian's postgresql binaries,
~3 s); the module is skipped when they are not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from congkhai.archive import Archive, find, reindex
from congkhai.archive.index import PostgresIndex
from tests.archive_support import case, populate, sample_files

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    initdb = shutil.which("initdb") or str(PG_BIN / "initdb")
    pg_ctl = shutil.which("pg_ctl") or str(PG_BIN / "pg_ctl")
    if not Path(initdb).exists():
        pytest.skip("PostgreSQL server binaries not installed")
    # Directly under /tmp: pytest's own temp dirs are private to the user (0700).
    base = Path(tempfile.mkdtemp(prefix="congkhai-pg-"))
    data = base / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the cluster as the postgres user
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
    port = _free_port()
    subprocess.run([*prefix, initdb, "-D", str(data), "-U", "congkhai", "--auth=trust", "-E", "UTF8",
                    "--no-sync"], check=True, capture_output=True, timeout=120)
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-w", "-l", str(base / "log"), "-o",
                    f"-h 127.0.0.1 -p {port} -k {base} -F", "start"], check=True, capture_output=True, timeout=60)
    try:
        url = f"postgresql://congkhai@127.0.0.1:{port}/postgres"
        deadline = time.time() + 20
        while True:
            try:
                import psycopg

                psycopg.connect(url).close()
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True,
                       timeout=60)
        shutil.rmtree(base, ignore_errors=True)


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
