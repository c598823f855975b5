"""Hand-off stage: the archive filing, the per-commune filing lock and the pending records.

A case filed by intake gets a pending record (``state/<commune>/intake/pending/<case_id>.json``)
that stays until the pipeline ``acknowledge``s it: ``pending_cases`` is what every intake run
reports and what the issuance DAG reads, so a crash between filing and hand-off drops nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from congkhai.archive import fsutil
from congkhai.case import Case
from congkhai.config import Settings
from congkhai.config import settings as load_settings


def _state(s: Settings, commune: str) -> Path:
    d = s.state_dir(commune) / "intake"
    fsutil.make_dirs(d / "pending")
    return d


@contextlib.contextmanager
def commune_lock(s: Settings, commune: str) -> Iterator[None]:
    fd = os.open(_state(s, commune) / "filing.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def pending_path(s: Settings, commune: str, case_id: str) -> Path:
    return _state(s, commune) / "pending" / f"{case_id}.json"


def write_pending(s: Settings, commune: str, case: Case) -> None:
    fsutil.atomic_replace_bytes(pending_path(s, commune, case.case_id),
                                json.dumps(case.to_dict(), ensure_ascii=False).encode())


def pending_cases(commune: str, settings: Settings | None = None) -> list[Case]:
    """Cases filed by intake and not yet acknowledged by the pipeline, oldest first."""
    s = settings or load_settings()
    d = _state(s, commune) / "pending"
    out = []
    for p in sorted(d.glob("*.json"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
        with contextlib.suppress(OSError, ValueError):
            out.append(Case.from_dict(json.loads(p.read_text(encoding="utf-8"))))
    return out


def acknowledge(commune: str, case_ids: list[str], settings: Settings | None = None) -> None:
    """The pipeline has taken these cases: stop reporting them."""
    s = settings or load_settings()
    for cid in case_ids:
        with contextlib.suppress(FileNotFoundError):
            pending_path(s, commune, cid).unlink()


# ------------------------------------------------------------------ archive


_ARCHIVES: dict[tuple[str, str, int], Any] = {}


def archive_of(s: Settings, commune: str) -> Any:
    """One Archive (and index connection) per process, root and commune."""
    from congkhai.archive import Archive

    key = (str(s.archive_root), commune, os.getpid())
    if key not in _ARCHIVES:
        _ARCHIVES[key] = Archive(s.archive_root, commune)
    return _ARCHIVES[key]


def file_original(case: Case, path: Path, settings: Settings) -> dict[str, Any]:
    """File ``path`` byte-identical and durably into the case's archive folder (the one step that
    makes an original safe to remove from the processing area). Returns where it went."""
    arch = archive_of(settings, case.commune)
    folder = arch.open_case(case)
    entry = folder.add_original(path)
    return {"folder": folder.rel_path, "path": f"{folder.rel_path}/{entry.path}", "version": entry.version,
            "sha256": entry.sha256}


def find_by_sha(s: Settings, commune: str, sha: str) -> Any:
    return archive_of(s, commune).find_case_by_sha(sha)


def find_case(s: Settings, commune: str, case_id: str) -> Any:
    return archive_of(s, commune).find_case(case_id)
