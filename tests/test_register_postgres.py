"""The register of official numbers in PostgreSQL (issue 17.3): the SQLite register's answers, shared by
several hosts, and nothing lost or given twice when PostgreSQL goes away for 30 s.

A private PostgreSQL cluster (tests/pg_support.py) is started for this module; skipped without the
server binaries. Each test uses its own commune, so they share the one database as communes do.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from congkhai.config import settings
from congkhai.documents.register import Register
from congkhai.documents.register_pg import PostgresRegister
from congkhai.errors import ConfigError, PermanentError, UsageError
from tests.pg_support import PgCluster, pg_cluster


@pytest.fixture(scope="module")
def pg() -> Iterator[PgCluster]:
    with pg_cluster() as cluster:
        yield cluster


def _reg(pg: PgCluster, commune: str, **kw: Any) -> PostgresRegister:
    return PostgresRegister(commune, url=pg.url, **kw)


def test_same_answers_as_sqlite(pg: PgCluster, tmp_path: Path) -> None:
    """GIVEN the SQLite register's own scenarios WHEN run on both backends THEN the answers are equal."""

    def scenario(reg: Register) -> list[object]:
        out: list[object] = [reg.number_for(2024, "BB", "a"), reg.number_for(2024, "BB", "b"),
                             reg.number_for(2024, "KH", "a"), reg.number_for(2025, "BB", "c"),
                             reg.number_for(2024, "BC-ĐTT", "a"), reg.number_for(2024, "BB", "a"),
                             reg.lookup(2024, "BB", "b"), reg.lookup(2024, "BB", "missing")]
        reg.set_next(2024, "BB", 12)
        out += [reg.peek(2024, "BB"), reg.number_for(2024, "BB", "x")]
        for bad in (12, 0):
            with pytest.raises((PermanentError, UsageError)) as err:
                reg.set_next(2024, "BB", bad)
            out.append(err.value.kind)
        reg.set_blank_numbers(True)
        out += [reg.blank_numbers, reg.number_for(2024, "BB", "new"), reg.number_for(2024, "BB", "a")]
        reg.set_blank_numbers(False)
        out += [reg.number_for(2024, "BB", "new"), reg.record_external(2024, "TB", 3, "external/x"),
                reg.record_external(2024, "TB", 3, "external/x"), reg.number_for(2024, "TB", "t"),
                reg.record_external(2024, "TB", 1, "external/y"), reg.record_external(2024, "TB", 4, "external/x")]
        with pytest.raises(UsageError):
            reg.number_for(2024, "BB", "")
        out.append([(i.year, i.series, i.number, i.key) for i in reg.issued()])
        out.append([(i.number, i.key) for i in reg.issued(2024, "BB")])
        return out

    sqlite = scenario(Register("kep", path=tmp_path / "r.sqlite"))
    assert scenario(_reg(pg, "same-answers")) == sqlite
    assert sqlite[:8] == [1, 2, 1, 1, 1, 1, 2, None]
    # another commune in the same database: its own numbers
    assert _reg(pg, "same-answers-2").number_for(2024, "BB", "a") == 1


def test_every_public_method_has_a_postgres_version() -> None:
    """A method added to the SQLite register and forgotten here would silently write to SQLite."""
    public = {n for n in vars(Register) if not n.startswith("_")}
    assert public <= set(vars(PostgresRegister)), public - set(vars(PostgresRegister))


