"""Context builders: from the commune profile, the plan, a case and its schedule to a template context.

``build_context(kind, commune, …)`` returns exactly the fields of the kind's manifest (plus the
text-only ones of the group notice). Everything a commune official reads is Vietnamese and adapts
to the commune kind: ``thị trấn`` / ``xã`` / ``phường``, ``tổ dân phố`` / ``thôn``, ``Tổ trưởng tổ dân
phố`` / ``Trưởng thôn``. Dates are written the Nghị định 30 way (``ngày 05 tháng 01 năm 2024``).

Official numbers come from the register (``Register.number_for``) with a stable key per document
(``f"{case_id}/{kind}/{group}"``), so rendering a document again reuses its number; a commune that
numbers by hand gets ``Số: …/BB-UBND``.

Dates: nothing here computes a date. Every builder that prints one receives the case's
:class:`~congkhai.schedule.Schedule` (``CommuneRun.schedule_of``: the one place a date is
computed) as a required argument; lists receive :class:`~congkhai.schedule.ScheduledCase` values.
A case without a schedule (no plan item) prints a dotted blank to fill in by hand, never a guess.
Builders receive values (commune profile, plan, item, schedule, register): nothing here loads
configuration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from congkhai.case import Case
from congkhai.commune import Commune, Person, ResidentialGroup, upper_vi
from congkhai.documents.kinds import KINDS, all_fields, get_kind
from congkhai.documents.register import Register
from congkhai.errors import PermanentError, UsageError
from congkhai.plan import SECTION_LABELS_VI, Channel, Item, Plan
from congkhai.schedule import Schedule, ScheduledCase
from congkhai.textutil import date_words, place_date_line

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
#: Short channel names for tables and lists.
CHANNEL_SHORT = {
    "portal": "Phần mềm quy chế dân chủ",
    "ubnd_board": "Bản tin UBND",
    "cultural_house": "Nhà văn hóa {group}",
    "radio": "Đài truyền thanh",
    "group_leaders": "Gửi {leader}",
    "one_stop_frame": "Bộ phận một cửa",
    "staff": "Gửi cán bộ, công chức",
}
BLANK_NAME = "………………"
#: A date the software does not know, for a person to fill in by hand.
BLANK_DATE_WORDS = "ngày …… tháng …… năm ……"
BLANK_DMY = "……/……/……"


# ---------------------------------------------------------------- small helpers


def dmy(d: dt.date) -> str:
    """``05/01/2024`` (numeric form used inside running text for document references)."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _lower_first(s: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (``UBND``)."""
    if len(s) >= 2 and s[1].islower():
        return s[:1].lower() + s[1:]
    return s


def _party_committee(commune: Commune) -> str:
    """``Huyện ủy`` / ``Thị ủy`` / ``Thành ủy`` / ``Quận ủy`` from the district's unit word."""
    d = (commune.district or commune.superior).lower()
    for word, name in (("thị xã", "Thị ủy"), ("thành phố", "Thành ủy"), ("quận", "Quận ủy")):
        if word in d:
            return name
    return "Huyện ủy"


def _superior_short(commune: Commune) -> str:
    """``UBND huyện`` (the seed's wording in ``Nơi nhận``) from ``UBND huyện Lạng Giang``."""
    return commune.superior


def _mr(person_name: str) -> str:
    return f"Ông/Bà {person_name}" if person_name else f"Ông/Bà {BLANK_NAME}"


def number_key(kind: str, case: Case | None = None, group: str | None = None, extra: str = "") -> str:
    """The register key of one document: the same document, the same key, the same number."""
    base = case.case_id if case else extra
    return f"{base}/{kind}/{group or ''}"


def words_or_blank(d: dt.date | None) -> str:
    """``ngày 05 tháng 01 năm 2024``, or the dotted blank a person fills in by hand."""
    return date_words(d) if d is not None else BLANK_DATE_WORDS


def dmy_or_blank(d: dt.date | None) -> str:
    return dmy(d) if d is not None else BLANK_DMY


def period_text(start: dt.date | None, end: dt.date | None, *, permanent: bool = False) -> str:
    """``từ ngày 08 tháng 01 năm 2024 đến hết ngày 07 tháng 02 năm 2024 (30 ngày liên tục)``.

    A permanent posting has no end; a date the schedule does not know is a dotted blank.
    """
    if permanent:
        return f"niêm yết thường xuyên kể từ {words_or_blank(start)}"
    # The actual count (the end may have moved past a day off), first day not counted.
    n = f"{(end - start).days:02d}" if start is not None and end is not None else "……"
    return f"từ {words_or_blank(start)} đến hết {words_or_blank(end)} ({n} ngày liên tục)"


_BODY_PREFIXES = (("ủy ban nhân dân ", "UBND "), ("uỷ ban nhân dân ", "UBND "), ("ubnd ", "UBND "),
                  ("hội đồng nhân dân ", "HĐND "), ("hđnd ", "HĐND "))
_UNITS = ("thành phố ", "thị trấn ", "thị xã ", "huyện ", "tỉnh ", "quận ", "phường ", "xã ")


