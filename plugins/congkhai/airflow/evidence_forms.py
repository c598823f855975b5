"""The required actions of a case (Airflow human-in-the-loop): forms built from the case, answers back.

:class:`EvidenceRequest` is Airflow's ``HITLEntryOperator`` for one section of ``congkhai.evidence``:

1. when it starts it reads the case from the archive and works out when the section is asked
   (``congkhai.pipeline.evidence_due``); a section the case does not need is *skipped*;
2. until that moment it waits *deferred* (a ``DateTimeTrigger``: no worker slot);
3. then it writes the request — a Vietnamese subject, a body describing the case and a form
   pre-filled from the case's schedule and the commune profile — and waits in *awaiting_input*
   (Airflow 3.3: no worker slot, no triggerer) until a person answers in **Required actions**
   (or ``PATCH …/hitlDetails``).

It never answers by itself: no ``response_timeout`` and no ``defaults``, so an unanswered request
stays open (the daily deadline check lists the case as waiting for a person) and no default value
ever becomes a fact. Pre-filled values are suggestions a person confirms by pressing OK; a fact
nobody can know beforehand (the time of the posting, who posted when the profile's names are
samples, the radio sessions) starts empty and must be filled.

:func:`record_response` turns the person's answer into the section's facts (Vietnamese errors for
a contradictory or incomplete answer) and records them with ``actions.record_evidence``: who
answered is the Airflow user, when is the response time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airflow.providers.standard.operators.hitl import HITLEntryOperator
from airflow.sdk import Param
from airflow.sdk.definitions.param import ParamsDict

from congkhai.errors import PermanentError, UsageError
from congkhai.evidence import SECTION_TITLES_VI

log = logging.getLogger(__name__)

TZ = "Asia/Ho_Chi_Minh"
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
#: Form field of one document's official number: ``number__posting_start_group__tdp01``.
NUMBER_FIELD = "number__"


def _vn(d: dt.date) -> str:
    return f"{d:%d/%m/%Y}"


def _day_label(d: dt.date) -> str:
    return f"{WEEKDAYS_VI[d.weekday()]} {_vn(d)}"


def number_field(key: str) -> str:
    return NUMBER_FIELD + key.replace(":", "__")


def field_key(field: str) -> str:
    return field[len(NUMBER_FIELD):].replace("__", ":")


# ------------------------------------------------------------------------------------------ forms

def form_params(section: str, *, posted_on: str | None = None, groups: Mapping[str, str] | None = None,
                group_defaults: list[str] | None = None, posted_by: str | None = None,
                broadcast_days: list[dt.date] | None = None, broadcast_by: str | None = None,
                feedback: list[str] | None = None, no_feedback: bool = False, witnesses: list[str] | None = None,
                posted_time: str | None = None, sessions: list[str] | None = None,
                documents: Mapping[str, tuple[str, int | None]] | None = None) -> dict[str, Param]:
    """The form of one section, pre-filled with the given values (what :func:`build_form` found)."""
    if section == "posting":
        codes = list(groups or {})
        return {
            "posted_on": Param(posted_on, type="string", format="date", title="Ngày niêm yết",
                               description="Ngày văn bản được dán tại bảng tin UBND (theo lịch: ngày điền sẵn)."),
            "posted_time": Param(posted_time, type="string", format="time", title="Giờ niêm yết (bắt buộc)",
                                 description="Giờ thực tế dán văn bản, ví dụ 14:30. Không có giờ mặc định: "
                                             "người niêm yết phải ghi."),
            "groups": Param(list(group_defaults if group_defaults is not None else codes), type=["null", "array"],
                            items={"type": "string"}, title="Nơi niêm yết: nhà văn hóa các tổ dân phố / thôn",
                            description="Ngoài bảng tin tại trụ sở UBND. Bỏ chọn nơi chưa niêm yết.",
                            **({"examples": codes, "values_display": dict(groups or {})} if codes else {})),
            "posted_by": Param(posted_by, type="string", minLength=1, maxLength=120, title="Người niêm yết",
                               description="Họ và tên người trực tiếp niêm yết."),
            "witnesses": Param(list(witnesses or []), type=["null", "array"], items={"type": "string"},
                               title="Người chứng kiến (mỗi người một dòng)",
                               description="Họ tên, chức vụ; để trống nếu không có."),
        }
    if section == "broadcast":
        days = [d.isoformat() for d in broadcast_days or []]
        return {
            "days": Param(days, type="array", items={"type": "string"}, title="Các ngày đã phát thanh",
                          description="Theo lịch: các ngày điền sẵn. Bỏ ngày không phát.",
                          **({"examples": days, "values_display": {d.isoformat(): _day_label(d)
                                                                   for d in broadcast_days or []}} if days else {})),
            "sessions": Param(list(sessions or []), type="array", items={"type": "string"},
                              title="Các buổi phát (giờ, mỗi buổi một dòng)",
                              description="Ví dụ 06:30 và 17:15 — giờ thực tế của Đài."),
            "broadcast_by": Param(broadcast_by, type=["null", "string"], title="Người phát / Đài truyền thanh"),
        }
    if section == "end":
        return {
            "feedback": Param(list(feedback or []), type=["null", "array"], items={"type": "string"},
                              title="Ý kiến phản hồi đã nhận (mỗi ý kiến một dòng)",
                              description="Ý kiến của Nhân dân trong thời gian niêm yết."),
            "no_feedback": Param(no_feedback, type="boolean", title="Không nhận được ý kiến phản hồi nào",
                                 description="Đánh dấu khi quả thật không có ai góp ý (bắt buộc khi danh sách "
                                             "ý kiến để trống)."),
            "end_by": Param(None, type=["null", "string"], title="Người lập biên bản kết thúc"),
        }
    if section == "numbers":
        return {number_field(key): Param(num, type=["null", "integer"], minimum=1, maximum=99999, title=label)
                for key, (label, num) in (documents or {}).items()}
    raise ValueError(f"unknown evidence section {section!r}")


@dataclass(frozen=True)
class Form:
    """One request as it is written for a case."""

    section: str
    subject: str
    body: str
    params: dict[str, Param]
    ask_at: dt.datetime | None  # None: ask now
    due: dt.date | None


def _recorded(case: Any, section: str) -> Any:
    from congkhai.evidence import facts_of

    try:
        return facts_of(case.evidence, section)
    except Exception:  # noqa: BLE001 - an unreadable earlier record: ask afresh
        return None


def build_form(commune: str, case_id: str, section: str) -> Form | None:
    """The request for ``section`` of a case as it stands now; None when the case does not need it."""
    from congkhai.pipeline.context import CommuneRun
    from congkhai.pipeline.evidence_due import ask_of

    run = CommuneRun(commune)
    folder = run.archive.find_case(case_id)
    if folder is None or folder.case is None:
        raise UsageError(f"Không có hồ sơ {case_id} của {commune}", f"no case {case_id} in {commune}",
                         kind="unknown_case", field="case_id")
    case = folder.case
    ask = ask_of(run, folder, section)
    if ask is None:
        return None
    schedule = run.schedule_of(case)
    assert schedule is not None  # an ask exists only for a scheduled case
    item, _ = run.item_of(case)
    c = run.commune
    before = _recorded(case, section)
    rec = (case.evidence or {}).get(section) or {}
    lines = [f"**Hồ sơ**: {case.number_notation or case.case_id} ngày {_vn(case.issued)} — {case.subject}",
             f"**Mục kế hoạch**: {case.item or '—'}; hạn công khai {_vn(schedule.deadline)}; "
             f"niêm yết từ {_vn(schedule.posting_start)}"
             + (f" đến {_vn(schedule.posting_end)}" if schedule.posting_end else " (thường xuyên)") + ".",
             f"**Mã hồ sơ**: `{case.case_id}` — thư mục `{folder.rel_path}`."]
    if ask.due:
        lines.append(f"**Hạn trả lời**: {_vn(ask.due)}. Chưa trả lời thì hồ sơ bị báo *chờ xác nhận* hằng ngày.")
    if rec:
        lines.append(f"Đã ghi nhận lúc {rec.get('at')} bởi {rec.get('by')}: trả lời lại sẽ thay thế "
                     "(bản cũ vẫn lưu trong lịch sử hồ sơ).")
    kw: dict[str, Any] = {}
    if section == "posting":
        posts_at_groups = item is None or item.has("cultural_house")
        groups = {g.code: g.name for g in c.groups} if posts_at_groups else {}
        cs = c.civil_servant_for(item_code=item.code if item else case.item, role=item.responsible if item else None,
                                 law_item=item.law_item if item else case.law_item)
        kw = dict(posted_on=schedule.posting_start.isoformat(), groups=groups,
                  posted_by=cs.name if cs is not None and not cs.sample else None)
        places = (getattr(case, "posting_request", None) or {}).get("places") or {}
        asked = [g for g in places.get("groups") or [] if g in groups]
        if asked and not places.get("all_groups"):  # the document itself names where to post
            kw["group_defaults"] = asked
            lines.append("Văn bản đề nghị niêm yết tại: " + ", ".join(groups[g] for g in asked) + ".")
        if before is not None:
            kw.update(posted_on=before.at.date().isoformat(), posted_time=f"{before.at:%H:%M}", posted_by=before.by,
                      witnesses=list(before.witnesses),
                      group_defaults=list(groups) if before.groups == "all" else list(before.groups))
        lines.append(f"Xác nhận văn bản đã được niêm yết tại bảng tin {c.ubnd_board}"
                     + (f" và nhà văn hóa {len(groups)} {c.group_word}" if groups else "")
                     + ": ngày, **giờ**, người niêm yết, người chứng kiến. Chỉ ghi điều đã thực sự diễn ra.")
    elif section == "broadcast":
        head = c.radio.head
        kw = dict(broadcast_days=schedule.broadcast_days,
                  broadcast_by=head.name if head is not None and not getattr(head, "sample", False) else c.radio_name)
        if before is not None:
            kw.update(sessions=[f"{t:%H:%M}" for t in before.sessions], broadcast_by=before.by)
        lines.append(f"Xác nhận {c.radio_name or 'Đài truyền thanh'} đã phát tin: các ngày và các buổi phát "
                     f"thực tế (theo lịch {len(schedule.broadcast_days)} ngày từ {_vn(schedule.broadcast_days[0])}).")
    elif section == "end":
        kw = dict(feedback=list(case.feedback))
        if before is not None:
            kw.update(feedback=list(before.feedback), no_feedback=not before.feedback)
        lines.append("Kết thúc niêm yết: ghi mọi ý kiến phản hồi đã nhận, mỗi ý kiến một dòng; nếu không có ý "
                     "kiến nào, đánh dấu ô **Không nhận được ý kiến phản hồi nào** (không được để trống cả hai).")
    elif section == "numbers":
        given = before or {}
        docs: dict[str, tuple[str, int | None]] = {}
        for f in folder.manifest["files"]:
            if f["kind"] in ("original", "dossier") or not f["path"].lower().endswith(".pdf"):
                continue
            docs.setdefault(f["key"], (f"Số: {f.get('title') or f['key']}", given.get(f["key"], f.get("number"))))
        if not docs:
            return None
        kw = dict(documents=docs)
        lines.append("Văn thư ghi số văn bản đã cấp cho từng văn bản; để trống văn bản chưa có số (trả lời "
                     "sau bằng cách *Clear* lại việc này).")
    title = SECTION_TITLES_VI[section]
    return Form(section=section, subject=f"{title}: {case.number_notation or case.case_id} — {case.subject}"[:240],
                body="\n\n".join(lines), params=form_params(section, **kw), ask_at=ask.ask_at(), due=ask.due)


# ---------------------------------------------------------------------------------------- answers

def _lines(value: Any) -> list[str]:
    """A form's list field: a list, or text one item a line (what a text area sends)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).splitlines()
    return [s.strip() for s in (str(x) for x in items) if s.strip()]