def test_backend_chosen_by_settings(pg: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN no URL, a PostgreSQL index URL, CONGKHAI_STATE_URL=sqlite, a bad CONGKHAI_STATE_URL
    THEN SQLite, PostgreSQL, SQLite, a refusal; an explicit path is always that SQLite file."""
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path))
    monkeypatch.delenv("CONGKHAI_STATE_URL", raising=False)
    monkeypatch.delenv("CONGKHAI_INDEX_URL", raising=False)
    assert type(Register("kep")) is Register
    monkeypatch.setenv("CONGKHAI_INDEX_URL", str(tmp_path / "index"))  # not PostgreSQL: state stays SQLite
    assert type(Register("kep")) is Register
    monkeypatch.setenv("CONGKHAI_INDEX_URL", pg.url)
    reg = Register("backend-choice")
    assert type(reg) is PostgresRegister and reg.url == pg.url and settings().state_url == pg.url
    assert reg.number_for(2024, "BB", "k") == 1 and not (tmp_path / "state").exists()
    assert type(Register("kep", path=tmp_path / "r.sqlite")) is Register
    monkeypatch.setenv("CONGKHAI_STATE_URL", "sqlite")
    assert type(Register("kep")) is Register
    monkeypatch.setenv("CONGKHAI_STATE_URL", "postgresq://typo@host/db")
    with pytest.raises(ConfigError) as err:
        Register("kep")
    assert "CONGKHAI_STATE_URL" in err.value.message_vi
    monkeypatch.delenv("CONGKHAI_INDEX_URL")
    monkeypatch.setenv("CONGKHAI_STATE_URL", pg.url)
    assert type(Register("kep")) is PostgresRegister
    # a register travels to another process as what it is (pickle), whatever that process's settings
    import pickle

    sqlite_reg = Register("kep", path=tmp_path / "r.sqlite")
    copies = pickle.loads(pickle.dumps([reg, sqlite_reg]))
    assert [type(r) for r in copies] == [PostgresRegister, Register] and copies[1].path == sqlite_reg.path
    assert copies[0].lookup(2024, "BB", "k") == 1


def test_sqlite_register_is_carried_over_once(pg: PgCluster, tmp_path: Path) -> None:
    """GIVEN a commune that numbered documents in SQLite WHEN it moves to PostgreSQL THEN its numbers,
    counters and options come along once (numbering continues, never restarts at 01), and a register
    that gives a number to another document than PostgreSQL does stops with a message naming both."""
    old = Register("carry", path=tmp_path / "state" / "register.sqlite")
    assert [old.number_for(2024, "BB", k) for k in "abc"] == [1, 2, 3]
    old.set_next(2024, "KH", 7)
    old.set_blank_numbers(True)
    reg = _reg(pg, "carry", path=old.path)
    assert reg.lookup(2024, "BB", "b") == 2 and reg.peek(2024, "BB") == 4 and reg.peek(2024, "KH") == 7
    assert reg.blank_numbers
    reg.set_blank_numbers(False)
    assert reg.number_for(2024, "BB", "d") == 4
    old.number_for(2024, "BB", "late")  # written to the old file after the move: not imported again
    from congkhai.documents import register_pg

    register_pg._local.__dict__.pop("imported", None)  # as a new process would
    assert _reg(pg, "carry", path=old.path).lookup(2024, "BB", "late") is None

    clash = Register("clash", path=tmp_path / "clash.sqlite")
    clash.number_for(2024, "BB", "paper-1")
    _reg(pg, "clash").number_for(2024, "BB", "other")  # no file for this host: PostgreSQL numbered first
    register_pg._local.__dict__.pop("imported", None)
    with pytest.raises(PermanentError) as err:
        _reg(pg, "clash", path=clash.path).lookup(2024, "BB", "other")
    assert "01/BB năm 2024" in err.value.message_vi and "paper-1" in err.value.message_vi


class _LostCommit(PostgresRegister):
    """COMMIT reaches the server, its answer never comes back (the connection drops right after)."""

    lost = 0

    def _commit(self, con: Any) -> None:
        con.commit()
        if self.lost:
            self.lost -= 1
            import psycopg

            raise psycopg.OperationalError("server closed the connection unexpectedly")


def test_commit_outcome_unknown_is_found_again_by_key(pg: PgCluster) -> None:
    """GIVEN an assignment whose COMMIT answer is lost WHEN the register retries THEN it finds the key
    numbered and returns that number: no second number, no gap."""
    reg = _LostCommit("lost-commit", url=pg.url)
    reg.lookup(2024, "BB", "warm-up")  # the schema exists; the next commit is the assignment's
    reg.lost = 1
    assert reg.number_for(2024, "BB", "a") == 1
    assert reg.lost == 0
    assert reg.number_for(2024, "BB", "b") == 2
    assert [(i.number, i.key) for i in reg.issued()] == [(1, "a"), (2, "b")]


def _assign(args: tuple[str, str, list[str], float]) -> dict[str, int | None]:
    url, commune, keys, pause = args
    reg = PostgresRegister(commune, url=url)
    out = {}
    for k in keys:
        out[k] = reg.number_for(2024, "BB", k, today=dt.date(2024, 1, 2))
        if pause:
            time.sleep(pause)
    return out


def _two_hosts(url: str, commune: str, keys: list[str], workers: int, pause: float) -> list[Any]:
    """Two "hosts" (two process pools of ``workers``), each asking for every key, in its own order."""
    ctx = mp.get_context("spawn")
    pools = [ctx.Pool(workers) for _ in range(2)]
    jobs = []
    for h, pool in enumerate(pools):
        order = keys[:]
        random.Random(h).shuffle(order)
        chunks = [(url, commune, order[w::workers], pause) for w in range(workers)]
        jobs.append(pool.map_async(_assign, chunks))
    return [pools, jobs]


def _check(url: str, commune: str, keys: list[str], results: list[dict[str, int | None]]) -> None:
    given: dict[str, int | None] = {}
    for r in results:
        for k, n in r.items():
            assert given.setdefault(k, n) == n, f"{k} got {given[k]} and {n}"
    assert set(given) == set(keys)
    assert sorted(n or 0 for n in given.values()) == list(range(1, len(keys) + 1))  # no gap, no duplicate
    issued = PostgresRegister(commune, url=url).issued(2024, "BB")
    assert {i.key: i.number for i in issued} == given


def test_two_hosts_of_workers_get_unique_numbers(pg: PgCluster) -> None:
    """GIVEN two hosts of 4 workers each on one PostgreSQL, all asking numbers for the same 240 keys at
    once (each host in its own order) THEN numbers 1..240, no gap, no duplicate, a key one number."""
    keys = [f"case-{i:03d}/posting_start_group:tdp{i % 9}" for i in range(240)]
    (pools, jobs) = _two_hosts(pg.url, "two-hosts", keys, 4, 0.0)
    try:
        results = [r for job in jobs for r in job.get(timeout=120)]
    finally:
        for pool in pools:
            pool.terminate()
    _check(pg.url, "two-hosts", keys, results)


def test_postgres_down_30s_loses_nothing(pg: PgCluster, tmp_path: Path) -> None:
    """GIVEN two hosts of 2 workers assigning numbers, and an archive filing cases with its index in the
    same PostgreSQL, WHEN PostgreSQL stops (pg_ctl stop -m fast) for 30 s and starts again THEN the
    workers waited and finished, every key has exactly one number (1..N, none twice), the case filed
    during the outage is in the archive and, once PostgreSQL is back, found by search, also by the
    Archive that was open all along (its index reconnects)."""
    from congkhai.archive import Archive, find

    keys = [f"outage-{i:03d}" for i in range(120)]
    (pools, jobs) = _two_hosts(pg.url, "outage", keys, 2, 0.05)
    root = tmp_path / "archive"
    arch = Archive(root, "kep", index_url=pg.url)
    src = tmp_path / "src"
    src.mkdir()

    def file_case(n: int) -> str:
        from tests.archive_support import case

        doc = src / f"{n}.docx"
        doc.write_bytes(f"van ban {n}".encode())
        folder = arch.open_case(case(dt.date(2024, 5, n), str(n), subject=f"Văn bản thử {n} mất điện"))
        return folder.add_original(doc).sha256

    try:
        file_case(1)
        probe = PostgresRegister("outage", url=pg.url)
        deadline = time.monotonic() + 60
        while len(probe.issued()) < 10:  # the workers are assigning
            assert time.monotonic() < deadline and not any(j.ready() for j in jobs)
            time.sleep(0.05)
        t0 = time.monotonic()
        pg.stop("fast")
        during = file_case(2)  # filing goes on: the manifest on disk is the record
        assert (root / "kep" / ".index" / "STALE").exists()
        assert not any(j.ready() for j in jobs)  # nobody gave up or went on without the database
        time.sleep(max(0.0, 30 - (time.monotonic() - t0)))
        pg.start()
        results = [r for job in jobs for r in job.get(timeout=120)]
    finally:
        for pool in pools:
            pool.terminate()
    _check(pg.url, "outage", keys, results)
    file_case(3)  # the next write, on the same Archive (a long-lived process), once PostgreSQL is back
    hits = find(root, "kep", index_url=pg.url, text="mat dien")
    assert sorted(h["doc_number"] for h in hits) == ["1", "2", "3"]
    assert (arch.commune_dir / hits[1]["path"].split("/", 1)[1] / "manifest.json").is_file()
    assert any(f["sha256"] == during for f in hits[1]["files"])
    assert arch.find_case_by_sha(during) is not None  # the long-lived Archive's index reconnected


def test_gives_up_after_retry_seconds_with_a_transient_error(tmp_path: Path) -> None:
    """GIVEN no PostgreSQL at the URL THEN the call retries for retry_seconds, then TransientError (Airflow
    retries the task), in Vietnamese."""
    from congkhai.errors import TransientError
    from tests.pg_support import _free_port

    reg = PostgresRegister("nowhere", url=f"postgresql://congkhai@127.0.0.1:{_free_port()}/postgres")
    reg.retry_seconds = 1.0
    t0 = time.monotonic()
    with pytest.raises(TransientError) as err:
        reg.number_for(2024, "BB", "k")
    assert 0.5 < time.monotonic() - t0 < 5
    assert "sổ đăng ký" in err.value.message_vi


