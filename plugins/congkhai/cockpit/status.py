"""Where each case of a commune stands on one day: what ``congkhai status`` prints and the cockpit shows.

For a commune and a day ``on``, every case issued on or before that day gets:

- a **state** (:data:`STATES`), the first that holds of:

  ``cancelled``       the case was cancelled;
  ``late``            a required action is past its due date without an answer, or the posting itself
                      is late (it started after the disclosure deadline) and has not ended yet;
  ``waiting_person``  a required action with a due date is asked and not answered yet;
  ``ended``           the case was closed, or the last day of its disclosure has come;
  ``posting``         otherwise: posted (or about to be) and nothing asked of a person.

  The clerk's numbers (``numbers``: asked at once, no due date) are listed as a pending action but
  never make a case wait: they can be given at any time.
- its **pending actions**: the required actions asked by that day and not answered
  (:func:`congkhai.pipeline.evidence_due.asks_for`), each with its due date and whether it is overdue;
- its **next due**: the earliest due date among the actions not answered yet, asked or not;
- where it is posted (:class:`Bar`: the UBND, each group's cultural house, the radio) for the timeline.

No date is computed here. Every date comes from the case's schedule (``CommuneRun.schedule_of``, the
one place the pipeline computes one) and from ``evidence_due`` (when each action is asked and due);
this module only compares them with the day. Days late: calendar days past an action's due date;
for a late posting, the schedule's working days (``Schedule.days_late``).

:func:`case_detail` adds what one case's page shows: its documents with their state (draft / final
/ signed), what people recorded (``case.evidence``) and the case's history.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from congkhai.archive import layout
from congkhai.archive.store import CaseFolder
from congkhai.errors import CongkhaiError, UsageError
from congkhai.evidence import SECTION_TITLES_VI, SECTIONS, facts_of
from congkhai.pipeline.context import CommuneRun
from congkhai.pipeline.evidence_due import Ask, asks_for
from congkhai.schedule import Schedule

log = logging.getLogger(__name__)

#: The states, in the order the cockpit lists them (most urgent first).
STATES = ("late", "waiting_person", "posting", "ended", "cancelled")
STATE_LABELS_VI = {
    "late": "Trễ hạn",
    "waiting_person": "Chờ người xác nhận",
    "posting": "Đang công khai",
    "ended": "Đã kết thúc",
    "cancelled": "Đã hủy",
}
#: Sections whose answer has a due date and makes a case wait for a person (not the clerk's numbers).
WAITING_SECTIONS = ("posting", "broadcast", "end")
#: The places of the timeline that are not residential groups.
HQ, RADIO = "hq", "radio"


@dataclass(frozen=True)
class PendingAction:
    """A required action asked by the day and not answered yet."""

    section: str
    title: str
    asked_from: dt.date
    due: dt.date | None
    overdue: bool
    days_late: int  # calendar days past ``due`` (0 when not overdue)

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "title": self.title, "asked_from": self.asked_from.isoformat(),
                "due": _iso(self.due), "overdue": self.overdue, "days_late": self.days_late}


@dataclass(frozen=True)
class NextDue:
    what: str  # the section
    title: str
    date: dt.date

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "title": self.title, "date": self.date.isoformat()}


@dataclass(frozen=True)
class Bar:
    """One place where a case is disclosed, from ``start`` to ``end`` (None: permanent posting)."""

    place: str  # ``hq``, a group code, ``radio``
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class CaseStatus:
    """One case on one day (``to_dict``: the ``congkhai status --json`` contract)."""

    case_id: str
    doc_number: str | None
    doc_code: str | None
    notation: str
    subject: str
    item: str | None
    item_title: str | None
    issued: dt.date
    state: str
    schedule: Schedule | None
    posted: bool  # its posting documents were made
    pending_actions: tuple[PendingAction, ...]
    next_due: NextDue | None
    late_reasons: tuple[str, ...]
    days_late: int
    path: str  # the case folder, relative to the commune's tree
    bars: tuple[Bar, ...] = ()

    @property
    def state_label(self) -> str:
        return STATE_LABELS_VI[self.state]

    @property
    def posting_start(self) -> dt.date | None:
        return self.schedule.posting_start if self.schedule else None

    @property
    def posting_end(self) -> dt.date | None:
        return self.schedule.posting_end if self.schedule else None

    def to_dict(self) -> dict[str, Any]:
        s = self.schedule
        return {
            "case_id": self.case_id,
            "doc_number": self.doc_number,
            "doc_code": self.doc_code,
            "notation": self.notation,
            "subject": self.subject,
            "item": self.item,
            "item_title": self.item_title,
            "issued": self.issued.isoformat(),
            "state": self.state,
            "state_label": self.state_label,
            "posting_start": _iso(self.posting_start),
            "posting_end": _iso(self.posting_end),
            "deadline": _iso(s.deadline) if s else None,
            "broadcast_days": [d.isoformat() for d in s.broadcast_days] if s else [],
            "broadcast_report_due": _iso(s.broadcast_report_due) if s else None,
            "next_due": self.next_due.to_dict() if self.next_due else None,
            "pending_actions": [a.to_dict() for a in self.pending_actions],
            "posted": self.posted,
            "late_reasons": list(self.late_reasons),
            "days_late": self.days_late,
            "path": self.path,
        }


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def vn_date(d: dt.date | None) -> str:
    """``26/03/2024`` (empty for None): how staff write a date."""
    return f"{d:%d/%m/%Y}" if d else ""


def parse_day(text: str | dt.date | None, field_name: str = "on") -> dt.date:
    """A day as given on the command line or in a URL: ``2024-03-26`` or ``26/03/2024``."""
    if isinstance(text, dt.date):
        return text
    raw = (text or "").strip()
    try:
        if "/" in raw:
            d, m, y = (int(x) for x in raw.split("/"))
            return dt.date(y, m, d)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"Ngày không hợp lệ: “{raw}” (cần dạng năm-tháng-ngày, ví dụ 2024-03-26, "
                         "hoặc 26/03/2024)", f"invalid date: {raw!r}", field=field_name) from None


def today_vn() -> dt.date:
    """Today in Vietnam (the cockpit's default day; the CLI and the tests always give one)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


# ------------------------------------------------------------------------------------------- states

def _posted(folder: CaseFolder) -> bool:
    from congkhai.pipeline.calendar_jobs import is_posted

    return is_posted(folder)


def _last_day(schedule: Schedule) -> dt.date | None:
    """The day the disclosure ends: its posting's end, else (no posting channel) its last broadcast day;
    None for a permanent posting (replaced, never ended)."""
    if schedule.permanent:
        return None
    if schedule.posting_end is not None:
        return schedule.posting_end
    if schedule.broadcast_days:
        return schedule.broadcast_days[-1]
    return schedule.posting_start if not schedule.channel_ends else None


def _bars(run: CommuneRun, folder: CaseFolder, schedule: Schedule) -> tuple[Bar, ...]:
    """Where the case is disclosed: the UBND board (or the one-stop frame), the cultural houses where it
    was posted (as recorded, else where its start minutes were made), the radio's broadcast days."""
    from congkhai.pipeline.calendar_jobs import end_places

    case = folder.case
    bars: list[Bar] = []
    ends = schedule.channel_ends
    start = schedule.posting_start
    hq_kind = next((k for k in ("ubnd_board", "one_stop_frame") if k in ends), None)
    if hq_kind:
        bars.append(Bar(HQ, start, ends[hq_kind]))
    if "cultural_house" in ends and case is not None:
        try:
            groups = [g for g in end_places(run, folder, case) if g]
        except CongkhaiError as err:  # a posting answer naming an unknown group: shown on the case page
            log.warning("case %s: %s", case.case_id, err)
            groups = []
        bars += [Bar(g, start, ends["cultural_house"]) for g in groups]
    if run.commune.has_radio and schedule.broadcast_days:
        bars.append(Bar(RADIO, schedule.broadcast_days[0], schedule.broadcast_days[-1]))
    return tuple(bars)


def _item_title(run: CommuneRun, item_code: str | None, year: int) -> str | None:
    if not item_code:
        return None
    plan = run.plan(year) or run.plan(year - 1)
    if plan is None or item_code not in plan.codes:
        return None
    return plan.item(item_code).title


def case_status(run: CommuneRun, folder: CaseFolder, day: dt.date) -> CaseStatus | None:
    """The state of the case in ``folder`` on ``day`` (None: a year folder, or a case issued later)."""
    case = folder.case
    if case is None or case.issued > day:
        return None
    schedule = run.schedule_of(case)
    answered = set(case.evidence or {})
    asks: list[Ask] = asks_for(run, case, schedule)  # [] when cancelled or without a schedule
    unanswered = [a for a in asks if a.section not in answered]
    pending = tuple(
        PendingAction(a.section, SECTION_TITLES_VI[a.section], a.ask_from, a.due,
                      overdue=a.due is not None and a.due < day,
                      days_late=(day - a.due).days if a.due is not None and a.due < day else 0)
        for a in unanswered if a.ask_from <= day)
    dated = sorted((a for a in unanswered if a.due is not None),
                   key=lambda a: (a.due, SECTIONS.index(a.section)))
    next_due = NextDue(dated[0].section, SECTION_TITLES_VI[dated[0].section], dated[0].due) if dated else None

    reasons: list[str] = []
    days_late = 0
    for p in pending:
        if p.overdue:
            reasons.append(f"{p.title}: quá hạn {vn_date(p.due)}, trễ {p.days_late} ngày")
            days_late = max(days_late, p.days_late)
    last = _last_day(schedule) if schedule else None
    over = (last is not None and last <= day) or (case.status == "closed" and last is None)
    posted = _posted(folder)
    if schedule is not None and schedule.late and not over:
        reasons.append(f"Niêm yết ngày {vn_date(schedule.posting_start)}, sau hạn công khai "
                       f"{vn_date(schedule.deadline)} ({schedule.days_late} ngày làm việc)")
        days_late = max(days_late, schedule.days_late)
    if schedule is not None and not posted and schedule.deadline < day and case.status != "cancelled":
        reasons.append("Chưa lập được văn bản niêm yết")

    if case.status == "cancelled":
        state, reasons, days_late, pending, next_due = "cancelled", [], 0, (), None
    elif reasons:
        state = "late"
    elif any(p.section in WAITING_SECTIONS and p.due is not None for p in pending):
        state = "waiting_person"
    elif over:
        state = "ended"
    else:
        state = "posting"
    return CaseStatus(
        case_id=case.case_id, doc_number=case.doc_number, doc_code=case.doc_code,
        notation=case.number_notation,
        subject=case.subject, item=case.item, item_title=_item_title(run, case.item, case.issued.year),
        issued=case.issued, state=state, schedule=schedule, posted=posted, pending_actions=pending,
        next_due=next_due, late_reasons=tuple(reasons), days_late=days_late, path=folder.rel_path,
        bars=_bars(run, folder, schedule) if schedule and case.status != "cancelled" else (),
    )


def commune_status(run: CommuneRun, day: dt.date) -> list[CaseStatus]:
    """Every case of the commune issued on or before ``day``: most urgent first (``STATES`` order), then
    by most days late, then newest first."""
    out = [s for f in run.case_folders() if (s := case_status(run, f, day)) is not None]
    out.sort(key=lambda s: s.case_id, reverse=True)
    out.sort(key=lambda s: (STATES.index(s.state), -s.days_late))
    return out


# ----------------------------------------------------------------------------------------- the day

@dataclass(frozen=True)
class DayWork:
    """Today's work: the actions waiting (overdue first), postings starting and ending, the radio."""

    day: dt.date
    actions: tuple[tuple[CaseStatus, PendingAction], ...]
    starting: tuple[CaseStatus, ...]
    ending: tuple[CaseStatus, ...]
    broadcasts: tuple[CaseStatus, ...]
    late: tuple[CaseStatus, ...]

    @property
    def empty(self) -> bool:
        return not (self.actions or self.starting or self.ending or self.broadcasts or self.late)

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.day.isoformat(),
            "actions": [{"case_id": c.case_id, **a.to_dict()} for c, a in self.actions],
            "posting_starts": [c.case_id for c in self.starting],
            "posting_ends": [c.case_id for c in self.ending],
            "broadcasts": [c.case_id for c in self.broadcasts],
            "late": [{"case_id": c.case_id, "days_late": c.days_late} for c in self.late],
        }


