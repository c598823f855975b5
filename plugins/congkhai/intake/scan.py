"""Scan stage: which files in a commune's inbox are documents ready to be claimed.

Junk (office lock files, partial downloads, hidden names) is never picked up and never moved; a
file is a candidate once its mtime and ctime are ``stable_seconds`` old and a second look
``settle_seconds`` later sees the same size, mtime and ctime. File names are made safe here before they are used anywhere.
No Airflow and no parser is imported: the triggerer's watcher uses ``is_junk`` too.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from congkhai.intake.options import IntakeOptions, IntakeReport

JUNK_EXACT = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".localized"}
JUNK_SUFFIXES = (".part", ".crdownload", ".tmp", ".partial", ".download", ".swp", "~")
SIDECAR_SUFFIXES = (".yaml", ".yml")


def is_junk(name: str) -> bool:
    """System and office junk, partial downloads, hidden files: never picked up, never moved."""
    low = name.lower()
    return (
        name.startswith((".", "~$", "._"))
        or low in JUNK_EXACT
        or low.endswith(JUNK_SUFFIXES)
        or (low.startswith(".~lock.") and low.endswith("#"))
    )


def is_sidecar_name(name: str) -> bool:
    """``*.yaml`` / ``*.yml`` in any letter case."""
    return name.lower().endswith(SIDECAR_SUFFIXES)


def safe_name(name: str, max_len: int = 120) -> str:
    """NFC, no control or format characters, no path separators, no leading dots, bounded length."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.replace("/", "_").replace("\\", "_").strip().lstrip(".")
    name = re.sub(r"\s+", " ", name) or "tep"
    if len(name.encode()) > max_len:
        stem, suffix = os.path.splitext(name)
        suffix = suffix[:12]
        while len((stem + suffix).encode()) > max_len:
            stem = stem[:-1]
        name = stem + suffix
    return name


def display_name(name: str) -> str:
    """A file name as staff should see it in a note (control characters shown, NFC)."""
    return "".join(ch if unicodedata.category(ch)[0] != "C" else f"\\x{ord(ch):02x}"
                   for ch in unicodedata.normalize("NFC", name))


@dataclass
class Candidate:
    path: Path
    rel: str  # relative to the commune's inbox, as found (may be NFD)
    folder: str | None  # the item sub-folder, if any
    size: int
    mtime_ns: int
    ctime: float
    ctime_ns: int = 0  # inode change time: every write changes it, even a copier's that keeps the mtime


def scan(inbox: Path, options: IntakeOptions, report: IntakeReport | None = None) -> list[Candidate]:
    """Stable candidate documents in the inbox and its item sub-folders (one level), oldest first."""
    now = time.time()
    found: list[Candidate] = []
    if not inbox.is_dir():
        return found

    def visit(folder: Path, sub: str | None) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for e in entries:
            if is_junk(e.name):
                if report is not None:
                    report.skipped.append(display_name(e.name if sub is None else f"{sub}/{e.name}"))
                continue
            if e.is_dir(follow_symlinks=False):
                if sub is None:
                    visit(Path(e.path), e.name)
                continue
            if is_sidecar_name(e.name):
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            rel = e.name if sub is None else f"{sub}/{e.name}"
            # ctime too: a copier that keeps the source's mtime (Explorer, cp -p) still changes it
            if now - max(st.st_mtime, st.st_ctime) < options.stable_seconds:
                if report is not None:
                    report.waiting.append(display_name(rel))
                continue
            found.append(Candidate(Path(e.path), rel, sub, st.st_size, st.st_mtime_ns, st.st_ctime, st.st_ctime_ns))

    visit(inbox, None)
    if found and options.settle_seconds > 0:
        time.sleep(options.settle_seconds)
        still = []
        for c in found:
            try:
                st = c.path.stat(follow_symlinks=False)
            except OSError:
                continue
            if (st.st_size, st.st_mtime_ns, st.st_ctime_ns) == (c.size, c.mtime_ns, c.ctime_ns):
                still.append(c)
            elif report is not None:
                report.waiting.append(display_name(c.rel))
        found = still
    found.sort(key=lambda c: (c.mtime_ns, c.rel))
    return found
