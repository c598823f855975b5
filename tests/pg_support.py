"""A private, throwaway PostgreSQL cluster on loopback for the tests that need a real PostgreSQL.

Debian's server binaries (``postgresql``, installed by ``scripts/setup.sh --test``); ~3 s to start.
Callers skip when they are missing. As root the cluster runs as the ``postgres`` user (initdb refuses
root). ``stop()``/``start()`` let a test take the server away and bring it back on the same port.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return versions[-1] if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """One initdb'd cluster in a temp dir under /tmp (pytest's temp dirs are private to the user)."""

    def __init__(self) -> None:
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if initdb is None or pg_ctl is None:
            pytest.skip("PostgreSQL server binaries not installed (scripts/setup.sh --test installs them)")
        self.pg_ctl = pg_ctl
        self.base = Path(tempfile.mkdtemp(prefix="congkhai-pg-"))
        self.data = self.base / "data"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser")
            self.prefix = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.base, "postgres")
        self.port = _free_port()
        self.url = f"postgresql://congkhai@127.0.0.1:{self.port}/postgres"
        subprocess.run([*self.prefix, initdb, "-D", str(self.data), "-U", "congkhai", "--auth=trust", "-E",
                        "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        subprocess.run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-w", "-l", str(self.base / "log"), "-o",
                        f"-h 127.0.0.1 -p {self.port} -k {self.base} -F", "start"],
                       check=True, capture_output=True, timeout=60)
        import psycopg

        deadline = time.time() + 20
        while True:
            try:
                psycopg.connect(self.url).close()
                return
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"],
                       capture_output=True, timeout=60)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


@contextmanager
def pg_cluster() -> Iterator[PgCluster]:
    """A started cluster, stopped and removed at the end (use it in a module-scoped fixture)."""
    cluster = PgCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()