def issuer_name(issuer: str | None, commune: Commune) -> str:
    """The issuing body as a sentence writes it: ``ỦY BAN NHÂN DÂN THỊ TRẤN KÉP`` (read off a header in
    capitals) becomes ``UBND thị trấn Kép``; a name already in mixed case is kept."""
    name = " ".join((issuer or "").split())
    if not name:
        return commune.body_short
    if not name.isupper():
        return name
    low = name.lower()
    head = ""
    for prefix, short in _BODY_PREFIXES:
        if low.startswith(prefix):
            head, low = short, low[len(prefix):]
            break
    unit = next((u for u in _UNITS if low.startswith(u)), "")
    rest = low[len(unit):]
    return head + unit + " ".join(w[:1].upper() + w[1:] for w in rest.split())


def document_ref(case: Case, commune: Commune) -> str:
    """``Quyết định số 15/QĐ-UBND ngày 05/01/2024 của UBND thị trấn Kép về việc phê duyệt …``."""
    dtype = _cap((case.doc_type or "Văn bản").lower())
    parts = [dtype]
    if case.number_notation:
        parts.append(f"số {case.number_notation}")
    parts.append(f"ngày {dmy(case.issued)}")
    parts.append(f"của {issuer_name(case.issuer, commune)}")
    subject = case.subject.strip().rstrip(".")
    low = subject.lower()
    if low.startswith(("về ", "v/v")):
        parts.append(_lower_first(subject.replace("V/v", "về việc", 1).replace("v/v", "về việc", 1)))
    else:
        parts.append(f"về {_lower_first(subject)}" if low.startswith("việc ") else f"về việc {_lower_first(subject)}")
    return " ".join(parts)


def channel_line(ch: Channel, commune: Commune) -> str:
    """The plan's wording of a channel, completed as the seed writes it (Zalo, meetings, one-stop note)."""
    text = ch.describe(commune)
    if ch.kind == "group_leaders":
        g = commune.group_word
        text += f" bằng các hình thức: gửi vào nhóm Zalo của {g}, thông báo tại các cuộc họp ở {g}"
    if ch.note and ch.kind != "one_stop_frame":
        text += f" ({ch.note})"
    return text + "."


def channel_short(kind: str, commune: Commune) -> str:
    return CHANNEL_SHORT[kind].format(group=commune.group_word, leader=commune.group_leader_title.lower())


def timing_lines(item: Item) -> list[str]:
    """``b) Thời điểm công khai`` lines: the plan's note (split at ``;``) or words from the rule."""
    t = item.timing
    if t.note:
        return [_cap(p.strip()).rstrip(".") + "." for p in t.note.split(";") if p.strip()]
    if t.rule == "quarter_start":
        lo, hi = t.window or (1, 5)
        return [f"Từ ngày {lo:02d} đến ngày {hi:02d} tháng đầu quý."]
    lines = [f"Chậm nhất {t.working_days:02d} ngày làm việc kể từ ngày ban hành văn bản."]
    if t.in_month:
        lines[0] = lines[0][:-1] + f" (trong tháng {t.in_month} hàng năm)."
    if t.january_repost:
        lines.append("Tháng 1 hàng năm thay thế bản niêm yết và đăng tải lại trên phần mềm quản trị thông tin quy chế dân chủ.")
    return lines


# ---------------------------------------------------------------- common blocks


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


def _number(
    register: Register | None, kind: str, year: int, key: str, number: Any = "auto"
) -> int | None:
    """``number``: ``"auto"`` (the register, in the series of ``year``), an int (given by the caller),
    or None (blank)."""
    if number != "auto":
        return number if number is None else int(number)
    if register is None:
        return None
    return register.number_for(year, get_kind(kind).series, key)


def _responsible(commune: Commune, item: Item | None, case: Case) -> Person:
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


def _chair(commune: Commune, secretary: Person) -> Person:
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


