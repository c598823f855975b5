"""Signed scans close the loop: a printed document comes back signed and stamped, and is filed with it.

Every generated draft and final carries a QR code (``congkhai.documents.qr``) naming its commune,
case (or year), document key and version. When staff drop the signed, stamped paper back into the
inbox — a scanner PDF or a phone photo — intake recognises it here, before classification:

1. **QR code** on page 1 (zxing-cpp on the image; a PDF's page 1 rendered at 200 dpi);
2. else **number + date + kind**: a generated document's printed number, date and type, read by
   the extractor, matched against the generated files in the archive's manifests.

A recognised scan is filed, byte-identical, as the **signed version** of that document in its
folder (kind ``signed_scan``, ``10_ban-quet-co-chu-ky_<document>_…``), and the folder's manifest
records it: ``signed[<document key>] = {state: "signed", version, scan, by, on, matched_by}`` and a
``signed`` event. When the document printed no number (the clerk writes it by hand) and the case's
evidence holds none for it, the number read on the ``Số:`` line of the scan is recorded as the
clerk's number (``case.evidence.numbers``, by ``scan``). A signed scan never opens a case and never
starts issuance. A code of another commune, or naming a case or document the archive does not
hold, sends the scan to ``review/`` with a note; no code and no match: ordinary intake.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from congkhai.documents import qr
from congkhai.documents.kinds import KINDS
from congkhai.errors import PermanentError
from congkhai.textutil import fold

log = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: Page 1 of a PDF is rendered at this resolution to look for the code (Nghị định 30's scan minimum).
QR_DPI = 200
#: Phone photos are read at most this large (a 16 mm code keeps > 4 pixels a module).
MAX_SIDE = 3000
#: Who recorded what a scan proves (``evidence``'s ``by``).
BY_SCAN = "scan"
#: The type codes of the kinds this software makes (BB-UBND, BC-ĐTT…): the only numbers worth matching.
_OUR_CODES = {fold(k.code) for k in KINDS.values() if k.code}


# ------------------------------------------------------------------ reading the code


def page_image(path: Path) -> Any:
    """Page 1 of a PDF (rendered) or the image itself, grey, at most MAX_SIDE pixels; None for a .docx."""
    from PIL import Image

    from congkhai.intake import ocr
    from congkhai.intake.preflight import sniff

    with open(path, "rb") as fh:
        kind = sniff(path, fh.read(2048)).kind
    if kind == "pdf":
        # grey PGM, not PNG: pdftoppm spends most of its time compressing a PNG (0.9 s against 0.1 s)
        with tempfile.TemporaryDirectory(prefix="congkhai-qr-") as td:
            prefix = Path(td) / "p1"
            try:
                subprocess.run([ocr._need("pdftoppm"), "-r", str(QR_DPI), "-gray", "-f", "1", "-l", "1",
                                "-singlefile", str(path), str(prefix)],
                               capture_output=True, timeout=ocr.OCR_TIMEOUT, check=True)
                with Image.open(prefix.with_suffix(".pgm")) as img:
                    img.load()
                    return img.convert("L")
            except (subprocess.SubprocessError, OSError) as err:
                raise PermanentError("Không dựng được ảnh trang 1 của PDF", f"pdftoppm failed: {err}",
                                     kind="unreadable") from err
    if kind != "image":
        return None
    return ocr.open_grey(path, MAX_SIDE)


def codes_on(image: Any) -> list[str]:
    """The texts of the QR codes zxing-cpp finds on ``image``."""
    import zxingcpp

    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode) if b.valid]


def read_generated(path: Path) -> qr.DocRef | None:
    """The generated document whose QR code is on page 1 of ``path``, or None (no code of ours)."""
    try:
        image = page_image(Path(path))
    except PermanentError as err:
        log.info("no page image of %s to look for a QR code: %s", Path(path).name, err)
        return None
    if image is None:
        return None
    started = time.perf_counter()
    texts = codes_on(image)
    log.debug("QR look-up on %s: %.0f ms, %d code(s)", Path(path).name, (time.perf_counter() - started) * 1000,
              len(texts))
    return next((ref for ref in map(qr.decode, texts) if ref is not None), None)


# ------------------------------------------------------------------ finding the document


@dataclass(frozen=True)
class Target:
    """The generated document a scan is the signed copy of."""

    folder: Any  # archive CaseFolder
    entry: dict[str, Any]  # the generated PDF's manifest entry
    matched_by: str  # "qr" | "number"

    @property
    def key(self) -> str:
        return str(self.entry["key"])

    @property
    def version(self) -> int:
        return int(self.entry["version"])


@dataclass(frozen=True)
class Unmatched:
    """A code of ours that names nothing this commune's archive holds: why, for the review note."""

    vi: str
    en: str


def _generated_pdfs(folder: Any) -> list[dict[str, Any]]:
    return [f for f in folder.manifest["files"] if f["kind"] in KINDS and f["path"].lower().endswith(".pdf")]


