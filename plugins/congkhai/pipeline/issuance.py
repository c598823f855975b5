"""On issuance: the documents due when a case is posted.

For one case: its schedule (stored in the manifest), then, by the channels of its plan item,
the activity plan (when the document is in no item of the yearly plan), the start-of-posting
minutes at the UBND board, one per residential group's cultural house, and the notice to the
group leaders. All in one conversion batch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from congkhai.archive.store import CaseFolder
from congkhai.case import Case
from congkhai.documents.context import (
    CASE_BUILDERS,
    Recorded,
    build_context,
    document_date,
    draft_title,
    issuer_name,
    state_of,
)
from congkhai.documents.context.request import Asked, channel_kinds
from congkhai.documents.kinds import KINDS
from congkhai.errors import PermanentError
from congkhai.pipeline.context import CommuneRun, schedule_record
from congkhai.pipeline.produce import DocSpec, Produced, produce
from congkhai.plan import Item
from congkhai.schedule import Schedule

#: Errors of one document that must not stop the others of its batch (a final that would print a
#: placeholder of commune.yaml; an answer naming an unknown group): it is reported as failed.
_DOCUMENT_ERRORS = ("sample_value", "bad_evidence")


def spec(run: CommuneRun, kind: str, key: str, folder: str, title: str, default_date: dt.date,
         **build: Any) -> DocSpec:
    """One document to make. It is filed under the date it is dated (``document_date``, the rule its
    builder uses), or ``default_date`` when that is a blank to fill in. A draft's title begins with
    ``DỰ THẢO - ``; a final that cannot be made (a placeholder of ``commune.yaml`` it would print)
    is a spec carrying its error, which ``produce`` reports without stopping the others."""
    if kind in CASE_BUILDERS:
        build.setdefault("doc", key)
    commune = run.profile_for(kind, default_date, **build)  # the profile as of the document's own date
    try:
        ctx = build_context(kind, commune, register=run.register, **build)
    except PermanentError as err:
        if err.kind not in _DOCUMENT_ERRORS:
            raise
        return DocSpec(kind=kind, key=key, folder=folder, context={}, doc_date=default_date, title=title,
                       error=err)
    state = state_of(ctx)
    dated = document_date(kind, commune=commune, **build)
    return DocSpec(kind=kind, key=key, folder=folder, context=ctx, doc_date=dated or default_date,
                   title=draft_title(title, state), state=state, dated=dated is not None)


def posting_specs(run: CommuneRun, case: Case, *, schedule: Schedule | None, item: Item | None,
                  key_suffix: str = "", recorded: Recorded | None = None) -> list[DocSpec]:
    """Start-of-posting minutes (board and each group) and the group leaders' notice, by the item's
    channels — or at the places the document itself asks (a cover letter: the headquarters when it
    says so, only the groups it lists)."""
    ref = f"case:{case.case_id}"
    start = schedule.posting_start if schedule else case.issued
    commune = run.commune_on(start)  # the groups (and their wording) on the posting day
    build: dict[str, Any] = dict(case=case, item=item, schedule=schedule)
    if recorded is not None:
        build["recorded"] = recorded
    out: list[DocSpec] = []
    asked = Asked.of(case)
    kinds = channel_kinds(item, asked, commune)
    groups = asked.groups(commune)
    if groups is None:
        groups = list(commune.groups)
    if "ubnd_board" in kinds or "one_stop_frame" in kinds:
        out.append(spec(run, "posting_start_ubnd", "posting_start_ubnd" + key_suffix, ref,
                        f"Biên bản niêm yết tại UBND: {case.subject}", start, **build))
    if "cultural_house" in kinds:
        for grp in groups:
            out.append(spec(run, "posting_start_group", f"posting_start_group:{grp.code}{key_suffix}", ref,
                            f"Biên bản niêm yết tại {grp.cultural_house}: {case.subject}", start,
                            group=grp.code, **build))
    if "group_leaders" in kinds and groups and not key_suffix:
        out.append(spec(run, "group_notice", "group_notice", ref,
                        f"Thông báo gửi {commune.group_leader_title.lower()}: {case.subject}", start, **build))
    return out


#: The register series a dropped document's own number belongs to, by its code (``20/TB-UBND``): the
#: series of the People's Committee's own kinds (KH, BB, BC, TB).
_EXTERNAL_SERIES = re.compile(
    "^({})-UBND$".format("|".join(sorted({k.type_code for k in KINDS.values() if k.issuer_code == "UBND"}))))


def note_external_number(run: CommuneRun, folder: CaseFolder, case: Case) -> None:
    """Record the number of a document the commune issued on paper in the register, so the
    product never gives the same number to one of its own documents of that series and year."""
    m = _EXTERNAL_SERIES.match(case.doc_code or "")
    if not m or not (case.doc_number or "").isdigit() or case.text_source == "generated":
        return
    issuer = issuer_name(case.issuer, run.commune)
    if case.extra.get("origin") == "addressed" or issuer.casefold() != (run.commune.body_short or "").casefold():
        return  # another body's document (a district notice addressed to the commune): not the commune's number
    other = run.register.record_external(case.issued.year, m.group(1), int(case.doc_number),
                                         f"external/{case.case_id}")
    if other is not None:
        folder.record_event("number_collision", series=m.group(1), number=int(case.doc_number), held_by=other)


def issuance_specs(run: CommuneRun, folder: CaseFolder) -> list[DocSpec]:
    """Every document due at posting for the case in ``folder`` (its schedule is stored on the way)."""
    case = folder.case
    if case is None or case.status == "cancelled":
        return []
    note_external_number(run, folder, case)
    item, in_plan = run.item_of(case)
    schedule = run.schedule_of(case)
    if schedule is not None:
        folder.set_schedule(schedule_record(schedule, in_plan))
    specs: list[DocSpec] = []
    if not in_plan:
        specs.append(spec(run, "activity_plan", "activity_plan", f"case:{case.case_id}",
                          f"Kế hoạch công khai: {case.subject}", case.issued, case=case, item=item,
                          schedule=schedule))
    specs += posting_specs(run, case, schedule=schedule, item=item)
    return specs


def run_issuance(run: CommuneRun, case_ids: list[str], converter: Any = None) -> dict[str, Any]:
    """Produce the posting documents of these cases (one batch); returns what was filed."""
    specs: list[DocSpec] = []
    for cid in case_ids:
        folder = run.archive.find_case(cid)
        if folder is None:
            continue
        specs += issuance_specs(run, folder)
    produced: Produced = produce(run, specs, converter)
    for cid in case_ids:
        folder = run.archive.find_case(cid)
        if folder is not None and produced.filed:
            case = folder.case
            if case is not None and case.status == "open":
                folder.record_event("posting_documents", count=sum(1 for f in produced.filed
                                                                   if f["folder"] == f"case:{cid}"))
    return {"cases": case_ids, **produced.to_dict()}


def repost(run: CommuneRun, case: Case, day: dt.date) -> list[DocSpec]:
    """January re-posting of a permanent item: new start minutes in the case's folder, as drafts (the
    posting recorded for the case is the first one, not this one): planned for ``day``."""
    item, _ = run.item_of(case)
    schedule = run.schedule_of(case)
    if schedule is None:
        return []
    moved = dataclasses.replace(schedule, posting_start=day, posting_end=None, asked_start=False, asked_end=False)
    return posting_specs(run, case, schedule=moved, item=item, key_suffix=f":tai-niem-yet-{day.year}",
                         recorded=Recorded())
