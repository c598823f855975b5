"""The one table of kinds: every fact about a document kind that any module needs.

Per kind: the template's fields (checked against the template's own Jinja variables by the
tests), the label a person reads, the document type and its official type code (KH, BB, BC, TB:
the register counts numbers per code), the issuer code after the dash (``05/BB-UBND``), the
archive file-name word and number (``03_bien-ban-niem-yet-ubnd_…``; the number also orders
``congkhai kinds``), whether it is filed in the year folder, and the section of the disclosure
dossier (hồ sơ công khai) it goes in. ``archive/layout.py`` (file names, labels) and
``convert/dossier.py`` (sections) read this table; nothing else keeps its own copy.

``KINDS`` are the nine kinds made from a template; ``FILE_KINDS`` the other files the archive
keeps (the original, a signed scan, the assembled dossier); ``ALL_KINDS`` both, by number.

Glossary (code ↔ what a commune official calls it):

==================== ==========================================================================
yearly_plan          Kế hoạch thực hiện công khai năm …
activity_plan        Kế hoạch công khai thông tin đối với công việc, hoạt động cụ thể
posting_start_ubnd   Biên bản niêm yết (bắt đầu công khai) tại Bản tin công khai của UBND
posting_start_group  Biên bản niêm yết tại nhà văn hóa thôn / tổ dân phố
group_notice         Thông báo gửi trưởng thôn / tổ trưởng tổ dân phố (.docx và .txt)
broadcast_report     Báo cáo kết quả phát tin của Đài truyền thanh
posting_end          Biên bản kết thúc công khai
quarterly_list       Thông báo danh sách các nội dung đã công khai theo quý
council_report       Báo cáo kết quả thực hiện công khai (trình kỳ họp HĐND)
==================== ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from congkhai.errors import UsageError

#: The mark on every page of a draft (dự thảo): page header, right-aligned, bold; and before its title.
DRAFT_MARK = "DỰ THẢO"

#: The number part of ``Số:      /BB-UBND``: room for the clerk to write the number by hand.
BLANK_NUMBER = " " * 7

#: Fields every template has: the ND30 header and the signature block.
HEADER_FIELDS: dict[str, str] = {
    "issuer_parent": "Cơ quan chủ quản (dòng trên, không đậm; rỗng nếu không có) / parent body, may be empty",
    "issuer_lines": "Tên cơ quan ban hành, chữ in hoa đậm, từng dòng / issuing body, upper case, one line each",
    "number_notation": "Số và ký hiệu: 05/KH-UBND hoặc …/KH-UBND / number and notation",
    "place_date": "Địa danh, ngày tháng năm: Kép, ngày 05 tháng 01 năm 2024 / place-and-date line",
    "subject": "Trích yếu nội dung / subject line under the document type",
    "recipients": "Nơi nhận, từng dòng (dòng cuối: Lưu: VT, …) / recipients, the last is the file copy",
    "draft_mark": "DỰ THẢO ở đầu mỗi trang của bản dự thảo (rỗng: bản chính thức) / the draft mark on every page",
}
SIGN_UBND: dict[str, str] = {
    "signer_authority": "TM. ỦY BAN NHÂN DÂN hoặc KT. CHỦ TỊCH (rỗng nếu không có) / signing authority",
    "signer_title": "CHỦ TỊCH / PHÓ CHỦ TỊCH / TRƯỞNG ĐÀI / signer's title, upper case",
    "signer_name": "Họ và tên người ký / signer's name",
}
SIGN_MINUTES: dict[str, str] = {
    "secretary_name": "Họ tên thư ký (người lập biên bản) / secretary",
    "chair_name": "Họ tên chủ tọa / chair",
    "witnesses": "Người chứng kiến: danh sách {role, name} / witnesses",
}
MINUTE_FIELDS: dict[str, str] = {
    "opening": "Câu mở đầu: thời gian, địa điểm lập biên bản / opening: time and place",
    "attendees": "Thành phần tham dự: từng dòng 'Ông/Bà …, chức vụ' / attendees",
    "document": "Văn bản được công khai: số, ngày, trích yếu / the disclosed document",
    "period": "Thời gian công khai: từ ngày … đến ngày … / the period",
    "closing": "Câu kết thúc biên bản / closing sentence",
}


@dataclass(frozen=True)
class Kind:
    """One kind of file: a document made from a template, or another file the archive keeps."""

    id: str
    number: int  # NN of archive file names (00 original … 11 dossier); the order of `congkhai kinds`
    title_vi: str  # what a person reads: archive page, PDF subject, default title (+ " năm 2024")
    file_word: str  # ASCII words in archive file names
    doc_type: str = ""  # KẾ HOẠCH, BIÊN BẢN, BÁO CÁO, THÔNG BÁO ("" for files not made here)
    type_code: str = ""  # KH, BB, BC, TB
    issuer_code: str = "UBND"  # after the dash: 05/BB-UBND
    dossier_section: int | None = None  # 1-8 of the dossier (convert/dossier.py); None: not merged
    dossier_appendix: bool = False  # merged in the dossier's appendix (the disclosed originals)
    per_year: bool = False  # filed in the year folder (00_ca-nam), not in a case folder
    fields: dict[str, str] = field(default_factory=dict)
    per_group: bool = False  # one document per residential group
    text_too: bool = False  # also a UTF-8 .txt

    @property
    def template(self) -> str:
        return f"{self.id}.docx"

    @property
    def code(self) -> str | None:
        """``BB-UBND``: what follows the number (None for files not made here)."""
        return f"{self.type_code}-{self.issuer_code}" if self.type_code else None

    @property
    def series(self) -> str:
        """The register's counter name: the type code, plus the issuer when it is not UBND.

        The radio station's reports (BC-ĐTT) are a number series of their own, apart from the
        People's Committee's reports (BC-UBND).
        """
        return self.type_code if self.issuer_code == "UBND" else f"{self.type_code}-{self.issuer_code}"

    def notation(self, number: int | None) -> str:
        """``05/BB-UBND``; ``      /BB-UBND`` (room to write) when the number is left for the clerk."""
        n = BLANK_NUMBER if number is None else f"{number:02d}"
        return f"{n}/{self.code}"

    # The names the archive layout reads (``layout.kind_info(kind).order`` …).
    @property
    def order(self) -> int:
        return self.number

    @property
    def label_vi(self) -> str:
        return self.title_vi

    @property
    def default_code(self) -> str | None:
        return self.code

    def manifest(self) -> dict[str, Any]:
        return {
            "kind": self.id,
            "number": self.number,
            "title": self.title_vi,
            "doc_type": self.doc_type,
            "type_code": self.type_code,
            "issuer_code": self.issuer_code,
            "series": self.series,
            "dossier_section": self.dossier_section,
            "file_word": self.file_word,
            "file_name": f"{self.number:02d}_{self.file_word}_…_so-NN-{self.code}_vN.docx|pdf",
            "per_year": self.per_year,
            "template": self.template,
            "per_group": self.per_group,
            "text_too": self.text_too,
            "fields": dict(self.fields),
        }


def _f(*parts: dict[str, str], **own: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in parts:
        out.update(p)
    out.update(own)
    return out


_MADE: tuple[Kind, ...] = (
    Kind(
        "yearly_plan", 1, "Kế hoạch thực hiện công khai", "ke-hoach-cong-khai-nam",
        "KẾ HOẠCH", "KH", dossier_section=1, per_year=True,
        fields=_f(
            HEADER_FIELDS, SIGN_UBND,
            year="Năm của kế hoạch / the plan's year",
            bases="Các căn cứ (Căn cứ …;) / legal bases",
            intro="Câu dẫn trước phần I / introduction",
            purposes="I.1 Mục đích: từng đoạn / purposes",
            requirements="I.2 Yêu cầu: từng đoạn / requirements",
            regular_items="II.1 Nội dung công khai thường xuyên: {number, title, channels[], timing[]} / regular items",
            yearly_timing="II.2.1 Thời điểm công khai / timing of the yearly content",
            yearly_channels="II.2.2 Hình thức, thời gian công khai / channels of the yearly content",
            content_sections="II.2.3 Nội dung theo quý và chưa rõ thời gian: {number, heading, intro, entries[]} / content by quarter",
            dossier_intro="III Câu dẫn hồ sơ công khai / dossier introduction",
            dossier="III Hồ sơ công khai: 7 loại văn bản / the dossier list",
            organisation="IV Tổ chức thực hiện: {heading, paragraphs[]} / organisation",
            closing="Đoạn giao nhiệm vụ cuối kế hoạch / closing paragraph",
        ),
    ),
    Kind(
        "activity_plan", 2, "Kế hoạch công khai thông tin đối với công việc cụ thể", "ke-hoach-cong-khai",
        "KẾ HOẠCH", "KH", dossier_section=2,
        fields=_f(
            HEADER_FIELDS, SIGN_UBND,
            bases="Các căn cứ / legal bases",
            intro="Câu dẫn / introduction",
            purposes="Mục đích, yêu cầu / purposes",
            content="Nội dung công khai (văn bản, trích yếu) / what is disclosed",
            timing="Thời điểm công khai / when",
            channels="Hình thức, thời gian công khai / channels with durations",
            responsibilities="Tổ chức thực hiện / who does what",
        ),
    ),
    Kind(
        "posting_start_ubnd", 3, "Biên bản niêm yết tại Bản tin công khai của UBND", "bien-ban-niem-yet-ubnd",
        "BIÊN BẢN", "BB", dossier_section=3,
        fields=_f(HEADER_FIELDS, MINUTE_FIELDS, SIGN_MINUTES,
                  location="Địa điểm niêm yết / where", also="Các hình thức công khai đồng thời / other channels",
                  timeliness="Thời hạn công khai; chậm bao nhiêu ngày làm việc (rỗng: không nêu) / deadline, lateness"),
    ),
    Kind(
        "posting_start_group", 4, "Biên bản niêm yết tại nhà văn hóa thôn, tổ dân phố", "bien-ban-niem-yet-tdp",
        "BIÊN BẢN", "BB", dossier_section=4, per_group=True,
        fields=_f(HEADER_FIELDS, MINUTE_FIELDS, SIGN_MINUTES,
                  location="Địa điểm niêm yết (nhà văn hóa) / where",
                  also="Các hình thức công khai đồng thời / other channels",
                  timeliness="Thời hạn công khai; chậm bao nhiêu ngày làm việc (rỗng: không nêu) / deadline, lateness"),
    ),
    Kind(
        # With the group minutes in the dossier: it asks the group leaders to post.
        "group_notice", 5, "Thông báo gửi trưởng thôn, tổ trưởng tổ dân phố", "thong-bao-to-truong",
        "THÔNG BÁO", "TB", dossier_section=4, per_group=True, text_too=True,
        fields=_f(
            HEADER_FIELDS, SIGN_UBND,
            addressee="Kính gửi / addressee",
            intro="Câu dẫn / introduction",
            document="Văn bản được công khai / the document",
            period="Thời gian niêm yết / posting period",
            request="Đề nghị / request",
            tasks="Việc cần làm: từng dòng / tasks",
            closing="Câu kết / closing",
        ),
    ),
    Kind(
        "broadcast_report", 6, "Báo cáo kết quả phát tin của Đài truyền thanh", "bao-cao-phat-tin",
        "BÁO CÁO", "BC", "ĐTT", dossier_section=5,
        fields=_f(
            HEADER_FIELDS, SIGN_UBND,
            intro="Câu dẫn / introduction",
            document="Văn bản được phát tin / the broadcast document",
            broadcasts="Các lần phát: {date, times, count} / one row per day",
            summary="Tổng hợp số ngày, số lần phát / totals",
            closing="Câu kết / closing",
        ),
    ),
    Kind(
        "posting_end", 7, "Biên bản kết thúc công khai", "bien-ban-ket-thuc",
        "BIÊN BẢN", "BB", dossier_section=6,
        fields=_f(HEADER_FIELDS, MINUTE_FIELDS, SIGN_MINUTES,
                  channels="Hình thức, địa điểm đã công khai / channels",
                  feedback_intro="Ý kiến phản hồi: câu dẫn (số ý kiến, hoặc không có theo xác nhận) / feedback lead",
                  feedback="Ý kiến phản hồi đã nhận, từng dòng (bản dự thảo: dòng chấm) / feedback lines"),
    ),
    Kind(
        # A notice (THÔNG BÁO, …/TB-UBND) listing the quarter's disclosures; its own dossier section
        # after the seed's seven. The file word "danh-muc" is kept: archives already hold such names.
        "quarterly_list", 8, "Danh sách các nội dung đã công khai theo quý", "danh-muc-cong-khai-quy",
        "THÔNG BÁO", "TB", dossier_section=8, per_year=True,
        fields=_f(
            HEADER_FIELDS, SIGN_UBND,
            intro="Câu dẫn / introduction",
            rows="Bảng: {title, document, channels, dates} / table rows",
            closing="Câu kết / closing",
        ),
    ),
    Kind(
        "council_report", 9, "Báo cáo kết quả thực hiện công khai trình HĐND", "bao-cao-hdnd",
        "BÁO CÁO", "BC", dossier_section=7, per_year=True,
        fields=_f(
            HEADER_FIELDS, SIGN_UBND,
            intro="Câu dẫn / introduction",
            deployment="I. Tình hình triển khai / deployment",
            results="II. Kết quả (số liệu) / results",
            listed="Các nội dung đã công khai trong kỳ / items disclosed",
            shortcomings="III. Tồn tại, hạn chế / shortcomings",
            next_steps="IV. Phương hướng / next steps",
            closing="Câu kết / closing",
        ),
    ),
)

#: The nine kinds made from a template, by number.
KINDS: dict[str, Kind] = {k.id: k for k in _MADE}

#: Files the archive keeps that are not made from a template.
FILE_KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind("original", 0, "Văn bản gốc", "van-ban-goc", dossier_appendix=True),
        Kind("signed_scan", 10, "Bản quét có chữ ký", "ban-quet-co-chu-ky"),
        Kind("dossier", 11, "Hồ sơ công khai", "ho-so-cong-khai", per_year=True),
    )
}

#: Every kind of file, by number: what the archive layout and the dossier read.
ALL_KINDS: dict[str, Kind] = dict(sorted({**KINDS, **FILE_KINDS}.items(), key=lambda kv: kv[1].number))


#: Extra variables only the .txt of the group notice uses (not in the .docx).
TEXT_ONLY_FIELDS: dict[str, dict[str, str]] = {
    "group_notice": {"issuer_full": "Tên cơ quan trên một dòng / issuing body on one line"},
}


def get_kind(kind: str) -> Kind:
    """The kind named ``kind``; a UsageError naming the known kinds otherwise."""
    try:
        return KINDS[kind]
    except KeyError:
        known = ", ".join(KINDS)
        raise UsageError(
            f"Không có loại văn bản '{kind}'. Các loại: {known}",
            f"Unknown document kind '{kind}'. Known: {known}",
            kind="unknown_kind",
            field="kind",
        ) from None


def all_fields(kind: str) -> dict[str, str]:
    """Every field a render of ``kind`` needs (the .docx fields plus those only the .txt uses)."""
    k = get_kind(kind)
    return {**k.fields, **TEXT_ONLY_FIELDS.get(kind, {})}