def resolve(ref: qr.DocRef, commune: str, archive: Any) -> Target | Unmatched:
    """The archived document a code names (its version, else its newest), or why there is none."""
    from congkhai.archive import layout

    shown = qr.encode(ref)
    if ref.commune != commune:
        return Unmatched(
            f"Mã QR trên văn bản ({shown}) cho biết đây là văn bản của xã/phường có mã '{ref.commune}', không "
            f"phải của xã này ('{commune}').",
            f"the QR code ({shown}) belongs to commune '{ref.commune}', not '{commune}'")
    if ref.is_year:
        path = archive.commune_dir / layout.year_rel_dir(int(ref.folder))
        folder = archive.year_folder(int(ref.folder)) if (path / layout.MANIFEST).is_file() else None
        where = f"hồ sơ cả năm {ref.folder}"
    else:
        folder = archive.find_case(ref.folder)
        where = f"hồ sơ {ref.folder}"
    if folder is None:
        return Unmatched(f"Mã QR trên văn bản ({shown}) chỉ tới {where}, nhưng lưu trữ không có hồ sơ này.",
                         f"the QR code ({shown}) names {ref.folder}, which the archive does not hold")
    same = [f for f in _generated_pdfs(folder) if f["key"].casefold() == ref.key.casefold()]
    if not same:
        return Unmatched(f"Mã QR trên văn bản ({shown}) chỉ tới văn bản '{ref.key}' của {where}, nhưng hồ sơ "
                         "không có văn bản này.",
                         f"the QR code ({shown}) names document {ref.key}, not in {ref.folder}")
    exact = [f for f in same if f["version"] == ref.version]
    return Target(folder, (exact or sorted(same, key=lambda f: f["version"]))[-1], "qr")


def match_fields(info: Any, archive: Any) -> list[Target]:
    """Generated documents whose printed number, code, date and type are what ``info`` read."""
    if not (info.doc_number and info.doc_number.isdigit() and info.doc_code and info.issued):
        return []
    code = fold(info.doc_code).replace(" ", "")
    if code not in _OUR_CODES:
        return []
    number, day = int(info.doc_number), info.issued.isoformat()
    years = (str(info.issued.year), str(info.issued.year - 1))
    found: dict[tuple[str, str], Target] = {}
    for folder in archive.iter_folders():
        if not folder.rel_path.startswith(years):
            continue
        for f in _generated_pdfs(folder):
            kind = KINDS[f["kind"]]
            if f.get("number") != number or f.get("doc_date") != day or fold(f.get("code") or "") != code:
                continue
            if info.doc_type and fold(info.doc_type) != fold(kind.doc_type):
                continue
            k = (folder.rel_path, f["key"])
            if k not in found or f["version"] > found[k].version:
                found[k] = Target(folder, f, "number")
    return list(found.values())


# ------------------------------------------------------------------ filing


def signed_key(entry: dict[str, Any]) -> str:
    """The archive key of a document's signed scans: ``signed_scan:bien-ban-niem-yet-tdp:tdp01``
    (named by the document's file word, so the file reads ``10_ban-quet-co-chu-ky_bien-ban-niem-yet-tdp-tdp01_…``)."""
    kind = KINDS[entry["kind"]]
    _, _, rest = str(entry["key"]).partition(":")
    return f"signed_scan:{kind.file_word}" + (f":{rest}" if rest else "")


def clerk_number(info: Any, entry: dict[str, Any]) -> int | None:
    """The number the clerk wrote on the ``Số:`` line, as the extractor read it (same code as printed)."""
    if not (info.doc_number and info.doc_number.isdigit() and info.doc_code):
        return None
    code = KINDS[entry["kind"]].code or ""
    if fold(info.doc_code).replace(" ", "") != fold(code):
        return None
    n = int(info.doc_number)
    return n if 1 <= n <= 99999 else None


