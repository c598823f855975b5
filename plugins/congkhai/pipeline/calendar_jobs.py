"""Calendar triggers: what is due on a given working day, for one commune.

- ``daily``: broadcast reports whose radio days are over, end-of-disclosure minutes for postings
  whose period ended (the case is then closed), and the deadline check.
- ``quarterly``: days 1–5 of January, April, July, October: the list of what was disclosed in the
  previous quarter, itself posted (plan item 1.8, 90 days) with its own minutes; the documents waiting
  for a person in ``review/`` (:func:`waiting_documents`) are counted as not disclosed yet.
- ``january``: the yearly disclosure plan (item 1.1, posted with its minutes) and re-posting
  minutes of every permanent item (regulations, codes of conduct, duties, procedures).
- ``council``: the report on disclosure results before each regular People's Council session (the
  documents waiting in ``review/`` counted likewise).
- ``assemble_year_dossier``: the year's dossier (in January for the year before, on demand, and at the
  end of a replay).

Every function takes ``day`` (the run's logical date) and is idempotent: a document whose key is
already filed is not made again.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from congkhai.archive.store import CaseFolder
from congkhai.case import Case
from congkhai.documents.context import Recorded
from congkhai.documents.context.lists import WaitingDocument
from congkhai.documents.context.request import Asked
from congkhai.pipeline.context import CommuneRun, schedule_record
from congkhai.pipeline.issuance import issuance_specs, repost, spec
from congkhai.pipeline.produce import DocSpec, produce, resolve_folder
from congkhai.schedule import Schedule

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
#: Working days before a regular People's Council session on which its report is made.
COUNCIL_LEAD_DAYS = 5
#: A case whose posting has not started is "near its deadline" this many working days before it.
NEAR_DAYS = 1


def _has(folder: CaseFolder, key: str) -> bool:
    return any(f["key"] == key and f["path"].lower().endswith(".pdf") for f in folder.manifest["files"])


def _posted(folder: CaseFolder) -> bool:
    return any(f["kind"] in ("posting_start_ubnd", "posting_start_group") for f in folder.manifest["files"])


#: Whether a case's start minutes were made (its posting documents exist).
is_posted = _posted


def end_places(run: CommuneRun, folder: CaseFolder, case: Case) -> list[str | None]:
    """Where an end minute is due (issue 13): the UBND (None), and each group's cultural house where
    the document was posted — the groups the posting answer lists, else those the document asks to post
    at (a cover letter), else those whose start minute was made."""
    commune = run.posted_profile(case)  # the groups of its posting day (a later merge changes nothing)
    groups = Recorded.of(case).posted_groups(commune)
    if groups is None:
        groups = Asked.of(case).groups(commune)
    if groups is not None:
        codes = [g.code for g in groups]
    else:
        codes = [g.code for g in commune.groups if _has(folder, f"posting_start_group:{g.code}")]
    return [None, *codes]


def _due_ends(run: CommuneRun, folder: CaseFolder, case: Case, schedule: Schedule, day: dt.date, *,
               remake: bool = False) -> list[tuple[str, str, str | None]]:
    """``(kind, key, group)`` of the broadcast report and the end minutes of one posted case due on ``day``
    and not made yet (with ``remake``, also those already made): the one rule, read off the manifest and
    the schedule, nothing rendered."""
    out: list[tuple[str, str, str | None]] = []
    due = schedule.broadcast_report_due
    if run.commune.has_radio and due and ((due <= day and not _has(folder, "broadcast_report"))
                                          or (remake and _has(folder, "broadcast_report"))):
        out.append(("broadcast_report", "broadcast_report", None))
    end = schedule.posting_end
    if end and not schedule.permanent:
        for group in end_places(run, folder, case):
            key = f"posting_end:{group}" if group else "posting_end"
            made = _has(folder, key)
            if (end <= day and not made) or (remake and made):
                out.append(("posting_end", key, group))
    return out


def case_end_specs(run: CommuneRun, folder: CaseFolder, day: dt.date, *, remake: bool = False) -> list[DocSpec]:
    """The broadcast report and the end minutes of one posted case that are due on ``day`` and not made
    yet; with ``remake``, also those already made (a person recorded something: new versions)."""
    case = folder.case
    if case is None:
        return []
    schedule = run.schedule_of(case)
    if schedule is None:
        return []
    item, _ = run.item_of(case)
    ref = f"case:{case.case_id}"
    build = dict(case=case, item=item, schedule=schedule)
    specs: list[DocSpec] = []
    for kind, key, group in _due_ends(run, folder, case, schedule, day, remake=remake):
        if kind == "broadcast_report":
            specs.append(spec(run, "broadcast_report", key, ref, f"Báo cáo kết quả phát tin: {case.subject}",
                              schedule.broadcast_report_due, **build))
        else:
            assert schedule.posting_end is not None
            made_on = run.calendar.next_working_day(schedule.posting_end)  # "to the end of" its last day
            where = f" tại {run.commune.group(group).cultural_house}" if group else ""
            specs.append(spec(run, "posting_end", key, ref, f"Biên bản kết thúc công khai{where}: {case.subject}",
                              schedule.posting_end, group=group, date=made_on, **build))
    return specs


def _open_posted(run: CommuneRun, day: dt.date) -> list[tuple[CaseFolder, Case, Schedule]]:
    """The open cases issued by ``day`` whose posting documents exist, with their schedules."""
    out = []
    for folder in run.case_folders():
        case = folder.case
        if case is None or case.status != "open" or case.issued > day or not _posted(folder):
            continue
        schedule = run.schedule_of(case)
        if schedule is not None:
            out.append((folder, case, schedule))
    return out


def _closes(schedule: Schedule, day: dt.date) -> bool:
    return bool(schedule.posting_end and schedule.posting_end <= day and not schedule.permanent)


def daily_specs(run: CommuneRun, day: dt.date) -> tuple[list[DocSpec], list[str]]:
    """Broadcast reports and end minutes due on ``day``; also the cases to close once they are filed."""
    specs: list[DocSpec] = []
    closing: list[str] = []
    for folder, case, schedule in _open_posted(run, day):
        specs += case_end_specs(run, folder, day)
        if _closes(schedule, day):
            closing.append(case.case_id)
    return specs, closing


def daily_work(run: CommuneRun, day: dt.date) -> list[str]:
    """What ``run_daily`` would do on ``day``, found cheaply (the manifests and the stored schedules,
    nothing rendered, no converter): ``<case_id>/<key>`` of each document due and not made,
    ``<case_id>/close`` of each case to close. Empty: nothing to make that day (the daily DAG then
    skips its production step; the deadline check runs all the same)."""
    out: list[str] = []
    for folder, case, schedule in _open_posted(run, day):
        out += [f"{case.case_id}/{key}" for _, key, _ in _due_ends(run, folder, case, schedule, day)]
        if _closes(schedule, day):
            out.append(f"{case.case_id}/close")
    return out


def deadline_check(run: CommuneRun, day: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Cases not yet posted whose deadline is near or past, cases posted late, and cases waiting for a
    person: a required action (``congkhai.pipeline.evidence_due``) not answered by its due date."""
    from congkhai.evidence import SECTION_TITLES_VI
    from congkhai.pipeline.evidence_due import waiting as unanswered

    cal = run.calendar
    near, overdue, late, waiting = [], [], [], []
    for folder in run.case_folders():
        case = folder.case
        if case is None or case.status == "cancelled" or case.issued > day:
            continue
        schedule = run.schedule_of(case)
        if schedule is None:
            continue
        row = {"case_id": case.case_id, "subject": case.subject, "item": case.item,
               "deadline": schedule.deadline.isoformat(), "path": folder.rel_path}
        if _posted(folder):  # its posting documents exist: people have been asked (congkhai_evidence)
            waiting += [{**row, "section": a.section, "title": SECTION_TITLES_VI[a.section],
                         "due": a.due.isoformat() if a.due else None} for a in unanswered(run, case, schedule, day)]
        if not _posted(folder):
            if day > schedule.deadline:
                overdue.append({**row, "working_days_late": cal.working_days_between(schedule.deadline, day)})
            elif cal.working_days_between(day, schedule.deadline) <= NEAR_DAYS:
                near.append(row)
        elif schedule.late and case.status == "open":
            late.append({**row, "posting_start": schedule.posting_start.isoformat(),
                         "working_days_late": schedule.days_late})
    return {"near": near, "overdue": overdue, "late": late, "waiting": waiting}


