"""Hand-off stage: the archive filing, the per-commune filing lock and the pending records.

A case filed by intake gets a pending record (``state/<commune>/intake/pending/<case_id>.json``)
that stays until the pipeline ``acknowledge``s it: ``pending_cases`` is what every intake run
reports and what the issuance DAG reads, so a crash between filing and hand-off drops nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from congkhai.archive import fsutil
from congkhai.case import Case
from congkhai.config import Settings
from congkhai.config import settings as load_settings
from congkhai.intake import notes

log = logging.getLogger(__name__)
#: The archive key of a sidecar kept beside the original.
SIDECAR_KEY = "original:tep-kem"


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


def pending_path(s: Settings, commune: str, case_id: str) -> Path:
    return _state(s, commune) / "pending" / f"{case_id}.json"


def write_pending(s: Settings, commune: str, case: Case) -> None:
    fsutil.atomic_replace_bytes(pending_path(s, commune, case.case_id),
                                json.dumps(case.to_dict(), ensure_ascii=False).encode())


def pending_cases(commune: str, settings: Settings | None = None,
                  problems: list[dict[str, Any]] | None = None) -> list[Case]:
    """Cases filed by intake and not yet acknowledged by the pipeline, oldest first.

    A record that cannot be read never makes its case vanish: it is rebuilt from the case's archive
    manifest when that exists, and set aside in ``pending-bad/`` with a note (and a note in the
    commune's ``errors/``, and an entry in ``problems``) when it does not.
    """
    s = settings or load_settings()
    d = _state(s, commune) / "pending"
    listed = []
    for p in d.glob("*.json"):
        with contextlib.suppress(FileNotFoundError):  # acknowledged meanwhile
            listed.append((p.stat().st_mtime_ns, p.name, p))
    out = []
    for _, _, p in sorted(listed):
        try:
            out.append(Case.from_dict(json.loads(p.read_text(encoding="utf-8"))))
        except FileNotFoundError:
            continue
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
            case = _salvage_pending(s, commune, p, err, problems)
            if case is not None:
                out.append(case)
    return out


def _salvage_pending(s: Settings, commune: str, p: Path, err: Exception,
                     problems: list[dict[str, Any]] | None) -> Case | None:
    """An unreadable pending record: keep it aside, rebuild it from the archive if the case is there."""
    bad_dir = _state(s, commune) / "pending-bad"
    fsutil.make_dirs(bad_dir)
    kept = notes.free_name(bad_dir, p.name)
    try:
        os.rename(p, kept)
    except FileNotFoundError:
        return None  # another reader took care of it
    case: Case | None = None
    with contextlib.suppress(Exception):  # the archive is the record; anything wrong there: not rebuilt
        folder = find_case(s, commune, p.stem)
        case = folder.case if folder is not None else None
    if case is not None and case.case_id == p.stem:
        write_pending(s, commune, case)
        log.warning("pending record %s was unreadable (%s): rebuilt from the archive, the bad copy is %s",
                    p.name, err, kept)
        return case
    log.error("pending record %s is unreadable (%s) and its case is not in the archive: set aside as %s",
              p.name, err, kept)
    vi = [f"Bản ghi chuyển giao hồ sơ {p.stem} bị hỏng, không đọc được, và không tìm thấy hồ sơ này trong lưu "
          "trữ. Các biên bản, báo cáo công khai của văn bản này chưa được tạo.",
          f"Bản ghi được giữ nguyên tại: {kept}",
          "Cách xử lý: báo người quản trị hệ thống; hoặc thả lại văn bản gốc vào hộp thư."]
    en = [f"The pending hand-off record {p.name} is unreadable ({err}) and the case is not in the archive.",
          f"Kept at: {kept}", "Tell the operator, or drop the original document in the inbox again."]
    notes.write_note(kept.with_name(kept.name + ".txt"), vi, en)
    errors = s.errors_dir(commune)
    fsutil.make_dirs(errors)
    note = notes.free_name(errors, f"ho-so-{p.stem}-ban-ghi-hong.txt")
    notes.write_note(note, ["Hồ sơ chưa được chuyển để tạo văn bản công khai", "", *vi], en)
    if problems is not None:
        problems.append({"name": p.name, "kind": "bad_pending", "path": str(kept), "message": str(err)})
    return None


def acknowledge(commune: str, case_ids: list[str], settings: Settings | None = None) -> None:
    """The pipeline has taken these cases: stop reporting them."""
    s = settings or load_settings()
    for cid in case_ids:
        with contextlib.suppress(FileNotFoundError):
            pending_path(s, commune, cid).unlink()


# ------------------------------------------------------------------ archive


_ARCHIVES: dict[tuple[str, str, int], Any] = {}


def archive_of(s: Settings, commune: str) -> Any:
    """One Archive (and index connection) per process, root and commune."""
    from congkhai.archive import Archive

    key = (str(s.archive_root), commune, os.getpid())
    if key not in _ARCHIVES:
        _ARCHIVES[key] = Archive(s.archive_root, commune)
    return _ARCHIVES[key]


def file_original(case: Case, path: Path, settings: Settings) -> dict[str, Any]:
    """File ``path`` byte-identical and durably into the case's archive folder (the one step that
    makes an original safe to remove from the processing area). Returns where it went."""
    arch = archive_of(settings, case.commune)
    folder = arch.open_case(case)
    entry = folder.add_original(path)
    return {"folder": folder.rel_path, "path": f"{folder.rel_path}/{entry.path}", "version": entry.version,
            "sha256": entry.sha256}


def file_sidecar(case: Case, path: Path, settings: Settings) -> dict[str, Any]:
    """Keep the staff's sidecar with the original in the case folder (part of the record): filed as
    ``00_van-ban-goc_tep-kem_vN.yaml`` under the key ``original:tep-kem``; the same bytes again add nothing."""
    arch = archive_of(settings, case.commune)
    folder = arch.find_case(case.case_id) or arch.open_case(case)
    entry = folder.add_file("original", path, number=None, doc_date=case.issued, versioned_key=SIDECAR_KEY,
                            title="Tệp .yaml kèm văn bản gốc (thông tin do cán bộ ghi)")
    return {"folder": folder.rel_path, "path": f"{folder.rel_path}/{entry.path}", "version": entry.version}


def find_by_sha(s: Settings, commune: str, sha: str) -> Any:
    return archive_of(s, commune).find_case_by_sha(sha)


def find_case(s: Settings, commune: str, case_id: str) -> Any:
    return archive_of(s, commune).find_case(case_id)