def file_scan(target: Target, scan: Path, *, info: Any, dropped: dt.date, at: dt.datetime,
              original_name: str, sidecar: Path | None = None) -> dict[str, Any]:
    """File ``scan`` byte-identical as the signed version of ``target``; record it (and the clerk's
    number when the case's evidence holds none). Returns what was done, for the intake report."""
    from congkhai import evidence
    from congkhai.archive.store import sniffed_ext

    folder, entry = target.folder, target.entry
    case = folder.case
    number = entry.get("number")
    recorded_number = None
    if number is None and case is not None:
        known = evidence.facts_of(case.evidence, "numbers") or {}
        if entry["key"] in known:
            number = int(known[entry["key"]])
        else:
            recorded_number = number = clerk_number(info, entry)
    title = f"{KINDS[entry['kind']].title_vi} (bản có chữ ký, dấu)"
    with tempfile.TemporaryDirectory(prefix="congkhai-signed-") as td:
        copy = Path(td) / f"scan.{sniffed_ext(scan)}"
        shutil.copyfile(scan, copy)
        filed = folder.add_file("signed_scan", copy, number=number, doc_date=_date(entry.get("doc_date")),
                                versioned_key=signed_key(entry), code=entry.get("code"), title=title)
    if sidecar is not None:
        with contextlib.suppress(OSError, PermanentError):
            folder.add_file("signed_scan", sidecar, number=None, doc_date=filed.doc_date,
                            versioned_key=signed_key(entry) + ":tep-kem", title="Tệp .yaml kèm bản quét có chữ ký")
    record = {"state": "signed", "version": target.version, "scan": filed.path, "scan_version": filed.version,
              "by": BY_SCAN, "on": dropped.isoformat(), "matched_by": target.matched_by,
              "original_name": original_name}

    def mark(m: dict[str, Any]) -> None:
        m.setdefault("signed", {})[entry["key"]] = record
        for f in m["files"]:
            if f["path"] == filed.path:  # the scan's own entry
                f.update(state="signed", signed_of={"key": entry["key"], "version": target.version})
        m["history"].append({"at": at.isoformat(timespec="seconds"), "event": "signed", "key": entry["key"],
                             "version": target.version, "path": filed.path, "by": BY_SCAN, "on": dropped.isoformat(),
                             "matched_by": target.matched_by})

    folder.update(mark)
    if recorded_number is not None and case is not None:
        case = folder.case
        numbers = {**(evidence.facts_of(case.evidence, "numbers") or {}), entry["key"]: recorded_number}
        case.evidence["numbers"] = evidence.recorded("numbers", numbers, BY_SCAN, at)
        folder.update_case(case)
        folder.record_event("evidence", section="numbers", by=BY_SCAN, at=at.isoformat(timespec="seconds"),
                            key=entry["key"], number=recorded_number)
    return {"case_id": folder.case_id, "folder": folder.rel_path, "key": entry["key"], "version": target.version,
            "path": f"{folder.rel_path}/{filed.path}", "matched_by": target.matched_by, "number": number,
            "number_recorded": recorded_number is not None}


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# ------------------------------------------------------------------ the intake branch


def take(c: Any, info: Any, commune: str, s: Any, report: Any, *, dropped: dt.date,
         now: dt.datetime | None) -> bool:
    """Intake's branch for signed scans: True when ``c`` was handled here (filed as the signed version
    of a generated document, or set aside for review); False: not a signed scan, ordinary intake."""
    from congkhai.intake.handoff import archive_of, commune_lock
    from congkhai.intake.scan import display_name

    archive = archive_of(s, commune)
    shown = display_name(c.meta.get("original_name") or c.doc.name)
    ref = getattr(info, "generated", None)
    if ref is not None:
        found = resolve(ref, commune, archive)
        if isinstance(found, Unmatched):
            _to_review(c, s, commune, report, shown, found, ref)
            return True
        targets = [found]
    else:
        targets = match_fields(info, archive)
        if not targets:
            return False
        if len(targets) > 1:
            names = ", ".join(f"{t.folder.case_id or t.folder.rel_path}: {t.key}" for t in targets)
            _to_review(c, s, commune, report, shown, Unmatched(
                f"Văn bản này có số, ngày, loại giống nhiều văn bản đã lập ({names}); không biết là bản ký của "
                "văn bản nào.", f"number, date and type match several generated documents: {names}"), None)
            return True
    at = now or dt.datetime.fromtimestamp(c.meta.get("ctime") or time.time(), TZ)
    sidecar = c.sidecar if c.sidecar.is_file() and not c.sidecar.is_symlink() else None
    with commune_lock(s, commune):
        done = file_scan(targets[0], c.doc, info=info, dropped=dropped, at=at,
                         original_name=c.meta.get("original_name") or c.doc.name, sidecar=sidecar)
    report.signed.append({"name": shown, **done})
    log.info("%s filed as the signed version of %s in %s", shown, done["key"], done["folder"])
    with contextlib.suppress(FileNotFoundError):
        c.doc.unlink()  # the archive holds the byte-identical copy durably
    c.remove()
    return True


def _to_review(c: Any, s: Any, commune: str, report: Any, shown: str, why: Unmatched, ref: qr.DocRef | None) -> None:
    from congkhai.intake import notes

    inbox = s.inbox_dir(commune)
    details = [f"Mã QR đọc được: {qr.encode(ref)}"] if ref is not None else []
    dest = notes.set_aside(
        c.doc, s.review_dir(commune), original_name=shown,
        title_vi="Bản quét có chữ ký chưa khớp văn bản nào trong hồ sơ", what_vi=why.vi,
        fix_vi="Kiểm tra xem bản quét có đúng của xã này và của văn bản đã lập không. Nếu đây là văn bản mới cần "
        f"công khai, tạo tệp '{Path(shown).stem}.yaml' (ví dụ dòng 'item: Q1-7') và thả cùng văn bản vào hộp thư.",
        title_en="Signed scan that matches no generated document", what_en=why.en,
        fix_en="Check the scan belongs to this commune and to a generated document; to take it as a new document, "
        "drop it again with a .yaml sidecar.",
        inbox=inbox, details=details,
    )
    if c.sidecar.exists() or c.sidecar.is_symlink():
        with contextlib.suppress(OSError):
            os.rename(c.sidecar, notes.free_name(dest.parent, dest.name + ".yaml"))
    report.review.append({"name": shown, "reason": why.en, "path": str(dest)})
    c.remove()
