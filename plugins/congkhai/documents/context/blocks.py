"""Blocks every document shares: the Nghị định 30 header, the signature, the official number, the
people of a minute, and the date each kind is dated (from the case's schedule and what people
recorded, never computed here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from congkhai.case import Case
from congkhai.commune import Commune
from congkhai.documents.context.facts import Printer, Recorded, Who
from congkhai.documents.context.request import Asked, channel_kinds, groups_text
from congkhai.documents.context.wording import (
    BLANK_DATE_WORDS,
    BLANK_NAME,
    BLANK_TIME,
    period_text,
    words_or_blank,
)
from congkhai.documents.kinds import get_kind
from congkhai.documents.register import Register
from congkhai.plan import Item, Plan
from congkhai.schedule import Schedule
from congkhai.textutil import place_date_line


def number_key(kind: str, case: Case | None = None, group: str | None = None, extra: str = "") -> str:
    """The register key of one document: the same document, the same key, the same number."""
    base = case.case_id if case else extra
    return f"{base}/{kind}/{group or ''}"


def doc_key(kind: str, group: str | None = None) -> str:
    """The document's key in a case (``posting_start_group:tdp01``): the archive's key and the key of
    the clerk's number in ``case.evidence.numbers``."""
    return f"{kind}:{group}" if group else kind


def header_fields(
    commune: Commune,
    kind: str,
    date: dt.date | None,
    number: int | None,
    subject: str,
    recipients: Sequence[str],
    printer: Printer,
) -> dict[str, Any]:
    k = get_kind(kind)
    if k.issuer_code == "UBND":
        parent, lines = "", ["ỦY BAN NHÂN DÂN", commune.name_upper]
    else:  # the radio station, under the People's Committee
        parent, lines = commune.body_short_upper, ["ĐÀI TRUYỀN THANH"]
    return {
        "issuer_parent": parent,
        "issuer_lines": lines,
        "number_notation": k.notation(number),
        "place_date": place_date_line(commune.place, date) if date else f"{commune.place}, {BLANK_DATE_WORDS}",
        "subject": subject,
        "recipients": list(recipients),
        **printer.fields(),
    }


def signer_fields(commune: Commune, printer: Printer, role: str = "chairman") -> dict[str, Any]:
    s = commune.signer(role)
    return {"signer_authority": s.sign_as, "signer_title": s.title_upper,
            "signer_name": printer.name(Who.of(s, f"signers[{role}].name"))}


def official_number(
    commune: Commune,
    register: Register | None,
    kind: str,
    year: int,
    key: str,
    number: Any = "auto",
    *,
    recorded: Recorded | None = None,
    doc: str | None = None,
    final: bool = True,
) -> int | None:
    """The number a document prints. ``number``: an int (given by the caller), None (blank), or
    ``"auto"``: the clerk's number recorded for the document ``doc`` (``case.evidence.numbers``);
    else, when the commune's ``numbering`` is ``register`` and the document is a final, the next number
    of this product's register (``key``: the same document keeps its number); else blank. A draft is
    never given a number: the register numbers only what is issued."""
    if number != "auto":
        return number if number is None else int(number)
    if recorded is not None and doc and doc in recorded.numbers:
        return int(recorded.numbers[doc])
    if commune.numbering != "register" or not final or register is None:
        return None
    return register.number_for(year, get_kind(kind).series, key)


def responsible_person(commune: Commune, item: Item | None, case: Case) -> Who:
    """The civil servant who posts: the one whose role the document names (a cover letter's ``Kính
    gửi: Công chức Địa chính …``), else the item's (``commune.yaml``), else the office head, else a blank."""
    for role in Asked.of(case).roles:
        named = commune.civil_servant_for(role=role)
        if named is not None:
            return Who.of(named, f"civil_servants[{named.role}].name")
    cs = commune.civil_servant_for(
        item_code=item.code if item else case.item,
        role=item.responsible if item else None,
        law_item=item.law_item if item else case.law_item,
    )
    if cs is not None:
        return Who.of(cs, f"civil_servants[{cs.role}].name")
    if commune.office.head is not None:
        return Who.of(commune.office.head, "office.head")
    return Who(name="", title=f"Công chức Văn phòng {commune.body_short}", field="civil_servants")


