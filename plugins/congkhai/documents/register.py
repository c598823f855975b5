"""The register of official numbers (sổ đăng ký văn bản đi): ``Số: 05/BB-UBND``.

Nghị định 30/2020: numbers run from 01 on 1 January, unique within the year, per type of
document. The product never invents a number a person signs: it takes the next one from this
register, or — when the commune prefers to number by hand — leaves ``Số: …/BB-UBND``.

One SQLite file per commune (``settings.state_dir(commune)/register.sqlite``):

- ``counters(year, series, next)``: the next number of a series (``KH``, ``BB``, ``BC``, ``TB``,
  ``BC-ĐTT``); a year without a row starts at 1, so every 1 January starts again at 01;
- ``numbers(year, series, number, key)``: who got which number, unique both ways, so rendering
  the same document again (same key, e.g. ``f"{case_id}/{kind}/{group}"``) reuses its number;
- ``options``: ``blank_numbers`` (leave new numbers for the clerk).

Every assignment runs in one ``BEGIN IMMEDIATE`` transaction: two processes (two Airflow tasks)
asking at once get two different numbers, and a crash never leaves a half-assigned number.

Several hosts: when ``settings.state_url`` is a PostgreSQL URL (``CONGKHAI_STATE_URL``, else a
PostgreSQL ``CONGKHAI_INDEX_URL``), ``Register(commune)`` gives a ``PostgresRegister``
(``register_pg.py``): same methods, same answers, one database for every commune of the province. An
explicit ``path`` always means this SQLite file.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from congkhai.config import Settings, check_state_url
from congkhai.config import settings as _settings
from congkhai.errors import PermanentError, UsageError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    year INTEGER NOT NULL, series TEXT NOT NULL, next INTEGER NOT NULL CHECK (next >= 1),
    PRIMARY KEY (year, series));
CREATE TABLE IF NOT EXISTS numbers (
    year INTEGER NOT NULL, series TEXT NOT NULL, number INTEGER NOT NULL CHECK (number >= 1),
    key TEXT NOT NULL, assigned_at TEXT NOT NULL,
    PRIMARY KEY (year, series, key), UNIQUE (year, series, number));
CREATE TABLE IF NOT EXISTS options (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Issued:
    """One number given out."""

    year: int
    series: str
    number: int
    key: str
    assigned_at: str


class Register:
    """Official numbers of one commune. Cheap to create; every call opens its own connection."""

    def __new__(cls, commune: str = "", path: Path | None = None, settings: Settings | None = None,
                **_backend: object) -> Register:
        # No commune: pickle re-creating an instance of the class it was (its __dict__ follows).
        if cls is Register and commune and path is None and (url := (settings or _settings()).state_url):
            from congkhai.documents.register_pg import PostgresRegister

            check_state_url(url)
            return super().__new__(PostgresRegister)
        return super().__new__(cls)

    def __init__(self, commune: str, path: Path | None = None, settings: Settings | None = None) -> None:
        self.commune = commune
        self.path = Path(path) if path else (settings or _settings()).state_dir(commune) / "register.sqlite"

    @contextmanager
    def _tx(self, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves; timeout: wait for the other writer.
        con = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            con.executescript(_SCHEMA)
            con.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    # -- options
    @property
    def blank_numbers(self) -> bool:
        """True: new documents get ``Số: …/XX-UBND`` for the clerk to fill in by hand."""
        with self._tx(immediate=False) as con:
            row = con.execute("SELECT value FROM options WHERE name='blank_numbers'").fetchone()
        return bool(row and row[0] == "1")

    def set_blank_numbers(self, blank: bool) -> None:
        with self._tx() as con:
            con.execute(
                "INSERT INTO options(name, value) VALUES ('blank_numbers', ?) "
                "ON CONFLICT(name) DO UPDATE SET value=excluded.value",
                ("1" if blank else "0",),
            )

    # -- numbers
    def lookup(self, year: int, series: str, key: str) -> int | None:
        """The number already given to ``key``, without assigning one."""
        with self._tx(immediate=False) as con:
            row = con.execute(
                "SELECT number FROM numbers WHERE year=? AND series=? AND key=?", (year, series, key)
            ).fetchone()
        return int(row[0]) if row else None

    def number_for(self, year: int, series: str, key: str, *, today: dt.date | None = None) -> int | None:
        """The number of the document ``key`` in ``series`` of ``year``; the same key, the same number.

        Returns None when the commune leaves numbers blank (a document numbered before keeps its
        number: it may already be printed and signed).
        """
        if not key:
            raise UsageError("Khóa văn bản rỗng", "Empty document key", kind="bad_key", field="key")
        with self._tx() as con:
            row = con.execute(
                "SELECT number FROM numbers WHERE year=? AND series=? AND key=?", (year, series, key)
            ).fetchone()
            if row:
                return int(row[0])
            blank = con.execute("SELECT value FROM options WHERE name='blank_numbers'").fetchone()
            if blank and blank[0] == "1":
                return None
            number = self._next(con, year, series)
            stamp = (today or dt.date.today()).isoformat()
            con.execute(
                "INSERT INTO numbers(year, series, number, key, assigned_at) VALUES (?,?,?,?,?)",
                (year, series, number, key, stamp),
            )
            con.execute(
                "INSERT INTO counters(year, series, next) VALUES (?,?,?) "
                "ON CONFLICT(year, series) DO UPDATE SET next=excluded.next",
                (year, series, number + 1),
            )
        return number

    @staticmethod
    def _next(con: sqlite3.Connection, year: int, series: str) -> int:
        row = con.execute("SELECT next FROM counters WHERE year=? AND series=?", (year, series)).fetchone()
        top = con.execute(
            "SELECT COALESCE(MAX(number), 0) FROM numbers WHERE year=? AND series=?", (year, series)
        ).fetchone()[0]
        # Never below a number already given: a hand-set counter cannot create a duplicate.
        return max(int(row[0]) if row else 1, int(top) + 1)

    def peek(self, year: int, series: str) -> int:
        """The number the next new document of ``series`` would get (nothing is assigned)."""
        with self._tx(immediate=False) as con:
            return self._next(con, year, series)

    def set_next(self, year: int, series: str, n: int) -> None:
        """Continue from paper: the next new document of ``series`` in ``year`` gets ``n``.

        Refused when ``n`` is not above every number already given in the register (that would
        create a duplicate).
        """
        if n < 1:
            raise UsageError(f"Số tiếp theo phải ≥ 1 (nhận {n})", f"Next number must be >= 1 (got {n})",
                             kind="bad_number", field="next")
        with self._tx() as con:
            top = con.execute(
                "SELECT COALESCE(MAX(number), 0) FROM numbers WHERE year=? AND series=?", (year, series)
            ).fetchone()[0]
            if n <= top:
                raise PermanentError(
                    f"Số {n:02d}/{series} năm {year} đã được cấp (số lớn nhất đã cấp: {top:02d})",
                    f"Number {n} of {series} {year} is already issued (highest issued: {top})",
                    kind="duplicate_number", field="next",
                )
            con.execute(
                "INSERT INTO counters(year, series, next) VALUES (?,?,?) "
                "ON CONFLICT(year, series) DO UPDATE SET next=excluded.next",
                (year, series, n),
            )

    def record_external(self, year: int, series: str, number: int, key: str) -> str | None:
        """A document numbered outside the product (on paper, then dropped in the inbox) holds ``number``.

        Recorded so the register never gives that number again (the counter moves past it).
        Returns None when recorded (or already recorded under ``key``), else the key that already holds
        the number (a real collision a person must look at: the register is not authoritative then).
        """
        with self._tx() as con:
            row = con.execute("SELECT key FROM numbers WHERE year=? AND series=? AND number=?",
                              (year, series, number)).fetchone()
            if row:
                return None if row[0] == key else str(row[0])
            if con.execute("SELECT 1 FROM numbers WHERE year=? AND series=? AND key=?",
                           (year, series, key)).fetchone():
                return None
            con.execute("INSERT INTO numbers(year, series, number, key, assigned_at) VALUES (?,?,?,?,?)",
                        (year, series, number, key, dt.date.today().isoformat()))
        return None

    def issued(self, year: int | None = None, series: str | None = None) -> list[Issued]:
        """Numbers given out, by year, series and number."""
        sql = "SELECT year, series, number, key, assigned_at FROM numbers WHERE 1=1"
        args: list[object] = []
        if year is not None:
            sql += " AND year=?"
            args.append(year)
        if series is not None:
            sql += " AND series=?"
            args.append(series)
        with self._tx(immediate=False) as con:
            rows = con.execute(sql + " ORDER BY year, series, number", args).fetchall()
        return [Issued(*r) for r in rows]
