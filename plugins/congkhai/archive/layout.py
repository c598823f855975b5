"""Where things go in the archive tree (documented for staff in docs/archive-layout.md).

::

    <archive_root>/<commune>/
        <YYYY>/<MM>/<DD>/<case folder>/      one folder per issued document (by its issue date)
            manifest.json
            00_van-ban-goc_so-15-QD-UBND_v1.pdf
            03_bien-ban-niem-yet-ubnd_so-05-BB-UBND_v1.docx
            03_bien-ban-niem-yet-ubnd_so-05-BB-UBND_v1.pdf
            ...
        <YYYY>/00_ca-nam/                     documents of the whole year (plan, quarterly lists, ...)
        .index/                               the search index (derived, may be deleted)

Names are ASCII without spaces so they survive any filesystem, zip file or e-mail; they are
Vietnamese words without diacritics so staff can read them. The two-digit prefix of a file name
puts a case folder in the order of the disclosure dossier (hồ sơ công khai).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import PurePosixPath

from congkhai.documents.kinds import ALL_KINDS, Kind
from congkhai.textutil import slug

MANIFEST = "manifest.json"
INDEX_DIR = ".index"
#: The per-year folder: "00" sorts before the months 01-12; "ca-nam" = cả năm (the whole year).
YEAR_DIR = "00_ca-nam"


#: Every kind of file the archive keeps, read from the one kind table (``documents/kinds.py``): the
#: file-name number (``order``) and word (``file_word``), the label (``label_vi``), the code after
#: the number (``default_code``) and whether it goes in the year folder (``per_year``).
KindInfo = Kind
KINDS: dict[str, Kind] = ALL_KINDS

PER_YEAR_KINDS = frozenset(k for k, v in KINDS.items() if v.per_year)
_DAY_PART = re.compile(r"^\d{2}$")
_YEAR_PART = re.compile(r"^\d{4}$")


def kind_info(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        from congkhai.errors import UsageError

        raise UsageError(
            f"Loại tệp không hợp lệ: {kind!r} (hợp lệ: {', '.join(KINDS)})",
            f"unknown file kind {kind!r}",
            field="kind",
        ) from None


def ascii_name(text: str, max_len: int = 60) -> str:
    """ASCII for a file name, case kept: ``15/QĐ-UBND`` -> ``15-QD-UBND``."""
    t = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    t = "".join(ch for ch in t if unicodedata.category(ch) != "Mn")
    t = re.sub(r"[^A-Za-z0-9]+", "-", t).strip("-")
    return t[:max_len].rstrip("-")


def case_folder_name(number_notation: str, subject: str) -> str:
    """``15-QD-UBND_du-toan-ngan-sach``; ``khong-so_…`` for a document without a number."""
    left = ascii_name(number_notation, 40) or "khong-so"
    return f"{left}_{_words(slug(subject, 500), 48)}"


def _words(s: str, max_len: int) -> str:
    """Cut a slug at a word boundary (a half word reads like a typo to staff)."""
    if len(s) <= max_len:
        return s
    cut = s[: max_len + 1].rsplit("-", 1)[0]
    return cut or s[:max_len]


def day_rel_dir(day: dt.date) -> PurePosixPath:
    return PurePosixPath(f"{day:%Y}", f"{day:%m}", f"{day:%d}")


def year_rel_dir(year: int) -> PurePosixPath:
    return PurePosixPath(f"{year:04d}", YEAR_DIR)


def qualifier(kind: str, versioned_key: str) -> str | None:
    """The part of a versioned key that tells documents of one kind apart (e.g. the group).

    Keys are ``kind`` or ``kind:qualifier`` (``posting_start_group:tdp-so-3``, ``quarterly_list:2024-Q1``);
    any other key is used whole.
    """
    rest = versioned_key.split(":", 1)[1] if versioned_key.startswith(kind + ":") else (
        "" if versioned_key == kind else versioned_key
    )
    q = ascii_name(rest, 40).lower()
    return q or None


def file_name(
    kind: str,
    *,
    ext: str,
    version: int,
    number: int | None = None,
    code: str | None = None,
    qual: str | None = None,
    doc_label: str | None = None,
) -> str:
    """``03_bien-ban-niem-yet-ubnd_so-05-BB-UBND_v1.pdf``.

    ``doc_label`` replaces the ``so-…`` part (the original is named by its own number notation).
    """
    info = kind_info(kind)
    parts = [f"{info.order:02d}", info.file_word]
    if qual:
        parts.append(qual)
    if doc_label:
        parts.append(ascii_name(doc_label, 40))
    elif number is not None:
        c = code if code is not None else info.default_code
        parts.append(f"so-{number:02d}" + (f"-{ascii_name(c, 30)}" if c else ""))
    parts.append(f"v{version}")
    ext = ext.lower().lstrip(".")
    return "_".join(p for p in parts if p) + (f".{ext}" if ext else "")


def is_year_part(name: str) -> bool:
    return bool(_YEAR_PART.match(name))


def is_day_part(name: str) -> bool:
    """Two digits: a month or a day folder name."""
    return bool(_DAY_PART.match(name))