def recorder(name: str, commune: Commune) -> Who:
    """A person named in an answer (a real name given by a person); their title when ``commune.yaml``
    lists a civil servant of that name."""
    for cs in commune.civil_servants:
        if cs.name == name:
            return Who(name=name, title=cs.title)
    return Who(name=name, title="người thực hiện niêm yết")


def chair_of(commune: Commune, secretary: Who) -> Who:
    """The chair of a minute at the People's Committee: the office head, or the vice-chairman when the
    office head is the secretary (a minute needs two different people)."""
    head = commune.office.head
    if head is not None and head.name != secretary.name:
        return Who.of(head, "office.head")
    for role in ("vice_chairman", "chairman"):
        try:
            s = commune.signer(role)
        except Exception:  # noqa: BLE001 - ConfigError: role not configured
            continue
        return Who.of(s, f"signers[{role}].name", title=f"{s.title} {commune.body_short}")
    return Who(name="", title="", field="office.head")


def person_line(printer: Printer, who: Who, role: str) -> str:
    """``Lê Thị Hoa - Công chức Văn hóa - Xã hội, thư ký;`` (``Ông/Bà ………………`` when unknown)."""
    name = printer.name(who) or f"Ông/Bà {BLANK_NAME}"
    return f"{name} - {who.title}, {role};" if who.title else f"{name}, {role};"


def minute_common(
    commune: Commune,
    printer: Printer,
    *,
    date: dt.date | None,
    time: str | None,
    place: str,
    chair: Who,
    secretary: Who,
    others: Sequence[str],
    witnesses: Sequence[dict[str, str]],
) -> dict[str, Any]:
    """The opening, attendees, closing and signatures of a minute.

    ``time``: the clock time a person recorded (``14 giờ 30 phút``), ``BLANK_TIME`` to fill in by hand,
    or None: no time is stated. A final never states a time of closing nobody recorded."""
    attendees = [person_line(printer, chair, "chủ trì"), person_line(printer, secretary, "thư ký"), *others]
    attendees[-1] = attendees[-1].rstrip(";.") + "."
    when = f"vào hồi {time}, {words_or_blank(date)}" if time else words_or_blank(date)
    closed = "được lập xong cùng ngày" if printer.final else f"kết thúc vào hồi {BLANK_TIME} cùng ngày"
    return {
        "opening": f"Hôm nay, {when}, tại {place}, chúng tôi gồm:",
        "attendees": attendees,
        "closing": (
            f"Biên bản {closed}, đã được đọc lại cho những người có mặt cùng nghe, thống nhất và ký tên. "
            "Biên bản được lập thành 02 bản, 01 bản lưu hồ sơ công khai "
            f"tại Văn phòng {commune.body_short}, 01 bản lưu tại bộ phận chuyên môn."
        ),
        "chair_name": printer.name(chair),
        "secretary_name": printer.name(secretary),
        "witnesses": [dict(w) for w in witnesses],
    }


def posting_days(item: Item | None, channel: str) -> int | None:
    """The consecutive posting days of one channel of the item (None: permanent or unknown)."""
    ch = item.channel(channel) if item is not None else None
    return ch.days if ch is not None and not ch.permanent else None


def schedule_period(schedule: Schedule | None, item: Item | None = None, channel: str = "ubnd_board",
                    start: dt.date | None = None, *, source: str = "") -> str:
    """The posting period a start minute or a notice prints: from ``start`` (the posting day a person
    recorded; default the schedule's) to the schedule's end; blanks for what is not known.

    A period a source document states (a cover letter: ``Schedule.asked_start`` / ``asked_end``) is
    printed as written, with the duration it states (if any) and ``source`` (``theo Công văn số …``):
    its start stands on a draft until a person records the actual posting day."""
    if schedule is None:
        return period_text(start, None, days=posting_days(item, channel))
    if start is None and schedule.asked_start:
        start = schedule.posting_start
    if start is None:
        return period_text(None, None, permanent=schedule.permanent, days=posting_days(item, channel))
    end = schedule.posting_end if start == schedule.posting_start else None
    if schedule.asked_end or (schedule.asked_start and start == schedule.posting_start):
        return period_text(start, end, permanent=schedule.permanent, days=schedule.asked_days,
                           stated=True, source=source)
    return period_text(start, end, permanent=schedule.permanent, days=posting_days(item, channel))


