"""The register of official numbers in PostgreSQL: one database shared by every host of a province.

Chosen by ``Register(commune)`` when ``settings.state_url`` is a PostgreSQL URL (``CONGKHAI_STATE_URL``,
else a PostgreSQL ``CONGKHAI_INDEX_URL``); same interface and same answers as the SQLite register.
Tables (every row carries its ``commune``):

- ``congkhai_register_counters(commune, year, series, next)``,
- ``congkhai_register_numbers(commune, year, series, number, key, assigned_at)``: primary key
  ``(commune, year, series, key)`` and unique ``(commune, year, series, number)``,
- ``congkhai_register_options(commune, name, value)``.

**Concurrency.** Every call is one READ COMMITTED transaction. An assignment first makes sure the
counter row of ``(commune, year, series)`` exists (``INSERT … ON CONFLICT DO NOTHING``), then locks it
(``SELECT … FOR UPDATE``): assignments of one series queue on that row and nothing else (other series,
other communes run in parallel). Once it holds the lock the transaction looks for the key again (the
transaction it waited for may have numbered the same key: READ COMMITTED sees it), then takes
``max(next, highest given + 1)``. ``set_next`` and ``record_external`` take the same row lock. The
unique constraints are the last guard: a violation rolls back and the call is tried again. Row locks
were preferred to SERIALIZABLE (which would abort and retry every pair of concurrent assignments of a
series in the January burst) and to advisory locks (which a pooler in transaction mode may not honour).

**Outages.** A lost connection, a server shutting down or starting up, a deadlock or a serialization
failure is retried on a new connection with backoff (0.1 s doubling to 2 s) for up to
``retry_seconds`` (60 s), then ``TransientError`` (Airflow retries the task). A retry is idempotent by
key: when the COMMIT of an assignment was sent but its outcome never came back, the retry finds the
key already numbered and returns that number; a key is never numbered twice.

**Moving from SQLite.** The first time a commune is used in PostgreSQL, its
``state/<commune>/register.sqlite`` (when this host has it) is copied in, in one transaction: numbers,
counters (never lowered), options; a number the two registers give to different documents stops the
import with an error naming them. The import is recorded (option ``imported_sqlite``) and done once;
the SQLite file is left in place, no longer used.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from congkhai.config import Settings, check_state_url
from congkhai.config import settings as _settings
from congkhai.documents.register import Issued, Register
from congkhai.errors import PermanentError, TransientError, UsageError

log = logging.getLogger(__name__)
T = TypeVar("T")

_C, _N, _O = "congkhai_register_counters", "congkhai_register_numbers", "congkhai_register_options"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {_C} (
    commune TEXT NOT NULL, year INTEGER NOT NULL, series TEXT NOT NULL,
    next INTEGER NOT NULL CHECK (next >= 1), PRIMARY KEY (commune, year, series));
CREATE TABLE IF NOT EXISTS {_N} (
    commune TEXT NOT NULL, year INTEGER NOT NULL, series TEXT NOT NULL,
    number INTEGER NOT NULL CHECK (number >= 1), key TEXT NOT NULL, assigned_at TEXT NOT NULL,
    PRIMARY KEY (commune, year, series, key), UNIQUE (commune, year, series, number));
CREATE TABLE IF NOT EXISTS {_O} (
    commune TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (commune, name));
"""
#: pg_advisory_xact_lock keys: creating the tables, importing one commune's SQLite register.
_LOCK_SCHEMA, _LOCK_IMPORT = 804018, 804019
_IMPORTED = "imported_sqlite"

_local = threading.local()


def _retryable() -> tuple[type[BaseException], ...]:
    import psycopg

    # OperationalError: connection lost or refused, admin shutdown, starting up, deadlock,
    # serialization failure; InterfaceError: the connection object is already closed.
    return (psycopg.OperationalError, psycopg.InterfaceError, psycopg.errors.UniqueViolation)


