"""Claim stage: take a stable file by atomic rename into a locked claim folder; recover dead claims.

Claim = ``mkdir processing/<commune>/<token>/``, ``flock`` it, write ``claim.json``, move the
sidecar in (if any), then ``os.rename`` the document in. Only one worker's rename can succeed. A
worker that dies leaves its folder unlocked: ``recover`` hands it to the next scan. The claim's
``claim.json`` also carries the write-ahead filing intent (see ``congkhai.intake.process``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from congkhai.archive import fsutil
from congkhai.config import Settings
from congkhai.intake import notes
from congkhai.intake.options import IntakeOptions
from congkhai.intake.scan import Candidate, safe_name

CLAIM_FILE = "claim.json"
LOCK_FILE = ".lock"
SIDECAR_IN_CLAIM = "sidecar.yaml"


@dataclass
class Claim:
    dir: Path
    doc: Path
    meta: dict[str, Any]
    lock_fd: int

    @property
    def sidecar(self) -> Path:
        """Where the document's sidecar is kept while it is claimed (it may not exist)."""
        return self.dir / SIDECAR_IN_CLAIM

    def save(self) -> None:
        # ASCII escapes: a file name that is not UTF-8 (surrogate-escaped by Python) round-trips too
        fsutil.atomic_replace_bytes(self.dir / CLAIM_FILE, json.dumps(self.meta, ensure_ascii=True).encode())

    def release(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.lock_fd)

    def remove(self) -> None:
        """Drop the claim folder (our own metadata only: the document has already left it)."""
        shutil.rmtree(self.dir, ignore_errors=True)
        self.release()


def _lock_dir(d: Path, *, block: bool = False) -> int | None:
    fd = os.open(d / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        return None
    return fd


def processing_root(s: Settings, commune: str, inbox: Path) -> Path:
    """The processing area: ``settings.processing_dir`` when it is on the inbox's filesystem
    (a rename must be atomic), else a hidden folder inside the inbox root."""
    proc = s.processing_dir(commune)
    fsutil.make_dirs(proc)
    fsutil.make_dirs(inbox)
    if os.stat(proc).st_dev == os.stat(inbox).st_dev:
        return proc
    alt = s.inbox_root / ".processing" / commune
    fsutil.make_dirs(alt)
    return alt


def claim(cand: Candidate, proc_root: Path, sidecar: Path | None = None) -> Claim | None:
    """Take ``cand`` by atomic rename into a fresh claim folder; None if another worker got it first."""
    token = f"{time.time_ns()}-{secrets.token_hex(4)}"
    d = proc_root / token
    d.mkdir(parents=True)
    fd = _lock_dir(d)
    if fd is None:  # a recovering worker grabbed the empty folder: let it clean up
        return None
    meta = {"token": token, "original_rel": cand.rel, "original_name": cand.path.name, "folder": cand.folder,
            "size": cand.size, "mtime_ns": cand.mtime_ns, "ctime": cand.ctime,
            "claimed_at": dt.datetime.now(dt.UTC).isoformat(), "stage": "claimed", "attempts": 0}
    c = Claim(d, d / safe_name(cand.path.name), meta, fd)
    c.save()
    if sidecar is not None:
        # the sidecar first: a crash after it leaves a claim folder that recovery returns to the inbox
        with contextlib.suppress(OSError):
            os.rename(sidecar, c.sidecar)
            meta["sidecar_name"] = sidecar.name
            c.save()
    try:
        os.rename(cand.path, c.doc)
    except FileNotFoundError:
        return_sidecar(c, cand.path.parent)
        c.remove()
        return None
    except OSError as err:
        if err.errno == errno.EXDEV:
            return_sidecar(c, cand.path.parent)
            c.remove()
            raise
        raise
    with contextlib.suppress(OSError):
        # after our own rename (which changes the ctime): a later change means a writer is still at it
        c.meta["claimed_ctime_ns"] = os.stat(c.doc, follow_symlinks=False).st_ctime_ns
        c.save()
    fsutil.fsync_dir(d)
    fsutil.fsync_dir(cand.path.parent)
    return c


def return_sidecar(c: Claim, folder: Path) -> None:
    """Put the claim's sidecar back into ``folder`` under its own name (or a free one)."""
    if c.sidecar.exists() or c.sidecar.is_symlink():
        dest = notes.free_name(folder, c.meta.get("sidecar_name") or "sidecar.yaml")
        with contextlib.suppress(OSError):
            os.rename(c.sidecar, dest)


def back_to_inbox(c: Claim, inbox: Path) -> None:
    """Give the document (and its sidecar) back to the inbox, where it was found: a later scan retries."""
    rel = c.meta.get("original_rel") or c.doc.name
    target_dir = inbox / Path(rel).parent
    fsutil.make_dirs(target_dir)
    os.rename(c.doc, notes.free_name(target_dir, Path(rel).name))
    return_sidecar(c, target_dir)
    c.remove()


def recover(proc_root: Path, inbox: Path, options: IntakeOptions) -> list[Claim]:
    """Claims left by a dead worker (their lock is free): take them over; tidy empty ones."""
    out: list[Claim] = []
    if not proc_root.is_dir():
        return out
    for e in sorted(os.scandir(proc_root), key=lambda e: e.name):
        if not e.is_dir(follow_symlinks=False):
            continue
        d = Path(e.path)
        fd = _lock_dir(d)
        if fd is None:
            continue  # a live worker holds it
        try:
            meta = json.loads((d / CLAIM_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        docs = [p for p in d.iterdir() if p.name not in (CLAIM_FILE, LOCK_FILE, SIDECAR_IN_CLAIM)
                and not fsutil.is_temp_name(p.name)]
        if not docs:
            # Unlocked and empty: a claimer that died or gave up, or a finished claim whose tidy-up
            # was cut short. Nothing of the staff's is inside except perhaps a sidecar: return it.
            if (d / SIDECAR_IN_CLAIM).exists():
                tmp = Claim(d, d / "x", meta, fd)
                folder = inbox / meta["folder"] if meta.get("folder") else inbox
                return_sidecar(tmp, folder if folder.is_dir() else inbox)
            shutil.rmtree(d, ignore_errors=True)
            os.close(fd)
            continue
        meta.setdefault("original_name", docs[0].name)
        meta.setdefault("original_rel", docs[0].name)
        meta["attempts"] = int(meta.get("attempts", 0)) + 1
        out.append(Claim(d, docs[0], meta, fd))
    return out
