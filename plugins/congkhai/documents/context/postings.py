"""The documents of one case's posting: start minutes (UBND board, each group's cultural house), the
notice to the group leaders, the radio station's broadcast report, the end minutes. Each is dated
from the case's schedule; without one its dates are blanks to fill in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from congkhai.case import Case
from congkhai.commune import Commune, Person, ResidentialGroup
from congkhai.documents.context.blocks import (
    chair_of,
    document_date,
    header_fields,
    minute_common,
    number_key,
    official_number,
    posting_channels_text,
    responsible_person,
    schedule_period,
    signer_fields,
)
from congkhai.documents.context.wording import (
    BLANK_DATE_WORDS,
    BLANK_DMY,
    cap,
    dmy,
    document_ref,
    front_name,
    leader_of,
    lower_first,
    mr,
    period_text,
)
from congkhai.documents.register import Register
from congkhai.errors import PermanentError
from congkhai.plan import Item
from congkhai.schedule import Schedule
from congkhai.textutil import date_words


def posting_start_ubnd(commune: Commune, case: Case, *, item: Item | None, schedule: Schedule | None,
                       register: Register | None = None, number: Any = "auto", start_time: str = "08 giờ 00",
                       end_time: str = "08 giờ 30") -> dict[str, Any]:
    """Biên bản niêm yết tại Bản tin công khai của UBND, dated the schedule's posting day."""
    start = document_date("posting_start_ubnd", schedule=schedule)
    ref = document_ref(case, commune)
    body = commune.body_short
    n = official_number(register, "posting_start_ubnd", (start or case.issued).year, number_key("posting_start_ubnd", case),
                number)
    ctx = header_fields(commune, "posting_start_ubnd", start, n,
                        f"Niêm yết công khai thông tin tại Bản tin công khai của {body}",
                        [f"{commune.office.name} (lưu hồ sơ công khai);", "Lưu: VT, hồ sơ."])
    secretary = responsible_person(commune, item, case)
    chair = chair_of(commune, secretary)
    ctx.update(minute_common(
        commune, date=start, place=f"trụ sở {body}", chair=chair, secretary=secretary,
        others=[f"Đại diện {front_name(commune)}: {mr('')};"],
        witnesses=[{"role": "ĐẠI DIỆN MTTQ", "name": ""}],
        start_time=start_time, end_time=end_time,
    ))
    ctx.update({
        "document": cap(ref) + ".",
        "location": f"Bản tin công khai của {body}",
        "period": schedule_period(schedule),
        "also": posting_channels_text(commune, item, "ubnd_board"),
    })
    return ctx


def posting_start_group(commune: Commune, case: Case, group: str | ResidentialGroup, *, item: Item | None,
                        schedule: Schedule | None, register: Register | None = None, number: Any = "auto",
                        start_time: str = "08 giờ 00", end_time: str = "08 giờ 30") -> dict[str, Any]:
    """Biên bản niêm yết tại nhà văn hóa of one group, dated the schedule's posting day."""
    grp = commune.group(group) if isinstance(group, str) else group
    start = document_date("posting_start_group", schedule=schedule)
    ref = document_ref(case, commune)
    n = official_number(register, "posting_start_group", (start or case.issued).year,
                number_key("posting_start_group", case, grp.code), number)
    ctx = header_fields(commune, "posting_start_group", start, n,
                        f"Niêm yết công khai thông tin tại nhà văn hóa {lower_first(grp.name)}",
                        [f"{commune.office.name} (lưu hồ sơ công khai);", f"{grp.name};", "Lưu: VT, hồ sơ."])
    secretary = responsible_person(commune, item, case)
    chair = Person(name=grp.leader, title=leader_of(commune, grp))
    ctx.update(minute_common(
        commune, date=start, place=lower_first(grp.cultural_house), chair=chair, secretary=secretary,
        others=[f"Đại diện Ban công tác Mặt trận {lower_first(grp.name)}: {mr('')};",
                f"Đại diện Nhân dân {lower_first(grp.name)}: {mr('')}."],
        witnesses=[{"role": "ĐẠI DIỆN MẶT TRẬN", "name": ""},
                   {"role": "ĐẠI DIỆN NHÂN DÂN", "name": ""}],
        start_time=start_time, end_time=end_time,
    ))
    ctx.update({
        "document": cap(ref) + ".",
        "location": f"Bản tin công khai ở {lower_first(grp.cultural_house)}",
        "period": schedule_period(schedule),
        "also": posting_channels_text(commune, item, "cultural_house"),
    })
    return ctx


