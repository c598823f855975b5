"""Retrieval: cases and per-year documents by date, date range, plan item, kind and text.

``find`` answers from the derived index (rebuilding it first when it is missing or stale) and
returns exactly the JSON shape of ``congkhai archive find --json``::

    {"case_id", "issued", "item", "doc_number", "doc_code", "subject", "path",
     "files": [{"kind", "path", "sha256", "version"}]}

Each file also carries ``doc_date``, ``number``, ``code`` (as recorded: null when not) and ``state``
(``draft`` / ``final`` / ``signed`` for the newest version of a generated document, else null).

Paths are relative to the archive root (they start with the commune). A date matches an entry's
issue date or the date of any of its documents (``issued_only``: the issue date alone, as the page's
calendar). Per-year documents are entries of their own with ``case_id`` null. With ``kind``, only
entries holding that kind are returned and ``files`` lists just the files of that kind; with ``state``,
only entries with a document in that state. Results are in chronological order, except with ``text``:
the best matches first (the subject weighs most, then the source document's text, then the
generated documents'), and with ``snippets=True`` each entry has a ``snippet``: the passage of a
document where the words occur, as ``parts`` of ``{"text", "match"}`` (plain text: whoever shows it
escapes it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from congkhai.archive import layout
from congkhai.archive.index import SOURCE_KINDS, CommuneIndex, open_index, query_tokens, snippet
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


def _check(
    on: dt.date | str | None, date_from: dt.date | str | None, date_to: dt.date | str | None, kind: str | None,
) -> tuple[str | None, str | None]:
    """Validated ISO bounds (``on`` becomes a one-day range); Vietnamese usage errors otherwise."""
    if on is not None and (date_from is not None or date_to is not None):
        raise UsageError("Dùng --on hoặc --from/--to, không dùng cả hai", "use --on or --from/--to, not both")
    d_on, d_from, d_to = _iso(on, "on"), _iso(date_from, "from"), _iso(date_to, "to")
    if d_on:
        d_from = d_to = d_on
    if d_from and d_to and d_from > d_to:
        raise UsageError(f"Khoảng ngày ngược: {d_from} sau {d_to}", f"date range reversed: {d_from} > {d_to}")
    if kind is not None:
        layout.kind_info(kind)
    return d_from, d_to


def _check_state(state: str | None) -> None:
    from congkhai.archive.manifest import DOC_STATES

    if state is not None and state not in DOC_STATES:
        raise UsageError(f"Trạng thái không hợp lệ: {state!r} (hợp lệ: dự thảo = draft, chính thức = final, "
                         f"đã ký = signed)", f"unknown state {state!r}", field="state")


def _snippets(idx: CommuneIndex, rows: Iterable[dict[str, Any]], tokens: list[str]) -> None:
    """Give each row the passage where the words occur: in the source document first, else in one of
    the generated documents (their text from the index's cache; nothing is read from the PDFs here)."""
    rows = list(rows)
    texts = idx.raw_texts(f["sha256"] for r in rows for f in r["files"] if f["path"].lower().endswith(".pdf"))
    for r in rows:
        pdfs = [f for f in r["files"] if f["path"].lower().endswith(".pdf") and f["sha256"] in texts]
        pdfs.sort(key=lambda f: (f["kind"] not in SOURCE_KINDS, -f["version"]))
        r["snippet"] = None
        for f in pdfs:
            parts = snippet(texts[f["sha256"]], tokens)
            if parts:
                r["snippet"] = {"kind": f["kind"], "path": f["path"],
                                "parts": [{"text": t, "match": m} for t, m in parts]}
                break


def check_commune_name(commune: str) -> str:
    """``commune`` if it can only name a folder directly under the archive root (``kep``), else a
    usage error: never a path (``/some/dir``, ``../x``), a hidden name, or a NUL byte."""
    if (not commune or commune != Path(commune).name or commune.startswith(".") or "\\" in commune
            or "\x00" in commune or len(commune) > 100):
        raise UsageError(f"Tên xã/thị trấn không hợp lệ: {commune!r}", f"invalid commune name: {commune!r}",
                         field="commune")
    return commune


def _communes(root: Path, commune: str | Sequence[str] | None) -> list[str]:
    """The communes to search that have a tree (nothing is created for one that has none)."""
    if isinstance(commune, str):
        communes = [commune] if commune else list_archive_communes(root)
    else:
        communes = list(commune) if commune is not None else list_archive_communes(root)
    return [c for c in communes if (Path(root) / check_commune_name(c)).is_dir()]


def find_page(
    root: Path,
    commune: str | Sequence[str] | None,
    on: dt.date | str | None = None,
    date_from: dt.date | str | None = None,
    date_to: dt.date | str | None = None,
    item: str | None = None,
    kind: str | None = None,
    text: str | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
    year_documents: bool = False,
    with_total: bool = True,
    index_url: str | None = None,
    state: str | None = None,
    issued_only: bool = False,
    cases_only: bool = False,
    year: int | None = None,
    snippets: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """One page of a search and the number of entries it matches in all: ``(results, total)``.

    ``commune``: one commune, a list of them, or None for every commune under ``root``.
    ``limit=None`` returns everything from ``offset`` on. The total costs one ``count(*)`` and is only
    computed when the page may be incomplete (``with_total=False`` skips it: total is then -1 unless
    the page shows that nothing more exists). ``year_documents`` keeps only the per-year entries,
    ``cases_only`` only the cases; ``year``: entries filed under that year; ``issued_only``: dates are
    issue dates alone; ``state``: entries with a document in that state; ``snippets``: with ``text``,
    each entry gets its ``snippet``.
    """
    d_from, d_to = _check(on, date_from, date_to, kind)
    _check_state(state)
    if limit is not None and limit < 1:
        raise UsageError(f"Giới hạn phải ≥ 1: {limit}", f"limit must be >= 1: {limit}", field="limit")
    if offset < 0:
        raise UsageError(f"Vị trí bắt đầu phải ≥ 0: {offset}", f"offset must be >= 0: {offset}", field="offset")
    url = index_url if index_url is not None else _env_index_url()
    communes = _communes(root, commune)
    kw: dict[str, Any] = dict(date_from=d_from, date_to=d_to, item=item, kind=kind, text=text,
                              year_documents=year_documents, state=state, issued_only=issued_only,
                              cases_only=cases_only, year=year)
    tokens = query_tokens(text) if text is not None and snippets else []
    out: list[dict[str, Any]] = []
    total = 0
    # Several communes: each gives its first offset+limit rows, merged in date order, then cut.
    several = len(communes) > 1
    for c in communes:
        idx = open_index(root, c, url)
        try:
            want = (offset + limit if several else limit) if limit else None
            rows = idx.query(**kw, limit=want, offset=0 if several else offset)
            if tokens:
                _snippets(idx, rows, tokens)
            out += rows
            skipped = 0 if several else offset
            if (want is None or len(rows) < want) and (rows or not skipped):
                n = skipped + len(rows)  # the page reached the end: no count needed
            elif with_total:
                n = idx.count(**kw)
            else:
                n = -1
            total = -1 if -1 in (total, n) else total + n
        finally:
            idx.close()
    if several:
        if text is not None:  # the best matches first, as each commune's index ranked them
            out.sort(key=lambda e: (e["score"], e["issued"] or "", e["path"]))
        else:
            out.sort(key=lambda e: (e["issued"] or "", e["path"]))
        out = out[offset : offset + limit] if limit else out[offset:]
    for e in out:
        e.pop("score", None)
    return out, total


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
    offset: int = 0,
    year_documents: bool = False,
    index_url: str | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """Search one commune's archive (or every commune under ``root`` when ``commune`` is None).

    Everything by default (``limit=None``): callers that show results to a person pass a limit
    (the CLI and the page do) and use :func:`find_page` for the total. ``options``: the other choices
    of :func:`find_page` (``state``, ``issued_only``, ``cases_only``, ``year``, ``snippets``).
    """
    results, _ = find_page(root, commune, on, date_from, date_to, item, kind, text, limit=limit, offset=offset,
                           year_documents=year_documents, with_total=False, index_url=index_url, **options)
    return results


def calendar_counts(
    root: Path, commune: str, date_from: dt.date | str, date_to: dt.date | str, *, by_month: bool = False,
    index_url: str | None = None, issued_only: bool = False, cases_only: bool = False,
) -> dict[str, int]:
    """``{YYYY-MM-DD: entries}`` for the days between two dates that have something (the page's
    calendar); ``by_month``: ``{YYYY-MM: entries}``, each entry counted once per month.
    ``issued_only``: by issue date alone; ``cases_only``: cases only (no per-year documents)."""
    d_from, d_to = _check(None, date_from, date_to, None)
    if not (Path(root) / check_commune_name(commune)).is_dir():
        return {}
    idx = open_index(root, commune, index_url if index_url is not None else _env_index_url())
    try:
        return idx.day_counts(d_from or "0000-00-00", d_to or "9999-99-99", 7 if by_month else 10,
                              issued_only=issued_only, cases_only=cases_only)
    finally:
        idx.close()


def archive_years(root: Path, commune: str, *, index_url: str | None = None) -> list[int]:
    """Years with at least one dated entry in the commune's archive, ascending."""
    if not (Path(root) / check_commune_name(commune)).is_dir():
        return []
    idx = open_index(root, commune, index_url if index_url is not None else _env_index_url())
    try:
        return idx.years()
    finally:
        idx.close()


def archive_items(root: Path, commune: str, year: int | None = None, *, index_url: str | None = None) -> list[str]:
    """Plan items of the commune's cases (of one year), sorted: what the page's item filter offers."""
    if not (Path(root) / check_commune_name(commune)).is_dir():
        return []
    idx = open_index(root, commune, index_url if index_url is not None else _env_index_url())
    try:
        return idx.items(year)
    finally:
        idx.close()


def has_cases(root: Path, commune: str, *, index_url: str | None = None) -> bool:
    """Whether the commune's archive holds at least one case (the page opens on such a commune)."""
    if not (Path(root) / check_commune_name(commune)).is_dir():
        return False
    idx = open_index(root, commune, index_url if index_url is not None else _env_index_url())
    try:
        return idx.has_cases()
    finally:
        idx.close()
