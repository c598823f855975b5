"""The plans: Kế hoạch thực hiện công khai năm … (the yearly plan) and Kế hoạch công khai thông tin
đối với công việc cụ thể (a document in no item of the yearly plan)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from congkhai.case import Case
from congkhai.commune import Commune
from congkhai.documents.context.blocks import (
    doc_key,
    document_date,
    header_fields,
    is_final,
    number_key,
    official_number,
    responsible_person,
    signer_fields,
)
from congkhai.documents.context.facts import Printer, Recorded
from congkhai.documents.context.request import disclosed
from congkhai.documents.context.wording import (
    BLANK_NAME,
    ROMAN,
    about,
    cap,
    channel_line,
    document_ref,
    party_committee,
    timing_lines,
    words_or_blank,
)
from congkhai.documents.register import Register
from congkhai.plan import SECTION_LABELS_VI, Channel, Item, Plan
from congkhai.schedule import Schedule


def yearly_plan(commune: Commune, plan: Plan, *, date: dt.date | None = None, register: Register | None = None,
                number: Any = "auto", signer: str = "chairman") -> dict[str, Any]:
    """Kế hoạch thực hiện công khai năm …: the seed's structure from the plan data.

    Dated ``date`` (a date a person gave), else the plan's own issue date (``issued`` in
    ``plan-<year>.yaml``), else a blank to fill in — never a default. Numbered from the plan's
    ``number``, else as the commune numbers (a draft until both are known). A legal basis dated after
    the plan is not cited."""
    y = plan.year
    date = document_date("yearly_plan", commune=commune, plan=plan, date=date)
    printer = Printer(commune, is_final("yearly_plan", commune, Recorded(), plan=plan, date=date), "yearly_plan")
    unit, g, body = commune.unit_word, commune.group_word, commune.body_short
    leader = commune.group_leader_title
    subject = f"Thực hiện công khai trong cơ quan hành chính nhà nước và theo Luật dân chủ ở cơ sở năm {y}"
    if plan.number and number == "auto":
        try:
            number = int(plan.number.split("/")[0])
        except ValueError:
            pass
    n = official_number(commune, register, "yearly_plan", date.year if date else y, f"plan-{y}/yearly_plan/", number,
                        final=printer.final)
    dated_bases: list[tuple[dt.date, str]] = [
        (dt.date(2022, 11, 10), "Căn cứ Luật Thực hiện dân chủ ở cơ sở số 10/2022/QH15 ngày 10 tháng 11 năm 2022;"),
        (dt.date(2023, 8, 14), "Căn cứ Nghị định số 59/2023/NĐ-CP ngày 14 tháng 8 năm 2023 của Chính phủ quy định "
                               "chi tiết một số điều của Luật Thực hiện dân chủ ở cơ sở;"),
    ]
    if "bắc giang" in commune.province.lower():
        dated_bases += [
            (dt.date(2021, 8, 10), "Căn cứ Chỉ thị số 09-CT/TU ngày 10/8/2021 của Ban Thường vụ Tỉnh ủy về tiếp tục "
                                   "đẩy mạnh, nâng cao chất lượng, hiệu quả thực hiện quy chế dân chủ ở cơ sở;"),
            (dt.date(2024, 1, 18), "Căn cứ Hướng dẫn số 14-HD/BCĐ ngày 18/01/2024 của Ban Chỉ đạo thực hiện Quy chế "
                                   "dân chủ tỉnh Bắc Giang về hướng dẫn việc công khai thông tin ở các xã, phường, thị "
                                   "trấn trên địa bàn tỉnh;"),
        ]
    # Nothing is dated before its own legal bases: a basis issued after the plan's date is not cited.
    bases = [text for on, text in dated_bases if date is None or on <= date]
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
        f"Ban Dân vận {party_committee(commune)} (b/c);",
        f"{sup} (b/c);",
        "TT Đảng ủy (b/c);",
        "MTTQ, các đoàn thể CT-XH;",
        f"Cán bộ, công chức {unit};",
        f"Các {g};",
        "Lưu: VT.",
    ], printer)
    ctx.update(signer_fields(commune, printer, signer))
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
                  signer: str = "chairman", channels: Sequence[Channel] | None = None,
                  recorded: Recorded | None = None, doc: str | None = None) -> dict[str, Any]:
    """Kế hoạch công khai thông tin đối với một công việc cụ thể (not in the yearly plan).

    Dated the day the case's document was issued (the plan is made with it) unless ``date`` is given; a
    draft until its official number is the clerk's recorded one (or this product's register)."""
    date = document_date("activity_plan", commune=commune, case=case, date=date) or case.issued
    rec = recorded if recorded is not None else Recorded.of(case)
    key = doc or doc_key("activity_plan")
    printer = Printer(commune, is_final("activity_plan", commune, rec), "activity_plan")
    g, body = commune.group_word, commune.body_short
    ref = document_ref(case, commune)
    if channels is None:
        channels = list(item.channels) if item else [
            Channel(kind="portal"), Channel(kind="ubnd_board", days=30), Channel(kind="cultural_house", days=30),
            *([Channel(kind="radio", days=3)] if commune.has_radio else []), Channel(kind="group_leaders"),
        ]
    n = official_number(commune, register, "activity_plan", date.year, number_key("activity_plan", case), number,
                        recorded=rec, doc=key, final=printer.final)
    subject = f"Công khai thông tin {about(case.subject)}"
    ctx = header_fields(commune, "activity_plan", date, n, subject, [
        f"{commune.superior} (b/c);", f"TT Đảng ủy, HĐND {commune.unit_word} (b/c);", "MTTQ, các đoàn thể CT-XH;",
        f"Các {g};", "Lưu: VT.",
    ], printer)
    ctx.update(signer_fields(commune, printer, signer))
    resp = responsible_person(commune, item, case)
    resp_name = printer.name(resp) or BLANK_NAME
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
        "content": cap(disclosed(case, commune)) + ".",
        "timing": f"Chậm nhất {commune.counting.deadline_working_days:02d} ngày làm việc kể từ ngày ban hành văn "
                  f"bản; dự kiến niêm yết từ {words_or_blank(schedule.posting_start if schedule else None)}.",
        "channels": [channel_line(c, commune) for c in channels],
        "responsibilities": [
            f"{resp.title} ({resp_name}) niêm yết tại Bản tin công khai của {body}, phối hợp "
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
