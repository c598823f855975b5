"""The PostgreSQL index across a PostgreSQL outage: a long-lived process keeps using its index.

``PostgresIndex`` opens one connection and keeps it. After PostgreSQL restarts that connection is dead
for good, so a long-lived process (the intake's per-process ``Archive``, the archive page) would fail
every later index update (the tree stays right: each failure marks the index ``STALE``) and every
search, until restarted. ``ResilientPostgresIndex`` reopens a broken connection when next used; its
first query (``is_built``, which every update and every search starts with) is tried once more on the
new connection, so the first call after the outage already works.

Nothing is lost meanwhile: filing never waits for the index (the manifest on disk is the record), an
update that fails marks the index ``STALE``, and the next search (or ``congkhai archive reindex``)
rebuilds the commune's rows from the manifests.

``open_index`` gives this class for a PostgreSQL URL.
"""

from __future__ import annotations

import logging
from typing import Any

from congkhai.archive.index import PostgresIndex

log = logging.getLogger(__name__)


class ResilientPostgresIndex(PostgresIndex):
    """A ``PostgresIndex`` that reconnects after its connection broke (see the module docstring)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Any = None
        self._opened = False  # the constructor's own failure path closes its connection as it is
        super().__init__(url)
        self._opened = True

    @property  # type: ignore[override]
    def conn(self) -> Any:
        c = self._conn
        if self._opened and c is not None and (c.closed or c.broken):
            import psycopg

            log.info("archive index: the PostgreSQL connection was lost; reconnecting")
            self._conn = c = psycopg.connect(self.url, connect_timeout=5)
        return c

    @conn.setter
    def conn(self, value: Any) -> None:
        self._conn = value

    def close(self) -> None:
        self._opened = False  # closed on purpose: not reopened
        if self._conn is not None:
            self._conn.close()

    def is_built(self, commune: str) -> bool:
        import psycopg

        try:
            return super().is_built(commune)
        except (psycopg.OperationalError, psycopg.InterfaceError):
            if self._conn is None or not (self._conn.closed or self._conn.broken):
                raise
            return super().is_built(commune)  # on a new connection
