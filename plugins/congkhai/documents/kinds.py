"""The nine document kinds of a disclosure dossier and their manifests.

A manifest says what a template needs (its fields, checked against the template's own Jinja
variables by the tests), its official type code (KH, BB, BC, TB: the register counts numbers per
type code), the issuer code after the dash (``05/BB-UBND``), the archive file-name pattern and the
section (1-7) of the disclosure dossier (hồ sơ công khai) it belongs to.

Glossary (code ↔ what a commune official calls it):

==================== ==========================================================================
yearly_plan          Kế hoạch thực hiện công khai năm …
activity_plan        Kế hoạch công khai thông tin đối với công việc, hoạt động cụ thể
posting_start_ubnd   Biên bản niêm yết (bắt đầu công khai) tại Bản tin công khai của UBND
posting_start_group  Biên bản niêm yết tại nhà văn hóa thôn / tổ dân phố
broadcast_report     Báo cáo kết quả phát tin của Đài truyền thanh
posting_end          Biên bản kết thúc công khai
quarterly_list       Thông báo danh sách các nội dung đã công khai trong quý
council_report       Báo cáo kết quả thực hiện công khai (trình kỳ họp HĐND)
group_notice         Thông báo gửi trưởng thôn / tổ trưởng tổ dân phố (.docx và .txt)
==================== ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from congkhai.errors import UsageError

#: Fields every template has: the ND30 header and the signature block.
HEADER_FIELDS: dict[str, str] = {
    "issuer_parent": "Cơ quan chủ quản (dòng trên, không đậm; rỗng nếu không có) / parent body, may be empty",
    "issuer_lines": "Tên cơ quan ban hành, chữ in hoa đậm, từng dòng / issuing body, upper case, one line each",
    "number_notation": "Số và ký hiệu: 05/KH-UBND hoặc …/KH-UBND / number and notation",
    "place_date": "Địa danh, ngày tháng năm: Kép, ngày 05 tháng 01 năm 2024 / place-and-date line",
    "subject": "Trích yếu nội dung / subject line under the document type",
    "recipients": "Nơi nhận, từng dòng (dòng cuối: Lưu: VT, …) / recipients, the last is the file copy",
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
    """One document kind: its template, its fields and where it goes."""

    id: str
    number: int  # 1-9, as in the issue and docs/documents.md
    title_vi: str
    doc_type: str  # KẾ HOẠCH, BIÊN BẢN, BÁO CÁO, THÔNG BÁO
    type_code: str  # KH, BB, BC, TB
    issuer_code: str  # after the dash: 05/BB-UBND
    dossier_section: int | None  # 1-7 (hồ sơ công khai); None: not part of the seven
    file_pattern: str  # archive file name, str.format with the context fields below
    fields: dict[str, str] = field(default_factory=dict)
    per_group: bool = False  # one document per residential group
    text_too: bool = False  # also a UTF-8 .txt

    @property
    def template(self) -> str:
        return f"{self.id}.docx"

    @property
    def series(self) -> str:
        """The register's counter name: the type code, plus the issuer when it is not UBND.

        The radio station's reports (BC-ĐTT) are a number series of their own, apart from the
        People's Committee's reports (BC-UBND).
        """
        return self.type_code if self.issuer_code == "UBND" else f"{self.type_code}-{self.issuer_code}"

    def notation(self, number: int | None) -> str:
        """``05/BB-UBND``; ``…/BB-UBND`` when the number is left for the clerk."""
        n = "…" if number is None else f"{number:02d}"
        return f"{n}/{self.type_code}-{self.issuer_code}"

    def file_name(self, **values: Any) -> str:
        """Archive file name from the pattern (``{date}``: ISO date, ``{key}``: case/group slug)."""
        return self.file_pattern.format(**values)

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
            "file_pattern": self.file_pattern,
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


KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind(
            "yearly_plan", 1, "Kế hoạch thực hiện công khai năm", "KẾ HOẠCH", "KH", "UBND", 1,
            "{date}_KH-cong-khai-nam-{year}.docx",
            _f(
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
            "activity_plan", 2, "Kế hoạch công khai thông tin đối với công việc cụ thể", "KẾ HOẠCH", "KH", "UBND", 2,
            "{date}_KH-cong-khai-{key}.docx",
            _f(
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
            "posting_start_ubnd", 3, "Biên bản niêm yết tại Bản tin công khai của UBND", "BIÊN BẢN", "BB", "UBND", 3,
            "{date}_BB-niem-yet-UBND_{key}.docx",
            _f(HEADER_FIELDS, MINUTE_FIELDS, SIGN_MINUTES,
               location="Địa điểm niêm yết / where", also="Các hình thức công khai đồng thời / other channels"),
        ),
        Kind(
            "posting_start_group", 4, "Biên bản niêm yết tại nhà văn hóa thôn, tổ dân phố", "BIÊN BẢN", "BB", "UBND", 4,
            "{date}_BB-niem-yet-{group}_{key}.docx",
            _f(HEADER_FIELDS, MINUTE_FIELDS, SIGN_MINUTES,
               location="Địa điểm niêm yết (nhà văn hóa) / where", also="Các hình thức công khai đồng thời / other channels"),
            per_group=True,
        ),
        Kind(
            "broadcast_report", 5, "Báo cáo kết quả phát tin của Đài truyền thanh", "BÁO CÁO", "BC", "ĐTT", 5,
            "{date}_BC-phat-tin_{key}.docx",
            _f(
                HEADER_FIELDS, SIGN_UBND,
                intro="Câu dẫn / introduction",
                document="Văn bản được phát tin / the broadcast document",
                broadcasts="Các lần phát: {date, times, count} / one row per day",
                summary="Tổng hợp số ngày, số lần phát / totals",
                feedback="Ý kiến phản hồi / feedback",
                closing="Câu kết / closing",
            ),
        ),
        Kind(
            "posting_end", 6, "Biên bản kết thúc công khai", "BIÊN BẢN", "BB", "UBND", 6,
            "{date}_BB-ket-thuc_{key}.docx",
            _f(HEADER_FIELDS, MINUTE_FIELDS, SIGN_MINUTES,
               channels="Hình thức, địa điểm đã công khai / channels",
               feedback="Ý kiến phản hồi đã nhận (rỗng: không có) / feedback received"),
        ),
        Kind(
            "quarterly_list", 7, "Danh sách các nội dung đã công khai trong quý", "THÔNG BÁO", "TB", "UBND", None,
            "{date}_TB-danh-sach-quy-{quarter}-{year}.docx",
            _f(
                HEADER_FIELDS, SIGN_UBND,
                intro="Câu dẫn / introduction",
                rows="Bảng: {title, document, channels, dates} / table rows",
                closing="Câu kết / closing",
            ),
        ),
        Kind(
            "council_report", 8, "Báo cáo kết quả thực hiện công khai trình HĐND", "BÁO CÁO", "BC", "UBND", 7,
            "{date}_BC-ket-qua-cong-khai_{key}.docx",
            _f(
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
        Kind(
            "group_notice", 9, "Thông báo gửi trưởng thôn, tổ trưởng tổ dân phố", "THÔNG BÁO", "TB", "UBND", None,
            "{date}_TB-gui-{group}_{key}.docx",
            _f(
                HEADER_FIELDS, SIGN_UBND,
                addressee="Kính gửi / addressee",
                intro="Câu dẫn / introduction",
                document="Văn bản được công khai / the document",
                period="Thời gian niêm yết / posting period",
                request="Đề nghị / request",
                tasks="Việc cần làm: từng dòng / tasks",
                closing="Câu kết / closing",
            ),
            per_group=True,
            text_too=True,
        ),
    )
}

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