def run_daily(run: CommuneRun, day: dt.date, converter: Any = None) -> dict[str, Any]:
    specs, closing = daily_specs(run, day)
    produced = produce(run, specs, converter)
    for cid in closing:
        folder = run.archive.find_case(cid)
        if folder is None or not _has(folder, "posting_end"):
            continue
        case = folder.case
        if case is not None and case.status == "open":
            case.status = "closed"
            folder.update_case(case)
            folder.record_event("closed", on=day.isoformat())
    return {"day": day.isoformat(), "closed": closing, **produced.to_dict(), "deadlines": deadline_check(run, day)}


# ---------------------------------------------------------------------------------------- quarterly

def previous_quarter(day: dt.date) -> tuple[int, int]:
    q = (day.month - 1) // 3 + 1
    return (day.year, q - 1) if q > 1 else (day.year - 1, 4)


def is_quarter_window(day: dt.date) -> bool:
    return day.month in (1, 4, 7, 10) and 1 <= day.day <= 5


def _cases(run: CommuneRun) -> list[Case]:
    out = []
    for f in run.case_folders():
        c = f.case
        if c is not None and c.status != "cancelled":
            out.append(c)
    return out


def _posted_case(run: CommuneRun, year_spec: DocSpec, item_code: str, doc_type: str) -> list[DocSpec]:
    """A document the commune itself issues and posts (the yearly plan, a quarterly list) becomes a case.

    Its PDF (already filed in the year folder) is the case's original; the posting documents follow
    its plan item, as for any issued document. A document whose date is a blank to fill in is not
    posted yet (its posting minutes would cite a date nobody gave).
    """
    if not year_spec.dated:
        return []
    year_folder = resolve_folder(run, year_spec.folder)
    pdf = year_folder.latest(year_spec.key, "pdf")
    if pdf is None:
        return []
    plan = run.plan(year_spec.doc_date.year) or run.plan(year_spec.doc_date.year - 1)
    law_item = plan.item(item_code).law_item if plan is not None and item_code in plan.codes else None
    commune = run.commune_on(year_spec.doc_date)  # who signed it, under which name, that day
    case = Case(
        commune=run.code, issued=year_spec.doc_date, subject=year_spec.context["subject"],
        doc_number=f"{year_spec.number:02d}" if year_spec.number else None, doc_code=year_spec.code,
        doc_type=doc_type, place=commune.place, issuer=commune.body_short,
        signer=commune.chairman.name, item=item_code, law_item=law_item, text_source="generated",
        original_name=pdf.path, sha256=pdf.sha256,
    )
    folder = run.archive.find_case(case.case_id) or run.archive.open_case(case)
    if not folder.files(kind="original"):
        folder.add_original(pdf.abs_path)
    return issuance_specs(run, folder)


