"""Operator actions: what a person records or corrects about a case; every change is kept.

Each action records an event in the case's history, and remakes the documents it affects as new
versions (the earlier ones stay in the archive).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from congkhai.archive.store import Archive, CaseFolder
from congkhai.case import Case
from congkhai.errors import UsageError
from congkhai.pipeline.calendar_jobs import case_end_specs, is_posted
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.issuance import issuance_specs
from congkhai.pipeline.produce import produce

#: Case fields an operator may correct (the issue date and number name the folder: cancel and re-drop instead).
#: ``posting_request``: what the document asks to post, where, when, by whom (``intake.cover.PostingRequest``).
CORRECTABLE = ("subject", "item", "doc_type", "signer", "issuer", "place", "posting_request")
_CASE_ID = re.compile(r"^\d{8}-[a-z0-9][a-z0-9-]{0,80}$")
log = logging.getLogger(__name__)


def _folder(run: CommuneRun, case_id: str) -> CaseFolder:
    folder = run.archive.find_case(case_id)
    if folder is None or folder.case is None:
        raise unknown_case_error(run.archive, run.code, case_id)
    return folder


def _notation_key(text: str) -> str:
    """``Số 15/QĐ-UBND`` and ``15/qd-ubnd`` -> ``15/qd-ubnd`` (to compare what staff type with the archive)."""
    from congkhai.textutil import fold

    return re.sub(r"\s+", "", re.sub(r"^\s*so\s*:?\s*(?=\d)", "", fold(text)))


def cases_with_number(archive: Archive, text: str) -> list[dict[str, Any]]:
    """The cases whose document number is ``text`` (``15/QĐ-UBND``), or whose id differs from the case id
    ``text`` only by its date; newest first. Read from the search index."""
    from congkhai.archive.index import query_tokens

    suffix = text[9:] if _CASE_ID.match(text) else None
    want = _notation_key(text)
    tokens = query_tokens(suffix if suffix else want)
    if not want or not tokens:
        return []
    try:
        rows = archive.index.query(text=" ".join(tokens))
    except Exception as err:  # noqa: BLE001 - a suggestion is a help, never a second failure
        log.warning("no number suggestion for %r: %s", text, err)
        return []
    out = [r for r in rows if r["case_id"] and (
        _notation_key("/".join(x for x in (r["doc_number"], r["doc_code"]) if x)) == want
        or (suffix is not None and r["case_id"][9:] == suffix))]
    return sorted(out, key=lambda r: r["issued"] or "", reverse=True)


def unknown_case_error(archive: Archive, commune: str, text: str, *, others: Sequence[str] = (),
                       root: Any = None) -> UsageError:
    """The Vietnamese error for a case id that is not filed in ``commune``: it names the case(s) holding
    that document number (``Số văn bản 15/QĐ-UBND thuộc hồ sơ …; chọn hồ sơ đó``), or the commune (of
    ``others``) the case belongs to, or says how to find a case."""
    found = cases_with_number(archive, text)

    def describe(r: dict[str, Any]) -> str:
        issued = dt.date.fromisoformat(r["issued"]).strftime("%d/%m/%Y") if r.get("issued") else "không ngày"
        return f"{r['case_id']} ({issued} — {(r.get('subject') or '')[:60]})"

    if found:
        notation = "/".join(x for x in (found[0]["doc_number"], found[0]["doc_code"]) if x) or text
        if len(found) == 1:
            vi = f"Số văn bản {notation} thuộc hồ sơ {describe(found[0])}; chọn hồ sơ đó"
        else:
            vi = (f"Số văn bản {notation} có ở {len(found)} hồ sơ: " + "; ".join(describe(r) for r in found[:5])
                  + ". Chọn hồ sơ đúng")
        return UsageError(vi, f"{text!r} is a document number, not a case id: {[r['case_id'] for r in found]}",
                          kind="unknown_case", field="case_id")
    if _CASE_ID.match(text) and root is not None:
        for other in others:
            if Archive(root, other).find_case(text) is not None:
                return UsageError(f"Hồ sơ {text} thuộc xã {other}, không phải {commune}: chọn xã {other}",
                                  f"case {text} belongs to {other}", kind="unknown_case", field="commune")
    return UsageError(f"Không có hồ sơ '{text}' của {commune}: chọn hồ sơ trong danh sách (mã hồ sơ — số văn "
                      "bản — trích yếu), hoặc chép mã hồ sơ ở trang Công khai (trang của hồ sơ)",
                      f"no case {text} in {commune}", kind="unknown_case", field="case_id")


def _remake(run: CommuneRun, folder: CaseFolder, day: dt.date, converter: Any = None) -> dict[str, Any]:
    """Remake what exists and changed: the posting documents, and the broadcast report and end minutes
    (of the UBND and of each group) when due on ``day`` or already made. A draft whose facts are now
    recorded becomes a final; a final that would print a placeholder of commune.yaml is refused
    (PermanentError naming the field) while the others are made."""
    case = folder.case
    assert case is not None
    specs = issuance_specs(run, folder)
    if case.status != "cancelled" and is_posted(folder):
        specs += case_end_specs(run, folder, max(day, case.issued), remake=True)
    return produce(run, specs, converter, changed=True).to_dict()


def record_posting(run: CommuneRun, case_id: str, posted: dt.date, by: str = "", converter: Any = None) -> dict:
    """The actual posting date: the schedule and the start minutes follow it."""
    folder = _folder(run, case_id)
    case = folder.case
    assert case is not None
    if posted < case.issued:
        raise UsageError(f"Ngày niêm yết {posted} trước ngày ban hành {case.issued}",
                         f"posting date {posted} before issue date {case.issued}", field="posted")
    case.posted = posted
    folder.update_case(case)
    folder.record_event("posting_recorded", posted=posted.isoformat(), by=by)
    return _remake(run, folder, posted, converter)


def record_feedback(run: CommuneRun, case_id: str, text: str, day: dt.date, by: str = "",
                    converter: Any = None) -> dict:
    """Feedback received during posting, one opinion a line: it appears in the end-of-disclosure minutes."""
    folder = _folder(run, case_id)
    case = folder.case
    assert case is not None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise UsageError("Nội dung ý kiến phản hồi rỗng", "empty feedback", field="feedback")
    new = [ln for ln in dict.fromkeys(lines) if ln not in case.feedback]
    if new:
        case.feedback.extend(new)
        folder.update_case(case)
    folder.record_event("feedback", text="\n".join(lines), on=day.isoformat(), by=by)
    return _remake(run, folder, day, converter)


def record_evidence(run: CommuneRun, case_id: str, section: str, answer: Any, *, by: str,
                    at: dt.datetime, day: dt.date, converter: Any = None) -> dict:
    """A person's answer to one required action (``congkhai.evidence`` section): stored in the case
    with who answered and when, and the documents it affects are remade (drafts become finals)."""
    from congkhai import evidence

    folder = _folder(run, case_id)
    case = folder.case
    assert case is not None
    facts = evidence.parse_section(section, answer)
    if not by.strip():
        raise UsageError("Thiếu tên người trả lời", "who answered is required", field="by")
    if section == "numbers":
        facts = {**(evidence.facts_of(case.evidence, "numbers") or {}), **facts}
    if section == "posting" and facts.at.date() < case.issued:
        raise UsageError(f"Ngày niêm yết {facts.at:%d/%m/%Y} trước ngày ban hành {case.issued:%d/%m/%Y}",
                         "posting before issuance", kind="bad_evidence", field="posting.at")
    case.evidence[section] = evidence.recorded(section, facts, by.strip(), at)
    if section == "posting":
        case.posted = facts.at.date()
    if section == "end":
        case.feedback = list(facts.feedback)
    folder.update_case(case)
    folder.record_event("evidence", section=section, by=by.strip(), at=at.isoformat(timespec="seconds"))
    return _remake(run, folder, day, converter)


def cancel_case(run: CommuneRun, case_id: str, reason: str, by: str = "") -> dict:
    """Stop the pipeline for a case (wrongly dropped, withdrawn): its files stay, nothing more is made."""
    folder = _folder(run, case_id)
    case = folder.case
    assert case is not None
    case.status = "cancelled"
    folder.update_case(case)
    folder.record_event("cancelled", reason=reason, by=by)
    return {"case_id": case_id, "status": "cancelled"}


def correct_case(run: CommuneRun, case_id: str, changes: dict[str, Any], day: dt.date, by: str = "",
                 converter: Any = None) -> dict:
    """Correct what intake read (subject, plan item, …) and remake the affected documents."""
    folder = _folder(run, case_id)
    case = folder.case
    assert case is not None
    bad = sorted(set(changes) - set(CORRECTABLE))
    if bad:
        raise UsageError(f"Không sửa được trường {', '.join(bad)} (chỉ: {', '.join(CORRECTABLE)})",
                         f"cannot correct {bad}", field=bad[0])
    if "posting_request" in changes:
        changes = {**changes, "posting_request": checked_request(run, case, changes["posting_request"])}
    if changes.get("item"):
        plan = run.plan(case.issued.year)
        if plan is not None:
            item = plan.item(changes["item"])  # raises UnknownItem naming the code
            case.law_item = item.law_item
    for k, v in changes.items():
        setattr(case, k, v)
    folder.update_case(case)
    folder.record_event("corrected", fields=sorted(changes), by=by)
    return _remake(run, folder, day, converter)


def checked_request(run: CommuneRun, case: Case, value: Any) -> dict[str, Any] | None:
    """A corrected posting request: ``None`` clears it (the plan item's channels apply); a mapping (or
    its JSON text) replaces the keys it gives of the request read by intake (``documents``, ``places``,
    ``start``, ``end``, ``days``, ``roles``…) and is validated as a whole (``PostingRequest``); the groups
    and roles must exist in the commune profile, the period must be a period."""
    from pydantic import ValidationError

    from congkhai.intake.cover import PostingRequest

    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as err:
            raise UsageError(f"Yêu cầu niêm yết (posting_request) không phải JSON hợp lệ: {err}",
                             f"posting_request is not valid JSON: {err}", kind="bad_request",
                             field="posting_request") from err
        if value is None:  # "null" typed in a form
            return None
    if not isinstance(value, dict):
        raise UsageError("Yêu cầu niêm yết (posting_request) phải là một bảng khóa/giá trị",
                         "posting_request must be a mapping", kind="bad_request", field="posting_request")
    try:
        req = PostingRequest.model_validate({**(case.posting_request or {}), **value})
    except ValidationError as err:
        wrong = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or '(gốc)'}: {e['msg']}" for e in err.errors())
        raise UsageError(f"Yêu cầu niêm yết (posting_request) không hợp lệ: {wrong}",
                         f"invalid posting_request: {err}", kind="bad_request", field="posting_request") from err
    commune = run.commune
    known = {g.code for g in commune.groups}
    unknown = [c for c in req.places.groups if c not in known]
    if unknown:
        raise UsageError(f"Yêu cầu niêm yết ghi {commune.group_word} không có trong commune.yaml: {', '.join(unknown)} "
                         f"(có: {', '.join(sorted(known))})", f"unknown groups {unknown}", kind="bad_request",
                         field="posting_request.places.groups")
    roles = {r for cs in commune.civil_servants for r in (cs.role, *cs.roles)}
    bad_roles = [r for r in req.roles if r not in roles]
    if bad_roles:
        raise UsageError(f"Yêu cầu niêm yết ghi vai trò công chức không có trong commune.yaml: {', '.join(bad_roles)} "
                         f"(có: {', '.join(sorted(roles))})", f"unknown roles {bad_roles}", kind="bad_request",
                         field="posting_request.roles")
    if req.start is not None and req.start < case.issued:
        raise UsageError(f"Ngày bắt đầu niêm yết {req.start:%d/%m/%Y} trước ngày ban hành {case.issued:%d/%m/%Y}",
                         "posting start before the issue date", kind="bad_request", field="posting_request.start")
    if req.end is not None and req.end < (req.start or case.issued):
        raise UsageError(f"Ngày kết thúc niêm yết {req.end:%d/%m/%Y} trước ngày bắt đầu",
                         "posting end before its start", kind="bad_request", field="posting_request.end")
    return req.to_json()


def regenerate(run: CommuneRun, case_id: str, day: dt.date, by: str = "", converter: Any = None) -> dict:
    """Remake every document of a case whose inputs changed (e.g. after the commune profile was fixed)."""
    folder = _folder(run, case_id)
    folder.record_event("regenerate", by=by)
    return _remake(run, folder, day, converter)
