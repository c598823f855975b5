"""Retrieval: cases and per-year documents by date, date range, plan item, kind and text.

``find`` answers from the derived index (rebuilding it first when it is missing or stale) and
returns exactly the JSON shape of ``congkhai archive find --json``::

    {"case_id", "issued", "item", "doc_number", "doc_code", "subject", "path",
     "files": [{"kind", "path", "sha256", "version"}]}

Paths are relative to the archive root (they start with the commune). A date matches an entry's
issue date or the date of any of its documents. Per-year documents are entries of their own with
``case_id`` null. With ``kind``, only entries holding that kind are returned and ``files`` lists
just the files of that kind. Results are in chronological order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from congkhai.archive import layout
from congkhai.archive.index import open_index
from congkhai.archive.store import _env_index_url, list_archive_communes
from congkhai.errors import UsageError


def _iso(d: dt.date | str | None, name: str) -> str | None:
    if d is None:
        return None
    if isinstance(d, str):
        try:
            d = dt.date.fromisoformat(d)
        except ValueError:
            raise UsageError(f"Ngày không hợp lệ ({name}): {d!r}, cần dạng YYYY-MM-DD",
                             f"invalid date for {name}: {d!r}", field=name) from None
    return d.isoformat()


def find(
    root: Path,
    commune: str | None,
    on: dt.date | str | None = None,
    date_from: dt.date | str | None = None,
    date_to: dt.date | str | None = None,
    item: str | None = None,
    kind: str | None = None,
    text: str | None = None,
    *,
    limit: int | None = None,
    index_url: str | None = None,
) -> list[dict[str, Any]]:
    """Search one commune's archive (or every commune under ``root`` when ``commune`` is None)."""
    if on is not None and (date_from is not None or date_to is not None):
        raise UsageError("Dùng --on hoặc --from/--to, không dùng cả hai", "use --on or --from/--to, not both")
    d_on, d_from, d_to = _iso(on, "on"), _iso(date_from, "from"), _iso(date_to, "to")
    if d_on:
        d_from = d_to = d_on
    if d_from and d_to and d_from > d_to:
        raise UsageError(f"Khoảng ngày ngược: {d_from} sau {d_to}", f"date range reversed: {d_from} > {d_to}")
    if kind is not None:
        layout.kind_info(kind)
    url = index_url if index_url is not None else _env_index_url()
    communes = [commune] if commune else list_archive_communes(root)
    out: list[dict[str, Any]] = []
    for c in communes:
        if not (Path(root) / c).is_dir():
            continue
        idx = open_index(root, c, url)
        try:
            out += idx.query(date_from=d_from, date_to=d_to, item=item, kind=kind, text=text, limit=limit)
        finally:
            idx.close()
    if len(communes) > 1:
        out.sort(key=lambda e: (e["issued"] or "", e["path"]))
        if limit:
            out = out[:limit]
    return out
