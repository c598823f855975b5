"""The search index: derived from the manifests, rebuilt at any time, safe to delete.

Backends: SQLite with FTS5 (default; one file per commune at ``<archive>/<commune>/.index/index.sqlite``)
or PostgreSQL (when ``CONGKHAI_INDEX_URL`` is a ``postgresql://`` URL; one set of ``congkhai_archive_*``
tables for all communes). Both store the same rows:

- ``entries``: one per case folder, and one per per-year document (keyed by its versioned key),
- ``files``: every filed file of an entry, with its number, code, date (none when its date line is a
  blank: ``undated``) and, for the newest version of a generated document, its state (draft / final /
  signed),
- ``dates``: every date an entry answers to (the case's issue date and each dated document's date),
- full text in three parts, folded (no diacritics, lower case, đ→d) with ``congkhai.textutil.fold`` at
  index time and at query time, so ``ho ngheo`` finds ``hộ nghèo``: ``subject`` (the subject, number,
  type, issuer, signer, plan item), ``source`` (the text of the original document's PDFs) and
  ``generated`` (the text of the documents congkhai made). A match in the subject weighs most, then
  the source, and the generated documents' shared wording ("thủ tục hành chính", "Zalo") least: FTS5
  ``bm25`` column weights, PostgreSQL ``setweight`` A/B/D and ``ts_rank``;
- ``texts``: extracted PDF text by SHA-256 (as extracted, NFC, and folded), a cache that survives a
  reindex (pypdf is the slow part); the page's snippets are cut from it.

The index is updated incrementally when a folder changes. When an update fails the archive writes
``.index/STALE`` and the next ``find`` rebuilds the index from the tree first. An index of an older
format (``FORMAT``) is dropped and rebuilt when opened.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from congkhai.archive import layout
from congkhai.archive import manifest as mf
from congkhai.textutil import fold

log = logging.getLogger(__name__)

STALE = "STALE"
#: Version of the tables' layout; an index of another version is dropped and rebuilt when opened.
FORMAT = "2"
_TOKEN = re.compile(r"[a-z0-9]+")
#: Weights of the three text parts: subject, source document, generated documents.
WEIGHTS = (10.0, 4.0, 0.5)
#: Kinds whose text is the source document's own (the others are made by congkhai).
SOURCE_KINDS = frozenset({"original", "signed_scan"})
#: Generated kinds that have no state (draft / final / signed).
_STATELESS = frozenset({"original", "signed_scan", "dossier"})
#: How much of a document's text a snippet is looked for in.
SNIPPET_SCAN = 40_000
_MAX_PDF_PAGES = 300
_CHUNK = 500


def index_dir(root: Path, commune: str) -> Path:
    return Path(root) / commune / layout.INDEX_DIR


def mark_stale(root: Path, commune: str) -> None:
    d = index_dir(root, commune)
    try:
        d.mkdir(parents=True, exist_ok=True)
        (d / STALE).touch()
    except OSError as err:  # nothing more we can do; find will still work on the old index
        log.error("cannot mark the index stale in %s: %s", d, err)


def is_stale(root: Path, commune: str) -> bool:
    return (index_dir(root, commune) / STALE).exists()


def query_tokens(text: str) -> list[str]:
    """Folded words of a search box entry: ``Hộ nghèo Đông`` -> ``['ho', 'ngheo', 'dong']``."""
    return _TOKEN.findall(fold(text))


def extract_pdf_text(path: Path) -> str:
    """All page text of a PDF (the first ``_MAX_PDF_PAGES`` pages), NFC; empty for a damaged or
    image-only PDF. PDFium (``congkhai.convert.pdftext``: 20–50 ms a page against up to 1 s with pypdf's
    ``extract_text``; a fifth of a replay's CPU time went there when every filed PDF was read with
    pypdf); pypdf where PDFium cannot read the file."""
    from congkhai.convert.pdftext import pdf_text

    text = pdf_text(path, _MAX_PDF_PAGES)
    if text is not None:
        return mf._nfc(text)
    return _extract_pdf_text_pypdf(path)


def _extract_pdf_text_pypdf(path: Path) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(path)
        parts = []
        for i, page in enumerate(reader.pages):
            if i >= _MAX_PDF_PAGES:
                break
            parts.append(page.extract_text() or "")
        return mf._nfc("\n".join(parts))
    except Exception as err:  # an unreadable PDF is still filed and found by its subject
        log.warning("no text from %s: %s", path, err)
        return ""


@dataclass
class Entry:
    """One search result's row, with its files, dates and (unfolded) subject words."""

    entry_key: str
    folder: str
    case_id: str | None
    issued: str | None
    item: str | None
    doc_number: str | None
    doc_code: str | None
    subject: str | None
    files: list[dict[str, Any]] = field(default_factory=list)
    dates: set[str] = field(default_factory=set)
    words: list[str] = field(default_factory=list)  # subject, number, … (PDF text is added by sha)
    states: dict[str, str] = field(default_factory=dict)  # file path -> draft/final/signed (newest only)