#: The note intake writes beside a document it sets aside for a person (``intake.process._to_review``):
#: ``Đã đọc được: số 12/TB-UBND, ngày 01/04/2024, loại THÔNG BÁO`` / ``Trích yếu: …`` ("?": not read).
_READ_LINE = re.compile(r"^Đã đọc được: số (?P<number>[^,]*), ngày (?P<date>[^,]*), loại (?P<type>.*)$")
_SUBJECT_LINE = re.compile(r"^Trích yếu: (?P<subject>.*)$")
#: Notes of files in review/ that are not documents to disclose (a signed copy of a generated document).
_NOT_CONTENT_TITLES = ("Bản quét có chữ ký",)


def _unread(value: str) -> str | None:
    value = value.strip()
    return None if not value or value == "?" else value


def read_review_note(doc: Path) -> dict[str, Any] | None:
    """What intake read off a document in ``review/``, from the note beside it (``<name>.txt``): number,
    issue date, type, subject (None for what it could not read); None when the file is not a document
    waiting to be disclosed (a signed scan matching no generated document)."""
    note = doc.with_name(doc.name + ".txt")
    try:
        lines = unicodedata.normalize("NFC", note.read_text(encoding="utf-8")).split("---- English ----")[0]
    except (OSError, UnicodeDecodeError):
        lines = ""  # no note (or unreadable): a document waits all the same, nothing read
    rows = [line.strip() for line in lines.splitlines()]
    if rows and rows[0].startswith(_NOT_CONTENT_TITLES):
        return None
    out: dict[str, Any] = {"number": None, "issued": None, "doc_type": None, "subject": None}
    for row in rows:
        m = _READ_LINE.match(row)
        if m:
            num, _, code = m.group("number").partition("/")
            if _unread(num):
                out["number"] = f"{num.strip()}/{code.strip()}" if _unread(code) else num.strip()
            try:
                out["issued"] = dt.datetime.strptime(m.group("date").strip(), "%d/%m/%Y").date()
            except ValueError:
                pass
            out["doc_type"] = _unread(m.group("type"))
        m = _SUBJECT_LINE.match(row)
        if m:
            out["subject"] = _unread(m.group("subject"))
    return out


