"""The archive: file cases and per-year documents into the dated tree, never overwriting anything.

Typical use by the pipeline::

    archive = Archive(settings().archive_root, "kep")
    folder = archive.open_case(case)                 # creates or loads 2024/02/02/15-QD-UBND_.../
    folder.add_original(inbox_file)                  # byte-identical copy, SHA-256, fsync
    folder.add_file("posting_start_ubnd", pdf, number=5, doc_date=d, versioned_key="posting_start_ubnd")
    folder.record_event("posted", date="2024-02-05")

Every change to a folder is a locked read-modify-write of its ``manifest.json`` (parallel tasks may
file into the same case), followed by an incremental update of the search index. Re-filing the
same bytes under the same key returns the existing entry: re-running a task adds nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from congkhai.archive import fsutil, layout
from congkhai.archive import manifest as mf
from congkhai.case import Case
from congkhai.errors import PermanentError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileEntry:
    """One filed file, as listed in the manifest (``path`` is relative to its folder)."""

    kind: str
    key: str
    path: str
    sha256: str
    size: int
    version: int
    number: int | None
    code: str | None
    doc_date: dt.date | None
    created: str
    title: str | None
    abs_path: Path
    state: mf.DocState | None = None  # draft / final / signed (generated documents)

    @property
    def ext(self) -> str:
        return Path(self.path).suffix.lower().lstrip(".")

    @classmethod
    def from_dict(cls, d: dict[str, Any], folder: Path) -> FileEntry:
        return cls(
            kind=d["kind"], key=d["key"], path=d["path"], sha256=d["sha256"], size=d["size"],
            version=d["version"], number=d.get("number"), code=d.get("code"),
            doc_date=dt.date.fromisoformat(d["doc_date"]) if d.get("doc_date") else None,
            created=d.get("created", ""), title=d.get("title"), abs_path=folder / d["path"],
            state=d.get("state"),
        )


def _ext(path: str) -> str:
    return Path(path).suffix.lower().lstrip(".")


#: Archived extension of an original, by the type its first bytes show (intake's ``preflight.sniff``).
SNIFFED_EXT = {"pdf": "pdf", "docx": "docx", "png": "png", "jpeg": "jpg", "tiff": "tiff"}


def sniffed_ext(path: Path) -> str:
    """The extension an original is archived under: from its content, never from its dropped name
    (a PDF dropped as ``… .html`` is a ``.pdf`` here). ``bin`` when the bytes are no known type."""
    from congkhai.intake.preflight import sniff

    with open(path, "rb") as fh:
        head = fh.read(2048)
    try:
        kind = sniff(path, head)
    except PermanentError:
        return "bin"
    return SNIFFED_EXT.get(kind.kind if kind.kind != "image" else kind.detail, "bin")


def _dropped_name(name: str) -> str:
    """The dropped name as data: NFC, without control/format characters or undecodable bytes, bounded."""
    name = unicodedata.normalize("NFC", name)
    return "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")[:255]


class CaseFolder:
    """A case folder (``record == "case"``) or a year's folder (``record == "year"``)."""

    def __init__(self, archive: Archive, path: Path, manifest: dict[str, Any]) -> None:
        self.archive = archive
        self.path = path
        self._manifest = manifest

    # -- reading ---------------------------------------------------------------------------------
    @property
    def manifest(self) -> dict[str, Any]:
        return self._manifest

    @property
    def manifest_path(self) -> Path:
        return self.path / layout.MANIFEST

    @property
    def is_year(self) -> bool:
        return self._manifest.get("record") == "year"

    @property
    def case_id(self) -> str | None:
        return self._manifest.get("case_id")

    @property
    def rel_path(self) -> str:
        """Folder path relative to the commune's tree, POSIX style (``2024/02/02/15-QD-UBND_…``)."""
        return self.path.relative_to(self.archive.commune_dir).as_posix()

    @property
    def case(self) -> Case | None:
        data = self._manifest.get("case")
        return Case.from_dict(data) if data else None

    def reload(self) -> dict[str, Any]:
        self._manifest = mf.load(self.manifest_path)
        return self._manifest

    def files(self, kind: str | None = None, key: str | None = None, ext: str | None = None) -> list[FileEntry]:
        out = []
        for d in self._manifest["files"]:
            if (kind is None or d["kind"] == kind) and (key is None or d["key"] == key) and (
                ext is None or _ext(d["path"]) == ext.lower().lstrip(".")
            ):
                out.append(FileEntry.from_dict(d, self.path))
        return out

    def latest(self, key: str, ext: str = "pdf") -> FileEntry | None:
        """The newest version filed under ``key`` with this extension, or None."""
        found = self.files(key=key, ext=ext)
        return max(found, key=lambda e: e.version) if found else None

    # -- writing ---------------------------------------------------------------------------------
    def _commit(self, m: dict[str, Any]) -> None:
        mf.refresh_dates(m)
        mf.save(self.manifest_path, m)
        self._manifest = m
        self.archive._index_folder(self)

    def save_manifest(self) -> None:
        """Write ``self.manifest`` (after the caller changed lower-case fields) and update the index."""
        with fsutil.locked_dir(self.path):
            self._commit(self._manifest)

    def update(self, change: Callable[[dict[str, Any]], None]) -> None:
        """A locked read-modify-write of the manifest: ``change`` edits the freshly read one in place."""
        with fsutil.locked_dir(self.path):
            m = self.reload()
            change(m)
            self._commit(m)

    def record_event(self, event: str, **data: Any) -> None:
        """Append to the folder's history (posting recorded, feedback, cancellation, …)."""
        with fsutil.locked_dir(self.path):
            m = self.reload()
            m["history"].append({"at": mf.now_iso(), "event": event, **data})
            self._commit(m)

    def set_schedule(self, schedule: dict[str, Any]) -> None:
        """Store the schedule the pipeline computed (dates as ISO strings or dates)."""
        with fsutil.locked_dir(self.path):
            m = self.reload()
            if m.get("schedule") == mf._nfc(schedule):
                return
            m["schedule"] = mf._nfc(schedule)
            m["history"].append({"at": mf.now_iso(), "event": "schedule", "schedule": m["schedule"]})
            self._commit(m)

    def update_case(self, case: Case) -> bool:
        """Refresh the stored Case and its Phụ lục VI fields; True if anything changed."""
        if self.is_year:
            raise PermanentError("Thư mục cả năm không có vụ việc", "a year folder has no case")
        with fsutil.locked_dir(self.path):
            m = self.reload()
            new = mf._nfc(case.to_dict())
            if m.get("case") == new:
                return False
            old = m.get("case") or {}
            changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            m["case"] = new
            pages = m.get("PageAmount")
            m.update(mf.case_metadata(case))
            if m.get("PageAmount") is None:
                m["PageAmount"] = pages
            m["history"].append({"at": mf.now_iso(), "event": "case_updated", "fields": changed})
            self._commit(m)
            return True

    def add_original(self, src: Path) -> FileEntry:
        """File the issued document untouched (byte-identical copy).

        Its extension comes from its content (:func:`sniffed_ext`); the name it was dropped under is
        kept in the manifest as data (``original_name``), never used for the file's name or type.
        """
        case = self.case
        if case is None:
            raise PermanentError("Thư mục cả năm không có văn bản gốc", "a year folder has no original")
        src = Path(src)
        if not src.is_file():
            raise PermanentError(f"Không tìm thấy tệp: {src}", f"no such file: {src}", path=str(src))
        number = int(case.doc_number) if case.doc_number and case.doc_number.isdigit() else None
        entry = self._add(
            "original", src, key="original", number=number, code=case.doc_code,
            doc_date=case.issued, title=case.subject, doc_label=case.number_notation or "khong-so",
            inputs_digest=None, ext=sniffed_ext(src), original_name=case.original_name or src.name,
        )
        if self._manifest.get("PageAmount") is None and entry.ext == "pdf":
            pages = _pdf_pages(entry.abs_path)
            if pages:
                with fsutil.locked_dir(self.path):
                    m = self.reload()
                    m["PageAmount"] = pages
                    self._commit(m)
        return entry

    def add_file(
        self,
        kind: str,
        src: Path,
        *,
        number: int | None,
        doc_date: dt.date | None,
        versioned_key: str,
        code: str | None = None,
        title: str | None = None,
        inputs_digest: str | None = None,
        state: mf.DocState | None = None,
        undated: bool = False,
    ) -> FileEntry:
        """File a generated document (.docx or .pdf) or a signed scan.

        ``versioned_key`` names the document (``posting_start_group:tdp-so-3``); filing different
        bytes under the same key and extension adds version 2, 3, … and keeps the older ones.
        The same bytes as the newest version (or the same ``inputs_digest``, a fingerprint of what
        the document was rendered from, for converters whose output embeds a timestamp) return the
        existing entry: re-running a task adds nothing. ``state`` (``draft`` / ``final`` / ``signed``) is
        recorded in the file's manifest entry, for the archive page and the dossier to read;
        ``undated``: the document's date line is a blank to fill in (``doc_date`` only files it).
        """
        layout.kind_info(kind)
        if state is not None and state not in mf.DOC_STATES:
            raise PermanentError(f"Trạng thái văn bản không hợp lệ: {state}", f"invalid document state {state!r}",
                                 kind="bad_state", field="state")
        return self._add(kind, Path(src), key=versioned_key, number=number, code=code, doc_date=doc_date,
                         title=title, doc_label=None, inputs_digest=inputs_digest, state=state,
                         undated=undated)

    def _add(
        self, kind: str, src: Path, *, key: str, number: int | None, code: str | None,
        doc_date: dt.date | None, title: str | None, doc_label: str | None, inputs_digest: str | None,
        ext: str | None = None, original_name: str | None = None, state: mf.DocState | None = None,
        undated: bool = False,
    ) -> FileEntry:
        if not src.is_file():
            raise PermanentError(f"Không tìm thấy tệp: {src}", f"no such file: {src}", path=str(src))
        if ext is None:  # a generated document: the pipeline names it .docx/.pdf itself
            ext = src.suffix.lower().lstrip(".")
        sha = fsutil.sha256_file(src)
        info = layout.kind_info(kind)
        if title is None:
            title = info.label_vi
            if self.is_year:
                title = f"{info.label_vi} năm {self._manifest['year']}"
        with fsutil.locked_dir(self.path):
            fsutil.remove_stale_temps(self.path)
            m = self.reload()
            same = [f for f in m["files"] if f["key"] == key and _ext(f["path"]) == ext]
            if original_name is not None:
                # An original filed before its extension came from its content (``.html``…): the
                # same bytes are still the same original, not a second one.
                old = [f for f in m["files"] if f["key"] == key and f["sha256"] == sha]
                if old:
                    return FileEntry.from_dict(max(old, key=lambda f: f["version"]), self.path)
            if same:
                last = max(same, key=lambda f: f["version"])
                if last["sha256"] == sha or (inputs_digest and last.get("inputs_digest") == inputs_digest):
                    return FileEntry.from_dict(last, self.path)
            listed = {f["path"] for f in m["files"]}
            version = max((f["version"] for f in same), default=0) + 1
            qual = layout.qualifier(kind, key)
            while True:
                name = layout.file_name(kind, ext=ext, version=version, number=number, code=code,
                                        qual=qual, doc_label=doc_label)
                dest = self.path / name
                if name in listed:
                    version += 1
                    continue
                if dest.exists():
                    # Left by a crash between the copy and the manifest: adopt it if it is ours.
                    if fsutil.sha256_file(dest) == sha:
                        size = dest.stat().st_size
                        break
                    if inputs_digest:
                        # A generated document of this key and version, published by a crashed
                        # attempt: the re-run made it again from the same inputs, but the converter
                        # stamps other bytes. Keep the one on disk rather than file a v2 beside it.
                        sha, size = fsutil.sha256_file(dest), dest.stat().st_size
                        break
                    version += 1
                    continue
                try:
                    sha, size = fsutil.atomic_copy(src, dest)
                except FileExistsError:
                    continue
                break
            d: dict[str, Any] = {
                "kind": kind, "key": key, "path": name, "sha256": sha, "size": size, "version": version,
                "number": number, "code": code if code is not None else info.default_code,
                "doc_date": doc_date.isoformat() if doc_date else None, "created": mf.now_iso(),
                "title": title,
            }
            if inputs_digest:
                d["inputs_digest"] = inputs_digest
            if state is not None:
                d["state"] = state
            if undated:
                d["undated"] = True  # its date line is a blank: doc_date is when it was filed
            if original_name is not None:
                d["original_name"] = _dropped_name(original_name)
            m["files"].append(d)
            m["history"].append({"at": d["created"], "event": "filed" if version == 1 else "new_version",
                                 "kind": kind, "key": key, "path": name, "version": version})
            self._commit(m)
            return FileEntry.from_dict(d, self.path)


