"""Documents over many cases: the quarterly list (Danh sách các nội dung đã công khai theo quý) and the
report to the People's Council (Báo cáo kết quả thực hiện công khai). Each case comes with its plan
item and schedule (:class:`~congkhai.schedule.ScheduledCase`): the dates and the lateness printed are
the ones the minutes print.

Documents waiting for a person (:class:`WaitingDocument`: set aside in ``review/`` by intake, not a case
yet) are not disclosed: both documents count them and say so ("… văn bản đang chờ xác nhận, chưa được
công khai"), and the council report never reports "no late disclosure" while any waits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from congkhai.case import Case
from congkhai.commune import Commune
from congkhai.documents.context.blocks import header_fields, is_final, official_number, signer_fields
from congkhai.documents.context.facts import Printer, Recorded
from congkhai.documents.context.request import Asked, channel_kinds
from congkhai.documents.context.wording import (
    BLANK_DMY,
    ROMAN,
    channel_short,
    dmy,
    dmy_or_blank,
    lower_first,
    words_or_blank,
)
from congkhai.documents.register import Register
from congkhai.errors import UsageError
from congkhai.schedule import Schedule, ScheduledCase


@dataclass(frozen=True)
class WaitingDocument:
    """A document waiting for a person in ``review/<commune>/``: what intake read off it (None: not read)
    and, when its issue date was read, its disclosure deadline (the schedule of a document in no plan
    item). It is not disclosed until a person confirms it."""

    name: str  # the file's name in review/
    issued: dt.date | None = None
    number: str | None = None  # "12/TB-UBND"
    doc_type: str | None = None  # "THÔNG BÁO"
    subject: str | None = None
    deadline: dt.date | None = None

    def describe(self) -> str:
        """``Thông báo số 12/TB-UBND ngày 01/04/2024 (Về việc …)``; what was not read is said so."""
        kind = (self.doc_type or "văn bản").lower()
        parts = [kind[:1].upper() + kind[1:]]
        if self.number:
            parts.append(f"số {self.number}")
        parts.append(f"ngày {dmy(self.issued)}" if self.issued else "(chưa đọc được ngày ban hành)")
        text = " ".join(parts)
        return f"{text} ({self.subject.rstrip('.')})" if self.subject else text

    def overdue(self, day: dt.date | None) -> bool:
        return day is not None and self.deadline is not None and day > self.deadline


def _waiting_text(docs: Sequence[WaitingDocument], day: dt.date | None) -> str:
    """``Thông báo số 12/TB-UBND ngày 01/04/2024 (…), đã quá thời hạn công khai (chậm nhất ngày 08/04/2024);
    …``."""
    out = []
    for w in docs:
        late = f", đã quá thời hạn công khai (chậm nhất ngày {dmy(w.deadline)})" if w.overdue(day) and w.deadline \
            else ""
        out.append(w.describe() + late)
    return "; ".join(out)


def waiting_in(docs: Sequence[WaitingDocument], start: dt.date | None, end: dt.date) -> list[WaitingDocument]:
    """The waiting documents issued from ``start`` (None: any time before) to ``end``, and those whose
    issue date could not be read (they may belong to the period: they wait all the same)."""
    return sorted((w for w in docs if w.issued is None or ((start is None or start <= w.issued) and w.issued <= end)),
                  key=lambda w: (w.issued or dt.date.max, w.name))


def quarter_bounds(year: int, q: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def _row_dates(schedule: Schedule | None) -> str:
    """``Từ 18/03/2024 đến 17/04/2024``; ``Từ 05/01/2024 (thường xuyên)``; blanks without a schedule."""
    if schedule is None:
        return f"Từ {BLANK_DMY} đến {BLANK_DMY}"
    if schedule.permanent:
        return f"Từ {dmy(schedule.posting_start)} (thường xuyên)"
    return f"Từ {dmy(schedule.posting_start)} đến {dmy_or_blank(schedule.posting_end)}"


def case_row(commune: Commune, sc: ScheduledCase) -> dict[str, str]:
    """One row of the quarterly list: title, document, channels, dates (the case's schedule)."""
    case, item = sc.case, sc.item
    kinds = channel_kinds(item, Asked.of(case), commune) if item else ["portal", "ubnd_board", "cultural_house"]
    doc = f"{case.number_notation} ngày {dmy(case.issued)}" if case.number_notation else f"Ngày {dmy(case.issued)}"
    return {
        "title": case.subject,
        "document": doc,
        "channels": "; ".join(channel_short(k, commune) for k in kinds if k != "radio" or commune.has_radio),
        "dates": _row_dates(sc.schedule),
    }


def _own_period(own: Schedule | None, days: int | None) -> str:
    """The list's own posting period (plan item 1.8: 90 days), as its schedule plans it."""
    if own is None or own.posting_end is None:
        n = f"{days:02d}" if days else "……"
        return f"trong thời gian {n} ngày liên tục, từ {words_or_blank(None)} đến hết {words_or_blank(None)}"
    n = (own.posting_end - own.posting_start).days
    return (f"trong thời gian {n:02d} ngày liên tục, dự kiến từ {words_or_blank(own.posting_start)} đến hết "
            f"{words_or_blank(own.posting_end)}")


def quarterly_list(commune: Commune, year: int, quarter: int, cases: Sequence[ScheduledCase], *,
                   date: dt.date | None = None, register: Register | None = None, number: Any = "auto",
                   signer: str = "chairman", own_schedule: Schedule | None = None,
                   own_days: int | None = None, waiting: Sequence[WaitingDocument] = ()) -> dict[str, Any]:
    """Thông báo danh sách các nội dung đã công khai trong quý: the cases issued in the quarter, each
    with the dates of its own schedule. Dated ``date`` (the run's day), else a blank to fill in; it
    states its own posting period (``own_schedule``: the schedule of the list as plan item 1.8, e.g.
    90 days). A draft unless this product is the commune's register (the clerk's number of a list is
    not recorded by the product: it is written on the paper). ``waiting``: documents waiting for a
    person; those issued in the quarter (or of an unread date) are named as not disclosed yet."""
    if quarter not in (1, 2, 3, 4):
        raise UsageError(f"Quý phải từ 1 đến 4 (nhận {quarter})", f"Quarter must be 1-4 (got {quarter})",
                         kind="bad_quarter", field="quarter")
    printer = Printer(commune, is_final("quarterly_list", commune, Recorded()), "quarterly_list")
    qs, qe = quarter_bounds(year, quarter)
    rows = [case_row(commune, sc) for sc in sorted(cases, key=lambda sc: sc.case.issued)
            if qs <= sc.case.issued <= qe]
    pending = waiting_in(waiting, qs, qe)
    n = official_number(commune, register, "quarterly_list", date.year if date else year + (quarter == 4),
                        f"{year}-Q{quarter}/quarterly_list/", number, final=printer.final)
    ctx = header_fields(
        commune, "quarterly_list", date, n,
        f"Danh sách các nội dung đã thực hiện công khai quý {ROMAN[quarter]} năm {year}",
        [f"{commune.superior} (b/c);", f"TT Đảng ủy, HĐND {commune.unit_word} (b/c);", f"Các {commune.group_word};",
         "Lưu: VT."],
        printer,
    )
    ctx.update(signer_fields(commune, printer, signer))
    intro = (f"Thực hiện Luật Thực hiện dân chủ ở cơ sở và Kế hoạch thực hiện công khai năm {year}, "
             f"{commune.body_short} thông báo danh sách các nội dung đã thực hiện công khai trong quý "
             f"{ROMAN[quarter]} năm {year} (từ {dmy(qs)} đến {dmy(qe)})")
    closing = (f"Thông báo này được niêm yết tại Bản tin công khai của {commune.body_short} và nhà văn hóa các "
               f"{commune.group_word} {_own_period(own_schedule, own_days)}, đồng thời đăng tải trên phần mềm "
               f"quản trị thông tin quy chế dân chủ. Mọi ý kiến phản hồi xin gửi về {commune.office.name}./.")
    if pending:
        closing = (f"Ngoài các nội dung trên, có {len(pending):02d} văn bản đang chờ xác nhận, chưa được công khai: "
                   f"{_waiting_text(pending, date)}. Các văn bản này sẽ được công khai ngay khi được xác nhận. "
                   + closing)
    ctx.update({
        "intro": intro + (" như sau:" if rows else ": không có nội dung nào đã được công khai."),
        "rows": rows,
        "closing": closing,
    })
    return ctx


def _notation_comma(case: Case) -> str:
    return f"{case.number_notation}, " if case.number_notation else ""


def _shortcomings(chosen: Sequence[ScheduledCase], late: Sequence[ScheduledCase],
                  unscheduled: Sequence[ScheduledCase], pending: Sequence[WaitingDocument] = (),
                  day: dt.date | None = None) -> list[str]:
    """III. Tồn tại: the documents waiting for a person (not disclosed: never "no late disclosure" while
    any waits), the late contents, each with its deadline and posting day (from its schedule)."""
    waits = ([f"Có {len(pending):02d} văn bản đang chờ xác nhận, chưa được công khai: "
              f"{_waiting_text(pending, day)}."] if pending else [])
    if not chosen:
        return [*waits, "Chưa có nội dung nào được công khai trong kỳ." if pending
                else "Chưa phát sinh nội dung công khai trong kỳ."]
    if not late and pending:
        out = [*waits, "Các nội dung đã công khai trong kỳ được công khai trong thời hạn theo Kế hoạch."]
    elif not late:
        out = ["Không có nội dung công khai chậm so với thời hạn theo Kế hoạch."]
    else:
        named = "; ".join(
            f"{sc.case.subject} ({_notation_comma(sc.case)}ngày {dmy(sc.case.issued)}: hạn công khai "
            f"{dmy(sc.schedule.deadline)}, niêm yết từ {dmy(sc.schedule.posting_start)}, chậm "
            f"{sc.schedule.days_late:02d} ngày làm việc)"
            for sc in late if sc.schedule is not None
        )
        out = [*waits, f"Có {len(late):02d} nội dung công khai chậm so với thời hạn theo Kế hoạch: {named}."]
    if unscheduled:
        out.append(f"Có {len(unscheduled):02d} nội dung chưa xác định được thời hạn công khai (không có mục tương "
                   "ứng trong Kế hoạch thực hiện công khai).")
    return out


def council_report(commune: Commune, year: int, cases: Sequence[ScheduledCase], *,
                   period_start: dt.date | None = None, period_end: dt.date | None = None,
                   period_label: str | None = None, date: dt.date | None = None, register: Register | None = None,
                   number: Any = "auto", signer: str = "chairman",
                   waiting: Sequence[WaitingDocument] = ()) -> dict[str, Any]:
    """Báo cáo kết quả thực hiện công khai, trình kỳ họp HĐND (period: the half-year or the year).

    Counts come from each case's plan item and schedule as the pipeline computed them (the late
    ones are named with their deadline and posting day). Dated ``date`` (the run's day), else a blank;
    the period runs from ``period_start`` (1 January) to ``period_end`` (``date``, else 31 December).
    ``waiting``: documents waiting for a person; every one issued up to the period's end (or of an
    unread date) is counted and named as not disclosed yet."""
    period_start = period_start or dt.date(year, 1, 1)
    period_end = period_end or date or dt.date(year, 12, 31)
    label = period_label or (f"6 tháng đầu năm {year}" if period_end.month <= 7 else f"năm {year}")
    chosen = [sc for sc in sorted(cases, key=lambda sc: sc.case.issued)
              if period_start <= sc.case.issued <= period_end]
    pending = waiting_in(waiting, None, period_end)
    with_feedback = [sc for sc in chosen if sc.case.feedback]
    law: dict[int, int] = {}
    for sc in chosen:
        if sc.case.law_item:
            law[sc.case.law_item] = law.get(sc.case.law_item, 0) + 1
    printer = Printer(commune, is_final("council_report", commune, Recorded()), "council_report")
    n = official_number(commune, register, "council_report", (date or period_end).year,
                        f"{period_start}_{period_end}/council_report/", number, final=printer.final)
    ctx = header_fields(
        commune, "council_report", date, n, f"Kết quả thực hiện công khai thông tin {label}",
        [f"Thường trực {commune.council_short};", f"Đại biểu {commune.council_short};",
         f"{commune.superior} (b/c);", "Lưu: VT."],
        printer,
    )
    ctx.update(signer_fields(commune, printer, signer))
    results = [f"Tổng số nội dung đã công khai: {len(chosen):02d} nội dung."]
    if pending:
        results.append(f"Số văn bản đang chờ xác nhận, chưa được công khai: {len(pending):02d} văn bản.")
    if law:
        results.append("Theo nhóm nội dung (khoản, Điều 11 Luật số 10/2022/QH15): "
                       + "; ".join(f"khoản {k}: {v:02d}" for k, v in sorted(law.items())) + ".")
    # Counts come from the plan items of the cases, never from a claim the software cannot check.
    channel_counts: dict[str, int] = {}
    for sc in chosen:
        for ch in sc.item.channels if sc.item else ():
            if ch.kind != "radio" or commune.has_radio:
                channel_counts[ch.kind] = channel_counts.get(ch.kind, 0) + 1
    late = [sc for sc in chosen if sc.schedule is not None and sc.schedule.late]
    unscheduled = [sc for sc in chosen if sc.schedule is None]
    if channel_counts:
        results.append("Theo hình thức công khai: " + "; ".join(
            f"{lower_first(channel_short(k, commune))}: {v:02d}" for k, v in channel_counts.items()) + ".")
    # Feedback: only what people recorded — "none" only where a person stated it at the end of posting.
    ended = [sc for sc in chosen if Recorded.of(sc.case).end is not None]
    stated_none = [sc for sc in ended if not sc.case.feedback]
    open_ = len(chosen) - len(with_feedback) - len(stated_none)
    results.append(f"Số nội dung nhận được ý kiến phản hồi của Nhân dân: {len(with_feedback):02d}.")
    if stated_none:
        results.append(f"Số nội dung đã kết thúc công khai, được xác nhận không có ý kiến phản hồi: "
                       f"{len(stated_none):02d}.")
    if open_ > 0:
        results.append(f"Số nội dung chưa có xác nhận kết thúc công khai (chưa tổng hợp ý kiến phản hồi): "
                       f"{open_:02d}.")
    ctx.update({
        "intro": f"Thực hiện Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15, {commune.body_short} báo cáo "
                 f"{commune.council_short} kết quả thực hiện công khai thông tin {label}"
                 + ("" if dmy(period_start) in label else f" (từ {dmy(period_start)} đến {dmy(period_end)})")
                 + " như sau:",
        "deployment": [
            f"{commune.body_short} ban hành Kế hoạch thực hiện công khai năm {year}, phân công công chức phụ "
            f"trách từng lĩnh vực; {commune.office.name} theo dõi, đôn đốc và lưu hồ sơ công khai.",
            f"Các {commune.group_word} phối hợp niêm yết tại nhà văn hóa, thông tin đến Nhân dân qua nhóm Zalo "
            f"và các cuộc họp {commune.group_word}.",
        ],
        "results": results,
        "listed": [f"{sc.case.subject} ({_notation_comma(sc.case)}ngày {dmy(sc.case.issued)})" for sc in chosen],
        "shortcomings": _shortcomings(chosen, late, unscheduled, pending, date or period_end),
        "next_steps": [
            "Tiếp tục thực hiện đầy đủ các nội dung công khai theo Kế hoạch; công khai đúng thời hạn 05 ngày "
            "làm việc kể từ ngày ban hành văn bản.",
            "Hoàn thiện, lưu trữ đầy đủ hồ sơ công khai thông tin theo quy định.",
        ],
        "closing": f"Trên đây là báo cáo kết quả thực hiện công khai thông tin {label} của {commune.body_short}, "
                   f"kính trình {commune.council_short} xem xét./.",
    })
    return ctx