def day_work(statuses: list[CaseStatus], day: dt.date) -> DayWork:
    live = [s for s in statuses if s.state != "cancelled"]
    actions = [(s, a) for s in live for a in s.pending_actions]
    actions.sort(key=lambda sa: (not sa[1].overdue, -sa[1].days_late, sa[1].due or dt.date.max,
                                 sa[0].case_id))
    return DayWork(
        day=day,
        actions=tuple(actions),
        starting=tuple(s for s in live if s.posting_start == day),
        ending=tuple(s for s in live if s.posting_end == day),
        broadcasts=tuple(s for s in live if s.schedule and day in s.schedule.broadcast_days),
        late=tuple(s for s in live if s.state == "late"),
    )


def status_report(run: CommuneRun, day: dt.date) -> dict[str, Any]:
    """``congkhai status --json``: ``{"commune", "on", "cases": [...], "today": {...}}``."""
    statuses = commune_status(run, day)
    return {"commune": run.code, "on": day.isoformat(), "cases": [s.to_dict() for s in statuses],
            "today": day_work(statuses, day).to_dict()}


# -------------------------------------------------------------------------------------- the timeline

@dataclass(frozen=True)
class Place:
    code: str
    label: str


@dataclass(frozen=True)
class TimelineBar:
    case: CaseStatus
    start: dt.date  # clipped to the month
    end: dt.date
    starts_before: bool  # the posting began in an earlier month
    ends_after: bool  # it goes on after the month (or is permanent)


