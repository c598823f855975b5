"""Wording shared by the documents: dates in words, references, channel names, blanks.

Everything a commune official reads is Vietnamese and adapts to the commune kind: ``thị trấn`` /
``xã`` / ``phường``, ``tổ dân phố`` / ``thôn``, ``Tổ trưởng tổ dân phố`` / ``Trưởng thôn``. Dates are
written the Nghị định 30 way (``ngày 05 tháng 01 năm 2024``); a date the software does not know
is a dotted blank to fill in by hand.
"""

from __future__ import annotations

import datetime as dt

from congkhai.case import Case
from congkhai.commune import Commune, ResidentialGroup
from congkhai.plan import Channel, Item
from congkhai.textutil import date_words

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

#: Short channel names for tables and lists (``{unit}``: thị trấn / xã / phường).
CHANNEL_SHORT = {
    "portal": "Phần mềm quy chế dân chủ",
    "ubnd_board": "Bản tin UBND {unit}",
    "cultural_house": "Nhà văn hóa {group}",
    "radio": "Đài truyền thanh {unit}",
    "group_leaders": "Gửi {leader}",
    "one_stop_frame": "Bộ phận một cửa",
    "staff": "Gửi cán bộ, công chức",
}


#: A name, a date, a time the software does not know: dotted blanks for a person to fill in by hand.
BLANK_NAME = "………………"
BLANK_DATE_WORDS = "ngày …… tháng …… năm ……"
BLANK_DMY = "……/……/……"
BLANK_TIME = "…… giờ …… phút"
#: A line of a draft left for hand-writing (feedback received …).
BLANK_LINE = "……………………………………………………………………………………"


def time_words(t: dt.time | dt.datetime) -> str:
    """``14 giờ 30 phút`` (``06 giờ 30 phút``): a clock time a person recorded."""
    return f"{t.hour:02d} giờ {t.minute:02d} phút"


def dmy(d: dt.date) -> str:
    """``05/01/2024`` (numeric form used inside running text for document references)."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def lower_first(s: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (``UBND``)."""
    if len(s) >= 2 and s[1].islower():
        return s[:1].lower() + s[1:]
    return s


def party_committee(commune: Commune) -> str:
    """``Huyện ủy`` / ``Thị ủy`` / ``Thành ủy`` / ``Quận ủy`` from the district's unit word."""
    d = (commune.district or commune.superior).lower()
    for word, name in (("thị xã", "Thị ủy"), ("thành phố", "Thành ủy"), ("quận", "Quận ủy")):
        if word in d:
            return name
    return "Huyện ủy"


def mr(person_name: str) -> str:
    return f"Ông/Bà {person_name}" if person_name else f"Ông/Bà {BLANK_NAME}"


def words_or_blank(d: dt.date | None) -> str:
    """``ngày 05 tháng 01 năm 2024``, or the dotted blank a person fills in by hand."""
    return date_words(d) if d is not None else BLANK_DATE_WORDS


def dmy_or_blank(d: dt.date | None) -> str:
    return dmy(d) if d is not None else BLANK_DMY


def period_text(start: dt.date | None, end: dt.date | None, *, permanent: bool = False,
                days: int | None = None, stated: bool = False, source: str = "") -> str:
    """``từ ngày 08 tháng 01 năm 2024 đến hết ngày 07 tháng 02 năm 2024 (30 ngày liên tục)``.

    A permanent posting has no end; a date not known (not recorded yet) is a dotted blank, and the
    count is then the plan's ``days``. ``stated``: the period as a source document writes it — the
    count only when it states one (``days``), and where it comes from (``source``: ``theo Công văn số
    245/UBND-VP ngày 12/08/2024``); a letter's "từ ngày 14/8 đến hết ngày 12/9" counts its first day,
    the commune's rule may not: the two are never mixed.
    """
    if permanent:
        return f"niêm yết thường xuyên kể từ {words_or_blank(start)}"
    span = f"từ {words_or_blank(start)} đến hết {words_or_blank(end)}"
    if stated:
        notes = [n for n in (f"{days:02d} ngày liên tục" if days else "", source) if n]
        return f"{span} ({', '.join(notes)})" if notes else span
    # The actual count (the end may have moved past a day off), first day not counted.
    if start is not None and end is not None:
        n = f"{(end - start).days:02d}"
    else:
        n = f"{days:02d}" if days else "……"
    return f"{span} ({n} ngày liên tục)"


_BODY_PREFIXES = (("ủy ban nhân dân ", "UBND "), ("uỷ ban nhân dân ", "UBND "), ("ubnd ", "UBND "),
                  ("hội đồng nhân dân ", "HĐND "), ("hđnd ", "HĐND "))


_UNITS = ("thành phố ", "thị trấn ", "thị xã ", "huyện ", "tỉnh ", "quận ", "phường ", "xã ")


def issuer_name(issuer: str | None, commune: Commune | None) -> str:
    """The issuing body as a sentence writes it: ``ỦY BAN NHÂN DÂN THỊ TRẤN KÉP`` (read off a header in
    capitals) becomes ``UBND thị trấn Kép``; a name already in mixed case is kept. No issuer read: the
    commune (a case's own document), or nothing when no commune is given (a document it refers to)."""
    name = " ".join((issuer or "").split())
    if not name:
        return commune.body_short or "" if commune is not None else ""
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


