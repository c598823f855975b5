"""Scan the inbox, claim stable files safely, file them into the archive, never lose one.

The life of a dropped file (``process_inbox``), one module per stage::

    inbox/<commune>/[<item>/]name.pdf  (+ name.pdf.yaml or name.yaml, a sidecar)
      │  scan:      stable (size and mtime unchanged for ``stable_seconds``), not junk, not hidden
      ▼  claiming:  mkdir processing/<token>/, flock it, write claim.json, os.rename the file in
    processing/<commune>/<token>/name.pdf      ← only one worker's rename can succeed
      │  process:   hash, preflight, extract, classify (overrides: ``sidecar``, sub-folder)
      ├─► errors/<commune>/name.pdf + name.pdf.txt      (cannot be read / hostile / duplicate)
      ├─► review/<commune>/name.pdf + name.pdf.txt      (no date, no plan, low confidence)
      └─► handoff:  write-ahead "filing" intent in claim.json, Archive.add_original (fsync + rename),
          pending hand-off record, and only then the processing copy is removed.

Crash at any point: the file is still in the inbox, or in processing (retried by the next scan:
a claim's flock is released when its worker dies; the claim.json intent tells a recovered claim
whose filing already reached the archive from a genuine duplicate), or archived — never lost,
never filed twice. Filing runs under a per-commune lock so two workers cannot both file the same
bytes. Cases filed but not yet acknowledged by the pipeline stay in ``IntakeReport.cases`` until
``acknowledge`` (so a crash between filing and the hand-off cannot drop a case).

This module is the entry point (``process_inbox``) and re-exports the stages' public names, which
callers (DAGs, the pipeline, the CLI, benches) import from here.
"""

from __future__ import annotations

import datetime as dt
import logging

from congkhai.archive import fsutil
from congkhai.config import Settings
from congkhai.config import settings as load_settings
from congkhai.intake.claiming import (
    CLAIM_FILE,
    LOCK_FILE,
    SIDECAR_IN_CLAIM,
    Claim,
    back_to_inbox,
    claim,
    processing_root,
    recover,
)
from congkhai.intake.handoff import acknowledge, commune_lock, file_original, pending_cases
from congkhai.intake.options import IntakeOptions, IntakeReport
from congkhai.intake.process import TZ, process_claim
from congkhai.intake.scan import (
    JUNK_EXACT,
    JUNK_SUFFIXES,
    SIDECAR_SUFFIXES,
    Candidate,
    display_name,
    is_junk,
    safe_name,
    scan,
)
from congkhai.intake.sidecar import (
    SIDECAR_FIELDS,
    SIDECAR_MAX,
    read_sidecar,
    retry_from_sidecars,
    sidecar_for,
)

__all__ = [
    "CLAIM_FILE", "JUNK_EXACT", "JUNK_SUFFIXES", "LOCK_FILE", "SIDECAR_FIELDS", "SIDECAR_IN_CLAIM", "SIDECAR_MAX",
    "SIDECAR_SUFFIXES", "TZ", "Candidate", "Claim", "IntakeOptions", "IntakeReport", "acknowledge",
    "back_to_inbox", "claim", "commune_lock", "file_original", "is_junk", "pending_cases", "process_claim",
    "process_inbox", "processing_root", "read_sidecar", "recover", "retry_from_sidecars", "safe_name", "scan",
]

log = logging.getLogger(__name__)


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
            cl = claim(cand, proc, sidecar_for(cand.path))
        except OSError as err:
            log.warning("cannot claim %s: %s", cand.rel, err)
            continue
        if cl is not None:
            _run_one(cl, commune, s, options, report, now)
    pending = pending_cases(commune, s, problems=report.errors)
    first = set(report.new)
    report.cases = [c for c in pending if c.case_id in first] + [c for c in pending if c.case_id not in first]
    return report


def _run_one(cl: Claim, commune: str, s: Settings, options: IntakeOptions, report: IntakeReport,
             now: dt.datetime | None) -> None:
    try:
        process_claim(cl, commune, s, options, report, now)
    except Exception as err:  # transient or a bug: the claim stays in processing, retried next scan
        log.exception("intake of %s failed; it stays in processing for the next scan", cl.doc.name)
        report.errors.append({"name": display_name(cl.meta.get("original_name", cl.doc.name)), "kind": "retry",
                              "path": str(cl.doc), "message": str(err)})
    finally:
        cl.release()