def posting_channels_text(commune: Commune, item: Item | None, exclude: str, asked: Asked | None = None) -> str:
    """``Đồng thời, văn bản được …``: the other channels of the case (the places a document asks for)."""
    others = []
    asked = asked or Asked()
    groups = asked.groups(commune)
    houses = (f"niêm yết tại nhà văn hóa {groups_text(groups)}" if groups
              else f"niêm yết tại nhà văn hóa các {commune.group_word}")
    for k in channel_kinds(item, asked, commune):
        if k == exclude:
            continue
        if k == "radio" and not commune.has_radio:
            continue
        others.append({
            "portal": "đăng tải trên phần mềm quản trị thông tin quy chế dân chủ",
            "ubnd_board": f"niêm yết tại Bản tin công khai của {commune.body_short}",
            "cultural_house": houses,
            "radio": f"phát trên hệ thống truyền thanh của {commune.unit_word}",
            "group_leaders": f"gửi {commune.group_leader_title} thông báo đến Nhân dân",
            "one_stop_frame": "niêm yết tại bộ phận một cửa",
            "staff": "gửi đến từng cán bộ, công chức",
        }[k])
    if not others:
        return "Văn bản không có hình thức công khai khác kèm theo."
    return "Đồng thời, văn bản được " + "; ".join(others) + "."


def is_final(kind: str, commune: Commune, recorded: Recorded, *, group: str | None = None,
             plan: Plan | None = None, date: dt.date | None = None) -> bool:
    """Whether a document of ``kind`` can be a final: every fact it prints was recorded.

    - a start minute: the posting (at the UBND board; at a group's cultural house, only for a group
      the posting answer lists); an end minute: the posting and the end (the feedback, or none);
    - the broadcast report: the broadcast (days, sessions);
    - the commune's own documents (the plans, the notice, the quarterly list, the council report):
      their official number (the clerk's, recorded, or this product's register) and their date.
    """
    if kind == "posting_start_ubnd":
        return recorded.posting is not None
    if kind == "posting_start_group":
        return group is not None and recorded.posted_at_group(commune, group)
    if kind == "posting_end":
        if recorded.posting is None or recorded.end is None:
            return False
        return group is None or recorded.posted_at_group(commune, group)
    if kind == "broadcast_report":
        return recorded.broadcast is not None
    numbered = commune.numbering == "register" or doc_key(kind, group) in recorded.numbers
    if kind == "yearly_plan":
        dated = date is not None or (plan is not None and plan.issued is not None)
        return dated and (numbered or bool(plan and plan.number))
    return numbered


def end_minute_day(schedule: Schedule | None, date: dt.date | None) -> dt.date | None:
    """The day an end minute is made: it certifies a posting "to the end of" its last day, so never
    before the day after (``date``: the working day the pipeline gives; else the next day)."""
    if schedule is None or schedule.posting_end is None:
        return date
    after = schedule.posting_end + dt.timedelta(days=1)
    return max(date, after) if date else after


def document_date(kind: str, *, commune: Commune, case: Case | None = None, schedule: Schedule | None = None,
                  plan: Plan | None = None, date: dt.date | None = None, actual_end: dt.date | None = None,
                  group: str | None = None, recorded: Recorded | None = None, **_options: Any) -> dt.date | None:
    """The date a document of ``kind`` is dated (its place-and-date line); None: a blank to fill in.

    The builders date their documents with it and the pipeline files them under it: one rule, taken
    from the values given and what people recorded, never computed here. A minute is dated the day
    its event was recorded (a draft: a blank); the broadcast report the last day broadcast; the
    yearly plan its issue date in ``plan-<year>.yaml`` (never a default); the quarterly list and the
    council report ``date``, the run's day.
    """
    rec = recorded if recorded is not None else Recorded.of(case)
    if kind == "yearly_plan":
        return date or (plan.issued if plan else None)
    if kind == "activity_plan":  # made with the document it discloses
        return date or (case.issued if case else None)
    if kind == "posting_start_ubnd":
        return rec.posted_day
    if kind == "posting_start_group":
        if rec.posting is not None:
            return rec.posted_day if group and rec.posted_at_group(commune, group) else None
        return rec.posted_day
    if kind == "group_notice":
        return schedule.posting_start if schedule else None
    if kind == "broadcast_report":
        if date:
            return date
        return rec.broadcast.days[-1] if rec.broadcast else None
    if kind == "posting_end":
        if actual_end:
            return actual_end
        return end_minute_day(schedule, date) if is_final(kind, commune, rec, group=group) else None
    return date  # quarterly_list, council_report: the run's day