def _time(value: Any, field: str) -> str:
    text = str(value or "").strip()
    try:
        t = dt.time.fromisoformat(text)
    except ValueError:
        raise UsageError(f"Giờ '{text}' không hợp lệ: ghi giờ:phút, ví dụ 14:30" if text
                         else "Thiếu giờ niêm yết: ghi giờ thực tế, ví dụ 14:30",
                         f"invalid or missing time {text!r}", kind="bad_evidence", field=field) from None
    return f"{t:%H:%M}"


def answer_from_form(section: str, values: Mapping[str, Any], group_codes: list[str]) -> Any:
    """The section's answer (``congkhai.evidence`` shape) from a submitted form; Vietnamese errors."""
    if section == "posting":
        day = str(values.get("posted_on") or "").strip()
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            raise UsageError(f"Ngày niêm yết '{day}' không hợp lệ", f"invalid posting date {day!r}",
                             kind="bad_evidence", field="posted_on") from None
        chosen = _lines(values.get("groups"))
        unknown = sorted(set(chosen) - set(group_codes))
        if unknown:
            raise UsageError(f"Không có tổ dân phố / thôn {', '.join(unknown)}", f"unknown groups {unknown}",
                             kind="bad_evidence", field="groups")
        groups: Any = "all" if group_codes and set(chosen) == set(group_codes) else \
            [g for g in group_codes if g in chosen]
        return {"at": f"{day} {_time(values.get('posted_time'), 'posted_time')}",
                "by": str(values.get("posted_by") or "").strip(), "witnesses": _lines(values.get("witnesses")),
                "groups": groups}
    if section == "broadcast":
        days = _lines(values.get("days"))
        if not days:
            raise UsageError("Chưa chọn ngày phát thanh nào", "no broadcast day", kind="bad_evidence", field="days")
        sessions = [_time(s, "sessions") for s in _lines(values.get("sessions"))]
        if not sessions:
            raise UsageError("Chưa ghi buổi phát nào (giờ phát, ví dụ 06:30)", "no broadcast session",
                             kind="bad_evidence", field="sessions")
        by = str(values.get("broadcast_by") or "").strip() or None
        return {"days": days, "sessions": sessions, "by": by}
    if section == "end":
        feedback = _lines(values.get("feedback"))
        none = values.get("no_feedback") in (True, "true", "True", "1", 1)
        if not feedback and not none:
            raise UsageError("Chưa ghi ý kiến phản hồi nào mà cũng chưa đánh dấu \"Không nhận được ý kiến "
                             "phản hồi nào\": ghi các ý kiến đã nhận, hoặc đánh dấu ô đó nếu quả thật không có",
                             "empty feedback without 'none received' ticked", kind="bad_evidence",
                             field="no_feedback")
        if feedback and none:
            raise UsageError("Vừa ghi ý kiến phản hồi vừa đánh dấu \"Không nhận được ý kiến phản hồi nào\": "
                             "bỏ một trong hai", "feedback given and 'none received' ticked",
                             kind="bad_evidence", field="no_feedback")
        by = str(values.get("end_by") or "").strip() or None
        return {"feedback": feedback, "by": by}
    if section == "numbers":
        out: dict[str, int] = {}
        for name, v in values.items():
            if not name.startswith(NUMBER_FIELD) or v in (None, ""):
                continue
            try:
                out[field_key(name)] = int(v)
            except (TypeError, ValueError):
                raise UsageError(f"Số '{v}' không hợp lệ", f"invalid number {v!r}", kind="bad_evidence",
                                 field=name) from None
        return out
    raise ValueError(f"unknown evidence section {section!r}")


