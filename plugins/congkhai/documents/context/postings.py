"""The documents of one case's posting: start minutes (UBND board, each group's cultural house), the
notice to the group leaders, the radio station's broadcast report, the end minutes (the UBND, and
each group's cultural house where the document was posted).

Each prints only what a source document or a person recorded (``case.evidence``, read once as
:class:`~congkhai.documents.context.facts.Recorded`): until the posting, the broadcast or the end is
recorded, its document is a draft (dự thảo) whose unknown facts — the time, the day, who posted, the
witnesses, the broadcast sessions, the feedback — are dotted blanks to fill in by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from congkhai.case import Case
from congkhai.commune import Commune, ResidentialGroup
from congkhai.documents.context.blocks import (
    chair_of,
    doc_key,
    document_date,
    header_fields,
    is_final,
    minute_common,
    number_key,
    official_number,
    posting_channels_text,
    posting_days,
    recorder,
    responsible_person,
    schedule_period,
    signer_fields,
)
from congkhai.documents.context.facts import Printer, Recorded, Who, leader_who
from congkhai.documents.context.request import (
    Asked,
    channel_kinds,
    disclosed,
    groups_text,
    names_list,
    period_source,
)
from congkhai.documents.context.wording import (
    BLANK_DATE_WORDS,
    BLANK_DMY,
    BLANK_LINE,
    BLANK_NAME,
    BLANK_TIME,
    cap,
    dmy,
    front_name,
    leader_of,
    lower_first,
    period_text,
    time_words,
)
from congkhai.documents.register import Register
from congkhai.errors import PermanentError
from congkhai.plan import Item
from congkhai.schedule import Schedule
from congkhai.textutil import date_words


def timeliness(schedule: Schedule | None, rec: Recorded, case: Case) -> str:
    """The deadline, and whether the posting a person recorded met it: a late posting says so plainly
    (``chậm 06 ngày làm việc so với thời hạn``); on a draft the number of days is left to fill in."""
    if schedule is None:
        return ""
    deadline = f"thời hạn công khai (chậm nhất ngày {dmy(schedule.deadline)})"
    if rec.posted_day is not None and rec.posted_day == schedule.posting_start:
        if schedule.late:
            return (f"Văn bản được niêm yết chậm {schedule.days_late:02d} ngày làm việc so với {deadline}.")
        return f"Văn bản được niêm yết trong {deadline}."
    if schedule.late:  # not posted yet, already past the deadline when the office received it
        came = f", văn bản được chuyển đến ngày {dmy(case.dropped)}" if case.dropped else ""
        return (f"Thời hạn công khai: chậm nhất ngày {dmy(schedule.deadline)}{came}. Văn bản được niêm yết "
                f"chậm …… ngày làm việc so với {deadline}.")
    return f"Thời hạn công khai: chậm nhất ngày {dmy(schedule.deadline)}."


def _witness_lines(names: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    """Recorded witnesses: attendee lines and signature cells (their names, given by a person)."""
    return [f"{w} - người chứng kiến;" for w in names], [{"role": "", "name": w} for w in names]


def posting_start_ubnd(commune: Commune, case: Case, *, item: Item | None, schedule: Schedule | None,
                       register: Register | None = None, number: Any = "auto", recorded: Recorded | None = None,
                       doc: str | None = None) -> dict[str, Any]:
    """Biên bản niêm yết tại Bản tin công khai của UBND: a final from the posting a person recorded
    (time, who posted, witnesses), else a draft with those left blank."""
    kind = "posting_start_ubnd"
    rec = recorded if recorded is not None else Recorded.of(case)
    printer = Printer(commune, is_final(kind, commune, rec), kind)
    start = document_date(kind, commune=commune, case=case, schedule=schedule, recorded=rec)
    ref = disclosed(case, commune)
    body = commune.body_short
    n = official_number(commune, register, kind, (start or case.issued).year, number_key(kind, case), number,
                        recorded=rec, doc=doc or kind, final=printer.final)
    ctx = header_fields(commune, kind, start, n, f"Niêm yết công khai thông tin tại Bản tin công khai của {body}",
                        [f"{commune.office.name} (lưu hồ sơ công khai);", "Lưu: VT, hồ sơ."], printer)
    if rec.posting is not None:
        secretary = recorder(rec.posting.by, commune)
        time: str | None = time_words(rec.posting.at)
        others, witnesses = _witness_lines(rec.posting.witnesses)
    else:
        secretary = responsible_person(commune, item, case)
        time = BLANK_TIME
        others = [f"Đại diện {front_name(commune)}: Ông/Bà {BLANK_NAME};"]
        witnesses = [{"role": "Đại diện Ủy ban MTTQ", "name": ""}]
    ctx.update(minute_common(
        commune, printer, date=start, time=time, place=f"trụ sở {body}", chair=chair_of(commune, secretary),
        secretary=secretary, others=others, witnesses=witnesses,
    ))
    ctx.update({
        "document": cap(ref) + ".",
        "location": f"Bản tin công khai của {body}",
        "period": schedule_period(schedule, item, "ubnd_board", start, source=period_source(case, commune)),
        "timeliness": timeliness(schedule, rec, case),
        "also": posting_channels_text(commune, item, "ubnd_board", Asked.of(case)),
    })
    return ctx


def posting_start_group(commune: Commune, case: Case, group: str | ResidentialGroup, *, item: Item | None,
                        schedule: Schedule | None, register: Register | None = None, number: Any = "auto",
                        recorded: Recorded | None = None, doc: str | None = None) -> dict[str, Any]:
    """Biên bản niêm yết tại nhà văn hóa of one group: a final only for a group the posting answer
    lists (dated the posting day, no clock time: none was recorded there), else a draft."""
    kind = "posting_start_group"
    grp = commune.group(group) if isinstance(group, str) else group
    rec = recorded if recorded is not None else Recorded.of(case)
    printer = Printer(commune, is_final(kind, commune, rec, group=grp.code), kind)
    start = document_date(kind, commune=commune, case=case, schedule=schedule, group=grp.code, recorded=rec)
    ref = disclosed(case, commune)
    n = official_number(commune, register, kind, (start or case.issued).year, number_key(kind, case, grp.code),
                        number, recorded=rec, doc=doc or doc_key(kind, grp.code), final=printer.final)
    ctx = header_fields(commune, kind, start, n, f"Niêm yết công khai thông tin tại nhà văn hóa {lower_first(grp.name)}",
                        [f"{commune.office.name} (lưu hồ sơ công khai);", f"{grp.name};", "Lưu: VT, hồ sơ."], printer)
    if printer.final:
        assert rec.posting is not None
        secretary = recorder(rec.posting.by, commune)
        time = None
    else:
        secretary = responsible_person(commune, item, case)
        time = BLANK_TIME
    g = lower_first(grp.name)
    ctx.update(minute_common(
        commune, printer, date=start, time=time, place=lower_first(grp.cultural_house), chair=leader_who(commune, grp),
        secretary=secretary,
        others=[f"Đại diện Ban công tác Mặt trận {g}: Ông/Bà {BLANK_NAME};",
                f"Đại diện Nhân dân {g}: Ông/Bà {BLANK_NAME};"],
        witnesses=[{"role": "Đại diện Mặt trận", "name": ""},
                   {"role": "Đại diện Nhân dân", "name": ""}],
    ))
    ctx.update({
        "document": cap(ref) + ".",
        "location": f"Bản tin công khai ở {lower_first(grp.cultural_house)}",
        "period": schedule_period(schedule, item, "cultural_house", start, source=period_source(case, commune)),
        "timeliness": timeliness(schedule, rec, case) if start else (
            f"Thời hạn công khai: chậm nhất ngày {dmy(schedule.deadline)}." if schedule else ""),
        "also": posting_channels_text(commune, item, "cultural_house", Asked.of(case)),
    })
    return ctx


def group_notice(commune: Commune, case: Case, group: str | None = None, *, item: Item | None,
                 schedule: Schedule | None, register: Register | None = None, number: Any = "auto",
                 signer: str = "chairman", recorded: Recorded | None = None, doc: str | None = None) -> dict[str, Any]:
    """Thông báo gửi trưởng thôn / tổ trưởng tổ dân phố (one group, or all when ``group`` is None),
    dated the schedule's posting day; a draft until its official number is the clerk's recorded one
    (or this product's register)."""
    kind = "group_notice"
    rec = recorded if recorded is not None else Recorded.of(case)
    key = doc or doc_key(kind, group)
    final = commune.numbering == "register" or key in rec.numbers
    printer = Printer(commune, final, kind)
    date = document_date(kind, commune=commune, schedule=schedule)
    ref = disclosed(case, commune)
    g = commune.group_word
    listed = Asked.of(case).groups(commune) if not group else None
    if group:
        grp = commune.group(group)
        addressee = f"Ông/Bà {printer.name(leader_who(commune, grp))}, {leader_of(commune, grp)}"
        house = lower_first(grp.cultural_house)
        zalo = grp.zalo_group or f"nhóm Zalo của {lower_first(grp.name)}"
    elif listed and len(listed) < len(commune.groups):  # only the groups the document lists
        leader = commune.group_leader_title.removesuffix(f" {g}")
        names = groups_text(listed)
        addressee = f"{leader} {names}"
        house = f"nhà văn hóa {names}"
        zalo = f"nhóm Zalo của từng {g}"
    else:
        leader = commune.group_leader_title.removesuffix(f" {g}")  # "Tổ trưởng" / "Trưởng"
        addressee = f"{leader} các {g}"
        house = f"nhà văn hóa {g}"
        zalo = f"nhóm Zalo của {g}"
    n = official_number(commune, register, kind, (date or case.issued).year, number_key(kind, case, group), number,
                        recorded=rec, doc=key, final=final)
    ctx = header_fields(commune, kind, date, n, "Về việc công khai thông tin",
                        ["Như trên;", f"{commune.office.name};", "Lưu: VT."], printer)
    ctx.update(signer_fields(commune, printer, signer))
    ctx.update({
        "addressee": addressee,
        "intro": f"Thực hiện Luật Thực hiện dân chủ ở cơ sở và Kế hoạch thực hiện công khai năm {case.issued.year}, "
                 f"{commune.body_short} thông báo nội dung công khai sau:",
        "document": cap(ref) + ".",
        "period": schedule_period(schedule, item, "cultural_house", schedule.posting_start if schedule else None,
                                  source=period_source(case, commune)),
        "request": f"Đề nghị {commune.group_leader_title.lower()}:",
        "tasks": [
            f"Niêm yết văn bản tại Bản tin công khai ở {house} trong thời gian nêu trên;",
            f"Gửi nội dung vào {zalo} và thông báo tại các cuộc họp {g};",
            f"Phối hợp với công chức phụ trách lập biên bản bắt đầu, kết thúc công khai; tiếp nhận ý kiến "
            f"phản hồi của Nhân dân (nếu có) gửi về {commune.office.name}.",
        ],
        "closing": f"{commune.body_short} thông báo để {commune.group_leader_title.lower()} biết, thực hiện./.",
        "issuer_full": commune.body_name_upper,
    })
    return ctx


def _consecutive(days: Sequence[dt.date]) -> bool:
    return all((b - a).days == 1 for a, b in zip(days, days[1:], strict=False))


def broadcast_report(commune: Commune, case: Case, *, item: Item | None, schedule: Schedule | None,
                     register: Register | None = None, number: Any = "auto", date: dt.date | None = None,
                     recorded: Recorded | None = None, doc: str | None = None) -> dict[str, Any]:
    """Báo cáo kết quả phát tin: a final from the broadcast a person recorded (the days, the sessions,
    who reports), dated the last day broadcast; else a draft whose rows are blanks to fill in (one per
    day the plan asks)."""
    if not commune.has_radio:
        raise PermanentError(
            f"{cap(commune.name)} không có đài truyền thanh (commune.yaml: radio.has_radio = false): "
            "không lập báo cáo kết quả phát tin",
            f"{commune.code} has no radio station: no broadcast report", kind="no_radio", field="radio",
        )
    kind = "broadcast_report"
    rec = recorded if recorded is not None else Recorded.of(case)
    printer = Printer(commune, is_final(kind, commune, rec), kind)
    date = document_date(kind, commune=commune, case=case, schedule=schedule, date=date, recorded=rec)
    ref = disclosed(case, commune)
    n = official_number(commune, register, kind, (date or case.issued).year, number_key(kind, case), number,
                        recorded=rec, doc=doc or kind, final=printer.final)
    ctx = header_fields(commune, kind, date, n, "Kết quả phát tin công khai thông tin",
                        [f"{commune.body_short} (b/c);", f"{commune.office.name} (lưu hồ sơ công khai);", "Lưu: ĐTT."],
                        printer)
    b = rec.broadcast
    if b is not None:
        head = Who(name=b.by) if b.by else Who.of(commune.radio.head, "radio.head")
        name = printer.name(head) or BLANK_NAME
        per_day = len(b.sessions)
        times = ", ".join(time_words(t) for t in b.sessions)
        rows = [{"date": dmy(x), "times": times, "count": f"{per_day:02d}"} for x in b.days]
        span = (f"ngày {dmy(b.days[0])}" if len(b.days) == 1 else
                f"từ {date_words(b.days[0])} đến {date_words(b.days[-1])}")
        summary = (f"Đã phát {per_day * len(b.days):02d} lần trong {len(b.days):02d} ngày"
                   f"{' liên tục' if len(b.days) > 1 and _consecutive(b.days) else ''}, {span}.")
    else:
        name = BLANK_NAME
        planned = len(schedule.broadcast_days) if schedule and schedule.broadcast_days else (
            (item.radio_days if item else 0) or 3)
        rows = [{"date": BLANK_DMY, "times": BLANK_TIME, "count": "……"} for _ in range(planned)]
        summary = f"Đã phát …… lần trong …… ngày, từ {BLANK_DATE_WORDS} đến {BLANK_DATE_WORDS}."
    ctx.update({"signer_authority": "", "signer_title": "TRƯỞNG ĐÀI", "signer_name": name})
    ctx.update({
        "intro": f"Thực hiện Kế hoạch thực hiện công khai năm {case.issued.year} của {commune.body_short}, "
                 f"{commune.radio_name} báo cáo kết quả phát tin công khai thông tin như sau:",
        "document": cap(ref),
        "broadcasts": rows,
        "summary": summary,
        "closing": f"{commune.radio_name} báo cáo {commune.body_short} để theo dõi, lưu hồ sơ công khai./.",
    })
    return ctx


_CHANNEL_DONE = {
    "portal": "Đăng tải trên phần mềm quản trị thông tin quy chế dân chủ;",
    "ubnd_board": "Niêm yết tại Bản tin công khai của {body};",
    "group_leaders": "Gửi {leader} để thông báo đến Nhân dân;",
    "one_stop_frame": "Niêm yết tại bộ phận một cửa;",
    "staff": "Gửi đến từng cán bộ, công chức;",
}


def _places_line(commune: Commune, rec: Recorded, asked: Asked) -> str:
    """The cultural houses where the document was posted, as the posting answer lists them (before it
    is recorded: the number to fill in, and the groups the document asked for)."""
    g = commune.group_word
    groups = rec.posted_groups(commune)
    if groups is None:
        listed = asked.groups(commune)
        which = f" (theo yêu cầu: {groups_text(listed)})" if listed and len(listed) < len(commune.groups) else ""
        return (f"Niêm yết tại Bản tin công khai ở nhà văn hóa của …… {g}{which} (mỗi {g} có biên bản kết thúc "
                "riêng);")
    if not groups:
        return f"Niêm yết tại nhà văn hóa các {g}: không có {g} nào được xác nhận đã niêm yết;"
    if len(groups) == len(commune.groups):
        return f"Niêm yết tại Bản tin công khai ở nhà văn hóa của cả {len(groups):02d} {g} (mỗi {g} có biên bản kết thúc riêng);"
    return (f"Niêm yết tại Bản tin công khai ở nhà văn hóa của {len(groups):02d}/{len(commune.groups):02d} {g}: "
            f"{names_list([grp.name for grp in groups])} (mỗi {g} có biên bản kết thúc riêng);")


def _radio_line(commune: Commune, rec: Recorded) -> str:
    b = rec.broadcast
    if b is None:
        return f"Phát trên hệ thống truyền thanh của {commune.unit_word}: …… lần trong …… ngày;"
    return (f"Phát trên hệ thống truyền thanh của {commune.unit_word}: {len(b.sessions) * len(b.days):02d} lần "
            f"trong {len(b.days):02d} ngày (theo báo cáo kết quả phát tin);")


def _feedback(case: Case, rec: Recorded, given: Sequence[str] | None) -> tuple[str, list[str]]:
    """The feedback lead and lines: what a person recorded, ``[]`` (explicitly none), or dotted lines."""
    lines = list(given) if given is not None else (list(rec.end.feedback) if rec.end is not None else None)
    if lines is None:
        if case.feedback:  # some recorded one by one (feedback action), the end not confirmed yet
            lines = [f.rstrip(".;") + ";" for f in case.feedback]
            return ("trong thời gian công khai đã nhận được các ý kiến sau (ghi thêm nếu có):", [*lines, BLANK_LINE])
        return ("trong thời gian công khai đã nhận được …… ý kiến (ghi rõ nội dung; ghi \"không có\" nếu không "
                "có ý kiến nào):", [BLANK_LINE] * 2)
    if not lines:
        return "trong thời gian công khai không nhận được ý kiến phản hồi nào.", []
    out = [f.rstrip(".;") + ";" for f in lines[:-1]] + [lines[-1].rstrip(".;") + "."]
    return f"trong thời gian công khai đã nhận được {len(lines):02d} ý kiến:", out


def _actual_period(schedule: Schedule | None, start: dt.date | None, end: dt.date | None, days: int | None) -> str:
    """The period an end minute certifies; a period a source document states keeps its own count (the
    count it states, or none: a letter's "từ … đến hết …" counts its first day, the commune's rule may not)."""
    if schedule is not None and (schedule.asked_end or schedule.asked_start):
        return period_text(start, end, permanent=schedule.permanent, days=schedule.asked_days, stated=True)
    return period_text(start, end, permanent=bool(schedule and schedule.permanent), days=days)


def posting_end(commune: Commune, case: Case, *, item: Item | None, schedule: Schedule | None,
                register: Register | None = None, number: Any = "auto", group: str | None = None,
                channels: Sequence[str] | None = None, feedback: Sequence[str] | None = None,
                actual_start: dt.date | None = None, actual_end: dt.date | None = None, date: dt.date | None = None,
                recorded: Recorded | None = None, doc: str | None = None) -> dict[str, Any]:
    """Biên bản kết thúc công khai of one place: the UBND (``group=None``; it sums up every channel and
    the cultural houses where the document was posted) or one group's cultural house.

    A final needs the posting (at that place) and the end (the feedback, or ``[]``: none came) recorded;
    it states no clock time and is dated after the period it certifies "to the end of" (``date``: the
    working day the pipeline gives). A draft leaves the day, the time and the feedback blank."""
    kind = "posting_end"
    rec = recorded if recorded is not None else Recorded.of(case)
    printer = Printer(commune, is_final(kind, commune, rec, group=group), kind)
    day = document_date(kind, commune=commune, case=case, schedule=schedule, date=date, actual_end=actual_end,
                        group=group, recorded=rec)
    ref = disclosed(case, commune)
    body = commune.body_short
    posted_here = rec.posting is None or group is None or rec.posted_at_group(commune, group)
    start = actual_start or (rec.posted_day if posted_here else None)
    end = actual_end or (schedule.posting_end if schedule is not None and start == schedule.posting_start else None)
    who = (rec.end.by if rec.end is not None and rec.end.by else None) or (rec.posting.by if rec.posting else None)
    secretary = recorder(who, commune) if who else responsible_person(commune, item, case)
    if group:
        grp = commune.group(group)
        chair = leader_who(commune, grp)
        place = lower_first(grp.cultural_house)
        where = [f"Niêm yết tại Bản tin công khai ở {lower_first(grp.cultural_house)}."]
        others = [f"Đại diện Nhân dân {lower_first(grp.name)}: Ông/Bà {BLANK_NAME};"]
        witnesses = [{"role": "Đại diện Nhân dân", "name": ""}]
        channel = "cultural_house"
    else:
        chair = chair_of(commune, secretary)
        place = f"trụ sở {body}"
        kinds = list(channels) if channels else channel_kinds(item, Asked.of(case), commune)
        where = []
        for k in kinds:
            if k == "radio":
                if commune.has_radio:
                    where.append(_radio_line(commune, rec))
            elif k == "cultural_house":
                where.append(_places_line(commune, rec, Asked.of(case)))
            else:
                where.append(_CHANNEL_DONE[k].format(body=body, leader=commune.group_leader_title))
        if where:
            where[-1] = where[-1].rstrip(";") + "."
        others = [f"Đại diện {front_name(commune)}: Ông/Bà {BLANK_NAME};"]
        witnesses = [{"role": "Đại diện Ủy ban MTTQ", "name": ""}]
        channel = "ubnd_board"
    n = official_number(commune, register, kind, (day or start or case.issued).year,
                        number_key(kind, case, group), number, recorded=rec, doc=doc or doc_key(kind, group),
                        final=printer.final)
    ctx = header_fields(commune, kind, day, n, "Kết thúc công khai thông tin",
                        [f"{commune.office.name} (lưu hồ sơ công khai);", "Lưu: VT, hồ sơ."], printer)
    ctx.update(minute_common(commune, printer, date=day, time=None if printer.final else BLANK_TIME, place=place,
                             chair=chair, secretary=secretary, others=others, witnesses=witnesses))
    intro, lines = _feedback(case, rec, feedback)
    ctx.update({
        "document": cap(ref) + ".",
        "channels": where,
        "period": _actual_period(schedule, start, end, posting_days(item, channel)),
        "feedback_intro": intro,
        "feedback": lines,
    })
    return ctx