def _connection(url: str) -> Any:
    """This thread's connection to ``url`` (one per process and thread, reopened when broken)."""
    import psycopg

    conns: dict[str, tuple[int, Any]] = _local.__dict__.setdefault("conns", {})
    pid, con = conns.get(url, (0, None))
    if con is not None and pid == os.getpid() and not con.closed and not con.broken:
        return con
    con = psycopg.connect(url, connect_timeout=5, keepalives=1, keepalives_idle=10, keepalives_interval=5,
                          keepalives_count=3)
    with con.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_SCHEMA,))  # two processes creating at once
        cur.execute(_SCHEMA)
    con.commit()
    conns[url] = (os.getpid(), con)
    return con


def _drop(url: str) -> None:
    conns: dict[str, tuple[int, Any]] = _local.__dict__.get("conns", {})
    pid, con = conns.pop(url, (0, None))
    if con is not None and pid == os.getpid():
        try:
            con.close()
        except Exception:  # already broken: nothing to close cleanly
            pass


def _public(url: str) -> str:
    """The URL without its credentials, for messages."""
    return url.split("@")[-1]


class PostgresRegister(Register):
    """Official numbers of one commune, kept in PostgreSQL (see the module docstring)."""

    #: How long a call keeps retrying a lost database before giving up (TransientError).
    retry_seconds = 60.0

    def __init__(self, commune: str, path: Path | None = None, settings: Settings | None = None,
                 url: str | None = None) -> None:
        s = settings or _settings()
        self.commune = commune
        self.url = check_state_url(url or s.state_url or "")
        #: The commune's SQLite register of before, imported once (see the module docstring).
        self.path = Path(path) if path else s.state_dir(commune) / "register.sqlite"

    # -- transactions ----------------------------------------------------------------------------
    def _commit(self, con: Any) -> None:
        con.commit()

    def _run(self, fn: Callable[[Any], T]) -> T:
        """``fn(cursor)`` in one transaction, retried on a lost database (idempotent by construction)."""
        retryable = _retryable()
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.1
        while True:
            con = None
            try:
                con = _connection(self.url)
                self._import_sqlite(con)
                try:
                    with con.cursor() as cur:
                        result = fn(cur)
                    self._commit(con)
                    return result
                except BaseException:
                    if not con.broken and not con.closed:
                        con.rollback()
                    raise
            except retryable as err:
                if con is None or con.broken or con.closed:
                    _drop(self.url)
                if time.monotonic() + delay > deadline:
                    raise TransientError(
                        f"Không ghi được sổ đăng ký văn bản (cơ sở dữ liệu PostgreSQL {_public(self.url)} "
                        f"không trả lời sau {self.retry_seconds:.0f} giây); sẽ thử lại",
                        f"register: PostgreSQL unavailable for {self.retry_seconds:.0f} s: {err}",
                        kind="state_unavailable",
                    ) from err
                log.warning("register: %s; retrying in %.1f s", str(err).strip() or type(err).__name__, delay)
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _lock_counter(self, cur: Any, year: int, series: str) -> int | None:
        """Lock the series' counter row (created at 1 when missing); returns the counter's ``next``."""
        cur.execute(f"INSERT INTO {_C}(commune, year, series, next) VALUES (%s,%s,%s,1) "
                    "ON CONFLICT DO NOTHING", (self.commune, year, series))
        cur.execute(f"SELECT next FROM {_C} WHERE commune=%s AND year=%s AND series=%s FOR UPDATE",
                    (self.commune, year, series))
        row = cur.fetchone()
        return int(row[0]) if row else None

    def _top(self, cur: Any, year: int, series: str) -> int:
        cur.execute(f"SELECT COALESCE(MAX(number), 0) FROM {_N} WHERE commune=%s AND year=%s AND series=%s",
                    (self.commune, year, series))
        return int(cur.fetchone()[0])

    def _key_number(self, cur: Any, year: int, series: str, key: str) -> int | None:
        cur.execute(f"SELECT number FROM {_N} WHERE commune=%s AND year=%s AND series=%s AND key=%s",
                    (self.commune, year, series, key))
        row = cur.fetchone()
        return int(row[0]) if row else None

    def _blank(self, cur: Any) -> bool:
        cur.execute(f"SELECT value FROM {_O} WHERE commune=%s AND name='blank_numbers'", (self.commune,))
        row = cur.fetchone()
        return bool(row and row[0] == "1")

    # -- options
    @property
    def blank_numbers(self) -> bool:
        return self._run(self._blank)

    def set_blank_numbers(self, blank: bool) -> None:
        def tx(cur: Any) -> None:
            cur.execute(f"INSERT INTO {_O}(commune, name, value) VALUES (%s, 'blank_numbers', %s) "
                        "ON CONFLICT (commune, name) DO UPDATE SET value=excluded.value",
                        (self.commune, "1" if blank else "0"))

        self._run(tx)

    # -- numbers
    def lookup(self, year: int, series: str, key: str) -> int | None:
        return self._run(lambda cur: self._key_number(cur, year, series, key))

    def number_for(self, year: int, series: str, key: str, *, today: dt.date | None = None) -> int | None:
        if not key:
            raise UsageError("Khóa văn bản rỗng", "Empty document key", kind="bad_key", field="key")
        stamp = (today or dt.date.today()).isoformat()

        def tx(cur: Any) -> int | None:
            found = self._key_number(cur, year, series, key)  # the common case: rendered before
            if found is not None:
                return found
            if self._blank(cur):
                return None
            counter = self._lock_counter(cur, year, series)
            found = self._key_number(cur, year, series, key)  # numbered while we waited for the lock
            if found is not None:
                return found
            number = max(counter or 1, self._top(cur, year, series) + 1)
            cur.execute(f"INSERT INTO {_N}(commune, year, series, number, key, assigned_at) "
                        "VALUES (%s,%s,%s,%s,%s,%s)", (self.commune, year, series, number, key, stamp))
            cur.execute(f"UPDATE {_C} SET next=%s WHERE commune=%s AND year=%s AND series=%s",
                        (number + 1, self.commune, year, series))
            return number

        return self._run(tx)

    def peek(self, year: int, series: str) -> int:
        def tx(cur: Any) -> int:
            cur.execute(f"SELECT next FROM {_C} WHERE commune=%s AND year=%s AND series=%s",
                        (self.commune, year, series))
            row = cur.fetchone()
            return max(int(row[0]) if row else 1, self._top(cur, year, series) + 1)

        return self._run(tx)

    def set_next(self, year: int, series: str, n: int) -> None:
        if n < 1:
            raise UsageError(f"Số tiếp theo phải ≥ 1 (nhận {n})", f"Next number must be >= 1 (got {n})",
                             kind="bad_number", field="next")

        def tx(cur: Any) -> None:
            self._lock_counter(cur, year, series)
            top = self._top(cur, year, series)
            if n <= top:
                raise PermanentError(
                    f"Số {n:02d}/{series} năm {year} đã được cấp (số lớn nhất đã cấp: {top:02d})",
                    f"Number {n} of {series} {year} is already issued (highest issued: {top})",
                    kind="duplicate_number", field="next",
                )
            cur.execute(f"UPDATE {_C} SET next=%s WHERE commune=%s AND year=%s AND series=%s",
                        (n, self.commune, year, series))

        self._run(tx)

    def record_external(self, year: int, series: str, number: int, key: str) -> str | None:
        def tx(cur: Any) -> str | None:
            self._lock_counter(cur, year, series)
            cur.execute(f"SELECT key FROM {_N} WHERE commune=%s AND year=%s AND series=%s AND number=%s",
                        (self.commune, year, series, number))
            row = cur.fetchone()
            if row:
                return None if row[0] == key else str(row[0])
            if self._key_number(cur, year, series, key) is not None:
                return None
            cur.execute(f"INSERT INTO {_N}(commune, year, series, number, key, assigned_at) "
                        "VALUES (%s,%s,%s,%s,%s,%s)",
                        (self.commune, year, series, number, key, dt.date.today().isoformat()))
            return None

        return self._run(tx)

    def issued(self, year: int | None = None, series: str | None = None) -> list[Issued]:
        sql = f"SELECT year, series, number, key, assigned_at FROM {_N} WHERE commune=%s"
        args: list[object] = [self.commune]
        if year is not None:
            sql += " AND year=%s"
            args.append(year)
        if series is not None:
            sql += " AND series=%s"
            args.append(series)

        def tx(cur: Any) -> list[Issued]:
            cur.execute(sql + " ORDER BY year, series, number", args)
            return [Issued(*r) for r in cur.fetchall()]

        return self._run(tx)

    # -- moving from SQLite ------------------------------------------------------------------------
    def _import_sqlite(self, con: Any) -> None:
        """Copy the commune's SQLite register in, once (see the module docstring)."""
        done: set[tuple[str, str]] = _local.__dict__.setdefault("imported", set())
        if (self.url, self.commune) in done:
            return
        if not self.path.is_file():
            done.add((self.url, self.commune))
            return
        with con.cursor() as cur:
            try:
                cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_IMPORT, self.commune))
                cur.execute(f"SELECT 1 FROM {_O} WHERE commune=%s AND name=%s", (self.commune, _IMPORTED))
                if cur.fetchone() is None:
                    self._copy_sqlite(cur)
                self._commit(con)
            except BaseException:
                if not con.broken and not con.closed:
                    con.rollback()
                raise
        done.add((self.url, self.commune))

    def _copy_sqlite(self, cur: Any) -> None:
        src = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=60)
        try:
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            numbers = src.execute("SELECT year, series, number, key, assigned_at FROM numbers").fetchall() \
                if "numbers" in tables else []
            counters = src.execute("SELECT year, series, next FROM counters").fetchall() \
                if "counters" in tables else []
            options = src.execute("SELECT name, value FROM options").fetchall() if "options" in tables else []
        finally:
            src.close()
        c = self.commune
        for year, series, number, key, at in numbers:
            cur.execute(f"INSERT INTO {_N}(commune, year, series, number, key, assigned_at) "
                        "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING", (c, year, series, number, key, at))
        clashes = []
        for year, series, number, key, _ in numbers:
            cur.execute(f"SELECT number, key FROM {_N} WHERE commune=%s AND year=%s AND series=%s "
                        "AND (number=%s OR key=%s)", (c, year, series, number, key))
            for n, k in cur.fetchall():
                if (n, k) != (number, key):  # the same number for another key, or another number for it
                    clashes.append(f"{number:02d}/{series} năm {year}: {key} ↔ {k} ({n:02d})")
        if clashes:
            shown = "; ".join(clashes[:5])
            raise PermanentError(
                f"Sổ đăng ký cũ ({self.path}) và sổ trong PostgreSQL cấp cùng một số cho hai văn bản khác nhau: "
                f"{shown}. Cần người kiểm tra trước khi cấp số tiếp.",
                f"The SQLite register {self.path} and PostgreSQL disagree on {len(clashes)} number(s): {shown}",
                kind="register_import_clash", path=str(self.path),
            )
        for year, series, nxt in counters:
            cur.execute(f"INSERT INTO {_C}(commune, year, series, next) VALUES (%s,%s,%s,%s) "
                        f"ON CONFLICT (commune, year, series) DO UPDATE SET next=GREATEST({_C}.next, excluded.next)",
                        (c, year, series, nxt))
        for name, value in options:
            cur.execute(f"INSERT INTO {_O}(commune, name, value) VALUES (%s,%s,%s) ON CONFLICT DO NOTHING",
                        (c, name, value))
        cur.execute(f"INSERT INTO {_O}(commune, name, value) VALUES (%s,%s,%s)",
                    (c, _IMPORTED, f"{self.path} {dt.datetime.now().isoformat(timespec='seconds')}"))
        log.info("register of %s: %d numbers imported from %s", c, len(numbers), self.path)