def _responder(response: Mapping[str, Any]) -> tuple[str, dt.datetime]:
    """Who answered and when; refuses an answer no person gave (a timeout default)."""
    user = response.get("responded_by_user") or {}
    by = (user.get("name") or user.get("id") or "").strip() if isinstance(user, Mapping) else ""
    at = response.get("responded_at")
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    if not by or not isinstance(at, dt.datetime) or response.get("timedout"):
        raise UsageError("Không ghi nhận: câu trả lời không do một người dùng trả lời (hết hạn chờ?)",
                         "the response has no responding user: nothing recorded", kind="bad_evidence",
                         field="responded_by")
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return by, at


def record_response(commune: str, case_id: str, section: str, response: Mapping[str, Any],
                    run_day: dt.date) -> dict[str, Any]:
    """Record a person's answer to the section's request: its facts, who, when; the documents are remade.

    The documents are remade for the later of the run's day and the day of the answer (Vietnam)."""
    from zoneinfo import ZoneInfo

    from congkhai.commune import load_commune
    from congkhai.pipeline.runner import evidence_for

    by, at = _responder(response)
    values = response.get("params_input") or {}
    codes = [g.code for g in load_commune(commune).groups]
    answer = answer_from_form(section, values, codes)
    if section == "numbers" and not answer:
        return {"section": section, "by": by, "not_recorded": "chưa ghi số nào / no number given"}
    local = at.astimezone(ZoneInfo(TZ))
    result = evidence_for(commune, case_id, section, answer, by=by, at=local, day=max(run_day, local.date()))
    return {"section": section, "by": by, "at": local.isoformat(timespec="seconds"), **result}