def _pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader

        return len(PdfReader(path).pages)
    except Exception:  # a damaged original is still filed; its page count is just unknown
        return None


class Archive:
    """One commune's tree under ``root`` (``root/<commune>/…``)."""

    def __init__(self, root: Path, commune: str, *, index_url: str | None = None, index: bool = True) -> None:
        self.root = Path(root)
        self.commune = commune
        self.commune_dir = self.root / commune
        self.index_url = index_url if index_url is not None else _env_index_url()
        #: Keep the search index up to date on every change (bench turns it off and reindexes once).
        self.index_enabled = index
        self._index: Any = None

    # -- index -----------------------------------------------------------------------------------
    @property
    def index(self) -> Any:
        if self._index is None:
            from congkhai.archive.index import open_index

            self._index = open_index(self.root, self.commune, self.index_url)
        return self._index

    def _index_folder(self, folder: CaseFolder) -> None:
        if not self.index_enabled:
            return
        try:
            self.index.update_folder(folder.rel_path, folder.manifest, folder.path)
        except Exception as err:  # the tree is the record: never fail a filing for the derived index
            log.warning("index update failed for %s, index marked stale: %s", folder.path, err)
            from congkhai.archive.index import mark_stale

            mark_stale(self.root, self.commune)

    # -- folders ---------------------------------------------------------------------------------
    def _load(self, path: Path) -> CaseFolder:
        return CaseFolder(self, path, mf.load(path / layout.MANIFEST))

    def _scan_day(self, day_dir: Path, case_id: str) -> Path | None:
        if not day_dir.is_dir():
            return None
        for sub in sorted(day_dir.iterdir()):
            m = sub / layout.MANIFEST
            if m.is_file():
                try:
                    if mf.load(m).get("case_id") == case_id:
                        return sub
                except (OSError, ValueError):
                    continue
        return None

    def open_case(self, case: Case) -> CaseFolder:
        """The case's folder, created on first use; a later call with changed data updates it."""
        if case.commune != self.commune:
            raise PermanentError(
                f"Vụ việc thuộc xã {case.commune}, không phải {self.commune}",
                f"case belongs to commune {case.commune}, not {self.commune}",
            )
        day_dir = self.commune_dir / layout.day_rel_dir(case.issued)
        fsutil.make_dirs(day_dir)
        with fsutil.locked_dir(day_dir):
            found = self._scan_day(day_dir, case.case_id)
            if found is None:
                base = layout.case_folder_name(case.number_notation, case.subject)
                name, n = base, 1
                while (day_dir / name).exists():
                    n += 1
                    name = f"{base}_{n}"
                path = day_dir / name
                path.mkdir()
                fsutil.fsync_dir(day_dir)
                rel = path.relative_to(self.commune_dir).as_posix()
                m = mf.new_case_manifest(case, rel)
                m["history"].append({"at": mf.now_iso(), "event": "opened", "case_id": case.case_id})
                fsutil.atomic_write_bytes(path / layout.MANIFEST, mf.dumps(m))
                folder = CaseFolder(self, path, m)
                self._index_folder(folder)
                return folder
        folder = self._load(found)
        folder.update_case(case)
        return folder

    def year_folder(self, year: int) -> CaseFolder:
        """``<YYYY>/00_ca-nam/``: the yearly plan, quarterly lists, council reports, the dossier."""
        path = self.commune_dir / layout.year_rel_dir(year)
        fsutil.make_dirs(path.parent)
        with fsutil.locked_dir(path.parent):
            if not (path / layout.MANIFEST).is_file():
                path.mkdir(exist_ok=True)
                fsutil.fsync_dir(path.parent)
                rel = path.relative_to(self.commune_dir).as_posix()
                m = mf.new_year_manifest(self.commune, year, rel)
                m["history"].append({"at": mf.now_iso(), "event": "opened", "year": year})
                fsutil.atomic_write_bytes(path / layout.MANIFEST, mf.dumps(m))
                folder = CaseFolder(self, path, m)
                self._index_folder(folder)
                return folder
        return self._load(path)

    def find_case(self, case_id: str) -> CaseFolder | None:
        """The folder of ``case_id`` (its date prefix says which day folder to look in)."""
        try:
            day = dt.datetime.strptime(case_id[:8], "%Y%m%d").date()
        except ValueError:
            return None
        found = self._scan_day(self.commune_dir / layout.day_rel_dir(day), case_id)
        return self._load(found) if found else None

    def find_case_by_sha(self, sha256: str) -> CaseFolder | None:
        """The folder already holding a file with these bytes (an original first), or None."""
        rel = self.index.folder_by_sha(sha256.lower())
        if rel is None:
            return None
        path = self.commune_dir / rel
        if not (path / layout.MANIFEST).is_file():
            return None
        folder = self._load(path)
        return folder if any(f["sha256"] == sha256.lower() for f in folder.manifest["files"]) else None

    def iter_folders(self) -> Iterator[CaseFolder]:
        """Every folder with a manifest, in date order (year folder first within its year)."""
        for rel in iter_folder_paths(self.commune_dir):
            try:
                yield self._load(self.commune_dir / rel)
            except (OSError, ValueError) as err:
                log.warning("unreadable manifest in %s: %s", rel, err)


def iter_folder_paths(commune_dir: Path) -> Iterator[str]:
    """Relative paths of folders holding a manifest.json, walking only the layout's levels."""
    if not commune_dir.is_dir():
        return
    for y in sorted(os.listdir(commune_dir)):
        ydir = commune_dir / y
        if not layout.is_year_part(y) or not ydir.is_dir():
            continue
        if (ydir / layout.YEAR_DIR / layout.MANIFEST).is_file():
            yield f"{y}/{layout.YEAR_DIR}"
        for mo in sorted(os.listdir(ydir)):
            if not layout.is_day_part(mo) or not (ydir / mo).is_dir():
                continue
            for d in sorted(os.listdir(ydir / mo)):
                ddir = ydir / mo / d
                if not layout.is_day_part(d) or not ddir.is_dir():
                    continue
                for c in sorted(os.listdir(ddir)):
                    if (ddir / c / layout.MANIFEST).is_file():
                        yield f"{y}/{mo}/{d}/{c}"


def _env_index_url() -> str | None:
    return os.environ.get("CONGKHAI_INDEX_URL") or None


def list_archive_communes(root: Path) -> list[str]:
    """Communes that have a tree under ``root``."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