#: First words of a subject that is an action (``phê duyệt kết quả …``): it reads ``về việc phê duyệt …``.
#: A subject that names a thing (``số liệu và thuyết minh …``, ``danh sách …``, ``dự toán …``) reads
#: ``về số liệu và thuyết minh …``: "về việc" before a noun is not Vietnamese.
ACTION_WORDS = frozenset({
    "ban hành", "bãi bỏ", "bàn giao", "báo cáo", "bình xét", "bổ sung", "bố trí", "cấp", "chấp thuận", "chi trả",
    "chỉ đạo", "cho phép", "cho thuê", "chuyển", "công bố", "công khai", "công nhận", "cử", "đăng ký", "đề nghị",
    "điều chỉnh", "điều động", "đính chính", "đôn đốc", "đẩy mạnh", "gia hạn", "giải quyết", "giao", "giảm",
    "hỗ trợ", "hủy", "hướng dẫn", "huy động", "khắc phục", "khen thưởng", "kiểm tra", "kiện toàn", "lấy ý kiến",
    "lập", "miễn", "mời", "nâng cao", "nghiệm thu", "niêm yết", "phân bổ", "phân công", "phê chuẩn", "phê duyệt",
    "quy định", "rà soát", "sắp xếp", "sửa đổi", "tăng cường", "tạm dừng", "tạm ứng", "thành lập", "thẩm định",
    "thanh lý", "thông báo", "thu hồi", "thực hiện", "tiếp nhận", "tiếp tục", "tổ chức", "trình", "triển khai",
    "triệu tập", "tuyển dụng", "ủy quyền", "ứng phó", "vận động", "xây dựng", "xét duyệt", "xin",
})
#: Nouns that begin like an action word (``giao thông`` is not ``giao``).
NOT_ACTIONS = ("giao thông", "giao dịch", "cấp ủy", "trình tự", "lập trường")


def _is_action(low: str) -> bool:
    if low.startswith(NOT_ACTIONS):
        return False
    words = low.split()
    return any(" ".join(words[:n]) in ACTION_WORDS for n in (1, 2, 3))


def about(subject: str) -> str:
    """``về việc phê duyệt …`` for an action, ``về số liệu …`` for a thing, the subject's own ``về …``."""
    subject = subject.strip().rstrip(".")
    low = subject.lower()
    if low.startswith(("về ", "v/v")):
        return lower_first(subject.replace("V/v", "về việc", 1).replace("v/v", "về việc", 1))
    if low.startswith("việc "):
        return f"về {lower_first(subject)}"
    if _is_action(low):
        return f"về việc {lower_first(subject)}"
    return f"về {lower_first(subject)}"


def document_ref(case: Case, commune: Commune) -> str:
    """``Quyết định số 15/QĐ-UBND ngày 05/01/2024 của UBND thị trấn Kép về việc phê duyệt …``."""
    dtype = cap((case.doc_type or "Văn bản").lower())
    parts = [dtype]
    if case.doc_number:
        parts.append(f"số {case.number_notation}")
    elif case.doc_code:  # numbered by the clerk, the number not known: left to fill in
        parts.append(f"số ……/{case.doc_code}")
    parts.append(f"ngày {dmy(case.issued)}")
    parts.append(f"của {issuer_name(case.issuer, commune)}")
    parts.append(about(case.subject))
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
    return CHANNEL_SHORT[kind].format(group=commune.group_word, leader=commune.group_leader_title.lower(),
                                      unit=commune.unit_word)


def timing_lines(item: Item) -> list[str]:
    """``b) Thời điểm công khai`` lines: the plan's note (split at ``;``) or words from the rule."""
    t = item.timing
    if t.note:
        return [cap(p.strip()).rstrip(".") + "." for p in t.note.split(";") if p.strip()]
    if t.rule == "quarter_start":
        lo, hi = t.window or (1, 5)
        return [f"Từ ngày {lo:02d} đến ngày {hi:02d} tháng đầu quý."]
    lines = [f"Chậm nhất {t.working_days:02d} ngày làm việc kể từ ngày ban hành văn bản."]
    if t.in_month:
        lines[0] = lines[0][:-1] + f" (trong tháng {t.in_month} hàng năm)."
    if t.january_repost:
        lines.append("Tháng 1 hàng năm thay thế bản niêm yết và đăng tải lại trên phần mềm quản trị thông tin quy chế dân chủ.")
    return lines


def leader_of(commune: Commune, grp: ResidentialGroup) -> str:
    """``Tổ trưởng tổ dân phố số 3`` / ``Trưởng thôn Đông`` (never ``Trưởng thôn thôn Đông``)."""
    title, gw = commune.leader_title_of(grp), commune.group_word
    if title.lower().endswith(gw) and grp.name.lower().startswith(gw):
        return f"{title[: -len(gw)].strip()} {lower_first(grp.name)}"
    return f"{title} {lower_first(grp.name)}"


def front_name(commune: Commune) -> str:
    return f"Ủy ban MTTQ Việt Nam {commune.name}"
