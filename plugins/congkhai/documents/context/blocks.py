"""Blocks every document shares: the Nghị định 30 header, the signature, the official number, the
people of a minute, and the date each kind is dated (from the case's schedule, never computed here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from congkhai.case import Case
from congkhai.commune import Commune, Person
from congkhai.documents.context.wording import (
    BLANK_DATE_WORDS,
    mr,
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


def header_fields(
    commune: Commune,
    kind: str,
    date: dt.date | None,
    number: int | None,
    subject: str,
    recipients: Sequence[str],
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
    }


def signer_fields(commune: Commune, role: str = "chairman") -> dict[str, Any]:
    s = commune.signer(role)
    return {"signer_authority": s.sign_as, "signer_title": s.title_upper, "signer_name": s.name}


def official_number(
    register: Register | None, kind: str, year: int, key: str, number: Any = "auto"
) -> int | None:
    """``number``: ``"auto"`` (the register, in the series of ``year``), an int (given by the caller),
    or None (blank)."""
    if number != "auto":
        return number if number is None else int(number)
    if register is None:
        return None
    return register.number_for(year, get_kind(kind).series, key)


def responsible_person(commune: Commune, item: Item | None, case: Case) -> Person:
    cs = commune.civil_servant_for(
        item_code=item.code if item else case.item,
        role=item.responsible if item else None,
        law_item=item.law_item if item else case.law_item,
    )
    if cs is not None:
        return Person(name=cs.name, title=cs.title)
    if commune.office.head is not None:
        return commune.office.head
    return Person(name="", title=f"Công chức Văn phòng {commune.body_short}")


def chair_of(commune: Commune, secretary: Person) -> Person:
    """The chair of a UBND-board minute: the office head, or the vice-chairman when the office
    head is the secretary (a minute needs two different people)."""
    head = commune.office.head
    if head is not None and head.name != secretary.name:
        return head
    for role in ("vice_chairman", "chairman"):
        try:
            s = commune.signer(role)
        except Exception:  # noqa: BLE001 - ConfigError: role not configured
            continue
        return Person(name=s.name, title=f"{s.title} {commune.body_short}")
    return Person(name="", title="")


def minute_common(
    commune: Commune,
    *,
    date: dt.date | None,
    place: str,
    chair: Person,
    secretary: Person,
    others: Sequence[str],
    witnesses: Sequence[dict[str, str]],
    start_time: str,
    end_time: str,
) -> dict[str, Any]:
    attendees = [
        f"{mr(chair.name)} - {chair.title}, chủ trì;",
        f"{mr(secretary.name)} - {secretary.title}, thư ký;",
        *others,
    ]
    attendees[-1] = attendees[-1].rstrip(";") + "."
    return {
        "opening": f"Hôm nay, vào hồi {start_time}, {words_or_blank(date)}, tại {place}, chúng tôi gồm:",
        "attendees": attendees,
        "closing": (
            f"Biên bản kết thúc vào hồi {end_time} cùng ngày, đã được đọc lại cho những người có mặt "
            "cùng nghe, thống nhất và ký tên. Biên bản được lập thành 02 bản, 01 bản lưu hồ sơ công khai "
            f"tại Văn phòng {commune.body_short}, 01 bản lưu tại bộ phận chuyên môn."
        ),
        "chair_name": chair.name,
        "secretary_name": secretary.name,
        "witnesses": [dict(w) for w in witnesses],
    }


def schedule_period(schedule: Schedule | None) -> str:
    """The posting period a start minute or a notice prints (blank without a schedule)."""
    if schedule is None:
        return period_text(None, None)
    return period_text(schedule.posting_start, schedule.posting_end, permanent=schedule.permanent)


def posting_channels_text(commune: Commune, item: Item | None, exclude: str) -> str:
    others = []
    kinds = [c.kind for c in item.channels] if item else ["portal", "ubnd_board", "cultural_house", "group_leaders"]
    for k in kinds:
        if k == exclude:
            continue
        if k == "radio" and not commune.has_radio:
            continue
        others.append({
            "portal": "đăng tải trên phần mềm quản trị thông tin quy chế dân chủ",
            "ubnd_board": f"niêm yết tại Bản tin công khai của {commune.body_short}",
            "cultural_house": f"niêm yết tại nhà văn hóa các {commune.group_word}",
            "radio": f"phát trên hệ thống truyền thanh của {commune.unit_word}",
            "group_leaders": f"gửi {commune.group_leader_title} thông báo đến Nhân dân",
            "one_stop_frame": "niêm yết tại bộ phận một cửa",
            "staff": "gửi đến từng cán bộ, công chức",
        }[k])
    if not others:
        return "Văn bản không có hình thức công khai khác kèm theo."
    return "Đồng thời, văn bản được " + "; ".join(others) + "."


def document_date(kind: str, *, case: Case | None = None, schedule: Schedule | None = None, plan: Plan | None = None,
                  date: dt.date | None = None, actual_end: dt.date | None = None, **_options: Any) -> dt.date | None:
    """The date a document of ``kind`` is dated (its place-and-date line); None: a blank to fill in.

    The builders date their documents with it and the pipeline files them under it: one rule, taken
    from the values given (``date``: the run's day or a date a person gave), never computed here.
    """
    if kind == "yearly_plan":
        return date or (plan.issued if plan else None)
    if kind == "activity_plan":  # made with the document it discloses
        return date or (case.issued if case else None)
    if kind in ("posting_start_ubnd", "posting_start_group", "group_notice"):
        return schedule.posting_start if schedule else None
    if kind == "broadcast_report":
        return date or (schedule.broadcast_report_due if schedule else None)
    if kind == "posting_end":
        return actual_end or (schedule.posting_end if schedule else None)
    return date  # quarterly_list, council_report: the run's day