def _file_date(f: dict[str, Any]) -> str | None:
    """A file's own date: none when its date line is a blank (``undated``: ``doc_date`` is its filing day)."""
    return None if f.get("undated") else f.get("doc_date")


def _states(m: dict[str, Any], files: list[dict[str, Any]]) -> dict[str, str]:
    """The state of each newest version of a generated document: ``signed`` when its signed scan came
    back, else as recorded (``draft`` when not recorded: documents filed before states were)."""
    signed = m.get("signed") or {}
    newest: dict[str, int] = {}
    for f in files:
        if f["kind"] not in _STATELESS:
            newest[f["key"]] = max(newest.get(f["key"], 0), f["version"])
    return {f["path"]: "signed" if f["key"] in signed else (f.get("state") or "draft")
            for f in files if f["kind"] not in _STATELESS and f["version"] == newest[f["key"]]}


def entries_from_manifest(rel: str, m: dict[str, Any]) -> list[Entry]:
    """The index rows a folder contributes: one entry per case, one per per-year document."""
    if m.get("record") != "year":
        e = Entry(
            entry_key=rel, folder=rel, case_id=m["case_id"], issued=m.get("IssuedDate"),
            item=m.get("item"), doc_number=m.get("CodeNumber"), doc_code=m.get("CodeNotation"),
            subject=m.get("Subject"), files=list(m["files"]),
        )
        e.dates = {d for d in [e.issued, *(_file_date(f) for f in m["files"])] if d}
        notation = "/".join(x for x in (e.doc_number, e.doc_code) if x)
        e.words = [x for x in (e.subject, notation, m.get("TypeName"), m.get("OrganName"), m.get("Signer"),
                               e.item) if x]
        e.states = _states(m, e.files)
        return [e]
    out: list[Entry] = []
    keys: dict[str, list[dict[str, Any]]] = {}
    for f in m["files"]:
        keys.setdefault(f["key"], []).append(f)
    for key, files in keys.items():
        pdfs = [f for f in files if f["path"].lower().endswith(".pdf")]
        main = max(pdfs or files, key=lambda f: f["version"])
        number = main.get("number")
        e = Entry(
            entry_key=f"{rel}#{key}", folder=rel, case_id=None, issued=_file_date(main), item=None,
            doc_number=f"{number:02d}" if isinstance(number, int) else None, doc_code=main.get("code"),
            subject=main.get("title"), files=files,
        )
        e.dates = {d for d in (_file_date(f) for f in files) if d}
        notation = "/".join(x for x in (e.doc_number, e.doc_code) if x)
        e.words = [x for x in (e.subject, notation) if x]
        e.states = _states(m, files)
        out.append(e)
    return out


