"""Process stage: take one claimed document to its end — archived, set aside for review, or quarantined.

Hash, preflight and read it (``extract``), apply the staff's overrides (sidecar, item sub-folder),
classify it (``classify``), then either file it (write-ahead intent in ``claim.json``, the archive's
fsync + rename, the pending hand-off record, and only then the processing copy is removed) or move
it with a Vietnamese note into ``errors/`` or ``review/``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import stat
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from congkhai.archive import fsutil
from congkhai.case import Case
from congkhai.config import Settings
from congkhai.errors import CongkhaiError, PermanentError
from congkhai.intake import notes, signed
from congkhai.intake.claiming import Claim, back_to_inbox
from congkhai.intake.cover import read_posting_request
from congkhai.intake.handoff import (
    commune_lock,
    file_original,
    file_sidecar,
    find_by_sha,
    find_case,
    write_pending,
)
from congkhai.intake.options import IntakeOptions, IntakeReport
from congkhai.intake.origin import check_origin
from congkhai.intake.quality import usable_subject
from congkhai.intake.scan import display_name, safe_name
from congkhai.intake.sidecar import Sidecar, read_sidecar
from congkhai.intake.signer import check_signer, note_lines

log = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def crash_point(name: str) -> None:
    """Fault injection for the crash-safety tests: ``CONGKHAI_INTAKE_CRASH_AT=<name>`` kills the
    process at that point, as a power cut would (no cleanup, no finally blocks)."""
    if os.environ.get("CONGKHAI_INTAKE_CRASH_AT") == name:
        os._exit(137)


def _dropped_date(meta: dict[str, Any], now: dt.datetime | None) -> dt.date:
    if now is not None:
        return now.date()
    ts = meta.get("ctime") or time.time()
    return dt.datetime.fromtimestamp(ts, TZ).date()


#: Parse failures that a file still being written also produces (a half-copied PDF is "corrupt").
STILL_ARRIVING_KINDS = frozenset({"empty", "corrupt", "unreadable", "wrong_type"})


ITEM_HINT_VI = ("Mã mục xem bằng lệnh: congkhai plan items. Cũng có thể chỉ định mục bằng cách chuyển văn bản "
                "vào thư mục con của hộp thư mang tên mã mục (ví dụ Q1-7/).")
ITEM_HINT_EN = "Item codes: congkhai plan items; or move the document into the inbox sub-folder named after the item."


@dataclass(frozen=True)
class Reason:
    """Why a document needs a person: what was found, and the sidecar line that settles it."""

    vi: str
    en: str
    line: str  # e.g. "issued: 2024-01-05"
    hint_vi: str = ""  # one more sentence for staff (Vietnamese)
    hint_en: str = ""


def _still_arriving(c: Claim, options: IntakeOptions) -> bool:
    """The claimed file changed since the claim (a writer still has it open), or it is so young that
    a paused copy is likelier than a broken file."""
    try:
        st = os.stat(c.doc, follow_symlinks=False)
    except OSError:
        return False
    if c.meta.get("size") is not None and (st.st_size, st.st_mtime_ns) != (c.meta["size"], c.meta.get("mtime_ns")):
        return True
    if c.meta.get("claimed_ctime_ns") and st.st_ctime_ns != c.meta["claimed_ctime_ns"]:
        return True  # written to since the claim, by a copier that keeps the mtime
    return time.time() - st.st_mtime < options.grace_seconds


def _commune_profile(commune: str, s: Settings) -> Any:
    from congkhai.commune import load_commune

    try:
        return load_commune(commune, s)
    except CongkhaiError as err:  # a configuration problem: never a reason to refuse a document
        log.warning("commune profile of %s unavailable, issuer not checked: %s", commune, err)
        return None


def process_claim(c: Claim, commune: str, s: Settings, options: IntakeOptions, report: IntakeReport,
                  now: dt.datetime | None = None) -> None:
    """Take one claimed document to its end: archived, set aside for review, or quarantined."""
    from congkhai.intake.classify import Classification, classify_info, override_item, plan_for, suggestion
    from congkhai.intake.extract import inspect

    inbox = s.inbox_dir(commune)
    name = c.meta.get("original_name") or c.doc.name
    shown = display_name(name)
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
        if (st.st_size, st.st_mtime_ns, st.st_ctime_ns) != (st2.st_size, st2.st_mtime_ns, st2.st_ctime_ns) or (
            c.meta.get("size") is not None and st2.st_size != c.meta["size"]
        ):
            back_to_inbox(c, inbox)  # a writer still had it open: wait for it to finish
            report.waiting.append(shown)
            return
        c.meta["sha256"] = sha

        # A recovered claim whose filing reached the archive before the crash: finish it.
        intent = c.meta.get("filing")
        if c.meta.get("stage") == "filing" and intent and intent.get("sha256") == sha:
            folder = find_by_sha(s, commune, sha)
            if folder is not None and folder.case_id == intent["case_id"]:
                case = Case.from_dict(intent["case"])
                _finish_filed(c, case, s, commune, report, where=intent.get("where"), version=intent.get("version"))
                return

        sidecar = read_sidecar(c.sidecar) if (c.sidecar.exists() or c.sidecar.is_symlink()) else Sidecar()

        with commune_lock(s, commune):
            dup = find_by_sha(s, commune, sha)
        if dup is not None:
            _duplicate(c, dup, s, commune, report, shown, inbox)
            return

        try:
            info = inspect(c.doc, commune=commune, classify=False, max_bytes=options.max_bytes)
        except PermanentError as err:
            if err.kind in STILL_ARRIVING_KINDS and _still_arriving(c, options):
                log.info("%s does not parse yet (%s) but may still be arriving: back to the inbox", shown, err.kind)
                back_to_inbox(c, inbox)
                report.waiting.append(shown)
                return
            raise
        for k in ("doc_number", "doc_code", "doc_type", "issued", "subject", "signer", "issuer", "place"):
            value = getattr(sidecar, k)
            if value:
                setattr(info, k, value)
        if not (sidecar.item_given or c.meta.get("folder")) and signed.take(
                c, info, commune, s, report, dropped=sidecar.dropped or _dropped_date(c.meta, now), now=now):
            return  # the signed scan of a generated document: filed with it; no case, no issuance
        plan = plan_for(commune, info.issued, s)
        cls: Classification
        if plan is None:
            cls = Classification(None, None, 0.0)
        elif sidecar.item_given:
            if sidecar.item is None:  # not in the plan: the law's category still recorded (table, else 14)
                cls = Classification(None, sidecar.law_item or classify_info(info, plan).law_item or 14, 1.0,
                                     source="sidecar", plan_year=plan.year)
            else:
                cls = override_item(sidecar.item, plan, "sidecar")
        elif c.meta.get("folder"):
            cls = override_item(unicodedata.normalize("NFC", c.meta["folder"]), plan, "folder")
        else:
            cls = classify_info(info, plan)
        if sidecar.law_item:
            cls.law_item = sidecar.law_item

        profile = _commune_profile(commune, s)
        origin = check_origin(info, profile, confirmed_issuer=sidecar.issuer) if profile is not None else None
        reasons: list[Reason] = []
        if origin is not None and not origin.ok:
            reasons.append(Reason(
                f"Văn bản này do {origin.issuer} ban hành, không phải của {profile.body_short}, và không thấy gửi "
                f"{profile.body_short} để niêm yết. Không lưu và không công khai như văn bản của "
                f"{profile.body_short}.",
                f"issued by {origin.issuer}, not by {profile.body_short}, and not addressed to it for posting",
                f"issuer: {origin.issuer}",
                "Nếu văn bản bị thả nhầm, không cần làm gì: văn bản không được công khai. Dòng 'issuer:' là xác "
                "nhận của cán bộ rằng văn bản này phải công khai tại đây (ví dụ cấp trên gửi xuống để niêm yết).",
                "If it was dropped by mistake, nothing to do; 'issuer:' confirms it must be disclosed here."))
        if info.issued is None:
            reasons.append(Reason("Không đọc được ngày ban hành của văn bản.",
                                  "the issue date could not be read", "issued: 2024-01-05"))
        if not usable_subject(info.subject):
            got = f" (đọc được: '{info.subject[:60]}')" if info.subject else ""
            reasons.append(Reason(
                f"Không đọc được trích yếu (nội dung 'về việc…') của văn bản{got}; trích yếu được in trong các "
                "biên bản nên phải là chữ đọc được.",
                "no readable subject", "subject: Về việc …",
                "Dòng 'subject:' ghi đúng trích yếu in trên văn bản.", "Write the subject printed on the document."))
        if info.issued is not None and plan is None:
            reasons.append(Reason(f"Chưa có kế hoạch công khai năm {info.issued.year} để xếp văn bản vào mục nào.",
                                  f"there is no {info.issued.year} disclosure plan", "item: Q1-7",
                                  ITEM_HINT_VI, ITEM_HINT_EN))
        elif plan is not None and cls.source == "auto" and cls.confidence < options.review_threshold:
            hint_vi, hint_en = suggestion(cls, info.issued)  # the nearest plan's items and the law's category
            reasons.append(Reason(
                f"Không chắc văn bản thuộc mục nào của kế hoạch công khai ({hint_vi}; "
                f"độ tin cậy {cls.confidence:.2f}).",
                f"the plan item is uncertain ({hint_en}; confidence {cls.confidence:.2f})",
                f"item: {cls.candidates[0][0] if cls.candidates else 'null'}", ITEM_HINT_VI, ITEM_HINT_EN))
        if reasons:
            _to_review(c, s, commune, report, shown, info, reasons, inbox)
            return
        assert info.issued is not None and info.subject is not None

        extra: dict[str, Any] = {"classified_by": cls.source}
        if plan is not None:  # the plan the item comes from (the nearest one for a year without a plan)
            extra["plan_year"] = plan.year
        if cls.source == "auto" and cls.law_item is not None:
            extra["law_confidence"] = cls.law_confidence
        if cls.note_quarter:  # issued outside the quarter the plan gives the item: a note, not a doubt
            extra["note_quarter"] = cls.note_quarter
        if origin is not None:
            extra["origin"] = origin.status
        if profile is not None:
            info.posting_request = _posting_request(info, profile)
            signer = check_signer(info, profile, origin.status if origin else None,
                                  issuer=sidecar.issuer, confirmed=bool(sidecar.signer))
            if signer is not None:
                extra["needs_review"] = "signer"
                extra["signer_check"] = signer.to_json()
        case = Case(
            commune=commune, issued=info.issued, subject=info.subject, doc_number=info.doc_number,
            doc_code=info.doc_code, doc_type=info.doc_type, place=info.place, issuer=info.issuer,
            signer=info.signer, item=cls.item, law_item=cls.law_item, confidence=cls.confidence,
            text_source=info.text_source, original_name=safe_name(name, 200), sha256=sha,
            dropped=sidecar.dropped or _dropped_date(c.meta, now), posting_request=info.posting_request,
            extra=extra,
        )
        with commune_lock(s, commune):
            if find_by_sha(s, commune, sha) is not None:  # another worker filed the same bytes meanwhile
                _duplicate(c, find_by_sha(s, commune, sha), s, commune, report, shown, inbox)
                return
            existing = find_case(s, commune, case.case_id)
            # A folder without an original is this document's own filing cut short (a crash inside
            # the archive's write): finishing it is not "a new version".
            version = existing is not None and any(f.sha256 != sha for f in existing.files(key="original"))
            if version:
                case.extra["needs_review"] = "new_version"
            c.meta.update(stage="filing", filing={"sha256": sha, "case_id": case.case_id, "case": case.to_dict(),
                                                  "version": version})
            c.save()
            crash_point("before_archive")
            where = file_original(case, c.doc, s)
            crash_point("after_archive")
            _finish_filed(c, case, s, commune, report, where=where, version=version)
    except PermanentError as err:
        _quarantine(c, s, commune, report, shown, err, inbox)
    except CongkhaiError:
        raise  # transient: leave the claim for the next scan


def _posting_request(info: Any, profile: Any) -> dict[str, Any] | None:
    """What the document asks to post, where, when and by whom (``cover``), as JSON for the case."""
    number = f"{info.doc_number}/{info.doc_code}" if info.doc_number and info.doc_code else None
    req = read_posting_request((info.text or "").splitlines(), profile, issued=info.issued, own_number=number)
    return req.to_json() if req is not None else None


def _signer_note(case: Case, s: Settings, commune: str, where: dict[str, Any] | None) -> None:
    """A note in ``review/`` for a signer who is not the profile's official (the case is filed anyway).
    One fixed name per case: a recovered claim rewrites the same note."""
    from congkhai.commune import commune_file

    profile = _commune_profile(commune, s)
    if profile is None:
        return
    rv = s.review_dir(commune)
    fsutil.make_dirs(rv)
    vi, en = note_lines(case.extra["signer_check"], case, profile, where=(where or {}).get("path", ""),
                        profile_path=commune_file(commune, s))
    notes.write_note(rv / f"{case.case_id}-nguoi-ky.txt", vi, en)


def _finish_filed(c: Claim, case: Case, s: Settings, commune: str, report: IntakeReport, *,
                  where: dict[str, Any] | None, version: bool | None) -> None:
    if c.sidecar.is_file() and not c.sidecar.is_symlink():
        # the staff's sidecar is part of the record: filed beside the original (same bytes: no-op)
        file_sidecar(case, c.sidecar, s)
    if case.extra.get("signer_check"):
        _signer_note(case, s, commune, where)
    if version:
        # a re-scan of a document already filed: keep it as another version and ask a person to look
        report.versions.append({"name": c.meta.get("original_name"), "case_id": case.case_id, "where": where})
        rv = s.review_dir(commune)
        fsutil.make_dirs(rv)
        note = notes.free_name(rv, f"{case.case_id}-phien-ban-moi.txt")
        notes.write_note(
            note,
            ["Bản mới của văn bản đã có trong hồ sơ", "",
             f"Tệp: {display_name(c.meta.get('original_name', ''))}",
             f"Văn bản: {case.number_notation} ngày {case.issued:%d/%m/%Y} — {case.subject}",
             f"Đã lưu thành một phiên bản khác trong hồ sơ: {(where or {}).get('path', '')}", "",
             "Cách xử lý: kiểm tra bản nào là bản chính thức. Không cần làm gì thêm nếu đây chỉ là bản quét lại. "
             "Xóa ghi chú này khi đã xem."],
            ["A new version of a document already filed", "",
             f"Filed as another version: {(where or {}).get('path', '')}",
             "Check which one is the official copy; delete this note when done."],
        )
    else:
        write_pending(s, commune, case)
        report.new.append(case.case_id)
    crash_point("after_pending")
    # The archive holds the byte-identical copy durably: the processing copy may go now.
    with contextlib.suppress(FileNotFoundError):
        c.doc.unlink()
    crash_point("after_unlink")
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
    if err.kind == "bad_sidecar" and fix_vi is None:
        fix_vi = ("Sửa tệp .yaml (được giữ cạnh văn bản trong thư mục này) rồi thả tệp .yaml đã sửa vào hộp thư: "
                  "văn bản sẽ được đưa trở lại và tiếp nhận lại.")
        fix_en = "Fix the .yaml kept beside the document and drop the fixed .yaml in the inbox: it is retried."
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
               reasons: list[Reason], inbox: Path) -> None:
    read = [f"Đã đọc được: số {info.doc_number or '?'}/{info.doc_code or '?'}, "
            f"ngày {info.issued.strftime('%d/%m/%Y') if info.issued else '?'}, loại {info.doc_type or '?'}",
            f"Cơ quan ban hành: {info.issuer or '?'}",
            f"Trích yếu: {info.subject or '?'}"]
    stem = Path(shown).stem
    lines = " và ".join(f"'{r.line}'" for r in reasons)
    dest = notes.set_aside(
        c.doc, s.review_dir(commune), original_name=shown,
        title_vi="Văn bản cần người xác nhận", what_vi=" ".join(r.vi for r in reasons),
        fix_vi=" ".join([f"Tạo tệp '{stem}.yaml' có dòng {lines} và thả tệp .yaml đó vào hộp thư: văn bản sẽ được "
                         "tiếp nhận lại.", *(r.hint_vi for r in reasons if r.hint_vi)]),
        title_en="Document needs a person to confirm", what_en="; ".join(r.en for r in reasons),
        fix_en=" ".join([f"Drop '{stem}.yaml' with {lines} in the inbox.", *(r.hint_en for r in reasons if r.hint_en)]),
        inbox=inbox, details=read,
    )
    _keep_sidecar(c, dest)
    report.review.append({"name": shown, "reason": "; ".join(r.en for r in reasons), "path": str(dest)})
    c.remove()


def _keep_sidecar(c: Claim, dest: Path) -> None:
    if c.sidecar.exists() or c.sidecar.is_symlink():
        with contextlib.suppress(OSError):
            os.rename(c.sidecar, notes.free_name(dest.parent, dest.name + ".yaml"))
