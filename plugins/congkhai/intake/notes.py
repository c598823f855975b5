"""Setting documents aside with a note staff can read: the errors folder and the review folder.

A document is *moved* (never copied, never deleted) next to a same-named ``.txt`` that says in
Vietnamese, then in English, what is wrong and how to fix it. Names never clash: ``_01``, ``_02``…
"""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

from congkhai.archive import fsutil


def free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``stem_01.ext``, ``stem_02.ext``… if taken (with its note)."""
    p = Path(name)
    stem, suffix = p.stem, p.suffix
    cand = folder / name
    n = 0
    while cand.exists() or cand.with_name(cand.name + ".txt").exists():
        n += 1
        cand = folder / f"{stem}_{n:02d}{suffix}"
    return cand


def write_note(path: Path, lines_vi: list[str], lines_en: list[str]) -> None:
    text = "\n".join(lines_vi) + "\n\n---- English ----\n" + "\n".join(lines_en) + "\n"
    fsutil.atomic_replace_bytes(path, text.encode("utf-8"))


def set_aside(doc: Path, folder: Path, *, original_name: str, title_vi: str, what_vi: str, fix_vi: str,
              title_en: str, what_en: str, fix_en: str, inbox: Path, details: list[str] | None = None) -> Path:
    """Move ``doc`` into ``folder`` (same filesystem: an atomic rename) and write its note."""
    fsutil.make_dirs(folder)
    dest = free_name(folder, doc.name)
    note = dest.with_name(dest.name + ".txt")
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    write_note(
        note,
        [f"{title_vi}", "", f"Tệp: {original_name}", f"Lúc: {when}", "", f"Vấn đề: {what_vi}", "",
         f"Cách xử lý: {fix_vi}", "", *(details or []), "",
         f"Tệp được giữ nguyên tại đây, không bị xóa. Hộp thư: {inbox}"],
        [f"{title_en}", "", f"File: {original_name}", f"At: {when}", "", f"Problem: {what_en}", "",
         f"How to fix: {fix_en}", "", f"The file is kept here untouched. Inbox: {inbox}"],
    )
    try:
        os.rename(doc, dest)
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
        # another filesystem: a durable copy first, only then the source goes
        fsutil.atomic_copy(doc, dest)
        doc.unlink()
    fsutil.fsync_dir(folder)
    return dest