@dataclass(frozen=True)
class TimelineRow:
    place: Place
    bars: tuple[TimelineBar, ...]


@dataclass(frozen=True)
class Timeline:
    year: int
    month: int
    first: dt.date
    last: dt.date
    rows: tuple[TimelineRow, ...]


def places(run: CommuneRun) -> list[Place]:
    """The rows of the timeline: the UBND, each residential group (commune.yaml order), the radio."""
    out = [Place(HQ, "Trụ sở UBND")]
    out += [Place(g.code, g.name) for g in run.commune.groups]
    if run.commune.has_radio:
        out.append(Place(RADIO, run.commune.radio_name or "Đài truyền thanh"))
    return out


def timeline(run: CommuneRun, statuses: list[CaseStatus], year: int, month: int) -> Timeline:
    """One row per place, a bar per case disclosed there during the month (``statuses``' cases)."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, _calendar.monthrange(year, month)[1])
    rows = []
    for place in places(run):
        bars = []
        for s in statuses:
            for b in s.bars:
                end = b.end or dt.date.max
                if b.place != place.code or b.start > last or end < first:
                    continue
                bars.append(TimelineBar(s, max(b.start, first), min(end, last), b.start < first, end > last))
        bars.sort(key=lambda b: (b.start, b.case.case_id))
        rows.append(TimelineRow(place, tuple(bars)))
    return Timeline(year, month, first, last, tuple(rows))


# ---------------------------------------------------------------------------------------- one case

@dataclass(frozen=True)
class DocumentRow:
    """One generated document (or the original) of a case: its newest version and what to open."""

    key: str
    kind: str
    label: str
    version: int
    versions: int
    state: str | None  # draft / final / signed; None for the original
    doc_date: dt.date | None
    number: int | None
    pdf: str | None  # archive-relative paths (``kep/2024/03/25/…/x.pdf``), for the archive page
    docx: str | None
    others: tuple[str, ...]
    signed_scan: str | None


@dataclass(frozen=True)
class EvidenceRow:
    section: str
    title: str
    by: str
    at: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class HistoryRow:
    at: str
    event: str
    label: str
    by: str
    detail: str


@dataclass(frozen=True)
class ActionRow:
    """A required action of the case, whatever the day: answered, asked and waiting, or asked later."""

    section: str
    title: str
    ask_from: dt.date
    due: dt.date | None
    answered: bool
    asked: bool  # asked by the day
    overdue: bool
    days_late: int


@dataclass(frozen=True)
class CaseDetail:
    status: CaseStatus
    folder_rel: str  # archive-relative (commune first)
    documents: tuple[DocumentRow, ...]
    evidence: tuple[EvidenceRow, ...]
    actions: tuple[ActionRow, ...]  # every required action of the case (``evidence_due``)
    history: tuple[HistoryRow, ...]
    signer: str | None
    doc_type: str | None
    extra: dict[str, Any] = field(default_factory=dict)


_EVENTS_VI = {
    "opened": "Mở hồ sơ",
    "schedule": "Lập lịch công khai",
    "case_updated": "Cập nhật thông tin hồ sơ",
    "posting_documents": "Lập văn bản niêm yết",
    "posting_recorded": "Ghi nhận ngày niêm yết",
    "feedback": "Ghi nhận ý kiến phản hồi",
    "evidence": "Ghi nhận bằng chứng",
    "cancelled": "Hủy hồ sơ",
    "corrected": "Sửa thông tin hồ sơ",
    "regenerate": "Lập lại văn bản",
    "closed": "Kết thúc hồ sơ",
    "signed": "Nhận bản có chữ ký, dấu",
    "number_collision": "Trùng số văn bản",
}
#: Case fields named in an update event.
_FIELDS_VI = {
    "evidence": "bằng chứng", "posted": "ngày niêm yết", "feedback": "ý kiến phản hồi",
    "status": "trạng thái", "subject": "trích yếu", "item": "mục kế hoạch", "doc_type": "loại văn bản",
    "signer": "người ký",
    "issuer": "cơ quan ban hành", "place": "địa danh", "law_item": "khoản Điều 11", "extra": "thông tin thêm",
}
#: Events of a file being filed: shown as the documents' versions, not one line each.
_FILE_EVENTS = frozenset({"filed", "new_version"})


def _doc_label(run: CommuneRun, kind: str, key: str) -> str:
    info = layout.KINDS.get(kind)
    label = info.label_vi if info else kind
    _, _, qual = key.partition(":")
    if qual:
        try:
            label += f" — {run.commune.group(qual).name}"
        except CongkhaiError:
            label += f" — {qual}"
    return label


def _documents(run: CommuneRun, folder: CaseFolder) -> list[DocumentRow]:
    m = folder.manifest
    base = f"{run.code}/{folder.rel_path}"
    signed = m.get("signed") or {}
    by_key: dict[str, list[dict[str, Any]]] = {}
    for f in m.get("files", []):
        if f["kind"] == "signed_scan":
            continue
        by_key.setdefault(f["key"], []).append(f)
    rows = []
    for key, files in by_key.items():
        version = max(f["version"] for f in files)
        newest = [f for f in files if f["version"] == version]
        kind = newest[0]["kind"]
        exts = {f["path"].rsplit(".", 1)[-1].lower(): f"{base}/{f['path']}" for f in newest}
        state: str | None = None
        if kind != "original":
            state = next((f["state"] for f in newest if f.get("state")), None) or "draft"
        scan = signed.get(key)
        if scan:
            state = "signed"
        rows.append(DocumentRow(
            key=key, kind=kind, label=_doc_label(run, kind, key), version=version,
            versions=len({f["version"] for f in files}), state=state,
            doc_date=dt.date.fromisoformat(newest[0]["doc_date"]) if newest[0].get("doc_date") else None,
            number=newest[0].get("number"), pdf=exts.pop("pdf", None), docx=exts.pop("docx", None),
            others=tuple(sorted(exts.values())), signed_scan=f"{base}/{scan['scan']}" if scan else None))
    order = {g.code: i for i, g in enumerate(run.commune.groups)}

    def sort_key(r: DocumentRow) -> tuple[int, int, str]:
        info = layout.KINDS.get(r.kind)
        return (info.order if info else 99, order.get(r.key.partition(":")[2], -1), r.key)

    return sorted(rows, key=sort_key)


def _at(value: str | None) -> str:
    """``2024-03-26T09:00:00+07:00`` → ``09:00 26/03/2024`` (as recorded; the zone is Vietnam's)."""
    if not value:
        return ""
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{t:%H:%M %d/%m/%Y}"


def _evidence(run: CommuneRun, evidence: dict[str, Any]) -> list[EvidenceRow]:
    rows = []
    for section in SECTIONS:
        rec = (evidence or {}).get(section)
        if not rec:
            continue
        lines: list[str] = []
        try:
            facts = facts_of(evidence, section)
        except Exception:  # noqa: BLE001 - a record written by an older version: show it raw
            facts = None
            lines.append(str(rec.get("value")))
        if section == "posting" and facts is not None:
            where = ("bảng tin UBND và tất cả " + run.commune.group_word) if facts.groups == "all" else (
                "bảng tin UBND và " + ", ".join(_group_name(run, g) for g in facts.groups) if facts.groups
                else "bảng tin UBND")
            lines += [f"Niêm yết lúc {facts.at:%H:%M} ngày {facts.at:%d/%m/%Y}, người niêm yết: {facts.by}",
                      f"Nơi niêm yết: {where}"]
            if facts.witnesses:
                lines.append("Người chứng kiến: " + ", ".join(facts.witnesses))
        elif section == "broadcast" and facts is not None:
            lines.append("Các ngày phát: " + ", ".join(f"{d:%d/%m/%Y}" for d in facts.days))
            lines.append("Các buổi: " + ", ".join(f"{t:%H:%M}" for t in facts.sessions)
                         + (f"; người phát: {facts.by}" if facts.by else ""))
        elif section == "end" and facts is not None:
            lines += (["Không nhận được ý kiến phản hồi nào"] if not facts.feedback
                      else [f"Ý kiến: {t}" for t in facts.feedback])
        elif section == "numbers" and facts is not None:
            lines += [f"{key}: số {n}" for key, n in sorted(facts.items())]
        rows.append(EvidenceRow(section, SECTION_TITLES_VI[section], str(rec.get("by") or ""),
                                _at(rec.get("at")), tuple(lines)))
    return rows


def _group_name(run: CommuneRun, code: str) -> str:
    try:
        return run.commune.group(code).name
    except CongkhaiError:
        return code


def _history(m: dict[str, Any]) -> list[HistoryRow]:
    rows = []
    for h in m.get("history", []):
        event = h.get("event", "")
        if event in _FILE_EVENTS:
            continue
        detail = ""
        if event == "evidence":
            detail = SECTION_TITLES_VI.get(h.get("section", ""), h.get("section", ""))
            if h.get("key"):
                detail += f" ({h['key']}: số {h.get('number')})"
        elif event == "posting_recorded":
            detail = f"ngày {vn_date(dt.date.fromisoformat(h['posted']))}" if h.get("posted") else ""
        elif event in ("feedback",):
            detail = str(h.get("text", ""))
        elif event == "cancelled":
            detail = str(h.get("reason", ""))
        elif event in ("corrected", "case_updated"):
            detail = ", ".join(_FIELDS_VI.get(f, f) for f in h.get("fields", []))
        elif event == "posting_documents":
            detail = f"{h.get('count', 0)} tệp"
        elif event == "schedule":
            s = h.get("schedule") or {}
            if s.get("posting_start"):
                start, end = (dt.date.fromisoformat(s[k]) if s.get(k) else None
                              for k in ("posting_start", "posting_end"))
                detail = f"niêm yết từ {vn_date(start)}" + (f" đến {vn_date(end)}" if end else "")
        elif event == "signed":
            detail = f"{h.get('key', '')} bản {h.get('version', '')}"
        elif event == "closed":
            detail = f"ngày {vn_date(dt.date.fromisoformat(h['on']))}" if h.get("on") else ""
        rows.append(HistoryRow(at=_at(h.get("at")), event=event, label=_EVENTS_VI.get(event, event),
                               by=str(h.get("by") or ""), detail=detail))
    return rows


def case_detail(run: CommuneRun, case_id: str, day: dt.date) -> CaseDetail:
    """Everything the case page shows; :class:`UsageError` (``unknown_case``) for an unknown case."""
    folder = run.archive.find_case(case_id)
    case = folder.case if folder is not None else None
    if folder is None or case is None:
        raise UsageError(f"Không có hồ sơ “{case_id}” của {run.code}", f"no case {case_id!r} in {run.code}",
                         kind="unknown_case", field="case_id")
    day = max(day, case.issued)
    status = case_status(run, folder, day)
    assert status is not None
    pending = {p.section: p for p in status.pending_actions}
    actions = tuple(
        ActionRow(a.section, SECTION_TITLES_VI[a.section], a.ask_from, a.due,
                  answered=a.section in (case.evidence or {}), asked=a.ask_from <= day,
                  overdue=a.section in pending and pending[a.section].overdue,
                  days_late=pending[a.section].days_late if a.section in pending else 0)
        for a in asks_for(run, case, status.schedule))
    return CaseDetail(status=status, folder_rel=f"{run.code}/{folder.rel_path}",
                      documents=tuple(_documents(run, folder)), evidence=tuple(_evidence(run, case.evidence)),
                      actions=actions,
                      history=tuple(_history(folder.manifest)), signer=case.signer, doc_type=case.doc_type)
