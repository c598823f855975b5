"""Durable, never-overwriting file writes for the archive.

Every write goes to a temporary file in the destination's own directory (same filesystem, so
the final step is atomic), is flushed and fsync'ed, then *linked* to its final name: ``os.link``
fails if the name exists, so two writers can never clobber each other and a document once filed
is never replaced. The directory is fsync'ed afterwards so the new name survives a power cut.

Only ``atomic_replace_bytes`` replaces an existing file; the archive uses it for ``manifest.json``
alone (the manifest is the index card of a folder, rewritten as events happen; the documents it
lists are never touched).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

#: fsync files and directories. Only synthetic benchmarks turn this off (bench/archive.py builds
#: tens of thousands of throw-away folders); the archive itself must always keep it on.
DURABLE = True

_CHUNK = 1 << 20
TMP_MARK = ".tmp-"


def _tmp_name(dest: Path) -> Path:
    return dest.parent / f".{dest.name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"


def is_temp_name(name: str) -> bool:
    """True for the temporary names this module uses (left behind only by a crash mid-write)."""
    return name.startswith(".") and TMP_MARK in name


def _temp_pid(name: str) -> int | None:
    try:
        return int(name.split(TMP_MARK, 1)[1].split("-", 1)[0])
    except (IndexError, ValueError):
        return None


def temp_is_stale(name: str) -> bool:
    """A temporary file whose writer is gone (a crash mid-write): safe to remove."""
    pid = _temp_pid(name)
    if pid is None:
        return True
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def remove_stale_temps(folder: Path) -> list[str]:
    """Remove the temporary files that crashed writers left in ``folder``; return their names.

    Call it with the folder locked. A temporary file is never part of the record: its content
    was either published under its final name or lost with the crash (and re-done on retry).
    """
    removed = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if entry.is_file() and is_temp_name(entry.name) and temp_is_stale(entry.name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return removed


def fsync_dir(path: Path) -> None:
    if not DURABLE:
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _publish(tmp: Path, dest: Path) -> None:
    """Give ``tmp`` its final name without ever replacing an existing ``dest``."""
    try:
        os.link(tmp, dest)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as err:
        # Filesystems without hard links (some SMB/FAT shares): check, then rename.
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            tmp.unlink(missing_ok=True)
            raise
        if dest.exists():
            tmp.unlink(missing_ok=True)
            raise FileExistsError(errno.EEXIST, "file exists", str(dest)) from err
        os.rename(tmp, dest)
    else:
        tmp.unlink()
    fsync_dir(dest.parent)


def _write_temp(dest: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Write a temporary file beside ``dest`` with ``write``, flushed and fsync'ed; removed on error."""
    tmp = _tmp_name(dest)
    try:
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            if DURABLE:
                os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _refuse_existing(dest: Path) -> None:
    if dest.exists():
        raise FileExistsError(errno.EEXIST, "file exists", str(dest))


def atomic_write_bytes(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` durably. Raises ``FileExistsError`` if ``dest`` exists."""
    dest = Path(dest)
    _refuse_existing(dest)
    _publish(_write_temp(dest, lambda f: f.write(data)), dest)


def atomic_copy(src: Path, dest: Path) -> tuple[str, int]:
    """Copy ``src`` to ``dest`` byte for byte, durably; return (sha256, size) of what was written.

    Raises ``FileExistsError`` if ``dest`` exists. The hash is taken of the bytes written, so a
    source that changes during the copy cannot be recorded under a wrong hash.
    """
    dest = Path(dest)
    _refuse_existing(dest)
    h = hashlib.sha256()
    size = 0

    def copy(fout: BinaryIO) -> None:
        nonlocal size
        with open(src, "rb") as fin:
            while chunk := fin.read(_CHUNK):
                h.update(chunk)
                size += len(chunk)
                fout.write(chunk)

    _publish(_write_temp(dest, copy), dest)
    return h.hexdigest(), size


def atomic_replace_bytes(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` durably, replacing it atomically (readers see old or new, never half)."""
    dest = Path(dest)
    tmp = _write_temp(dest, lambda f: f.write(data))
    try:
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(dest.parent)


def make_dirs(path: Path) -> None:
    """``mkdir -p`` that fsyncs each directory it creates and its parent."""
    path = Path(path)
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            continue
        fsync_dir(d.parent)


@contextlib.contextmanager
def locked_dir(path: Path) -> Iterator[None]:
    """Exclusive lock on a directory (flock on its descriptor) for read-modify-write of its manifest.

    Parallel Airflow tasks file into the same case folder (one per residential group); the lock
    keeps their manifest updates from overwriting each other. No lock file is left in the tree.
    """
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