def _minute_common(
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
        f"{_mr(chair.name)} - {chair.title}, chủ trì;",
        f"{_mr(secretary.name)} - {secretary.title}, thư ký;",
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


def leader_of(commune: Commune, grp: ResidentialGroup) -> str:
    """``Tổ trưởng tổ dân phố số 3`` / ``Trưởng thôn Đông`` (never ``Trưởng thôn thôn Đông``)."""
    title, gw = commune.leader_title_of(grp), commune.group_word
    if title.lower().endswith(gw) and grp.name.lower().startswith(gw):
        return f"{title[: -len(gw)].strip()} {_lower_first(grp.name)}"
    return f"{title} {_lower_first(grp.name)}"


def _front_name(commune: Commune) -> str:
    return f"Ủy ban MTTQ Việt Nam {commune.name}"


# ---------------------------------------------------------------- the kinds


def yearly_plan(commune: Commune, plan: Plan, *, date: dt.date | None = None, register: Register | None = None,
                number: Any = "auto", signer: str = "chairman") -> dict[str, Any]:
    """Kế hoạch thực hiện công khai năm …: the seed's structure from the plan data.

    Dated ``date`` (the run's day), else the plan's own issue date, else a blank to fill in."""
    y = plan.year
    date = date or plan.issued
    unit, g, body = commune.unit_word, commune.group_word, commune.body_short
    leader = commune.group_leader_title
    subject = f"Thực hiện công khai trong cơ quan hành chính nhà nước và theo Luật dân chủ ở cơ sở năm {y}"
    if plan.number and number == "auto":
        try:
            number = int(plan.number.split("/")[0])
        except ValueError:
            pass
    n = _number(register, "yearly_plan", date.year if date else y, f"plan-{y}/yearly_plan/", number)
    bases = [
        "Căn cứ Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15 ngày 10 tháng 11 năm 2022;",
        "Căn cứ Nghị định số 59/2023/NĐ-CP ngày 14 tháng 8 năm 2023 của Chính phủ quy định chi tiết "
        "một số điều của Luật Thực hiện dân chủ ở cơ sở;",
    ]
    if "bắc giang" in commune.province.lower():
        bases += [
            "Căn cứ Chỉ thị số 09-CT/TU ngày 10/8/2021 của Ban Thường vụ Tỉnh ủy về tiếp tục đẩy mạnh, "
            "nâng cao chất lượng, hiệu quả thực hiện quy chế dân chủ ở cơ sở;",
            "Căn cứ Hướng dẫn số 14-HD/BCĐ ngày 18/01/2024 của Ban Chỉ đạo thực hiện Quy chế dân chủ tỉnh "
            "Bắc Giang về hướng dẫn việc công khai thông tin ở các xã, phường, thị trấn trên địa bàn tỉnh;",
        ]
    bases.append(f"Căn cứ tình hình thực tế của {commune.name}.")
    regular = []
    for i, it in enumerate(plan.items_in("regular"), 1):
        regular.append({
            "number": f"1.{i}",
            "title": it.title,
            "channels": [channel_line(c, commune) for c in it.channels],
            "timing": timing_lines(it),
        })
    dated = [it for s in ("q1", "q2", "q3", "q4", "unknown_timing", "non_recurring") for it in plan.items_in(s)]
    first = dated[0] if dated else None
    if first is not None and first.timing.rule == "after_issuance":
        yearly_timing = f"Chậm nhất {first.timing.working_days:02d} ngày làm việc kể từ ngày ban hành văn bản."
    else:
        yearly_timing = "Chậm nhất 05 ngày làm việc kể từ ngày ban hành văn bản."
    yearly_channels = [channel_line(c, commune) for c in first.channels] if first else []
    sections = []
    intros = {
        **{f"q{q}": f"Các nội dung, hoạt động phát sinh thường xuyên, thời gian phát sinh trong quý {ROMAN[q]} "
                    "hàng năm, bao gồm các nội dung sau:" for q in range(1, 5)},
        "unknown_timing": "Các nội dung, hoạt động phát sinh thường xuyên hàng năm, thời gian phát sinh hoạt động "
                          f"phụ thuộc sự chỉ đạo của cấp trên và tình hình thực tiễn ở {unit}, bao gồm các nội dung sau:",
        "non_recurring": "Các nội dung, hoạt động không phát sinh thường xuyên hàng năm, thời gian phát sinh hoạt "
                         f"động phụ thuộc sự chỉ đạo của cấp trên và tình hình thực tiễn ở {unit}, bao gồm các nội dung sau:",
    }
    for s in ("q1", "q2", "q3", "q4", "unknown_timing", "non_recurring"):
        items = plan.items_in(s)
        if items:
            sections.append({
                "number": f"2.3.{len(sections) + 1}",
                "heading": SECTION_LABELS_VI[s],
                "intro": intros[s],
                "entries": [it.title.rstrip(".;") + ";" for it in items[:-1]] + [items[-1].title.rstrip(".;") + "."],
            })
    radio = f"{commune.radio_name}" if commune.has_radio else ""
    dossier = [
        f"Kế hoạch thực hiện công khai thông tin của {body} năm {y};",
        "Kế hoạch công khai thông tin đối với công việc, hoạt động cụ thể (chưa được nêu trong Kế hoạch "
        "thực hiện công khai phát hành từ đầu năm);",
        f"Biên bản niêm yết tại Bản tin công khai của {body};",
        f"Biên bản niêm yết tại Bản tin công khai ở nhà văn hóa của các {g};",
        (f"Báo cáo kết quả phát tin, bài về công khai thông tin của {radio};" if radio else
         "Báo cáo kết quả phát tin, bài về công khai thông tin trên hệ thống truyền thanh (nếu có);"),
        "Biên bản kết thúc công khai thông tin (bao gồm các hình thức đã công khai, căn cứ thực tiễn có thể "
        "lập chung hoặc tách riêng từng biên bản đối với mỗi hình thức công khai);",
        f"Báo cáo kết quả thực hiện các nội dung công khai của {body} trình tại các kỳ họp {commune.council_short}.",
    ]
    office = commune.office.name
    organisation = [
        {"heading": office, "paragraphs": [
            "Phụ trách Hệ thống quản trị thông tin quy chế dân chủ, đăng tải nội dung công khai, báo cáo tình "
            "hình, kết quả thực hiện quy chế dân chủ ở cơ sở trên phần mềm quy chế dân chủ;",
            "Hướng dẫn các bộ phận thực hiện và lưu hồ sơ công khai thông tin theo mục III của Kế hoạch này.",
        ]},
        {"heading": f"Các công chức {body}", "paragraphs": [
            f"- Công chức phụ trách lĩnh vực nào thì có trách nhiệm thực hiện niêm yết công khai lĩnh vực đó tại "
            f"Bản tin công khai của {body}; phối hợp với {leader} niêm yết tại Bản tin công khai ở nhà văn hóa "
            f"các {g};",
            f"- Cung cấp thông tin, văn bản công khai cho {office} nhập phần mềm công khai"
            + (f" và cung cấp cho {radio} công khai trên hệ thống loa truyền thanh" if radio else "")
            + " (ngay khi có văn bản công khai);",
            "- Lập Biên bản bắt đầu công khai, kết thúc công khai đối với tất cả các hình thức công khai và hoàn "
            f"thiện hồ sơ lưu gửi về {office} để lưu Hồ sơ công khai.",
        ]},
        {"heading": f"Các {g}", "paragraphs": [
            f"{leader} có trách nhiệm niêm yết thông tin công khai tại Bản tin công khai ở nhà văn hóa của "
            f"{g}; sử dụng ứng dụng di động quy chế dân chủ để tiếp nhận các thông tin công khai, gửi vào nhóm "
            f"Zalo của {g} để thông tin đến Nhân dân; phối hợp lập Biên bản bắt đầu công khai, kết thúc công "
            "khai gửi về công chức phụ trách lĩnh vực.",
        ]},
        {"heading": commune.council_short, "paragraphs": [
            f"Đưa vào chương trình kỳ họp thường lệ nội dung {body} báo cáo về quá trình và kết quả thực hiện "
            "các nội dung công khai.",
        ]},
    ]
    sup = commune.superior
    ctx = header_fields(commune, "yearly_plan", date, n, subject, [
        f"Ban Dân vận {_party_committee(commune)} (b/c);",
        f"{sup} (b/c);",
        "TT Đảng ủy (b/c);",
        "MTTQ, các đoàn thể CT-XH;",
        f"Cán bộ, công chức {unit};",
        f"Các {g};",
        "Lưu: VT.",
    ])
    ctx.update(signer_fields(commune, signer))
    ctx.update({
        "year": y,
        "bases": bases,
        "intro": f"{body} xây dựng Kế hoạch thực hiện công khai trong cơ quan hành chính nhà nước và theo Luật "
                 f"dân chủ ở cơ sở năm {y}, cụ thể như sau:",
        "purposes": [
            "Bảo đảm quyền của Nhân dân được biết, tham gia ý kiến, quyết định, thực hiện dân chủ ở cấp xã; bảo "
            "vệ lợi ích của Nhà nước, quyền và lợi ích hợp pháp của tổ chức, cá nhân; công khai, minh bạch trong "
            "quá trình thực hiện dân chủ ở cấp xã; bảo đảm sự lãnh đạo của Đảng, sự quản lý của Nhà nước.",
            f"Nâng cao hiệu quả hoạt động của chính quyền {unit} và nền hành chính công phục vụ Nhân dân.",
            "Phát huy sự tham gia của mọi tầng lớp Nhân dân vào quá trình xây dựng, thực thi và giám sát việc "
            "thực thi theo quy định của pháp luật.",
            "Nâng cao chất lượng và hiệu quả thực hiện quy chế dân chủ trong cơ quan; phát huy quyền làm chủ, "
            "động viên sức mạnh, tinh thần đoàn kết của cán bộ, công chức, người lao động trong hoạt động của cơ quan.",
        ],
        "requirements": [
            "Việc công khai, xin ý kiến của Nhân dân và tiếp thu ý kiến của Nhân dân phải được thực hiện đầy đủ, "
            "đúng quy trình.",
            "Các bộ phận, cán bộ chuyên môn chủ động phối kết hợp thực hiện các nội dung thuộc trách nhiệm của "
            "mình gắn với các nhiệm vụ chuyên môn trên tinh thần bảo đảm khoa học, đầy đủ, kết hợp với việc thực "
            "hiện các quy định chuyên môn liên quan và phải lưu giữ hồ sơ chứng minh theo quy định.",
        ],
        "regular_items": regular,
        "yearly_timing": yearly_timing,
        "yearly_channels": yearly_channels,
        "content_sections": sections,
        "dossier_intro": "Việc lập và lưu hồ sơ công khai thông tin, bao gồm các văn bản sau:",
        "dossier": dossier,
        "organisation": organisation,
        "closing": f"Giao cho {office} phối hợp với các bộ phận liên quan giúp Chủ tịch {body} đôn đốc, theo dõi, "
                   f"kiểm tra, giám sát việc thực hiện Kế hoạch; tổng hợp báo cáo Chủ tịch {sup} theo quy định.",
    })
    return ctx


def activity_plan(commune: Commune, case: Case, *, item: Item | None, schedule: Schedule | None,
                  date: dt.date | None = None, register: Register | None = None, number: Any = "auto",
                  signer: str = "chairman", channels: Sequence[Channel] | None = None) -> dict[str, Any]:
    """Kế hoạch công khai thông tin đối với một công việc cụ thể (not in the yearly plan).

    Dated the day the case's document was issued (the plan is made with it) unless ``date`` is given."""
    date = date or case.issued
    g, body = commune.group_word, commune.body_short
    ref = document_ref(case, commune)
    if channels is None:
        channels = list(item.channels) if item else [
            Channel(kind="portal"), Channel(kind="ubnd_board", days=30), Channel(kind="cultural_house", days=30),
            *([Channel(kind="radio", days=3)] if commune.has_radio else []), Channel(kind="group_leaders"),
        ]
    n = _number(register, "activity_plan", date.year, number_key("activity_plan", case), number)
    subject = f"Công khai thông tin về {_lower_first(case.subject.rstrip('.'))}"
    ctx = header_fields(commune, "activity_plan", date, n, subject, [
        f"{commune.superior} (b/c);", "TT Đảng ủy, HĐND (b/c);", "MTTQ, các đoàn thể CT-XH;",
        f"Các {g};", "Lưu: VT.",
    ])
    ctx.update(signer_fields(commune, signer))
    resp = _responsible(commune, item, case)
    ctx.update({
        "bases": [
            "Căn cứ Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15 ngày 10 tháng 11 năm 2022;",
            f"Căn cứ {ref};",
        ],
        "intro": f"Nội dung trên chưa được nêu trong Kế hoạch thực hiện công khai năm {date.year}; {body} xây "
                 "dựng Kế hoạch công khai thông tin như sau:",
        "purposes": [
            "Bảo đảm quyền của Nhân dân được biết, tham gia ý kiến và giám sát việc thực hiện.",
            "Công khai đầy đủ, đúng hình thức, đúng thời hạn theo Luật Thực hiện dân chủ ở cơ sở; lưu đầy đủ hồ sơ.",
        ],
        "content": _cap(ref) + ".",
        "timing": f"Chậm nhất {commune.counting.deadline_working_days:02d} ngày làm việc kể từ ngày ban hành văn "
                  f"bản; dự kiến niêm yết từ {words_or_blank(schedule.posting_start if schedule else None)}.",
        "channels": [channel_line(c, commune) for c in channels],
        "responsibilities": [
            f"{resp.title} ({resp.name or BLANK_NAME}) niêm yết tại Bản tin công khai của {body}, phối hợp "
            f"với {commune.group_leader_title} niêm yết ở nhà văn hóa các {g}, lập biên bản bắt đầu và kết thúc "
            "công khai;",
            f"{commune.office.name} đăng tải nội dung trên phần mềm quản trị thông tin quy chế dân chủ, lưu hồ sơ "
            "công khai;",
            *([f"{commune.radio_name} phát tin trên hệ thống truyền thanh và báo cáo kết quả phát tin;"]
              if commune.has_radio else []),
            f"{commune.group_leader_title} niêm yết tại nhà văn hóa, gửi vào nhóm Zalo của {g} và thông báo "
            "tại các cuộc họp.",
        ],
    })
    return ctx


def _schedule_period(schedule: Schedule | None) -> str:
    """The posting period a start minute or a notice prints (blank without a schedule)."""
    if schedule is None:
        return period_text(None, None)
    return period_text(schedule.posting_start, schedule.posting_end, permanent=schedule.permanent)


def _posting_channels_text(commune: Commune, item: Item | None, exclude: str) -> str:
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


def posting_start_ubnd(commune: Commune, case: Case, *, item: Item | None, schedule: Schedule | None,
                       register: Register | None = None, number: Any = "auto", start_time: str = "08 giờ 00",
                       end_time: str = "08 giờ 30") -> dict[str, Any]:
    """Biên bản niêm yết tại Bản tin công khai của UBND, dated the schedule's posting day."""
    start = schedule.posting_start if schedule else None
    ref = document_ref(case, commune)
    body = commune.body_short
    n = _number(register, "posting_start_ubnd", (start or case.issued).year, number_key("posting_start_ubnd", case),
                number)
    ctx = header_fields(commune, "posting_start_ubnd", start, n,
                        f"Niêm yết công khai thông tin tại Bản tin công khai của {body}",
                        [f"{commune.office.name} (lưu hồ sơ công khai);", "Lưu: VT, hồ sơ."])
    secretary = _responsible(commune, item, case)
    chair = _chair(commune, secretary)
    ctx.update(_minute_common(
        commune, date=start, place=f"trụ sở {body}", chair=chair, secretary=secretary,
        others=[f"Đại diện {_front_name(commune)}: {_mr('')};"],
        witnesses=[{"role": "ĐẠI DIỆN MTTQ", "name": ""}],
        start_time=start_time, end_time=end_time,
    ))
    ctx.update({
        "document": _cap(ref) + ".",
        "location": f"Bản tin công khai của {body}",
        "period": _schedule_period(schedule),
        "also": _posting_channels_text(commune, item, "ubnd_board"),
    })
    return ctx


def posting_start_group(commune: Commune, case: Case, group: str | ResidentialGroup, *, item: Item | None,
                        schedule: Schedule | None, register: Register | None = None, number: Any = "auto",
                        start_time: str = "08 giờ 00", end_time: str = "08 giờ 30") -> dict[str, Any]:
    """Biên bản niêm yết tại nhà văn hóa of one group, dated the schedule's posting day."""
    grp = commune.group(group) if isinstance(group, str) else group
    start = schedule.posting_start if schedule else None
    ref = document_ref(case, commune)
    n = _number(register, "posting_start_group", (start or case.issued).year,
                number_key("posting_start_group", case, grp.code), number)
    ctx = header_fields(commune, "posting_start_group", start, n,
                        f"Niêm yết công khai thông tin tại nhà văn hóa {_lower_first(grp.name)}",
                        [f"{commune.office.name} (lưu hồ sơ công khai);", f"{grp.name};", "Lưu: VT, hồ sơ."])
    secretary = _responsible(commune, item, case)
    chair = Person(name=grp.leader, title=leader_of(commune, grp))
    ctx.update(_minute_common(
        commune, date=start, place=_lower_first(grp.cultural_house), chair=chair, secretary=secretary,
        others=[f"Đại diện Ban công tác Mặt trận {_lower_first(grp.name)}: {_mr('')};",
                f"Đại diện Nhân dân {_lower_first(grp.name)}: {_mr('')}."],
        witnesses=[{"role": "ĐẠI DIỆN MẶT TRẬN", "name": ""},
                   {"role": "ĐẠI DIỆN NHÂN DÂN", "name": ""}],
        start_time=start_time, end_time=end_time,
    ))
    ctx.update({
        "document": _cap(ref) + ".",
        "location": f"Bản tin công khai ở {_lower_first(grp.cultural_house)}",
        "period": _schedule_period(schedule),
        "also": _posting_channels_text(commune, item, "cultural_house"),
    })
    return ctx


def broadcast_report(commune: Commune, case: Case, *, item: Item | None, schedule: Schedule | None,
                     register: Register | None = None, number: Any = "auto", times: str = "06 giờ 00 và 17 giờ 00",
                     per_day: int = 2, date: dt.date | None = None, feedback: Sequence[str] = ()) -> dict[str, Any]:
    """Báo cáo kết quả phát tin: the schedule's broadcast days, dated the day the report is due.

    Without broadcast days (no schedule, or an item without radio) the rows are blanks to fill in."""
    if not commune.has_radio:
        raise PermanentError(
            f"{_cap(commune.name)} không có đài truyền thanh (commune.yaml: radio.has_radio = false): "
            "không lập báo cáo kết quả phát tin",
            f"{commune.code} has no radio station: no broadcast report", kind="no_radio", field="radio",
        )
    days = list(schedule.broadcast_days) if schedule else []
    date = date or (schedule.broadcast_report_due if schedule else None)
    ref = document_ref(case, commune)
    n = _number(register, "broadcast_report", (date or case.issued).year, number_key("broadcast_report", case),
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
        "document": _cap(ref),
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
    end = actual_end or (schedule.posting_end if schedule else None)
    ref = document_ref(case, commune)
    body = commune.body_short
    feedback = list(case.feedback if feedback is None else feedback)
    secretary = _responsible(commune, item, case)
    if group:
        grp = commune.group(group)
        chair = Person(name=grp.leader, title=leader_of(commune, grp))
        place = _lower_first(grp.cultural_house)
        where = [f"Niêm yết tại Bản tin công khai ở {_lower_first(grp.cultural_house)}."]
        others = [f"Đại diện Nhân dân {_lower_first(grp.name)}: {_mr('')}."]
        witnesses = [{"role": "ĐẠI DIỆN NHÂN DÂN", "name": ""}]
    else:
        chair = _chair(commune, secretary)
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
        others = [f"Đại diện {_front_name(commune)}: {_mr('')}."]
        witnesses = [{"role": "ĐẠI DIỆN MTTQ", "name": ""}]
    n = _number(register, "posting_end", (end or start or case.issued).year, number_key("posting_end", case, group),
                number)
    ctx = header_fields(commune, "posting_end", end, n, "Kết thúc công khai thông tin",
                        [f"{commune.office.name} (lưu hồ sơ công khai);", "Lưu: VT, hồ sơ."])
    ctx.update(_minute_common(commune, date=end, place=place, chair=chair, secretary=secretary, others=others,
                              witnesses=witnesses, start_time=start_time, end_time=end_time))
    ctx.update({
        "document": _cap(ref) + ".",
        "channels": where,
        "period": period_text(start, end),
        "feedback": [f.rstrip(".;") + ";" for f in feedback[:-1]] + [feedback[-1].rstrip(".;") + "."] if feedback else [],
    })
    return ctx


def _quarter_bounds(year: int, q: int) -> tuple[dt.date, dt.date]:
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
    kinds = [c.kind for c in item.channels] if item else ["portal", "ubnd_board", "cultural_house"]
    doc = f"{case.number_notation} ngày {dmy(case.issued)}" if case.number_notation else f"Ngày {dmy(case.issued)}"
    return {
        "title": case.subject,
        "document": doc,
        "channels": "; ".join(channel_short(k, commune) for k in kinds if k != "radio" or commune.has_radio),
        "dates": _row_dates(sc.schedule),
    }


def quarterly_list(commune: Commune, year: int, quarter: int, cases: Sequence[ScheduledCase], *,
                   date: dt.date | None = None, register: Register | None = None, number: Any = "auto",
                   signer: str = "chairman") -> dict[str, Any]:
    """Danh sách các nội dung đã công khai trong quý: the cases issued in the quarter, each with the
    dates of its own schedule. Dated ``date`` (the run's day), else a blank to fill in."""
    if quarter not in (1, 2, 3, 4):
        raise UsageError(f"Quý phải từ 1 đến 4 (nhận {quarter})", f"Quarter must be 1-4 (got {quarter})",
                         kind="bad_quarter", field="quarter")
    qs, qe = _quarter_bounds(year, quarter)
    rows = [case_row(commune, sc) for sc in sorted(cases, key=lambda sc: sc.case.issued)
            if qs <= sc.case.issued <= qe]
    n = _number(register, "quarterly_list", date.year if date else year + (quarter == 4),
                f"{year}-Q{quarter}/quarterly_list/", number)
    ctx = header_fields(
        commune, "quarterly_list", date, n,
        f"Danh sách các nội dung đã thực hiện công khai quý {ROMAN[quarter]} năm {year}",
        [f"{commune.superior} (b/c);", "TT Đảng ủy, HĐND (b/c);", f"Các {commune.group_word};", "Lưu: VT."],
    )
    ctx.update(signer_fields(commune, signer))
    ctx.update({
        "intro": f"Thực hiện Luật Thực hiện dân chủ ở cơ sở và Kế hoạch thực hiện công khai năm {year}, "
                 f"{commune.body_short} thông báo danh sách các nội dung đã thực hiện công khai trong quý "
                 f"{ROMAN[quarter]} năm {year} (từ {dmy(qs)} đến {dmy(qe)}) như sau:",
        "rows": rows,
        "closing": f"Danh sách này được niêm yết tại Bản tin công khai của {commune.body_short}, nhà văn hóa các "
                   f"{commune.group_word} và đăng tải trên phần mềm quản trị thông tin quy chế dân chủ. "
                   "Mọi ý kiến phản hồi xin gửi về Văn phòng " + f"{commune.body_short}./.",
    })
    return ctx


def _notation_comma(case: Case) -> str:
    return f"{case.number_notation}, " if case.number_notation else ""


def _shortcomings(chosen: Sequence[ScheduledCase], late: Sequence[ScheduledCase],
                  unscheduled: Sequence[ScheduledCase]) -> list[str]:
    """III. Tồn tại: the late contents, each with its deadline and posting day (from its schedule)."""
    if not chosen:
        return ["Chưa phát sinh nội dung công khai trong kỳ."]
    if not late:
        out = ["Không có nội dung công khai chậm so với thời hạn theo Kế hoạch."]
    else:
        named = "; ".join(
            f"{sc.case.subject} ({_notation_comma(sc.case)}ngày {dmy(sc.case.issued)}: hạn công khai "
            f"{dmy(sc.schedule.deadline)}, niêm yết từ {dmy(sc.schedule.posting_start)}, chậm "
            f"{sc.schedule.days_late:02d} ngày làm việc)"
            for sc in late if sc.schedule is not None
        )
        out = [f"Có {len(late):02d} nội dung công khai chậm so với thời hạn theo Kế hoạch: {named}."]
    if unscheduled:
        out.append(f"Có {len(unscheduled):02d} nội dung chưa xác định được thời hạn công khai (không có mục tương "
                   "ứng trong Kế hoạch thực hiện công khai).")
    return out


def council_report(commune: Commune, year: int, cases: Sequence[ScheduledCase], *,
                   period_start: dt.date | None = None, period_end: dt.date | None = None,
                   period_label: str | None = None, date: dt.date | None = None, register: Register | None = None,
                   number: Any = "auto", signer: str = "chairman") -> dict[str, Any]:
    """Báo cáo kết quả thực hiện công khai, trình kỳ họp HĐND (period: the half-year or the year).

    Counts come from each case's plan item and schedule as the pipeline computed them (the late
    ones are named with their deadline and posting day). Dated ``date`` (the run's day), else a blank;
    the period runs from ``period_start`` (1 January) to ``period_end`` (``date``, else 31 December)."""
    period_start = period_start or dt.date(year, 1, 1)
    period_end = period_end or date or dt.date(year, 12, 31)
    label = period_label or (f"6 tháng đầu năm {year}" if period_end.month <= 7 else f"năm {year}")
    chosen = [sc for sc in sorted(cases, key=lambda sc: sc.case.issued)
              if period_start <= sc.case.issued <= period_end]
    with_feedback = [sc for sc in chosen if sc.case.feedback]
    law: dict[int, int] = {}
    for sc in chosen:
        if sc.case.law_item:
            law[sc.case.law_item] = law.get(sc.case.law_item, 0) + 1
    n = _number(register, "council_report", (date or period_end).year, f"{period_start}_{period_end}/council_report/",
                number)
    ctx = header_fields(
        commune, "council_report", date, n, f"Kết quả thực hiện công khai thông tin {label}",
        [f"Thường trực {commune.council_short};", f"Đại biểu {commune.council_short};",
         f"{commune.superior} (b/c);", "Lưu: VT."],
    )
    ctx.update(signer_fields(commune, signer))
    results = [f"Tổng số nội dung đã công khai: {len(chosen):02d} nội dung."]
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
            f"{_lower_first(channel_short(k, commune))}: {v:02d}" for k, v in channel_counts.items()) + ".")
    results.append(f"Số nội dung nhận được ý kiến phản hồi của Nhân dân: {len(with_feedback):02d}."
                   if with_feedback else "Trong kỳ không nhận được ý kiến phản hồi của Nhân dân.")
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
        "shortcomings": _shortcomings(chosen, late, unscheduled),
        "next_steps": [
            "Tiếp tục thực hiện đầy đủ các nội dung công khai theo Kế hoạch; công khai đúng thời hạn 05 ngày "
            "làm việc kể từ ngày ban hành văn bản.",
            "Hoàn thiện, lưu trữ đầy đủ hồ sơ công khai thông tin theo quy định.",
        ],
        "closing": f"Trên đây là báo cáo kết quả thực hiện công khai thông tin {label} của {commune.body_short}, "
                   f"kính trình {commune.council_short} xem xét./.",
    })
    return ctx


