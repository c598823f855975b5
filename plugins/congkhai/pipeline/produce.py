"""Render → convert → verify → file, pipelined: the one place where documents are made.

A :class:`DocSpec` says what to make (kind, context, where it goes, under which key) and its state
(``draft`` / ``final``, recorded with each filed file in the manifest). Producing is
idempotent: the fingerprint of the context (``inputs_digest``) is stored with the filed files, so a
re-run or a cleared task that would make the same document again files nothing new, and the same
document keeps its official number (the register gives the same number to the same key). A changed
context (a correction, recorded feedback) makes a new version; the older one stays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import tempfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from congkhai.archive.manifest import DocState
from congkhai.archive.store import CaseFolder
from congkhai.convert import get_converter
from congkhai.convert.base import Converter, ConvertJob, ConvertResult, PdfMetadata
from congkhai.documents.kinds import get_kind
from congkhai.documents.qr import code_for, stamp
from congkhai.documents.render import render, render_text
from congkhai.errors import PermanentError, TransientError
from congkhai.pipeline.context import CommuneRun

log = logging.getLogger(__name__)

_NOTATION = re.compile(r"^\s*(\d+)\s*/\s*(.+?)\s*$")


@dataclass
class DocSpec:
    """One document to make. ``folder`` is ``case:<case_id>`` or ``year:<YYYY>``."""

    kind: str
    key: str
    folder: str
    context: dict[str, Any]
    doc_date: dt.date
    title: str
    state: DocState = "final"
    dated: bool = True  # False: its date is a blank to fill in (filed under ``doc_date`` all the same)
    error: PermanentError | None = None  # it cannot be made (reported as failed; the others are made)

    @property
    def notation(self) -> str:
        return str(self.context.get("number_notation") or "")

    @property
    def number(self) -> int | None:
        m = _NOTATION.match(self.notation)
        return int(m.group(1)) if m else None

    @property
    def code(self) -> str | None:
        m = _NOTATION.match(self.notation)
        if m:
            return m.group(2)
        return self.notation.split("/", 1)[1] if "/" in self.notation else None

    @property
    def digest(self) -> str:
        payload = json.dumps({"kind": self.kind, "context": self.context}, sort_keys=True, default=str,
                             ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "folder": self.folder, "doc_date": self.doc_date.isoformat(),
                "title": self.title, "notation": self.notation, "state": self.state}


@dataclass
class Produced:
    """What one batch made: filed PDFs, specs already there, failures with their reason."""

    filed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"filed": self.filed, "skipped": self.skipped, "failed": self.failed}


def resolve_folder(run: CommuneRun, ref: str) -> CaseFolder:
    what, _, value = ref.partition(":")
    if what == "year":
        return run.archive.year_folder(int(value))
    folder = run.archive.find_case(value)
    if folder is None:
        raise PermanentError(f"Không tìm thấy hồ sơ {value} trong lưu trữ", f"case {value} not in the archive",
                             kind="unknown_case", field="case_id")
    return folder


def already_filed(folder: CaseFolder, spec: DocSpec, *, changed: bool = False) -> bool:
    """Whether to leave ``spec`` alone.

    By default a document is made once: any filed PDF under its key counts. With ``changed``
    (an operator corrected the case, recorded a posting date or feedback), it is made again
    when its context differs from the newest version's, which stays filed.
    """
    same = [f for f in folder.manifest["files"] if f["key"] == spec.key and f["path"].lower().endswith(".pdf")]
    if not same:
        return False
    if not changed:
        return True
    last = max(same, key=lambda f: f["version"])
    return last.get("inputs_digest") == spec.digest


def produce(run: CommuneRun, specs: Sequence[DocSpec], converter: Converter | None = None,
            *, changed: bool = False) -> Produced:
    """Make every spec not already filed: each one converted as soon as it is rendered (the converter's
    instances all busy), filed in the specs' order.

    Raises TransientError when a conversion failed for a reason that a retry may fix (after filing
    everything that succeeded), PermanentError for documents that cannot be made.
    """
    out = Produced()
    todo: list[tuple[DocSpec, CaseFolder]] = []
    for spec in specs:
        if spec.error is not None:
            out.failed.append({**spec.to_dict(), "error": spec.error.message_vi, "transient": False,
                               "kind_error": spec.error.kind, "field": spec.error.field})
            continue
        folder = resolve_folder(run, spec.folder)
        if already_filed(folder, spec, changed=changed):
            out.skipped.append(spec.to_dict())
        else:
            todo.append((spec, folder))
    if not todo:
        _raise_failed(out)
        return out

    own = converter is None
    conv = converter or get_converter(run.settings)
    author = run.commune.body_name_upper
    try:
        # A pipeline: each document goes to the converter as soon as it is rendered (as many at a time as
        # the converter converts), and the PDFs are filed in the specs' order as they come back, so that
        # rendering and filing (Python) overlap LibreOffice's work instead of waiting for the whole batch.
        # Every stamp is made before the first filing, as in one batch: same versions, same result.
        with tempfile.TemporaryDirectory(prefix="congkhai-produce-") as tmp, \
                ThreadPoolExecutor(max_workers=max(1, conv.instances), thread_name_prefix="congkhai-produce") as pool:
            work = Path(tmp)
            sent: list[tuple[DocSpec, CaseFolder, Path, Path | None, Future[list[ConvertResult]]]] = []
            try:
                for i, (spec, folder) in enumerate(todo):
                    docx = work / f"{i:03d}_{spec.kind}.docx"
                    try:
                        code = code_for(run.code, folder, spec.key)  # the QR code a signed scan is read by
                        render(spec.kind, spec.context, docx, author=run.commune.body_short,
                               before_save=(lambda doc, code=code: stamp(doc, code)) if code else None)
                        txt = None
                        if spec.kind == "group_notice":
                            txt = render_text(spec.kind, spec.context, work / f"{i:03d}_{spec.kind}.txt")
                    except PermanentError as err:
                        out.failed.append({**spec.to_dict(), "error": str(err), "transient": False})
                        continue
                    expect = tuple(t for t in (spec.notation if spec.number else "",) if t)
                    job = ConvertJob(
                        src=docx, out=docx.with_suffix(".pdf"), job_id=spec.key,
                        metadata=PdfMetadata(title=spec.title, subject=get_kind(spec.kind).title_vi, author=author),
                        expect_text=expect,
                    )
                    sent.append((spec, folder, docx, txt, pool.submit(conv.convert_many, [job])))
                for spec, folder, docx, txt, fut in sent:
                    res = fut.result()[0]
                    if not res.ok:
                        out.failed.append({**spec.to_dict(), "error": str(res.error), "transient": res.transient})
                        continue
                    common = dict(number=spec.number, doc_date=spec.doc_date, versioned_key=spec.key, code=spec.code,
                                  title=spec.title, inputs_digest=spec.digest, state=spec.state,
                                  undated=not spec.dated)
                    folder.add_file(spec.kind, docx, **common)
                    if txt is not None:
                        folder.add_file(spec.kind, txt, **common)
                    entry = folder.add_file(spec.kind, res.pdf, **common)  # the PDF last: it marks "done"
                    out.filed.append({**spec.to_dict(), "path": f"{folder.rel_path}/{entry.path}",
                                      "version": entry.version, "pages": res.pages})
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)  # nothing converts into the removed folder
                raise
    finally:
        if own:
            conv.close()
    for f in out.filed:
        log.info("filed %s", f["path"])
    _raise_failed(out)
    return out


def _raise_failed(out: Produced) -> None:
    if out.failed:
        msg_vi = "; ".join(f"{f['key']}: {f['error']}" for f in out.failed)
        if any(f["transient"] for f in out.failed):
            raise TransientError(f"Chưa chuyển đổi được {len(out.failed)} văn bản (sẽ thử lại): {msg_vi}",
                                 f"{len(out.failed)} conversions failed, will retry")
        first = next((f for f in out.failed if f.get("kind_error")), {})
        raise PermanentError(f"Không lập được {len(out.failed)} văn bản: {msg_vi}",
                             f"{len(out.failed)} documents could not be made",
                             kind=first.get("kind_error"), field=first.get("field"))