def _fold_map(text: str) -> tuple[str, list[int]]:
    """``text`` folded character by character, and for each folded character its index in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return fold(ch)


def snippet(text: str, tokens: Sequence[str], *, words: int = 28) -> list[tuple[str, bool]] | None:
    """A short passage of ``text`` around the first place most query words occur, as ``(text, is_match)``
    pieces (the caller escapes them; nothing here is HTML); None when no word occurs. The last token
    may be unfinished, as in the search (``ngan sa`` marks ``ngân sách``)."""
    if not text or not tokens:
        return None
    text = " ".join(text[:SNIPPET_SCAN].split())
    folded, where = _fold_map(text)
    spans = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(folded)]
    want, last = set(tokens[:-1]), tokens[-1]

    def hit(w: str) -> bool:
        return w in want or w.startswith(last)

    hits = [i for i, (_, _, w) in enumerate(spans) if hit(w)]
    if not hits:
        return None
    # The window (of ``words`` words) holding the most different query words; the first such.
    best, best_n = hits[0], 0
    for h in hits:
        n = len({spans[j][2] for j in hits if h <= j < h + words})
        if n > best_n:
            best, best_n = h, n
    first = max(0, best - 6)
    lastw = min(len(spans), first + words) - 1
    lo = 0 if first == 0 else where[spans[first][0]]
    hi = len(text) if lastw == len(spans) - 1 else where[spans[lastw][1] - 1] + 1
    pieces: list[tuple[str, bool]] = [("… ", False)] if first > 0 else []
    pos = lo
    for j in range(first, lastw + 1):
        a, b = where[spans[j][0]], where[spans[j][1] - 1] + 1
        if hit(spans[j][2]):
            if a > pos:
                pieces.append((text[pos:a], False))
            pieces.append((text[a:b], True))
            pos = b
    if hi > pos:
        pieces.append((text[pos:hi], False))
    if lastw < len(spans) - 1:
        pieces.append((" …", False))
    return pieces


class SqlIndex:
    """Shared SQL of both backends; subclasses supply the connection, DDL and full-text bits."""

    ph = "?"
    #: How a query is restricted to one commune (SQLite overrides it, see there).
    commune_clause = "e.commune = ?"
    T = {"entries": "entries", "files": "files", "dates": "dates", "texts": "texts", "meta": "meta",
         "fts": "fts"}
    conn: Any

    # -- backend hooks ---------------------------------------------------------------------------
    def _fts_insert(self, cur: Any, entry_id: int, commune: str, parts: tuple[str, str, str]) -> None:
        raise NotImplementedError

    def _fts_delete(self, cur: Any, entry_ids: Sequence[int]) -> None:
        raise NotImplementedError

    def _fts_clause(self, tokens: list[str]) -> tuple[str, list[Any]]:
        """A condition on ``e.id``: the entry matches every token."""
        raise NotImplementedError

    def _fts_ranked(self, tokens: list[str]) -> tuple[str, list[Any]]:
        """A subquery of ``(rid, score)`` for the matching entries, the best first by ascending score."""
        raise NotImplementedError

    def _fts_body(self, entry_id: int) -> str:
        raise NotImplementedError

    def close(self) -> None:
        self.conn.close()

    # -- helpers ---------------------------------------------------------------------------------
    def _q(self, sql: str) -> str:
        sql = sql.format(**self.T)
        return sql.replace("?", self.ph) if self.ph != "?" else sql

    def _x(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        cur.execute(self._q(sql), tuple(params))
        return cur

    def is_built(self, commune: str) -> bool:
        cur = self.conn.cursor()
        row = self._x(cur, "SELECT value FROM {meta} WHERE key = ?", (f"built:{commune}",)).fetchone()
        return row is not None

    def _set_built(self, cur: Any, commune: str) -> None:
        self._x(cur, "DELETE FROM {meta} WHERE key = ?", (f"built:{commune}",))
        self._x(cur, "INSERT INTO {meta}(key, value) VALUES (?, ?)", (f"built:{commune}", mf.now_iso()))

    def _format_of(self, cur: Any) -> str | None:
        row = self._x(cur, "SELECT value FROM {meta} WHERE key = ?", ("format",)).fetchone()
        return row[0] if row else None

    def _set_format(self, cur: Any) -> None:
        """Mark the tables as of this ``FORMAT``; an index of an older one was dropped just before."""
        self._x(cur, "DELETE FROM {meta} WHERE key = ? OR key LIKE ?", ("format", "built:%"))
        self._x(cur, "INSERT INTO {meta}(key, value) VALUES (?, ?)", ("format", FORMAT))

    # -- texts cache -----------------------------------------------------------------------------
    def _cached(self, column: str, shas: Iterable[str]) -> dict[str, str]:
        shas = list(set(shas))
        out: dict[str, str] = {}
        cur = self.conn.cursor()
        for i in range(0, len(shas), _CHUNK):
            part = shas[i : i + _CHUNK]
            marks = ",".join("?" * len(part))
            for sha, body in self._x(cur, f"SELECT sha256, {column} FROM {{texts}} WHERE sha256 IN ({marks})",
                                     part):
                out[sha] = body
        return out

    def cached_texts(self, shas: Iterable[str]) -> dict[str, str]:
        """Folded text of these PDFs (by SHA-256), those in the cache."""
        return self._cached("body", shas)

    def raw_texts(self, shas: Iterable[str]) -> dict[str, str]:
        """Text of these PDFs as extracted (NFC, diacritics kept), those in the cache: for snippets."""
        return self._cached("raw", shas)

    def _texts_for(self, entries: list[Entry], commune_dir: Path) -> dict[str, str]:
        """Folded text of every PDF of these entries: from the cache, else extracted (and cached)."""
        pdfs = {f["sha256"]: (commune_dir / e.folder / f["path"]) for e in entries for f in e.files
                if f["path"].lower().endswith(".pdf")}
        texts = self.cached_texts(pdfs)
        raw = {sha: extract_pdf_text(p) for sha, p in pdfs.items() if sha not in texts and p.is_file()}
        new = {sha: fold(body) for sha, body in raw.items()}
        if new:
            cur = self.conn.cursor()
            for sha, body in new.items():
                self._x(cur, "DELETE FROM {texts} WHERE sha256 = ?", (sha,))
                self._x(cur, "INSERT INTO {texts}(sha256, body, raw) VALUES (?, ?, ?)", (sha, body, raw[sha]))
            self.conn.commit()
        texts.update(new)
        return texts

    # -- writing ---------------------------------------------------------------------------------
    def _delete_folder(self, cur: Any, commune: str, folder: str) -> None:
        ids = [r[0] for r in self._x(cur, "SELECT id FROM {entries} WHERE commune = ? AND folder = ?",
                                     (commune, folder)).fetchall()]
        self._delete_ids(cur, ids)

    def _delete_ids(self, cur: Any, ids: Sequence[int]) -> None:
        for i in range(0, len(ids), _CHUNK):
            part = list(ids[i : i + _CHUNK])
            marks = ",".join("?" * len(part))
            for t in ("files", "dates"):
                self._x(cur, f"DELETE FROM {{{t}}} WHERE entry_id IN ({marks})", part)
            self._fts_delete(cur, part)
            self._x(cur, f"DELETE FROM {{entries}} WHERE id IN ({marks})", part)

    def _insert(self, cur: Any, commune: str, e: Entry, texts: dict[str, str]) -> None:
        row = self._x(
            cur,
            "INSERT INTO {entries}(commune, folder, entry_key, case_id, issued, item, doc_number, doc_code,"
            " subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (commune, e.folder, e.entry_key, e.case_id, e.issued, e.item, e.doc_number, e.doc_code, e.subject),
        ).fetchone()
        eid = int(row[0])
        for ord_, f in enumerate(e.files):
            number = f.get("number")
            self._x(cur, "INSERT INTO {files}(entry_id, ord, kind, fkey, path, sha256, version, doc_date, number,"
                         " code, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (eid, ord_, f["kind"], f["key"], f["path"], f["sha256"], f["version"], _file_date(f),
                     number if isinstance(number, int) else None, f.get("code"), e.states.get(f["path"])))
        for d in sorted(e.dates):
            self._x(cur, "INSERT INTO {dates}(day, entry_id) VALUES (?, ?)", (d, eid))
        seen: set[str] = set()
        source: list[str] = []
        generated: list[str] = []
        for f in e.files:
            sha = f["sha256"]
            if sha in texts and sha not in seen:
                seen.add(sha)
                (source if f["kind"] in SOURCE_KINDS else generated).append(texts[sha])
        # Only the words, as query_tokens sees them: both backends tokenise identically
        # (PostgreSQL's parser would otherwise keep "15/qd-ubnd" as one "file path" token).
        parts = ("\n".join(fold(w) for w in e.words), "\n".join(source), "\n".join(generated))
        self._fts_insert(cur, eid, commune, tuple(" ".join(_TOKEN.findall(p)) for p in parts))  # type: ignore[arg-type]

    def update_folder(self, rel: str, manifest: dict[str, Any], folder_path: Path) -> None:
        """Replace the rows of one folder (called after each manifest change)."""
        commune = manifest["commune"]
        commune_dir = folder_path
        for _ in Path(rel).parts:
            commune_dir = commune_dir.parent
        if not self.is_built(commune):
            self.rebuild(commune, commune_dir)
            return
        entries = entries_from_manifest(rel, manifest)
        texts = self._texts_for(entries, commune_dir)
        cur = self.conn.cursor()
        try:
            self._delete_folder(cur, commune, rel)
            for e in entries:
                self._insert(cur, commune, e, texts)
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise

    def rebuild(self, commune: str, commune_dir: Path) -> dict[str, Any]:
        """Rebuild the commune's rows from its manifests (the PDF text cache is reused)."""
        from congkhai.archive.store import iter_folder_paths

        t0 = time.perf_counter()
        entries: list[Entry] = []
        folders = 0
        bad: list[str] = []
        for rel in iter_folder_paths(commune_dir):
            try:
                m = mf.load(commune_dir / rel / layout.MANIFEST)
            except (OSError, ValueError):
                bad.append(rel)
                continue
            folders += 1
            entries.extend(entries_from_manifest(rel, m))
        before = len(self.cached_texts([f["sha256"] for e in entries for f in e.files]))
        texts = self._texts_for(entries, commune_dir)
        cur = self.conn.cursor()
        try:
            ids = [r[0] for r in self._x(cur, "SELECT id FROM {entries} WHERE commune = ?", (commune,))]
            self._delete_ids(cur, ids)
            for e in entries:
                self._insert(cur, commune, e, texts)
            self._set_built(cur, commune)
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise
        return {
            "commune": commune, "folders": folders, "entries": len(entries),
            "files": sum(len(e.files) for e in entries), "pdf_texts_cached": before,
            "pdf_texts_extracted": max(0, len(texts) - before), "unreadable_manifests": bad,
            "seconds": round(time.perf_counter() - t0, 3),
        }

    # -- reading ---------------------------------------------------------------------------------
    def folder_by_sha(self, commune: str, sha256: str) -> str | None:
        cur = self.conn.cursor()
        row = self._x(
            cur,
            "SELECT e.folder FROM {files} f JOIN {entries} e ON e.id = f.entry_id"
            " WHERE f.sha256 = ? AND e.commune = ? ORDER BY (f.kind = 'original') DESC, e.id LIMIT 1",
            (sha256, commune),
        ).fetchone()
        return row[0] if row else None

    def _where(
        self, commune: str, *, date_from: str | None = None, date_to: str | None = None, item: str | None = None,
        kind: str | None = None, year_documents: bool = False, state: str | None = None,
        issued_only: bool = False, cases_only: bool = False, year: int | None = None,
    ) -> tuple[str, list[Any]]:
        """The WHERE clause of a search, its text aside.

        ``issued_only``: the dates are the issue date alone (the page), not also each document's date
        (``find --on``); ``cases_only``: no per-year documents; ``year``: entries filed under that year
        (a case's issue year, a per-year document's year); ``state``: entries with a newest generated
        document in that state."""
        where = [self.commune_clause]
        params: list[Any] = [commune]
        if date_from or date_to:
            if issued_only:
                where.append("e.issued >= ? AND e.issued <= ?")
            else:
                where.append("e.id IN (SELECT entry_id FROM {dates} WHERE day >= ? AND day <= ?)")
            params += [date_from or "0000-00-00", date_to or "9999-99-99"]
        if item:
            where.append("e.item = ?")
            params.append(item)
        if kind:
            where.append("e.id IN (SELECT entry_id FROM {files} WHERE kind = ?)")
            params.append(kind)
        if state:
            where.append("e.id IN (SELECT entry_id FROM {files} WHERE state = ?)")
            params.append(state)
        if year_documents:
            where.append("e.case_id IS NULL")
        if cases_only:
            where.append("e.case_id IS NOT NULL")
        if year is not None:
            where.append("e.folder LIKE ?")
            params.append(f"{int(year):04d}/%")
        return " AND ".join(where), params

    def count(self, commune: str, *, text: str | None = None, **kw: Any) -> int:
        """How many entries a search matches (what the page and the CLI report beside a page of them)."""
        clause, params = self._where(commune, **kw)
        if text is not None:
            tokens = query_tokens(text)
            if not tokens:
                return 0
            c, p = self._fts_clause(tokens)
            clause, params = f"{clause} AND {c}", params + p
        cur = self.conn.cursor()
        return int(self._x(cur, "SELECT count(*) FROM {entries} e WHERE " + clause, params).fetchone()[0])

    def query(
        self, commune: str, *, text: str | None = None, kind: str | None = None, limit: int | None = None,
        offset: int = 0, **kw: Any,
    ) -> list[dict[str, Any]]:
        """Entries in date order, or with ``text`` the best matches first (each with its ``score``:
        lower is better, comparable within one backend)."""
        clause, params = self._where(commune, kind=kind, **kw)
        cols = "e.id, e.case_id, e.issued, e.item, e.doc_number, e.doc_code, e.subject, e.folder"
        if text is not None:
            tokens = query_tokens(text)
            if not tokens:
                return []
            ranked, p = self._fts_ranked(tokens)
            sql = (f"SELECT {cols}, m.score FROM {{entries}} e JOIN ({ranked}) m ON m.rid = e.id WHERE {clause}"
                   " ORDER BY m.score, e.issued, e.folder, e.entry_key")
            params = p + params
        else:
            sql = f"SELECT {cols}, NULL FROM {{entries}} e WHERE {clause} ORDER BY e.issued, e.folder, e.entry_key"
        if limit:
            sql += f" LIMIT {int(limit)}"
        if offset:
            sql += ("" if limit else " LIMIT -1" if self.ph == "?" else " LIMIT ALL") + f" OFFSET {int(offset)}"
        cur = self.conn.cursor()
        out: list[dict[str, Any]] = []
        # Entries first, each with its (empty) file list and path prefix; files are appended to them
        # straight from the rows with their final path (no second pass, no copies: building the
        # dicts is most of the time of a big result).
        by_id: dict[int, tuple[list[dict[str, Any]], str]] = {}
        for eid, case_id, issued, item_, num, code, subject, folder, score in self._x(cur, sql, params).fetchall():
            base = f"{commune}/{folder}"
            files: list[dict[str, Any]] = []
            by_id[eid] = (files, base + "/")
            e = {"case_id": case_id, "issued": issued, "item": item_, "doc_number": num, "doc_code": code,
                 "subject": subject, "path": base, "files": files}
            if text is not None:
                e["score"] = float(score)
            out.append(e)
        ids = list(by_id)
        extra = " AND kind = ?" if kind else ""
        for i in range(0, len(ids), _CHUNK):
            part = ids[i : i + _CHUNK]
            marks = ",".join("?" * len(part))
            for eid, k, path, sha, ver, day, number, fcode, state in self._x(
                cur,
                "SELECT entry_id, kind, path, sha256, version, doc_date, number, code, state FROM {files}"
                f" WHERE entry_id IN ({marks}){extra} ORDER BY entry_id, ord",
                part + ([kind] if kind else []),
            ):
                target, prefix = by_id[eid]
                target.append({"kind": k, "path": prefix + path, "sha256": sha, "version": ver, "doc_date": day,
                               "number": number, "code": fcode, "state": state})
        return out

    def day_counts(self, commune: str, date_from: str, date_to: str, width: int = 10, *,
                   issued_only: bool = False, cases_only: bool = False) -> dict[str, int]:
        """``{day: entries answering to it}`` between two dates (the page's calendar); ``width=7``
        groups by month (``YYYY-MM``), counting an entry once per month however many dates it has.
        ``issued_only``: by issue date alone; ``cases_only``: cases, not per-year documents."""
        cur = self.conn.cursor()
        w = int(width)
        only = " AND e.case_id IS NOT NULL" if cases_only else ""
        if issued_only:
            sql = (f"SELECT substr(e.issued, 1, {w}), count(*) FROM {{entries}} e WHERE e.issued >= ?"
                   f" AND e.issued <= ? AND {self.commune_clause}{only} GROUP BY substr(e.issued, 1, {w})")
        else:
            sql = (f"SELECT substr(d.day, 1, {w}), count(DISTINCT d.entry_id) FROM {{dates}} d"
                   " JOIN {entries} e ON e.id = d.entry_id"
                   f" WHERE d.day >= ? AND d.day <= ? AND {self.commune_clause}{only} GROUP BY substr(d.day, 1, {w})")
        rows = self._x(cur, sql, (date_from, date_to, commune)).fetchall()
        return {str(day): int(n) for day, n in rows}

    def years(self, commune: str) -> list[int]:
        """Years the commune's tree has entries under (a case's issue year, a per-year folder), ascending."""
        cur = self.conn.cursor()
        rows = self._x(cur, f"SELECT DISTINCT substr(e.folder, 1, 4) FROM {{entries}} e WHERE {self.commune_clause}",
                       (commune,)).fetchall()
        return sorted(int(r[0]) for r in rows if r[0] and str(r[0]).isdigit())

    def items(self, commune: str, year: int | None = None) -> list[str]:
        """The plan items of the commune's cases (of one year), sorted."""
        cur = self.conn.cursor()
        sql = f"SELECT DISTINCT e.item FROM {{entries}} e WHERE {self.commune_clause} AND e.item IS NOT NULL"
        params: list[Any] = [commune]
        if year is not None:
            sql += " AND e.folder LIKE ?"
            params.append(f"{int(year):04d}/%")
        return sorted(str(r[0]) for r in self._x(cur, sql, params).fetchall())

    def has_cases(self, commune: str) -> bool:
        cur = self.conn.cursor()
        return self._x(cur, f"SELECT 1 FROM {{entries}} e WHERE {self.commune_clause} AND e.case_id IS NOT NULL"
                            " LIMIT 1", (commune,)).fetchone() is not None

    def dump(self, commune: str) -> list[dict[str, Any]]:
        """Everything the index holds for a commune, ids left out (for equality checks)."""
        cur = self.conn.cursor()
        out = []
        for row in self._x(cur, "SELECT id, folder, entry_key, case_id, issued, item, doc_number, doc_code,"
                                " subject FROM {entries} WHERE commune = ? ORDER BY entry_key", (commune,)).fetchall():
            eid = row[0]
            files = [tuple(r) for r in self._x(
                cur, "SELECT ord, kind, fkey, path, sha256, version, doc_date, number, code, state FROM {files}"
                     " WHERE entry_id = ? ORDER BY ord", (eid,)).fetchall()]
            dates = [r[0] for r in self._x(cur, "SELECT day FROM {dates} WHERE entry_id = ? ORDER BY day",
                                           (eid,)).fetchall()]
            out.append({"entry": tuple(row[1:]), "files": files, "dates": dates, "text": self._fts_body(eid)})
        return out