# --------------------------------------------------------------------------------------- operator

def case_params(context: Mapping[str, Any]) -> tuple[str, str]:
    """The run's commune and case id (its conf, else the DAG's params)."""
    conf = getattr(context.get("dag_run"), "conf", None) or {}
    params = context.get("params") or {}
    dag = context.get("dag")
    defaults = dag.params if dag is not None else {}

    def pick(name: str) -> str:
        for src in (conf, params, defaults):
            try:
                v = src[name]
            except (KeyError, TypeError):
                continue
            if v:
                return str(v)
        raise UsageError(f"Thiếu '{name}' trong cấu hình lượt chạy", f"missing {name} in the run conf",
                         field=name)

    return pick("commune"), pick("case_id")


class EvidenceRequest(HITLEntryOperator):
    """Ask a person for one section of a case's evidence (see the module docstring)."""

    def __init__(self, *, section: str, **kwargs: Any) -> None:
        if kwargs.get("response_timeout") or kwargs.get("defaults"):
            raise ValueError("an evidence request never answers by itself: no response_timeout, no defaults")
        kwargs.setdefault("subject", SECTION_TITLES_VI[section])
        # No form fields when the DAG is parsed: the form is made for the case when it is asked
        # (Airflow would validate parse-time fields, still empty, against the run's params).
        super().__init__(defaults=None, response_timeout=None, **kwargs)
        self.section = section

    def execute(self, context: Any) -> Any:
        return self.ask(context)

    def ask(self, context: Any, event: Any = None) -> Any:
        """Skip, wait until the section is due to be asked, or write the request and await the answer."""
        from airflow.providers.standard.triggers.temporal import DateTimeTrigger
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
        from airflow.sdk.timezone import utcnow

        commune, case_id = case_params(context)
        try:
            form = build_form(commune, case_id, self.section)
        except PermanentError as err:
            log.error("%s", err.message_vi)
            raise AirflowFailException(str(err)) from err
        if form is None:
            raise AirflowSkipException(f"hồ sơ {case_id} không cần '{SECTION_TITLES_VI[self.section]}'")
        if form.ask_at is not None and form.ask_at > utcnow():
            log.info("Chờ đến %s mới hỏi '%s' (hạn %s)", form.ask_at.isoformat(), form.subject,
                     form.due.isoformat() if form.due else "—")
            self.defer(trigger=DateTimeTrigger(moment=form.ask_at.astimezone(dt.UTC)), method_name="ask")
        self.subject, self.body = form.subject, form.body
        self.params = ParamsDict(form.params)
        log.info("Hỏi: %s", form.subject)
        return super().execute(context)

    def validate_params_input(self, params_input: Mapping) -> None:
        """The form was made for the case at asking time (its fields may differ from the parsed DAG's):
        only its shape is checked here; the record step validates the answer and explains in Vietnamese."""
        if not isinstance(params_input, Mapping):
            raise ValueError(f"params_input must be a mapping, got {type(params_input).__name__}")