def waiting_documents(run: CommuneRun) -> list[WaitingDocument]:
    """The documents waiting for a person in ``review/<commune>/`` (set aside by intake: plan item or
    issue date uncertain), with what intake read off them and, when the issue date was read, their
    disclosure deadline (the schedule of a document in no plan item). They are no case yet: the
    quarterly list and the council report count them as not disclosed."""
    from congkhai.intake.scan import is_junk, is_sidecar_name

    folder = run.settings.review_dir(run.code)
    if not folder.is_dir():
        return []
    out: list[WaitingDocument] = []
    for p in sorted(folder.iterdir()):
        name = unicodedata.normalize("NFC", p.name)
        if not p.is_file() or is_junk(name) or name.endswith(".txt") or is_sidecar_name(name):
            continue
        read = read_review_note(p)
        if read is None:
            continue
        deadline = None
        if read["issued"] is not None:
            schedule = run.schedule_of(Case(commune=run.code, issued=read["issued"], subject=read["subject"] or ""))
            deadline = schedule.deadline if schedule is not None else None
        out.append(WaitingDocument(name=name, deadline=deadline, **read))
    return out


def run_quarterly(run: CommuneRun, day: dt.date, converter: Any = None) -> dict[str, Any]:
    """The list of the previous quarter, then its posting documents (two batches: the list is their subject)."""
    if not is_quarter_window(day):
        return {"day": day.isoformat(), "skipped": "not in days 1-5 of a quarter's first month"}
    y, q = previous_quarter(day)
    cases = [c for c in _cases(run) if c.item != "1.8"]
    qs = dt.date(y, 3 * q - 2, 1)
    qe = dt.date(y + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    waiting = waiting_documents(run)
    if not any(qs <= c.issued <= qe for c in cases) and not any(w.issued and qs <= w.issued <= qe for w in waiting):
        # Nothing was issued in that quarter, neither disclosed through congkhai nor waiting for a person
        # in review/ (e.g. the quarter before the commune started using it): an empty list would be
        # posted for 90 days. Say so instead.
        return {"day": day.isoformat(), "quarter": f"{y}-Q{q}",
                "skipped": f"no case issued in {y}-Q{q} and none waiting in review/: no list made"}
    own = run.schedule_of(Case(commune=run.code, issued=day, subject="", item="1.8"))  # its own 90 days
    year_spec = spec(run, "quarterly_list", f"quarterly_list:{y}-Q{q}", f"year:{day.year}",
                     f"Danh sách nội dung đã công khai quý {ROMAN[q]} năm {y}", day,
                     year=y, quarter=q, cases=[run.scheduled(c) for c in cases], item=None, schedule=None,
                     date=day, own_schedule=own, waiting=waiting)
    first = produce(run, [year_spec], converter)
    second = produce(run, _posted_case(run, year_spec, "1.8", "THÔNG BÁO"), converter)
    return {"day": day.isoformat(), "quarter": f"{y}-Q{q}", "list": first.to_dict(), "posting": second.to_dict()}


# ----------------------------------------------------------------------------------------- january

def missing_plan_notice(run: CommuneRun, day: dt.date) -> dict[str, Any]:
    """January of a year whose plan is missing or invalid: what to do, in Vietnamese, alerted once.

    The first run of the year alerts (``alert: True``) and records it in the commune's state
    (``state/<xã>/january/plan-<year>.json``); the next runs of that year report the same, without a
    new alert, until the plan is there. Never raises for the plan."""
    import json

    from congkhai.archive import fsutil
    from congkhai.errors import CongkhaiError
    from congkhai.plan import load_plan, plan_file

    year = day.year
    path = plan_file(run.code, year, run.settings)
    try:
        load_plan(run.code, year, run.settings)
        kind, detail = "unusable_plan", ""
    except CongkhaiError as err:
        kind, detail = err.kind or "bad_plan", err.message_vi
    try:
        body = run.commune_on(day).body_short
    except CongkhaiError:
        body = run.code
    if kind == "missing_plan":
        what = f"Chưa có kế hoạch công khai năm {year} của {body} (thiếu tệp {path})."
        what_en = f"No {year} disclosure plan for {run.code} ({path} is missing)."
    else:
        what = f"Kế hoạch công khai năm {year} của {body} chưa dùng được: {detail}"
        what_en = f"The {year} disclosure plan of {run.code} cannot be used ({path})."
    vi = (f"{what} Việc đầu năm {year} chưa làm: lập và niêm yết kế hoạch năm {year}, niêm yết lại các nội dung "
          f"công khai thường xuyên. Cách xử lý: lập kế hoạch bằng lệnh 'congkhai plan new --commune {run.code} "
          f"--year {year}' (hoặc sửa tệp), rồi chạy lại DAG congkhai_january.")
    en = (f"{what_en} Nothing of January {year} was made (the yearly plan, the re-postings): create the plan "
          f"(congkhai plan new --commune {run.code} --year {year}) and run congkhai_january again.")
    state = run.settings.state_dir(run.code) / "january" / f"plan-{year}.json"
    try:
        before = json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = None
    alert = not isinstance(before, dict) or before.get("kind") != kind
    if alert:
        before = {"year": year, "kind": kind, "alerted_on": day.isoformat(), "message": vi}
        fsutil.make_dirs(state.parent)
        fsutil.atomic_replace_bytes(state, json.dumps(before, ensure_ascii=False, indent=1).encode("utf-8"))
    return {"day": day.isoformat(), "year": year, "plan": vi, "plan_missing": kind, "message_en": en,
            "alert": alert, "alerted_on": before.get("alerted_on", day.isoformat())}


def run_january(run: CommuneRun, day: dt.date, converter: Any = None) -> dict[str, Any]:
    """The yearly plan of ``day.year`` (posted as item 1.1) and the re-posting of permanent items.

    Without a usable ``plan-<year>.yaml`` neither is made: the result says so in Vietnamese
    (``missing_plan_notice``: one alert per year, not one per run); the year before's dossier is still
    assembled (it needs no new plan)."""
    if day.month != 1:
        return {"day": day.isoformat(), "skipped": "not January"}
    plan = run.plan(day.year)
    if plan is None:  # nothing of year Y is made without its plan: said once, the old year still closed
        result = missing_plan_notice(run, day)
        if (run.archive.commune_dir / f"{day.year - 1:04d}").is_dir():
            result["dossier"] = assemble_year_dossier(run, day.year - 1, converter)
        return result
    result: dict[str, Any] = {"day": day.isoformat()}
    # Dated and numbered as plan-<year>.yaml records them (issued, number); else blanks: a draft.
    year_spec = spec(run, "yearly_plan", "yearly_plan", f"year:{day.year}",
                     f"Kế hoạch thực hiện công khai năm {day.year}", day, year=day.year, plan=plan,
                     item=None, schedule=None)
    result["plan"] = produce(run, [year_spec], converter).to_dict()
    posting = _posted_case(run, year_spec, "1.1", "KẾ HOẠCH")
    result["plan_posting"] = produce(run, posting, converter).to_dict() if posting else {
        "skipped": f"plan-{day.year}.yaml has no issue date (issued:): the plan is a draft, not posted yet"}
    reposts: list[DocSpec] = []
    for folder in run.case_folders():
        case = folder.case
        if case is None or case.status == "cancelled" or case.issued.year >= day.year:
            continue
        schedule = run.schedule_of(case)
        if schedule is not None and schedule.permanent and _posted(folder):
            reposts += repost(run, case, day)
    result["reposts"] = produce(run, reposts, converter).to_dict()
    if (run.archive.commune_dir / f"{day.year - 1:04d}").is_dir():
        result["dossier"] = assemble_year_dossier(run, day.year - 1, converter)
    return result


# ----------------------------------------------------------------------------------------- council

def council_report_day(run: CommuneRun, session: dt.date) -> dt.date:
    cal = run.calendar
    d = session
    for _ in range(COUNCIL_LEAD_DAYS):
        d = cal.previous_working_day(d)
    return d


def run_council(run: CommuneRun, day: dt.date, converter: Any = None) -> dict[str, Any]:
    """On the working day ``COUNCIL_LEAD_DAYS`` before a regular session: the report for the period."""
    sessions = run.commune.sessions(day.year)
    due = [s for s in sessions if council_report_day(run, s) == day]
    if not due:
        return {"day": day.isoformat(), "skipped": "no regular session in "
                f"{COUNCIL_LEAD_DAYS} working days", "sessions": [s.isoformat() for s in sessions]}
    session = due[0]
    earlier = [s for s in sessions if s < session]
    start = council_report_day(run, earlier[-1]) + dt.timedelta(days=1) if earlier else dt.date(day.year, 1, 1)
    label = (f"từ ngày {start:%d/%m/%Y} đến ngày {day:%d/%m/%Y}")
    s = spec(run, "council_report", f"council_report:{session.isoformat()}", f"year:{day.year}",
             f"Báo cáo kết quả thực hiện công khai trình kỳ họp HĐND ngày {session:%d/%m/%Y}", day,
             year=day.year, cases=[run.scheduled(c) for c in _cases(run)], item=None, schedule=None,
             period_start=start, period_end=day, period_label=label, date=day, waiting=waiting_documents(run))
    return {"day": day.isoformat(), "session": session.isoformat(), **produce(run, [s], converter).to_dict()}


__all__ = ["daily_specs", "daily_work", "deadline_check", "run_council", "run_daily", "run_january",
           "run_quarterly", "schedule_record", "waiting_documents"]


# ----------------------------------------------------------------------------------------- dossier

def assemble_year_dossier(run: CommuneRun, year: int, converter: Any = None) -> dict[str, Any]:
    """The year's disclosure dossier (hồ sơ công khai): one PDF/A in the seed's section order — a cover and
    a printed MỤC LỤC from the commune profile, then one version of each document (signed, else final,
    else draft; the January re-postings of the permanent items included) — filed in the year folder as a
    new version when its content changed (a late end minute, a correction, a signed copy)."""
    import hashlib
    import json
    import tempfile
    from pathlib import Path

    from congkhai.convert.dossier import assemble, entries_from_year, front_matter

    entries = entries_from_year(run.archive.commune_dir, year)
    if not entries:
        return {"year": year, "skipped": "no document"}
    front = front_matter(run.commune, year=year)
    inputs = sorted(json.dumps([e.kind, e.pdf.name, e.state, e.title, e.number, e.date.isoformat(), e.repost_year],
                               ensure_ascii=False) for e in entries)
    digest = hashlib.sha256("\n".join(["dossier-v2", front.fingerprint(), *inputs]).encode()).hexdigest()
    folder = run.archive.year_folder(year)
    last = folder.latest("dossier", "pdf")
    if last is not None and any(f.get("inputs_digest") == digest for f in folder.manifest["files"]
                                if f["key"] == "dossier"):
        return {"year": year, "skipped": "unchanged", "path": f"{folder.rel_path}/{last.path}"}
    with tempfile.TemporaryDirectory(prefix="congkhai-dossier-") as tmp:
        out = Path(tmp) / f"ho-so-cong-khai-{year}.pdf"
        rep = assemble(entries, out, f"Hồ sơ công khai thông tin năm {year} — {run.commune.body_short}",
                       author=run.commune.body_short, converter=converter, front=front)
        entry = folder.add_file("dossier", out, number=None, doc_date=dt.date(year, 12, 31), versioned_key="dossier",
                                title=f"Hồ sơ công khai thông tin năm {year}", inputs_digest=digest)
    states: dict[str, int] = {}
    for e in entries:
        states[e.state or "unknown"] = states.get(e.state or "unknown", 0) + 1
    return {"year": year, "documents": len(entries), "pages": rep.pages, "path": f"{folder.rel_path}/{entry.path}",
            "version": entry.version, "front_pages": list(rep.front_pages),
            "reposts": sum(1 for e in entries if e.repost_year == year), "states": states}
