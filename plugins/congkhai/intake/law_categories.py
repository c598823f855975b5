"""The 14 kinds of content a commune must disclose (Luật 10/2022/QH15, Điều 11), as a keyword table.

The intake classifier uses it beside the commune's plan: a document gets a law category even when no
plan item fits it (a year without a plan, a content the plan does not list), and the category
settles the plan item when the plan's own words are ambiguous.

``LAW_CATEGORIES`` is data: per item its short Vietnamese label and its keyword phrases, each with a
weight (how surely the phrase names this item: 3 = only this item, 1 = a hint). Phrases are written
with diacritics for reading and folded once at import (``kw``); they match whole words of the folded
subject (strong) or body (weak). ``score_law`` returns one score per item; ``classify_law`` the best
items with a confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from congkhai.textutil import fold

#: item -> (short label, {phrase: weight}); the labels follow Điều 11 khoản 1–14.
LAW_CATEGORIES: dict[int, tuple[str, dict[str, float]]] = {
    1: ("Kế hoạch, kết quả phát triển kinh tế - xã hội", {
        "kinh tế - xã hội": 3, "kinh tế xã hội": 3, "phát triển kinh tế": 2, "chuyển dịch cơ cấu kinh tế": 3,
        "phương án chuyển dịch": 3, "nhiệm vụ năm": 1, "quốc phòng - an ninh": 1,
        "sản xuất nông nghiệp": 1.5, "kế hoạch sản xuất": 2, "nông thôn mới": 1.5, "chương trình công tác": 1.5,
        "kết quả thực hiện nhiệm vụ": 1.5, "phương hướng nhiệm vụ": 2, "tình hình thực hiện nhiệm vụ": 2,
        "chuyển đổi cơ cấu cây trồng": 2.5, "kinh tế": 0.5,
    }),
    2: ("Ngân sách: dự toán, thực hiện, quyết toán, kiểm toán", {
        "dự toán ngân sách": 3, "quyết toán ngân sách": 3, "ngân sách": 2, "thu chi ngân sách": 3,
        "thu, chi ngân sách": 3, "dự toán thu": 3, "quyết toán thu": 3, "thực hiện dự toán": 3,
        "kiểm toán nhà nước": 3, "hoạt động tài chính": 2, "dự toán": 1.5, "quyết toán": 1.5,
        "tài chính - ngân sách": 3, "thu ngân sách": 2.5, "chi ngân sách": 2.5, "kết dư": 1.5,
    }),
    3: ("Đầu tư, thu hồi đất, bồi thường, quỹ đất, quy hoạch", {
        "thu hồi đất": 3, "bồi thường": 2.5, "đền bù": 3, "tái định cư": 3, "giải phóng mặt bằng": 3,
        "phương án bồi thường": 3, "quy hoạch": 2.5, "kế hoạch sử dụng đất": 3, "quỹ đất": 2.5,
        "đất công ích": 3, "dự án": 1.5, "công trình": 1.5, "đầu tư xây dựng": 2.5, "chủ trương đầu tư": 3,
        "giao đất": 2.5, "cho thuê đất": 2.5, "đấu giá quyền sử dụng đất": 3, "kiểm đếm": 2,
        "giá đất": 2, "đầu tư công": 2.5, "kế hoạch đầu tư": 2, "mặt bằng": 1, "xây dựng": 0.5,
        "nhà văn hóa": 0.5, "đường giao thông": 1.5, "điều chỉnh quy hoạch": 3,
    }),
    4: ("Quy chế dân chủ, nhiệm vụ cán bộ, quy tắc ứng xử", {
        "quy chế thực hiện dân chủ": 3, "quy chế dân chủ": 3, "thực hiện dân chủ": 1.5, "quy tắc ứng xử": 3,
        "nhiệm vụ, quyền hạn": 2.5, "nhiệm vụ quyền hạn": 2.5, "phân công nhiệm vụ": 3, "quy chế làm việc": 3,
        "quy chế hoạt động": 1.5, "chức năng, nhiệm vụ": 2, "quy chế": 1.5, "nội quy": 1.5,
        "văn hóa công sở": 2, "ban thanh tra nhân dân": 1, "ban giám sát đầu tư": 1,
    }),
    5: ("Quỹ, khoản đầu tư, tài trợ, đóng góp của Nhân dân", {
        "đóng góp": 2.5, "huy động": 2, "vận động": 1.5, "các loại quỹ": 3, "sử dụng quỹ": 2.5,
        "quỹ khuyến học": 3, "quỹ cứu trợ": 2, "tài trợ": 2, "xã hội hóa": 2.5,
        "quỹ vì người nghèo": 3, "quỹ đền ơn đáp nghĩa": 3, "quỹ phòng, chống thiên tai": 3,
        "quỹ phòng chống thiên tai": 3, "nhân dân đóng góp": 3, "ủng hộ": 1, "quyên góp": 1,
    }),
    6: ("Tài sản công", {
        "tài sản công": 3, "thanh lý tài sản": 3, "mua sắm": 2, "kiểm kê tài sản": 3, "tài sản": 1.5,
        "điều chuyển tài sản": 3, "thanh lý": 2, "trụ sở": 1, "tiêu hủy": 1.5,
    }),
    7: ("Chính sách hỗ trợ, an sinh xã hội, hộ nghèo", {
        "hộ nghèo": 3, "hộ cận nghèo": 3, "thoát nghèo": 3, "rà soát hộ nghèo": 3, "mức sống trung bình": 2.5,
        "bảo trợ xã hội": 3, "trợ cấp": 2, "trợ giúp xã hội": 3, "an sinh xã hội": 3, "người có công": 3,
        "bảo hiểm y tế": 2.5, "chương trình mục tiêu quốc gia": 2.5, "hỗ trợ nhà ở": 3, "nhà ở": 1,
        "xóa nhà tạm": 3, "nhà tạm, nhà dột nát": 3, "chính sách": 1.5, "hỗ trợ": 1, "trợ cấp xã hội": 3,
        "người cao tuổi": 2, "khuyết tật": 2, "đối tượng hưởng": 1.5, "tín dụng": 1.5, "vay vốn": 1.5,
        "phát triển sản xuất": 1.5, "đồng bào dân tộc": 1.5, "sinh kế": 2, "tặng quà": 1.5, "gia đình chính sách": 2.5,
    }),
    8: ("Thiên tai, dịch bệnh, cứu trợ", {
        "thiên tai": 3, "lốc xoáy": 3, "thiệt hại do": 2.5, "trợ giúp xã hội đột xuất": 3.5, "đột xuất": 1.5,
        "cơn bão": 2.5, "bão số": 3, "mưa bão": 3, "bão lũ": 3, "mưa lũ": 3, "lũ lụt": 3,
        "lũ quét": 3, "ngập lụt": 2.5, "dịch bệnh": 3, "phòng, chống dịch": 3, "phòng chống dịch": 3,
        "khắc phục hậu quả": 2.5, "cứu trợ": 3, "quyên góp": 2, "ủng hộ": 2, "bệnh hiểm nghèo": 3,
        "thảm họa": 3, "sự cố": 1.5, "hỏa hoạn": 2.5, "sạt lở": 2.5, "hạn hán": 2.5, "covid": 3,
        "cứu đói": 3, "thiệt hại": 2,
    }),
    9: ("Nghĩa vụ quân sự, công an", {
        "nhập ngũ": 3, "nghĩa vụ quân sự": 3, "tuyển quân": 3, "gọi công dân nhập ngũ": 3,
        "tham gia công an nhân dân": 3, "nghĩa vụ tham gia công an": 3, "công an nhân dân": 1.5,
        "tạm hoãn gọi": 3, "miễn gọi": 3, "sơ tuyển": 2, "khám sức khỏe nghĩa vụ": 3, "quân sự": 1.5,
        "dân quân": 2, "giao quân": 3, "đăng ký nghĩa vụ quân sự": 3,
    }),
    10: ("Thanh tra, phòng chống tham nhũng, tín nhiệm", {
        "thanh tra": 2.5, "kết luận thanh tra": 3.5, "kết luận kiểm tra": 3.5, "kết luận": 2, "kiểm tra": 1, "tham nhũng": 3, "tiêu cực": 2,
        "kỷ luật": 2.5, "phiếu tín nhiệm": 3, "lấy phiếu tín nhiệm": 3, "bỏ phiếu tín nhiệm": 3,
        "tín nhiệm": 2, "khiếu nại": 2, "tố cáo": 2, "kê khai tài sản": 3, "minh bạch tài sản": 3,
        "vi phạm": 1.5, "xử lý vi phạm": 2, "giải quyết đơn": 2, "tiếp công dân": 1.5,
    }),
    11: ("Lấy ý kiến Nhân dân", {
        "lấy ý kiến nhân dân": 3, "lấy ý kiến": 2.5, "tổng hợp ý kiến": 3, "giải trình, tiếp thu": 3,
        "giải trình tiếp thu": 3, "tiếp thu ý kiến": 3, "góp ý": 2.5, "dự thảo": 1.5, "ý kiến nhân dân": 2.5,
        "ý kiến cử tri": 2, "đối thoại": 1.5, "phiếu lấy ý kiến": 3, "hương ước": 2, "quy ước": 1.5,
    }),
    12: ("Phí, lệ phí, nghĩa vụ tài chính do xã thu", {
        "lệ phí": 3, "phí, lệ phí": 3, "mức thu": 3, "nghĩa vụ tài chính": 3, "thu phí": 3, "giá dịch vụ": 2,
        "tiền sử dụng đất": 1.5, "thu tiền": 1.5,
    }),
    13: ("Thủ tục hành chính", {
        "thủ tục hành chính": 3, "tthc": 3, "bộ phận một cửa": 2.5, "một cửa": 2, "dịch vụ công": 2.5,
        "công bố thủ tục": 3, "danh mục thủ tục": 3, "giải quyết hồ sơ": 1.5, "cải cách hành chính": 1.5,
        "quy trình nội bộ": 2.5, "trình tự, thủ tục": 3, "thủ tục cấp": 2, "giấy phép xây dựng": 2.5,
        "hành chính công": 2.5, "phục vụ hành chính công": 3,
    }),
    14: ("Nội dung khác theo pháp luật và quy chế dân chủ", {
        "kế hoạch công khai": 2.5, "thực hiện công khai": 2, "công khai thông tin": 1.5,
        "mất giấy chứng nhận": 3, "giấy chứng nhận quyền sử dụng đất": 2, "cấp giấy chứng nhận": 2.5,
        "đăng ký đất đai": 2, "danh sách các nội dung đã": 3, "bầu cử": 2, "hộ tịch": 2,
    }),
}

#: Short labels by item, for notes and reports.
LAW_LABELS: dict[int, str] = {n: label for n, (label, _) in LAW_CATEGORIES.items()}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text or "")).split())


#: Folded keyword phrases: item -> [(phrase, weight)], longest first.
KEYWORDS: dict[int, list[tuple[str, float]]] = {
    n: sorted(((_norm(k), float(w)) for k, w in kws.items()), key=lambda kw: -len(kw[0]))
    for n, (_, kws) in LAW_CATEGORIES.items()
}


#: Below this best score no khoản is named by the words: the document is "other content" (14).
OTHER_BELOW = 1.0


@dataclass
class LawResult:
    """The likeliest Điều 11 item, with a confidence in 0..1 and the scored items (best first)."""

    law_item: int | None
    confidence: float
    candidates: list[tuple[int, float]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LAW_LABELS.get(self.law_item or 0, "")


def _hits(hay: str, phrases: list[tuple[str, float]]) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    padded = f" {hay} "
    for phrase, w in phrases:
        if phrase and f" {phrase} " in padded and not any(f" {phrase} " in f" {p} " for p, _ in out):
            out.append((phrase, w))  # a phrase inside a longer phrase already found counts once
    return out


def _drop_inner(found: dict[int, list[tuple[str, float]]]) -> dict[int, list[tuple[str, float]]]:
    """A phrase found inside a longer phrase of another item does not count for its own item:
    "quỹ phòng, chống thiên tai" (a fund, khoản 5) is not "thiên tai" (khoản 8)."""
    longer = [(p, n) for n, hits in found.items() for p, _ in hits]
    return {n: [(p, w) for p, w in hits
                if not any(m != n and p != q and f" {p} " in f" {q} " for q, m in longer)]
            for n, hits in found.items()}


#: A keyword among the first words of the subject (its head) weighs this much more.
HEAD_WEIGHT = 1.3
_LEAD = {"v", "ve", "viec"}


def _head(text: str, words: int = 8) -> str:
    """The type and the first words of the subject, without "Về việc" / "V/v"."""
    toks = _norm(text).split()
    return " ".join([t for i, t in enumerate(toks) if not (i < 5 and t in _LEAD)][:words])


def score_law(subject: str, body: str = "", doc_type: str = "") -> dict[int, float]:
    """One score per Điều 11 item: keyword weights found in the subject (the type line joined to it:
    "kế hoạch" + "lấy ý kiến …"), plus a fifth of those found only in the body (capped)."""
    subj = _norm(f"{doc_type} {subject}")
    body_n = _norm(body[:4000])
    head = _head(f"{doc_type} {subject}")
    strong_all = _drop_inner({n: _hits(subj, phrases) for n, phrases in KEYWORDS.items()})
    # what the subject starts with is the document's kind ("Kết luận kiểm tra việc quản lý đất …" is
    # an inspection's result, about land): a phrase there weighs more than the topic after it
    strong_all = {n: [(p, w * HEAD_WEIGHT if f" {p} " in f" {head} " else w) for p, w in hits]
                  for n, hits in strong_all.items()}
    weak_all = _drop_inner({n: _hits(body_n, phrases) for n, phrases in KEYWORDS.items()})
    scores: dict[int, float] = {}
    for n in KEYWORDS:
        strong = strong_all[n]
        s = 0.0
        if strong:
            ws = sorted((w for _, w in strong), reverse=True)
            s = ws[0] + 0.35 * sum(ws[1:3])  # the surest phrase, a little more for the next two
        seen = {q for q, _ in strong}
        weak = [w for p, w in weak_all[n] if p not in seen]
        s += min(1.2, 0.2 * sum(weak))
        if s > 0:
            scores[n] = round(s, 3)
    return scores


def classify_law(subject: str | None, doc_type: str | None = None, body: str = "",
                 extra: dict[int, float] | None = None) -> LawResult:
    """The likeliest Điều 11 item of a document from the keyword table (``extra``: more evidence per
    item, e.g. from the plan's items, added to the table's scores)."""
    scores = score_law(subject or "", body, doc_type or "")
    for n, v in (extra or {}).items():
        scores[n] = scores.get(n, 0.0) + v
    ranked = sorted(((n, s) for n, s in scores.items() if s > 0), key=lambda p: (-p[1], p[0]))
    if not ranked or ranked[0][1] < OTHER_BELOW:
        # no word of the table (a festival, a sports day): khoản 14, "other content", unsure
        return LawResult(14, 0.1, [(14, 0.0), *[(n, round(s, 2)) for n, s in ranked[:3] if n != 14]])
    s1, s2 = ranked[0][1], (ranked[1][1] if len(ranked) > 1 else 0.0)
    strength = min(1.0, s1 / 3.0)
    conf = round(strength * (0.4 + 0.6 * (s1 - s2) / s1), 3)
    return LawResult(ranked[0][0], conf, [(n, round(s, 2)) for n, s in ranked[:4]])