def group_notice(commune: Commune, case: Case, group: str | None = None, *, item: Item | None,
                 schedule: Schedule | None, register: Register | None = None, number: Any = "auto",
                 signer: str = "chairman") -> dict[str, Any]:
    """Thông báo gửi trưởng thôn / tổ trưởng tổ dân phố (one group, or all when ``group`` is None),
    dated the schedule's posting day."""
    date = document_date("group_notice", schedule=schedule)
    ref = document_ref(case, commune)
    g = commune.group_word
    if group:
        grp = commune.group(group)
        addressee = f"Ông/Bà {grp.leader}, {leader_of(commune, grp)}"
        house = lower_first(grp.cultural_house)
        zalo = grp.zalo_group or f"nhóm Zalo của {lower_first(grp.name)}"
    else:
        leader = commune.group_leader_title.removesuffix(f" {g}")  # "Tổ trưởng" / "Trưởng"
        addressee = f"{leader} các {g}"
        house = f"nhà văn hóa {g}"
        zalo = f"nhóm Zalo của {g}"
    n = official_number(register, "group_notice", (date or case.issued).year, number_key("group_notice", case, group), number)
    ctx = header_fields(commune, "group_notice", date, n, "Về việc công khai thông tin",
                        ["Như trên;", f"{commune.office.name};", "Lưu: VT."])
    ctx.update(signer_fields(commune, signer))
    ctx.update({
        "addressee": addressee,
        "intro": f"Thực hiện Luật Thực hiện dân chủ ở cơ sở và Kế hoạch thực hiện công khai năm {case.issued.year}, "
                 f"{commune.body_short} thông báo nội dung công khai sau:",
        "document": cap(ref) + ".",
        "period": schedule_period(schedule),
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


# ---------------------------------------------------------------- one entry point

#: Options a context file (CLI) may give besides the fields: where they go.


def broadcast_report(commune: Commune, case: Case, *, item: Item | None, schedule: Schedule | None,
                     register: Register | None = None, number: Any = "auto", times: str = "06 giờ 00 và 17 giờ 00",
                     per_day: int = 2, date: dt.date | None = None, feedback: Sequence[str] = ()) -> dict[str, Any]:
    """Báo cáo kết quả phát tin: the schedule's broadcast days, dated the day the report is due.

    Without broadcast days (no schedule, or an item without radio) the rows are blanks to fill in."""
    if not commune.has_radio:
        raise PermanentError(
            f"{cap(commune.name)} không có đài truyền thanh (commune.yaml: radio.has_radio = false): "
            "không lập báo cáo kết quả phát tin",
            f"{commune.code} has no radio station: no broadcast report", kind="no_radio", field="radio",
        )
    days = list(schedule.broadcast_days) if schedule else []
    date = document_date("broadcast_report", schedule=schedule, date=date)
    ref = document_ref(case, commune)
    n = official_number(register, "broadcast_report", (date or case.issued).year, number_key("broadcast_report", case),
                number)
    ctx = header_fields(commune, "broadcast_report", date, n, "Kết quả phát tin công khai thông tin",
                        [f"{commune.body_short} (b/c);", f"{commune.office.name} (lưu hồ sơ công khai);", "Lưu: ĐTT."])
    head = commune.radio.head
    ctx.update({"signer_authority": "", "signer_title": "TRƯỞNG ĐÀI", "signer_name": head.name if head else ""})
    if days:
        rows = [{"date": dmy(x), "times": times, "count": f"{per_day:02d}"} for x in days]
        summary = (f"Đã phát {per_day * len(days):02d} lần trong {len(days):02d} ngày liên tục, từ "
                   f"{date_words(days[0])} đến {date_words(days[-1])}.")
    else:
        rows = [{"date": BLANK_DMY, "times": times, "count": "……"} for _ in range(3)]
        summary = f"Đã phát …… lần trong …… ngày liên tục, từ {BLANK_DATE_WORDS} đến {BLANK_DATE_WORDS}."
    ctx.update({
        "intro": f"Thực hiện Kế hoạch thực hiện công khai năm {case.issued.year} của {commune.body_short}, "
                 f"{commune.radio_name} báo cáo kết quả phát tin công khai thông tin như sau:",
        "document": cap(ref),
        "broadcasts": rows,
        "summary": summary,
        "feedback": ("; ".join(feedback) + ".") if feedback else "Không có.",
        "closing": f"{commune.radio_name} báo cáo {commune.body_short} để theo dõi, lưu hồ sơ công khai./.",
    })
    return ctx


def posting_end(commune: Commune, case: Case, *, item: Item | None, schedule: Schedule | None,
                register: Register | None = None, number: Any = "auto", group: str | None = None,
                channels: Sequence[str] | None = None, feedback: Sequence[str] | None = None,
                actual_start: dt.date | None = None, actual_end: dt.date | None = None,
                start_time: str = "16 giờ 00", end_time: str = "16 giờ 30") -> dict[str, Any]:
    """Biên bản kết thúc công khai: for all channels (``group=None``) or one group's cultural house.

    Dated the schedule's posting end (``actual_start``/``actual_end``: dates a person recorded)."""
    start = actual_start or (schedule.posting_start if schedule else None)
    end = document_date("posting_end", schedule=schedule, actual_end=actual_end)
    ref = document_ref(case, commune)
    body = commune.body_short
    feedback = list(case.feedback if feedback is None else feedback)
    secretary = responsible_person(commune, item, case)
    if group:
        grp = commune.group(group)
        chair = Person(name=grp.leader, title=leader_of(commune, grp))
        place = lower_first(grp.cultural_house)
        where = [f"Niêm yết tại Bản tin công khai ở {lower_first(grp.cultural_house)}."]
        others = [f"Đại diện Nhân dân {lower_first(grp.name)}: {mr('')}."]
        witnesses = [{"role": "ĐẠI DIỆN NHÂN DÂN", "name": ""}]
    else:
        chair = chair_of(commune, secretary)
        place = f"trụ sở {body}"
        kinds = list(channels) if channels else ([c.kind for c in item.channels] if item else
                                                  ["portal", "ubnd_board", "cultural_house", "group_leaders"])
        where = []
        for k in kinds:
            if k == "radio" and not commune.has_radio:
                continue
            where.append({
                "portal": "Đăng tải trên phần mềm quản trị thông tin quy chế dân chủ;",
                "ubnd_board": f"Niêm yết tại Bản tin công khai của {body};",
                "cultural_house": f"Niêm yết tại Bản tin công khai ở nhà văn hóa của {len(commune.groups):02d} "
                                  f"{commune.group_word};",
                "radio": f"Phát trên hệ thống truyền thanh của {commune.unit_word};",
                "group_leaders": f"Gửi {commune.group_leader_title} để thông báo đến Nhân dân;",
                "one_stop_frame": "Niêm yết tại bộ phận một cửa;",
                "staff": "Gửi đến từng cán bộ, công chức;",
            }[k])
        if where:
            where[-1] = where[-1].rstrip(";") + "."
        others = [f"Đại diện {front_name(commune)}: {mr('')}."]
        witnesses = [{"role": "ĐẠI DIỆN MTTQ", "name": ""}]
    n = official_number(register, "posting_end", (end or start or case.issued).year, number_key("posting_end", case, group),
                number)
    ctx = header_fields(commune, "posting_end", end, n, "Kết thúc công khai thông tin",
                        [f"{commune.office.name} (lưu hồ sơ công khai);", "Lưu: VT, hồ sơ."])
    ctx.update(minute_common(commune, date=end, place=place, chair=chair, secretary=secretary, others=others,
                              witnesses=witnesses, start_time=start_time, end_time=end_time))
    ctx.update({
        "document": cap(ref) + ".",
        "channels": where,
        "period": period_text(start, end),
        "feedback": [f.rstrip(".;") + ";" for f in feedback[:-1]] + [feedback[-1].rstrip(".;") + "."] if feedback else [],
    })
    return ctx
