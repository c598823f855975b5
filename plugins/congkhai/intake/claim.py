"""Scan the inbox, claim stable files safely, file them into the archive, never lose one.

The life of a dropped file (``process_inbox``)::

    inbox/<commune>/[<item>/]name.pdf  (+ name.pdf.yaml or name.yaml, a sidecar)
      │  stable: size and mtime unchanged for ``stable_seconds``, not junk, not hidden
      ▼  claim: mkdir processing/<token>/, flock it, write claim.json, os.rename the file in
    processing/<commune>/<token>/name.pdf      ← only one worker's rename can succeed
      │  hash, preflight, extract, classify (overrides: sidecar, sub-folder)
      ├─► errors/<commune>/name.pdf + name.pdf.txt      (cannot be read / hostile / duplicate)
      ├─► review/<commune>/name.pdf + name.pdf.txt      (no date, no plan, low confidence)
      └─► archive: write-ahead "filing" intent in claim.json, Archive.add_original (fsync + rename),
          pending hand-off record, and only then the processing copy is removed.

Crash at any point: the file is still in the inbox, or in processing (retried by the next scan:
a claim's flock is released when its worker dies; the claim.json intent tells a recovered claim
whose filing already reached the archive from a genuine duplicate), or archived — never lost,
never filed twice. Filing runs under a per-commune lock so two workers cannot both file the same
bytes. Cases filed but not yet acknowledged by the pipeline stay in ``IntakeReport.cases`` until
``acknowledge`` (so a crash between filing and the hand-off cannot drop a case).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import stat
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from congkhai.archive import fsutil
from congkhai.case import Case
from congkhai.config import Settings
from congkhai.config import settings as load_settings
from congkhai.errors import CongkhaiError, PermanentError
from congkhai.intake import notes

log = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

JUNK_EXACT = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".localized"}
JUNK_SUFFIXES = (".part", ".crdownload", ".tmp", ".partial", ".download", ".swp", "~")
SIDECAR_SUFFIXES = (".yaml", ".yml")
SIDECAR_MAX = 64 * 1024
SIDECAR_FIELDS = {"item", "law_item", "dropped", "issued", "doc_number", "doc_code", "doc_type", "subject",
                  "signer", "issuer", "place"}
CLAIM_FILE = "claim.json"
LOCK_FILE = ".lock"
SIDECAR_IN_CLAIM = "sidecar.yaml"


@dataclass
class IntakeOptions:
    """Tunables (environment ``CONGKHAI_INTAKE_*``; tests pass their own)."""

    stable_seconds: float = 5.0  # size and mtime unchanged this long before a file is claimed
    settle_seconds: float = 0.5  # second look at candidates (catches writers that keep the mtime)
    review_threshold: float = 0.5
    max_bytes: int | None = None  # None: preflight.MAX_BYTES
    stale_claim_seconds: float = 60.0  # an empty claim folder older than this is removed

    @classmethod
    def from_env(cls) -> IntakeOptions:
        env = os.environ.get
        mb = env("CONGKHAI_INTAKE_MAX_MB")
        return cls(
            stable_seconds=float(env("CONGKHAI_INTAKE_STABLE_SECONDS", "5")),
            settle_seconds=float(env("CONGKHAI_INTAKE_SETTLE_SECONDS", "0.5")),
            review_threshold=float(env("CONGKHAI_INTAKE_REVIEW_THRESHOLD", "0.5")),
            max_bytes=int(float(mb) * 1048576) if mb else None,
        )


@dataclass
class IntakeReport:
    commune: str
    cases: list[Case] = field(default_factory=list)  # filed, waiting for the pipeline (see acknowledge)
    new: list[str] = field(default_factory=list)  # case_ids filed by this run
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # not yet stable: picked up by a later scan
    skipped: list[str] = field(default_factory=list)  # junk and hidden files, left alone
    retried: list[str] = field(default_factory=list)  # documents moved back from errors/review by a sidecar

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["cases"] = [c.to_dict() for c in self.cases]
        return d


# ------------------------------------------------------------------ names


def is_junk(name: str) -> bool:
    """System and office junk, partial downloads, hidden files: never picked up, never moved."""
    low = name.lower()
    return (
        name.startswith((".", "~$", "._"))
        or low in JUNK_EXACT
        or low.endswith(JUNK_SUFFIXES)
        or (low.startswith(".~lock.") and low.endswith("#"))
    )


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


def _display(name: str) -> str:
    """A file name as staff should see it in a note (control characters shown, NFC)."""
    return "".join(ch if unicodedata.category(ch)[0] != "C" else f"\\x{ord(ch):02x}"
                   for ch in unicodedata.normalize("NFC", name))


# ------------------------------------------------------------------ scanning


@dataclass
class Candidate:
    path: Path
    rel: str  # relative to the commune's inbox, as found (may be NFD)
    folder: str | None  # the item sub-folder, if any
    size: int
    mtime_ns: int
    ctime: float


def _sidecar_for(doc: Path) -> Path | None:
    """``name.pdf.yaml`` or ``name.yaml`` beside ``doc`` (names compared in NFC)."""
    want = {unicodedata.normalize("NFC", doc.name + s) for s in SIDECAR_SUFFIXES}
    want |= {unicodedata.normalize("NFC", doc.stem + s) for s in SIDECAR_SUFFIXES}
    try:
        for e in os.scandir(doc.parent):
            if unicodedata.normalize("NFC", e.name) in want and e.is_file(follow_symlinks=False):
                return Path(e.path)
    except OSError:
        return None
    return None


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
                    report.skipped.append(e.name if sub is None else f"{sub}/{e.name}")
                continue
            if e.is_dir(follow_symlinks=False):
                if sub is None:
                    visit(Path(e.path), e.name)
                continue
            if e.name.lower().endswith(SIDECAR_SUFFIXES):
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            rel = e.name if sub is None else f"{sub}/{e.name}"
            if now - st.st_mtime < options.stable_seconds:
                if report is not None:
                    report.waiting.append(rel)
                continue
            found.append(Candidate(Path(e.path), rel, sub, st.st_size, st.st_mtime_ns, st.st_ctime))

    visit(inbox, None)
    if found and options.settle_seconds > 0:
        time.sleep(options.settle_seconds)
        still = []
        for c in found:
            try:
                st = c.path.stat(follow_symlinks=False)
            except OSError:
                continue
            if (st.st_size, st.st_mtime_ns) == (c.size, c.mtime_ns):
                still.append(c)
            elif report is not None:
                report.waiting.append(c.rel)
        found = still
    found.sort(key=lambda c: (c.mtime_ns, c.rel))
    return found


# ------------------------------------------------------------------ claims


@dataclass
class Claim:
    dir: Path
    doc: Path
    meta: dict[str, Any]
    lock_fd: int

    def save(self) -> None:
        fsutil.atomic_replace_bytes(self.dir / CLAIM_FILE, json.dumps(self.meta, ensure_ascii=False).encode())

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
            os.rename(sidecar, d / SIDECAR_IN_CLAIM)
            meta["sidecar_name"] = sidecar.name
            c.save()
    try:
        os.rename(cand.path, c.doc)
    except FileNotFoundError:
        _return_sidecar(c, cand.path.parent)
        c.remove()
        return None
    except OSError as err:
        if err.errno == errno.EXDEV:
            _return_sidecar(c, cand.path.parent)
            c.remove()
            raise
        raise
    fsutil.fsync_dir(d)
    fsutil.fsync_dir(cand.path.parent)
    return c


def _return_sidecar(c: Claim, folder: Path) -> None:
    sc = c.dir / SIDECAR_IN_CLAIM
    if sc.exists():
        dest = notes.free_name(folder, c.meta.get("sidecar_name") or "sidecar.yaml")
        with contextlib.suppress(OSError):
            os.rename(sc, dest)


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
                _return_sidecar(tmp, folder if folder.is_dir() else inbox)
            shutil.rmtree(d, ignore_errors=True)
            os.close(fd)
            continue
        meta.setdefault("original_name", docs[0].name)
        meta.setdefault("original_rel", docs[0].name)
        meta["attempts"] = int(meta.get("attempts", 0)) + 1
        out.append(Claim(d, docs[0], meta, fd))
    return out


# ------------------------------------------------------------------ sidecars and retries


def read_sidecar(path: Path) -> dict[str, Any]:
    import yaml

    try:
        if path.stat().st_size > SIDECAR_MAX:
            raise ValueError("too large")
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise PermanentError(
            "Tệp .yaml đi kèm không đọc được (sai cú pháp). Mỗi dòng dạng 'tên: giá trị', ví dụ 'item: Q1-7'.",
            f"The .yaml sidecar is not valid YAML: {err}", kind="bad_sidecar", field="sidecar") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PermanentError("Tệp .yaml đi kèm phải gồm các dòng 'tên: giá trị', ví dụ 'item: Q1-7'.",
                             "The sidecar must be a mapping, e.g. 'item: Q1-7'", kind="bad_sidecar")
    unknown = sorted(str(k) for k in data if k not in SIDECAR_FIELDS)
    if unknown:
        raise PermanentError(
            f"Tệp .yaml có trường không biết: {', '.join(unknown)}. Dùng: {', '.join(sorted(SIDECAR_FIELDS))}.",
            f"Unknown sidecar fields: {', '.join(unknown)}", kind="bad_sidecar", field=unknown[0])
    out = dict(data)
    for k in ("dropped", "issued"):
        v = out.get(k)
        if v is not None and not isinstance(v, dt.date):
            try:
                out[k] = dt.date.fromisoformat(str(v))
            except ValueError as err:
                raise PermanentError(f"Ngày '{v}' trong tệp .yaml phải viết dạng YYYY-MM-DD (ví dụ 2024-02-05).",
                                     f"Date '{v}' in the sidecar must be YYYY-MM-DD", kind="bad_sidecar",
                                     field=k) from err
        if isinstance(out.get(k), dt.datetime):
            out[k] = out[k].date()
    for k in ("doc_number", "doc_code", "doc_type", "subject", "signer", "issuer", "place"):
        if out.get(k) is not None:
            out[k] = unicodedata.normalize("NFC", str(out[k])).strip()
    if out.get("doc_type"):
        out["doc_type"] = out["doc_type"].upper()
    return out


def retry_from_sidecars(commune: str, s: Settings, inbox: Path, report: IntakeReport) -> None:
    """A sidecar dropped alone in the inbox names a document set aside earlier: bring it back."""
    if not inbox.is_dir():
        return
    for folder in [inbox] + [Path(e.path) for e in os.scandir(inbox) if e.is_dir(follow_symlinks=False)
                             and not is_junk(e.name)]:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        names = {unicodedata.normalize("NFC", e.name) for e in entries}
        for e in entries:
            if not e.name.lower().endswith(SIDECAR_SUFFIXES) or is_junk(e.name):
                continue
            base = unicodedata.normalize("NFC", os.path.splitext(e.name)[0])
            if base in names or any(n.startswith(base + ".") and not n.endswith(SIDECAR_SUFFIXES) for n in names):
                continue  # its document is right here
            for area in (s.errors_dir(commune), s.review_dir(commune)):
                doc = _set_aside_doc(area, base)
                if doc is None:
                    continue
                dest = notes.free_name(folder, doc.name)
                os.rename(doc, dest)
                note = doc.with_name(doc.name + ".txt")
                with contextlib.suppress(OSError):
                    note.unlink()  # our own note; the document goes back to work
                # the sidecar must match the (possibly renamed) document
                if dest.name != doc.name:
                    os.rename(e.path, dest.with_name(dest.name + ".yaml"))
                report.retried.append(dest.name)
                break


def _set_aside_doc(area: Path, base: str) -> Path | None:
    if not area.is_dir():
        return None
    for e in os.scandir(area):
        n = unicodedata.normalize("NFC", e.name)
        if n.endswith(".txt") or n.endswith(SIDECAR_SUFFIXES):
            continue
        if n == base or os.path.splitext(n)[0] == base:
            return Path(e.path)
    return None


# ------------------------------------------------------------------ state: hand-off queue, commune lock


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


def _pending_path(s: Settings, commune: str, case_id: str) -> Path:
    return _state(s, commune) / "pending" / f"{case_id}.json"


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
            _pending_path(s, commune, cid).unlink()


# ------------------------------------------------------------------ archive


_ARCHIVES: dict[tuple[str, str, int], Any] = {}


def _archive(s: Settings, commune: str) -> Any:
    """One Archive (and index connection) per process, root and commune."""
    from congkhai.archive import Archive

    key = (str(s.archive_root), commune, os.getpid())
    if key not in _ARCHIVES:
        _ARCHIVES[key] = Archive(s.archive_root, commune)
    return _ARCHIVES[key]


def file_original(case: Case, path: Path, settings: Settings) -> dict[str, Any]:
    """File ``path`` byte-identical and durably into the case's archive folder (the one step that
    makes an original safe to remove from the processing area). Returns where it went."""
    arch = _archive(settings, case.commune)
    folder = arch.open_case(case)
    entry = folder.add_original(path)
    return {"folder": folder.rel_path, "path": f"{folder.rel_path}/{entry.path}", "version": entry.version,
            "sha256": entry.sha256}


def _find_by_sha(s: Settings, commune: str, sha: str) -> Any:
    return _archive(s, commune).find_case_by_sha(sha)


def _find_case(s: Settings, commune: str, case_id: str) -> Any:
    return _archive(s, commune).find_case(case_id)


# ------------------------------------------------------------------ one document


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _crash_point(name: str) -> None:
    """Fault injection for the crash-safety tests: ``CONGKHAI_INTAKE_CRASH_AT=<name>`` kills the
    process at that point, as a power cut would (no cleanup, no finally blocks)."""
    if os.environ.get("CONGKHAI_INTAKE_CRASH_AT") == name:
        os._exit(137)


def _dropped_date(meta: dict[str, Any], now: dt.datetime | None) -> dt.date:
    if now is not None:
        return now.date()
    ts = meta.get("ctime") or time.time()
    return dt.datetime.fromtimestamp(ts, TZ).date()


def process_claim(c: Claim, commune: str, s: Settings, options: IntakeOptions, report: IntakeReport,
                  now: dt.datetime | None = None) -> None:
    """Take one claimed document to its end: archived, set aside for review, or quarantined."""
    from congkhai.intake.classify import Classification, classify_info, override_item, plan_for
    from congkhai.intake.extract import inspect

    inbox = s.inbox_dir(commune)
    name = c.meta.get("original_name") or c.doc.name
    shown = _display(name)
    try:
        lst = os.lstat(c.doc)
        if not stat.S_ISREG(lst.st_mode):
            raise PermanentError(
                "Đây là lối tắt (shortcut/symlink) hoặc tệp đặc biệt, không phải văn bản. Hãy sao chép chính "
                "văn bản vào hộp thư.",
                "A symlink or special file, not a document: copy the document itself.", kind="wrong_type")
        st = c.doc.stat()
        sha = _sha256(c.doc)
        st2 = c.doc.stat()
        if (st.st_size, st.st_mtime_ns) != (st2.st_size, st2.st_mtime_ns) or (
            c.meta.get("size") is not None and st2.st_size != c.meta["size"]
        ):
            _back_to_inbox(c, inbox)  # a writer still had it open: wait for it to finish
            report.waiting.append(shown)
            return
        c.meta["sha256"] = sha

        # A recovered claim whose filing reached the archive before the crash: finish it.
        intent = c.meta.get("filing")
        if c.meta.get("stage") == "filing" and intent and intent.get("sha256") == sha:
            folder = _find_by_sha(s, commune, sha)
            if folder is not None and folder.case_id == intent["case_id"]:
                case = Case.from_dict(intent["case"])
                _finish_filed(c, case, s, commune, report, where=intent.get("where"), version=intent.get("version"))
                return

        sidecar: dict[str, Any] = {}
        if (c.dir / SIDECAR_IN_CLAIM).exists():
            sidecar = read_sidecar(c.dir / SIDECAR_IN_CLAIM)

        with commune_lock(s, commune):
            dup = _find_by_sha(s, commune, sha)
        if dup is not None:
            _duplicate(c, dup, s, commune, report, shown, inbox)
            return

        info = inspect(c.doc, commune=commune, classify=False, max_bytes=options.max_bytes)
        for k in ("doc_number", "doc_code", "doc_type", "issued", "subject", "signer", "issuer", "place"):
            if sidecar.get(k):
                setattr(info, k, sidecar[k])
        plan = plan_for(commune, info.issued, s)
        cls: Classification
        if plan is None:
            cls = Classification(None, None, 0.0)
        elif "item" in sidecar:
            val = sidecar["item"]
            if val is None or str(val).strip().lower() in ("", "none", "null", "khong", "không"):
                cls = Classification(None, sidecar.get("law_item") or 14, 1.0, source="sidecar")
            else:
                cls = override_item(str(val), plan, "sidecar")
        elif c.meta.get("folder"):
            cls = override_item(unicodedata.normalize("NFC", c.meta["folder"]), plan, "folder")
        else:
            cls = classify_info(info, plan)
        if sidecar.get("law_item"):
            cls.law_item = int(sidecar["law_item"])

        reason = None
        if info.issued is None:
            reason = ("Không đọc được ngày ban hành của văn bản.",
                      "the issue date could not be read", "issued: 2024-01-05")
        elif plan is None:
            reason = (f"Chưa có kế hoạch công khai năm {info.issued.year} để xếp văn bản vào mục nào.",
                      f"there is no {info.issued.year} disclosure plan", "item: Q1-7")
        elif cls.source == "auto" and cls.confidence < options.review_threshold:
            reason = ("Không chắc văn bản thuộc mục nào của kế hoạch công khai "
                      f"(gợi ý: {', '.join(code for code, _ in cls.candidates[:3]) or 'không có'}; "
                      f"độ tin cậy {cls.confidence:.2f}).",
                      f"the plan item is uncertain (confidence {cls.confidence:.2f})",
                      f"item: {cls.candidates[0][0] if cls.candidates else 'Q1-7'}")
        if reason:
            _to_review(c, s, commune, report, shown, info, reason, inbox)
            return

        case = Case(
            commune=commune, issued=info.issued, subject=info.subject or shown, doc_number=info.doc_number,
            doc_code=info.doc_code, doc_type=info.doc_type, place=info.place, issuer=info.issuer,
            signer=info.signer, item=cls.item, law_item=cls.law_item, confidence=cls.confidence,
            text_source=info.text_source, original_name=safe_name(name, 200), sha256=sha,
            dropped=sidecar.get("dropped") or _dropped_date(c.meta, now),
            extra={"classified_by": cls.source},
        )
        with commune_lock(s, commune):
            if _find_by_sha(s, commune, sha) is not None:  # another worker filed the same bytes meanwhile
                _duplicate(c, _find_by_sha(s, commune, sha), s, commune, report, shown, inbox)
                return
            existing = _find_case(s, commune, case.case_id)
            version = existing is not None
            if version:
                case.extra["needs_review"] = "new_version"
            c.meta.update(stage="filing", filing={"sha256": sha, "case_id": case.case_id, "case": case.to_dict(),
                                                  "version": version})
            c.save()
            _crash_point("before_archive")
            where = file_original(case, c.doc, s)
            _crash_point("after_archive")
            _finish_filed(c, case, s, commune, report, where=where, version=version)
    except PermanentError as err:
        _quarantine(c, s, commune, report, shown, err, inbox)
    except CongkhaiError:
        raise  # transient: leave the claim for the next scan


def _finish_filed(c: Claim, case: Case, s: Settings, commune: str, report: IntakeReport, *,
                  where: dict[str, Any] | None, version: bool | None) -> None:
    if version:
        # a re-scan of a document already filed: keep it as another version and ask a person to look
        report.versions.append({"name": c.meta.get("original_name"), "case_id": case.case_id, "where": where})
        rv = s.review_dir(commune)
        fsutil.make_dirs(rv)
        note = notes.free_name(rv, f"{case.case_id}-phien-ban-moi.txt")
        notes.write_note(
            note,
            ["Bản mới của văn bản đã có trong hồ sơ", "",
             f"Tệp: {_display(c.meta.get('original_name', ''))}",
             f"Văn bản: {case.number_notation} ngày {case.issued:%d/%m/%Y} — {case.subject}",
             f"Đã lưu thành một phiên bản khác trong hồ sơ: {(where or {}).get('path', '')}", "",
             "Cách xử lý: kiểm tra bản nào là bản chính thức. Không cần làm gì thêm nếu đây chỉ là bản quét lại. "
             "Xóa ghi chú này khi đã xem."],
            ["A new version of a document already filed", "",
             f"Filed as another version: {(where or {}).get('path', '')}",
             "Check which one is the official copy; delete this note when done."],
        )
    else:
        fsutil.atomic_replace_bytes(_pending_path(s, commune, case.case_id),
                                    json.dumps(case.to_dict(), ensure_ascii=False).encode())
        report.new.append(case.case_id)
    _crash_point("after_pending")
    # The archive holds the byte-identical copy durably: the processing copy may go now.
    with contextlib.suppress(FileNotFoundError):
        c.doc.unlink()
    _crash_point("after_unlink")
    c.remove()


def _duplicate(c: Claim, folder: Any, s: Settings, commune: str, report: IntakeReport, shown: str,
               inbox: Path) -> None:
    rel = getattr(folder, "rel_path", str(folder))
    report.duplicates.append({"name": shown, "case_id": getattr(folder, "case_id", None), "where": rel})
    err = PermanentError(
        f"Văn bản này đã có trong hồ sơ lưu trữ (trùng từng byte) tại: {rel}. Không công khai lần hai.",
        f"Duplicate: the same bytes are already archived at {rel}; not disclosed twice.", kind="duplicate")
    _quarantine(c, s, commune, report, shown, err, inbox, fix_vi="Không cần làm gì; có thể xóa tệp này.",
                fix_en="Nothing to do; this file may be deleted.", record=False)


def _quarantine(c: Claim, s: Settings, commune: str, report: IntakeReport, shown: str, err: PermanentError,
                inbox: Path, *, fix_vi: str | None = None, fix_en: str | None = None, record: bool = True) -> None:
    dest = notes.set_aside(
        c.doc, s.errors_dir(commune), original_name=shown,
        title_vi="Văn bản chưa được tiếp nhận", what_vi=err.message_vi,
        fix_vi=fix_vi or "Sửa theo hướng dẫn trên rồi thả lại tệp vào hộp thư (hoặc thả vào hộp thư một tệp "
        f"'{Path(shown).stem}.yaml' ghi các thông tin còn thiếu).",
        title_en="Document not taken in", what_en=err.message_en,
        fix_en=fix_en or "Fix it as described and drop it in the inbox again (or drop a .yaml sidecar).",
        inbox=inbox,
    )
    _keep_sidecar(c, dest)
    if record:
        report.errors.append({"name": shown, "kind": err.kind, "path": str(dest), "message": str(err)})
    c.remove()


def _to_review(c: Claim, s: Settings, commune: str, report: IntakeReport, shown: str, info: Any,
               reason: tuple[str, str, str], inbox: Path) -> None:
    read = [f"Đã đọc được: số {info.doc_number or '?'}/{info.doc_code or '?'}, "
            f"ngày {info.issued.strftime('%d/%m/%Y') if info.issued else '?'}, loại {info.doc_type or '?'}",
            f"Trích yếu: {info.subject or '?'}"]
    stem = Path(shown).stem
    dest = notes.set_aside(
        c.doc, s.review_dir(commune), original_name=shown,
        title_vi="Văn bản cần người xác nhận", what_vi=reason[0],
        fix_vi=f"Tạo tệp '{stem}.yaml' có dòng '{reason[2]}' (mã mục xem bằng: congkhai plan items) và thả "
        "tệp .yaml đó vào hộp thư: văn bản sẽ được tiếp nhận lại. Hoặc chuyển văn bản vào thư mục con của "
        "hộp thư mang tên mã mục (ví dụ Q1-7/).",
        title_en="Document needs a person to confirm", what_en=reason[1],
        fix_en=f"Drop '{stem}.yaml' with '{reason[2]}' in the inbox, or move the document into the inbox "
        "sub-folder named after the item.",
        inbox=inbox, details=read,
    )
    _keep_sidecar(c, dest)
    report.review.append({"name": shown, "reason": reason[1], "path": str(dest)})
    c.remove()


def _keep_sidecar(c: Claim, dest: Path) -> None:
    sc = c.dir / SIDECAR_IN_CLAIM
    if sc.exists():
        with contextlib.suppress(OSError):
            os.rename(sc, notes.free_name(dest.parent, dest.name + ".yaml"))


def _back_to_inbox(c: Claim, inbox: Path) -> None:
    rel = c.meta.get("original_rel") or c.doc.name
    target_dir = inbox / Path(rel).parent
    fsutil.make_dirs(target_dir)
    os.rename(c.doc, notes.free_name(target_dir, Path(rel).name))
    _return_sidecar(c, target_dir)
    c.remove()


# ------------------------------------------------------------------ the entry point


def process_inbox(commune: str, settings: Settings | None = None, now: dt.datetime | None = None,
                  options: IntakeOptions | None = None) -> IntakeReport:
    """One pass over a commune's inbox: recover dead claims, claim stable files, process each.

    ``now`` is the run's logical date-time (the ``dropped`` date of new cases; wall-clock time is
    used only for file stability). Returns an ``IntakeReport`` whose ``cases`` are every case filed
    and not yet acknowledged (``acknowledge``), this run's first.
    """
    s = settings or load_settings()
    options = options or IntakeOptions.from_env()
    report = IntakeReport(commune)
    inbox = s.inbox_dir(commune)
    fsutil.make_dirs(inbox)
    proc = processing_root(s, commune, inbox)
    retry_from_sidecars(commune, s, inbox, report)
    for cl in recover(proc, inbox, options):
        _run_one(cl, commune, s, options, report, now)
    for cand in scan(inbox, options, report):
        try:
            cl = claim(cand, proc, _sidecar_for(cand.path))
        except OSError as err:
            log.warning("cannot claim %s: %s", cand.rel, err)
            continue
        if cl is not None:
            _run_one(cl, commune, s, options, report, now)
    pending = pending_cases(commune, s)
    first = set(report.new)
    report.cases = [c for c in pending if c.case_id in first] + [c for c in pending if c.case_id not in first]
    return report


def _run_one(cl: Claim, commune: str, s: Settings, options: IntakeOptions, report: IntakeReport,
             now: dt.datetime | None) -> None:
    try:
        process_claim(cl, commune, s, options, report, now)
    except Exception as err:  # transient or a bug: the claim stays in processing, retried next scan
        log.exception("intake of %s failed; it stays in processing for the next scan", cl.doc.name)
        report.errors.append({"name": _display(cl.meta.get("original_name", cl.doc.name)), "kind": "retry",
                              "path": str(cl.doc), "message": str(err)})
    finally:
        cl.release()