#: The tables both backends drop and create again when their format changes (``meta`` stays).
_TABLES = ("entries", "files", "dates", "texts", "fts")


class SqliteIndex(SqlIndex):
    """SQLite + FTS5, one database per commune inside the commune's tree (``.index/index.sqlite``)."""

    # One commune per file: keep the planner from scanning all entries by commune ("+" disables
    # that index) so it starts from the dates / full-text match instead (30k entries: 7 ms -> <1 ms).
    commune_clause = "+e.commune = ?"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(path, timeout=60)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")  # derived data: rebuildable, speed over durability
        self.conn.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
        if self._format_of(self.conn.cursor()) != FORMAT:
            self._upgrade()

    def _upgrade(self) -> None:
        """Drop an index of an older format (or none) and create this one, under SQLite's write lock."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            if self._format_of(cur) != FORMAT:  # another process may have just done it
                for t in _TABLES:
                    cur.execute(f"DROP TABLE IF EXISTS {t}")
                for stmt in """
                    CREATE TABLE entries(
                        id INTEGER PRIMARY KEY, commune TEXT NOT NULL, folder TEXT NOT NULL, entry_key TEXT NOT NULL,
                        case_id TEXT, issued TEXT, item TEXT, doc_number TEXT, doc_code TEXT, subject TEXT,
                        UNIQUE(commune, entry_key));
                    CREATE INDEX entries_folder ON entries(commune, folder);
                    CREATE INDEX entries_item ON entries(item);
                    CREATE INDEX entries_issued ON entries(issued);
                    CREATE TABLE files(
                        entry_id INTEGER NOT NULL, ord INTEGER NOT NULL, kind TEXT NOT NULL, fkey TEXT NOT NULL,
                        path TEXT NOT NULL, sha256 TEXT NOT NULL, version INTEGER NOT NULL, doc_date TEXT,
                        number INTEGER, code TEXT, state TEXT);
                    CREATE INDEX files_entry ON files(entry_id);
                    CREATE INDEX files_sha ON files(sha256);
                    CREATE INDEX files_kind ON files(kind, entry_id);
                    CREATE INDEX files_state ON files(state, entry_id);
                    CREATE TABLE dates(day TEXT NOT NULL, entry_id INTEGER NOT NULL,
                        PRIMARY KEY(day, entry_id)) WITHOUT ROWID;
                    CREATE INDEX dates_entry ON dates(entry_id);
                    CREATE TABLE texts(sha256 TEXT PRIMARY KEY, body TEXT NOT NULL, raw TEXT NOT NULL);
                    CREATE VIRTUAL TABLE fts USING fts5(subject, source, generated,
                        tokenize='unicode61 remove_diacritics 2')
                """.split(";"):
                    cur.execute(stmt)
                self._set_format(cur)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def _fts_insert(self, cur: Any, entry_id: int, commune: str, parts: tuple[str, str, str]) -> None:
        cur.execute("INSERT INTO fts(rowid, subject, source, generated) VALUES (?, ?, ?, ?)", (entry_id, *parts))

    def _fts_delete(self, cur: Any, entry_ids: Sequence[int]) -> None:
        marks = ",".join("?" * len(entry_ids))
        cur.execute(f"DELETE FROM fts WHERE rowid IN ({marks})", tuple(entry_ids))

    @staticmethod
    def _match(tokens: list[str]) -> str:
        # Every word must occur (in any part); the last one may be unfinished (people type, then look).
        return (" ".join(f'"{t}"' for t in tokens[:-1]) + f' "{tokens[-1]}"*').strip()

    def _fts_clause(self, tokens: list[str]) -> tuple[str, list[Any]]:
        return "e.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)", [self._match(tokens)]

    def _fts_ranked(self, tokens: list[str]) -> tuple[str, list[Any]]:
        w = ", ".join(str(x) for x in WEIGHTS)
        return f"SELECT rowid AS rid, bm25(fts, {w}) AS score FROM fts WHERE fts MATCH ?", [self._match(tokens)]

    def _fts_body(self, entry_id: int) -> str:
        row = self.conn.execute("SELECT subject, source, generated FROM fts WHERE rowid = ?", (entry_id,)).fetchone()
        return " | ".join(row) if row else ""


class PostgresIndex(SqlIndex):
    """PostgreSQL: ``congkhai_archive_*`` tables shared by all communes; full text as a GIN tsvector whose
    three parts are weighted A (subject), B (source document) and D (generated documents)."""

    ph = "%s"
    T = {k: f"congkhai_archive_{k}" for k in SqlIndex.T}
    #: ts_rank's weights of D, C, B, A (the same proportions as SQLite's ``WEIGHTS``).
    RANK_WEIGHTS = f"{{{WEIGHTS[2] / WEIGHTS[0]}, 0, {WEIGHTS[1] / WEIGHTS[0]}, 1}}"

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url)
        t = self.T
        try:
            with self.conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(804017)")  # two processes creating tables at once
                cur.execute(f"CREATE TABLE IF NOT EXISTS {t['meta']}(key TEXT PRIMARY KEY, value TEXT)")
                if self._format_of(cur) != FORMAT:
                    cur.execute("DROP TABLE IF EXISTS " + ", ".join(t[k] for k in _TABLES))
                    cur.execute(
                        f"""
                        CREATE TABLE {t['entries']}(
                            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, commune TEXT NOT NULL,
                            folder TEXT NOT NULL, entry_key TEXT NOT NULL, case_id TEXT, issued TEXT, item TEXT,
                            doc_number TEXT, doc_code TEXT, subject TEXT, UNIQUE(commune, entry_key));
                        CREATE INDEX {t['entries']}_folder ON {t['entries']}(commune, folder);
                        CREATE INDEX {t['entries']}_order ON {t['entries']}(commune, issued);
                        CREATE TABLE {t['files']}(
                            entry_id BIGINT NOT NULL, ord INTEGER NOT NULL, kind TEXT NOT NULL, fkey TEXT NOT NULL,
                            path TEXT NOT NULL, sha256 TEXT NOT NULL, version INTEGER NOT NULL, doc_date TEXT,
                            number INTEGER, code TEXT, state TEXT);
                        CREATE INDEX {t['files']}_entry ON {t['files']}(entry_id);
                        CREATE INDEX {t['files']}_sha ON {t['files']}(sha256);
                        CREATE INDEX {t['files']}_kind ON {t['files']}(kind, entry_id);
                        CREATE INDEX {t['files']}_state ON {t['files']}(state, entry_id);
                        CREATE TABLE {t['dates']}(day TEXT NOT NULL, entry_id BIGINT NOT NULL,
                            PRIMARY KEY(day, entry_id));
                        CREATE INDEX {t['dates']}_entry ON {t['dates']}(entry_id);
                        CREATE TABLE {t['texts']}(sha256 TEXT PRIMARY KEY, body TEXT NOT NULL, raw TEXT NOT NULL);
                        CREATE TABLE {t['fts']}(entry_id BIGINT PRIMARY KEY, subject TEXT NOT NULL,
                            source TEXT NOT NULL, generated TEXT NOT NULL,
                            tsv tsvector GENERATED ALWAYS AS (
                                setweight(to_tsvector('simple', subject), 'A')
                                || setweight(to_tsvector('simple', source), 'B')
                                || setweight(to_tsvector('simple', generated), 'D')) STORED);
                        CREATE INDEX {t['fts']}_tsv ON {t['fts']} USING GIN (tsv);
                        """
                    )
                    self._set_format(cur)
            self.conn.commit()
        except BaseException:
            self.conn.close()  # never leave the advisory lock held by a dead transaction
            raise

    def _fts_insert(self, cur: Any, entry_id: int, commune: str, parts: tuple[str, str, str]) -> None:
        self._x(cur, "INSERT INTO {fts}(entry_id, subject, source, generated) VALUES (?, ?, ?, ?)",
                (entry_id, *parts))

    def _fts_delete(self, cur: Any, entry_ids: Sequence[int]) -> None:
        marks = ",".join("?" * len(entry_ids))
        self._x(cur, f"DELETE FROM {{fts}} WHERE entry_id IN ({marks})", entry_ids)

    @staticmethod
    def _tsquery(tokens: list[str]) -> str:
        return " & ".join(tokens[:-1] + [f"{tokens[-1]}:*"])

    def _fts_clause(self, tokens: list[str]) -> tuple[str, list[Any]]:
        return "e.id IN (SELECT entry_id FROM {fts} WHERE tsv @@ to_tsquery('simple', ?))", [self._tsquery(tokens)]

    def _fts_ranked(self, tokens: list[str]) -> tuple[str, list[Any]]:
        return ("SELECT entry_id AS rid, -ts_rank(?::real[], tsv, q) AS score"
                " FROM {fts}, to_tsquery('simple', ?) q WHERE tsv @@ q"), [self.RANK_WEIGHTS, self._tsquery(tokens)]

    def _fts_body(self, entry_id: int) -> str:
        cur = self.conn.cursor()
        row = self._x(cur, "SELECT subject, source, generated FROM {fts} WHERE entry_id = ?", (entry_id,)).fetchone()
        return " | ".join(row) if row else ""


class CommuneIndex:
    """An index bound to one commune's tree: what the Archive, find and reindex use."""

    def __init__(self, backend: SqlIndex, root: Path, commune: str) -> None:
        self.backend = backend
        self.root = Path(root)
        self.commune = commune
        self.commune_dir = self.root / commune

    def update_folder(self, rel: str, manifest: dict[str, Any], folder_path: Path) -> None:
        self.backend.update_folder(rel, manifest, folder_path)

    def reindex(self) -> dict[str, Any]:
        stats = self.backend.rebuild(self.commune, self.commune_dir)
        (index_dir(self.root, self.commune) / STALE).unlink(missing_ok=True)
        return stats

    def ensure(self) -> None:
        """Rebuild first when the index is new, was deleted, or was marked stale."""
        if is_stale(self.root, self.commune) or not self.backend.is_built(self.commune):
            self.reindex()

    def folder_by_sha(self, sha256: str) -> str | None:
        self.ensure()
        return self.backend.folder_by_sha(self.commune, sha256)

    def query(self, **kw: Any) -> list[dict[str, Any]]:
        self.ensure()
        return self.backend.query(self.commune, **kw)

    def count(self, **kw: Any) -> int:
        self.ensure()
        return self.backend.count(self.commune, **kw)

    def day_counts(self, date_from: str, date_to: str, width: int = 10, **kw: Any) -> dict[str, int]:
        self.ensure()
        return self.backend.day_counts(self.commune, date_from, date_to, width, **kw)

    def items(self, year: int | None = None) -> list[str]:
        self.ensure()
        return self.backend.items(self.commune, year)

    def has_cases(self) -> bool:
        self.ensure()
        return self.backend.has_cases(self.commune)

    def raw_texts(self, shas: Iterable[str]) -> dict[str, str]:
        return self.backend.raw_texts(shas)

    def years(self) -> list[int]:
        self.ensure()
        return self.backend.years(self.commune)

    def dump(self) -> list[dict[str, Any]]:
        return self.backend.dump(self.commune)

    def close(self) -> None:
        self.backend.close()


def open_index(root: Path, commune: str, url: str | None = None) -> CommuneIndex:
    """The commune's index: PostgreSQL for a ``postgresql://`` URL, else SQLite in the tree."""
    if url and url.startswith(("postgresql://", "postgres://")):
        from congkhai.archive.index_pg import ResilientPostgresIndex  # reconnects after an outage

        backend: SqlIndex = ResilientPostgresIndex(url)
    elif url and url.startswith("sqlite:///"):
        backend = SqliteIndex(Path(url.removeprefix("sqlite:///")).expanduser() / commune / "index.sqlite")
    else:
        backend = SqliteIndex(index_dir(root, commune) / "index.sqlite")
    return CommuneIndex(backend, root, commune)


def reindex(root: Path, commune: str, url: str | None = None) -> dict[str, Any]:
    """Rebuild a commune's index from its manifests; returns counts and the time it took."""
    idx = open_index(root, commune, url)
    try:
        return idx.reindex()
    finally:
        idx.close()