def group_notice(commune: Commune, case: Case, group: str | None = None, *, item: Item | None,
                 schedule: Schedule | None, register: Register | None = None, number: Any = "auto",
                 signer: str = "chairman") -> dict[str, Any]:
    """Thông báo gửi trưởng thôn / tổ trưởng tổ dân phố (one group, or all when ``group`` is None),
    dated the schedule's posting day."""
    date = schedule.posting_start if schedule else None
    ref = document_ref(case, commune)
    g = commune.group_word
    if group:
        grp = commune.group(group)
        addressee = f"Ông/Bà {grp.leader}, {leader_of(commune, grp)}"
        house = _lower_first(grp.cultural_house)
        zalo = grp.zalo_group or f"nhóm Zalo của {_lower_first(grp.name)}"
    else:
        leader = commune.group_leader_title.removesuffix(f" {g}")  # "Tổ trưởng" / "Trưởng"
        addressee = f"{leader} các {g}"
        house = f"nhà văn hóa {g}"
        zalo = f"nhóm Zalo của {g}"
    n = _number(register, "group_notice", (date or case.issued).year, number_key("group_notice", case, group), number)
    ctx = header_fields(commune, "group_notice", date, n, "Về việc công khai thông tin",
                        ["Như trên;", f"{commune.office.name};", "Lưu: VT."])
    ctx.update(signer_fields(commune, signer))
    ctx.update({
        "addressee": addressee,
        "intro": f"Thực hiện Luật Thực hiện dân chủ ở cơ sở và Kế hoạch thực hiện công khai năm {case.issued.year}, "
                 f"{commune.body_short} thông báo nội dung công khai sau:",
        "document": _cap(ref) + ".",
        "period": _schedule_period(schedule),
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
CASE_FIELDS = frozenset(Case.__dataclass_fields__) - {"extra"}
OPTION_FIELDS = frozenset({"commune", "year", "group", "quarter", "cases", "date", "number", "signer",
                           "period_start", "period_end", "period_label", "channels"})


def build_context(
    kind: str,
    commune: Commune,
    *,
    item: Item | None,
    schedule: Schedule | None,
    year: int | None = None,
    case: Case | None = None,
    plan: Plan | None = None,
    group: str | None = None,
    register: Register | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The context of ``kind`` from values the caller holds (nothing is loaded here).

    ``item`` and ``schedule`` are the case's plan item and schedule (``CommuneRun.item_of`` /
    ``schedule_of``; None for the kinds of the whole year, or when the case has no plan item: its
    dates are then blanks to fill in). ``plan``: the yearly plan (``yearly_plan`` only).
    ``options`` go to the kind's builder (``date``, ``number``, ``quarter``, ``cases``: a sequence of
    :class:`ScheduledCase` for the quarterly list and the council report …).
    """
    get_kind(kind)
    c = commune
    y = year or (case.issued.year if case else None) or dt.date.today().year
    needs_case = kind not in ("yearly_plan", "quarterly_list", "council_report")
    if needs_case and case is None:
        raise UsageError(
            f"Văn bản {kind} cần thông tin văn bản được công khai (issued, subject…)",
            f"Kind {kind} needs the disclosed document (issued, subject, …)", kind="missing_field", field="subject",
        )
    if kind == "yearly_plan":
        if plan is None:
            raise UsageError(f"Chưa có kế hoạch công khai năm {y} của {c.code} (plan-{y}.yaml)",
                             f"No disclosure plan {y} for {c.code} (plan-{y}.yaml)", kind="no_plan", field="plan")
        return yearly_plan(c, plan, register=register, **options)
    if kind == "quarterly_list":
        quarter = options.pop("quarter", None) or 1
        cases = options.pop("cases", ())
        return quarterly_list(c, y, int(quarter), cases, register=register, **options)
    if kind == "council_report":
        cases = options.pop("cases", ())
        return council_report(c, y, cases, register=register, **options)
    assert case is not None
    per_case = dict(item=item, schedule=schedule, register=register)
    if kind == "activity_plan":
        return activity_plan(c, case, **per_case, **options)
    if kind == "posting_start_ubnd":
        return posting_start_ubnd(c, case, **per_case, **options)
    if kind == "posting_start_group":
        grp = group or (c.groups[0].code if c.groups else None)
        if grp is None:
            raise UsageError("Cần mã thôn/tổ dân phố (group)", "A group code is needed", field="group")
        return posting_start_group(c, case, grp, **per_case, **options)
    if kind == "broadcast_report":
        return broadcast_report(c, case, **per_case, **options)
    if kind == "posting_end":
        return posting_end(c, case, group=group, **per_case, **options)
    return group_notice(c, case, group, **per_case, **options)


def check_context(kind: str, ctx: dict[str, Any]) -> None:
    """Every manifest field present (the builders and the manifests must agree)."""
    missing = sorted(set(all_fields(kind)) - set(ctx))
    if missing:
        raise PermanentError(f"Thiếu trường {', '.join(missing)} cho {kind}", f"Missing {missing} for {kind}",
                             kind="missing_field", field=missing[0])


__all__ = [
    "KINDS", "ScheduledCase", "build_context", "check_context", "document_ref", "period_text", "number_key",
    "upper_vi",
]
