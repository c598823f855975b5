"""Decide which item of the commune's yearly plan a document discloses, and its Điều 11 category.

Scoring a plan item (all on folded text, so accents and OCR slips in diacritics do not matter):

- a plan keyword found in the subject (or in "type + subject": ``kế hoạch`` + ``lấy ý kiến …``)
  scores high, its words found in order with a word or two between ("giao dự toán *thu, chi* ngân
  sách") a little less, found only in the body low; longer keywords score more;
- words shared between the subject and the item's title add to it;
- the catch-all items ("nội dung khác …") are never chosen by words.

**The quarter is a tie-breaker, never a penalty.** Items with the same wording (the "lấy ý kiến
Nhân dân" items repeated in every quarter's list) are one candidate; the issue quarter picks which of
them (an undated document of such wording goes to review: its quarter cannot be told). A document issued outside the quarter its item is planned in (a call-up list issued in January
for an item the plan puts in quarter IV) keeps its item and its confidence, with a note
(``Classification.note_quarter``) for the quarterly list, not a doubt.

**The law's category.** Each document also gets a Điều 11 category (``law_categories``: a keyword
table per khoản), helped by the plan's scores; it is reported even when no plan item fits.

The confidence grows with the best score and with its margin over the runner-up. Staff overrides
(a sidecar ``item:`` or an inbox sub-folder named after the item) always win: ``override_item``.
A document of a year without a plan is classified against the nearest plan (``plan_for``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from congkhai.intake.law_categories import LAW_LABELS, classify_law, score_law
from congkhai.textutil import fold

#: Below this confidence intake sends a document to the review folder (overridable per run).
REVIEW_THRESHOLD = 0.5
#: Below this, ``inspect`` reports no item at all.
MIN_REPORTED = 0.2

STOPWORDS = set("""va cua cac cho ve viec tai tren dia ban thi tran xa phuong nam theo trong da duoc nhung
voi la co khi de ve nay do o so tu den mot nhu""".split())


class PlanItem(Protocol):
    code: str
    title: str
    law_item: int
    keywords: list[str]

    @property
    def quarter(self) -> int | None: ...


@dataclass
class Classification:
    item: str | None
    law_item: int | None
    confidence: float
    source: str = "auto"  # auto | sidecar | folder
    candidates: list[tuple[str, float]] = field(default_factory=list)  # best first: (code, score)
    plan_year: int | None = None  # the plan the item codes come from (the nearest one for a year without)
    law_confidence: float = 0.0
    law_candidates: list[tuple[int, float]] = field(default_factory=list)  # best first: (khoản, score)
    note_quarter: str | None = None  # the item is planned in another quarter than the issue date's

    @property
    def law_label(self) -> str:
        return LAW_LABELS.get(self.law_item or 0, "")


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


#: Older or shorter words folded to the plan's words before matching.
SYNONYMS = (("den bu", "boi thuong"), ("tthc", "thu tuc hanh chinh"), ("ubnd", "uy ban nhan dan"),
            ("hdnd", "hoi dong nhan dan"), ("nsnn", "ngan sach nha nuoc"), ("nvqs", "nghia vu quan su"))


def norm(text: str) -> str:
    """Folded, punctuation to spaces, single spaces: ``Kinh tế - xã hội`` -> ``kinh te xa hoi``."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text or "")).split())


def _norm_doc(text: str) -> str:
    """``norm`` of a document's words, with the few synonyms of ``SYNONYMS`` replaced."""
    out = f" {norm(text)} "
    for old, new in SYNONYMS:
        out = out.replace(f" {old} ", f" {new} ")
    return out.strip()


def _words(text: str) -> set[str]:
    return {w for w in norm(text).split() if w not in STOPWORDS and len(w) > 1}


def _contains(hay: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {hay} "


def _loose(hay: str, needle: str, gap: int = 2) -> bool:
    """The needle's words in order in ``hay``, at most ``gap`` other words between two of them; its
    first two words side by side, except for long needles (five words or more), where one word may
    come between them too ("được *gọi* thực hiện nghĩa vụ tham gia công an nhân dân"). Not "nghị
    *quyết về dự* toán" for "quyết toán"; yes "giao dự toán *thu, chi* ngân sách"."""
    want = needle.split()
    if len(want) < 3:
        return False
    first_gap = 1 if len(want) >= 5 else 0
    words = hay.split()
    for start in range(len(words) - 1):
        if words[start] != want[0]:
            continue
        pos, ok = start, True
        for i, nxt in enumerate(want[1:]):
            window = words[pos + 1: pos + 2 + (first_gap if i == 0 else gap)]
            if nxt not in window:
                ok = False
                break
            pos = pos + 1 + window.index(nxt)
        if ok:
            return True
    return False


def _is_catch_all(item: Any) -> bool:
    return norm(item.title).startswith(("nhung noi dung khac", "noi dung khac"))


_PERIODS = (
    (re.compile(r"\b(?:quy|qui) (?:i|1)\b"), "q1"), (re.compile(r"\b(?:quy|qui) (?:ii|2)\b"), "q2"),
    (re.compile(r"\b(?:quy|qui) (?:iii|3)\b"), "q3"), (re.compile(r"\b(?:quy|qui) (?:iv|4)\b"), "q4"),
    # cumulative periods are the quarter they end with: "6 tháng đầu năm" is quý II, "9 tháng" quý III
    (re.compile(r"\b(?:6|sau) thang cuoi\b"), "q4"),
    (re.compile(r"\b(?:6|sau) thang\b"), "q2"), (re.compile(r"\b(?:9|chin) thang\b"), "q3"),
)
#: Words that name one thing and exclude the other ("dự toán" is not "quyết toán"; a list of those
#: "được gọi" is not the list of those "đủ điều kiện").
CONTRASTS = (("du toan", "quyet toan"), ("duoc goi", "du dieu kien"))
#: Words of giving: an item about what people gave (quyên góp, đóng góp) is not a subject that
#: names no giving ("trợ cấp cho các hộ bị thiệt hại" is the state's support, not donations).
GIVING = ("quyen gop", "dong gop", "ung ho", "huy dong")
#: Items whose title starts with one of these are that kind of text: a subject that does not name
#: the kind is not that item ("bồi thường, hỗ trợ, tái định cư" is not the *Quy chế* about it).
KINDS = ("quy che", "quy tac")


def period(text: str) -> str | None:
    """The reporting period a (normalised) text names: ``q1``…``q4`` (6 and 9 months count as the
    quarter they end with), ``year`` (only "năm YYYY"), or None."""
    for rx, name in _PERIODS:
        if rx.search(text):
            return name
    return "year" if re.search(r"\bnam (?:19|20)\d\d\b", text) else None


def _phrases(item: Any) -> list[str]:
    """The item's keywords, and the head of its title (up to the first comma) when it is three words
    or more: "Dự toán ngân sách, kế hoạch hoạt động tài chính đã được …" names "dự toán ngân sách"."""
    out = [k for k in (norm(kw) for kw in item.keywords) if k]
    head = norm(re.split(r"[,;(]", item.title, maxsplit=1)[0])
    if len(head.split()) >= 3 and head not in out:
        out.append(head)
    return out


def score_item(item: Any, subject: str, type_subject: str, body: str, quarter: int | None = None,
               doc_type: str = "", issuer: str = "") -> float:
    """How well the item's keywords and title fit the (normalised) subject; ``quarter`` is ignored
    here (it only breaks ties between items of the same wording: ``classify``)."""
    if _is_catch_all(item):
        return 0.0
    score = 0.0
    for k in _phrases(item):
        weight = 1.5 + 0.3 * min(len(k.split()), 8)
        if _contains(subject, k) or _contains(type_subject, k):
            score = max(score, weight) + 0.3 * (score > 0)  # more keywords: a little more
        elif _loose(type_subject, k):
            score = max(score, 0.8 * weight) + 0.3 * (score > 0)
        elif _contains(body, k):
            score += 0.3
    title_n = norm(item.title)
    title = _words(item.title)
    subj = set(subject.split()) - STOPWORDS
    if title and subj:
        overlap = len(title & subj)
        score += 2.0 * overlap / len(title) + 0.5 * overlap / max(len(subj), 1)
    if score <= 0:
        return 0.0
    if doc_type and title_n.startswith(doc_type):
        score += 1.0  # "Kế hoạch thu hồi đất" for a KẾ HOẠCH
    council = "hoi dong nhan dan" in title_n
    submitted = "trinh hoi dong nhan dan" in title_n
    decided = council and not submitted
    if decided and ("hoi dong nhan dan" in issuer or doc_type == "nghi quyet"):
        score += 1.5  # the council's own resolutions (dự toán, quyết toán)
    elif submitted and doc_type == "to trinh":
        score += 1.0  # what the committee submits to the council
    if (decided and doc_type == "to trinh") or (submitted and doc_type == "nghi quyet"):
        score *= 0.5  # a submission is not the decided budget, nor a resolution the submission
    # the period a title names ("quý I", "6 tháng đầu năm", "năm 2023") against the subject's
    want, have = period(title_n), period(subject)
    if want and have and want != have:
        score *= 0.35
    elif want and want == have and want != "year":
        score += 1.0
    for a, b in CONTRASTS:
        for mine, other in ((a, b), (b, a)):
            if (_contains(subject, mine) and not _contains(subject, other) and _contains(title_n, other)
                    and not _contains(title_n, mine)):
                score *= 0.5
        if _contains(subject, a) and _contains(subject, b) and _contains(title_n, a) != _contains(title_n, b):
            score *= 0.6  # "lập dự toán, chấp hành và quyết toán": the whole cycle, not one stage
    if any(_contains(title_n, g) for g in GIVING) and not any(_contains(type_subject, g) for g in GIVING):
        score *= 0.7
    kind = next((k for k in KINDS if title_n.startswith(k)), None)
    if kind and not _contains(type_subject, kind):
        score *= 0.5
    return score


def _pick_by_quarter(group: list[Any], quarter: int | None) -> Any:
    """Among items of the same wording, the one planned in the issue quarter (else the nearest
    quarter, the earlier on a tie; else the first in the plan)."""
    with_q = [it for it in group if getattr(it, "quarter", None)]
    if quarter is None or not with_q:
        return group[0]
    return min(with_q, key=lambda it: (abs(it.quarter - quarter), it.quarter))


def _quarter_note(item: Any, issued: dt.date | None, quarter: int | None) -> str | None:
    q = getattr(item, "quarter", None)
    if not q or not quarter or q == quarter or issued is None:
        return None
    return (f"Mục {item.code} theo kế hoạch công khai trong quý {ROMAN[q]}; văn bản ban hành ngày "
            f"{issued:%d/%m/%Y} (quý {ROMAN[quarter]}).")


#: Weight of a plan item's score in the law category of its khoản (the plan's words are evidence).
PLAN_TO_LAW = 0.35
#: How much an item's score depends on the law table naming its khoản: an item of a khoản the words
#: do not name keeps this share of its score (only when the table names some khoản clearly).
LAW_AGREEMENT_FLOOR = 0.6
#: The table names a khoản clearly from this score on.
LAW_CLEAR = 2.5
#: A law category this sure settles the plan item among the items of its khoản.
LAW_SETTLES = 0.45


def _ranked(plan: Any, subj: str, ts: str, body_n: str, quarter: int | None, dt_n: str, iss_n: str,
            table: dict[int, float]) -> list[tuple[float, Any]]:
    """Plan items best first, one per wording (the quarter picks which), each score weighed by how
    well the law table agrees with the item's khoản."""
    top = max(table.values(), default=0.0)
    groups: dict[str, list[Any]] = {}
    scores: dict[str, float] = {}
    for it in plan.items:
        s = score_item(it, subj, ts, body_n, None, dt_n, iss_n)
        if s > 0 and top >= LAW_CLEAR:
            s *= LAW_AGREEMENT_FLOOR + (1 - LAW_AGREEMENT_FLOOR) * min(1.0, table.get(it.law_item, 0.0) / top)
        scores[it.code] = s
        groups.setdefault(norm(it.title), []).append(it)
    reps = [(max(scores[it.code] for it in g), _pick_by_quarter(g, quarter)) for g in groups.values()]
    return sorted(reps, key=lambda p: -p[0])


#: The confidence of an undated document whose item the plan repeats in several quarters (below
#: ``REVIEW_THRESHOLD``: the issue quarter is what tells those items apart).
UNDATED_REPEATED = 0.45


def _repeated(item: Any, plan: Any) -> bool:
    """The plan has other items of the item's wording (planned in other quarters)."""
    title = norm(item.title)
    return sum(norm(it.title) == title for it in plan.items) > 1


def _confidence(s1: float, s2: float, full: float = 4.5) -> float:
    if s1 <= 0:
        return 0.0
    return round(min(1.0, s1 / full) * (0.45 + 0.55 * (s1 - s2) / s1), 3)


def classify(subject: str | None, doc_type: str | None, issued: dt.date | None, plan: Any,
             body: str = "", issuer: str | None = None) -> Classification:
    """Best plan item and Điều 11 category for a document, each with a confidence in 0..1."""
    subj = _norm_doc(subject or "")
    ts = _norm_doc(f"{doc_type or ''} {subject or ''}")
    body_n = _norm_doc(body[:4000])
    quarter = (issued.month - 1) // 3 + 1 if issued else None
    dt_n, iss_n = norm(doc_type or ""), norm(issuer or "")
    table = score_law(subject or "", body, doc_type or "")
    scored = _ranked(plan, subj, ts, body_n, quarter, dt_n, iss_n, table)

    plan_law: dict[int, float] = {}
    for s, it in scored:
        if s > 0:
            plan_law[it.law_item] = max(plan_law.get(it.law_item, 0.0), PLAN_TO_LAW * s)
    law = classify_law(subject, doc_type, body, extra=plan_law)
    year = getattr(plan, "year", None)
    base: dict[str, Any] = {"plan_year": year, "law_confidence": law.confidence,
                            "law_candidates": law.candidates}
    cands = [(it.code, round(s, 2)) for s, it in scored[:5] if s > 0]
    s1 = scored[0][0] if scored else 0.0
    s2 = scored[1][0] if len(scored) > 1 else 0.0
    conf = _confidence(s1, s2)
    best = scored[0][1] if scored and s1 > 0 else None

    if conf < REVIEW_THRESHOLD and law.law_item and law.confidence >= LAW_SETTLES:
        # the law's category is clear where the plan's words are not: the items of that khoản come
        # first (the best one is the suggestion), with a confidence as weak as their own words
        mine = [(s, it) for s, it in scored if it.law_item == law.law_item and s > 0]
        if mine and (best is None or best.law_item != law.law_item):
            m1, pick = mine[0]
            m2 = mine[1][0] if len(mine) > 1 else 0.0
            conf = round(law.confidence * min(1.0, m1 / 3.0) * (0.45 + 0.55 * (m1 - m2) / m1), 3)
            best = pick
            codes = {it.code for _, it in mine}
            cands = [(it.code, round(s, 2)) for s, it in mine[:3]] + [c for c in cands if c[0] not in codes]
        if best is not None and best.law_item == law.law_item:
            conf = max(conf, MIN_REPORTED)  # weak words, but of the right khoản: still the suggestion

    if best is not None and issued is None and conf >= REVIEW_THRESHOLD and _repeated(best, plan):
        # an undated document of wording the plan repeats each quarter: the quarter cannot be told,
        # so which of the repeated items it is stays a person's choice (review, with the suggestion)
        conf = UNDATED_REPEATED
    if best is None or conf < MIN_REPORTED:
        return Classification(None, law.law_item, conf, candidates=cands, **base)
    law_item = best.law_item if conf >= REVIEW_THRESHOLD or law.law_item is None else law.law_item
    if law_item == best.law_item:
        base["law_confidence"] = max(law.confidence, conf)
    return Classification(best.code, law_item, conf, candidates=cands,
                          note_quarter=_quarter_note(best, issued, quarter), **base)


def classify_info(info: Any, plan: Any) -> Classification:
    """Classify a ``DocumentInfo`` (its subject, type, issue date and body text)."""
    return classify(info.subject, info.doc_type, info.issued, plan, body=getattr(info, "text", "") or "",
                    issuer=info.issuer)


def suggestion(cls: Classification, issued: dt.date | None) -> tuple[str, str]:
    """What the review note suggests (Vietnamese, English): the likeliest items of the plan used
    (saying when it is another year's plan) and the law's category."""
    codes = ", ".join(code for code, _ in cls.candidates[:3]) or "không có"
    year = cls.plan_year
    other = issued is not None and year is not None and year != issued.year
    plan_vi = f"kế hoạch năm {year}" + (f", vì chưa có kế hoạch năm {issued.year}" if other and issued else "")
    vi = f"gợi ý: {codes} theo {plan_vi}"
    en = f"suggested: {codes} of the {year} plan" + (f" (no {issued.year} plan)" if other and issued else "")
    if cls.law_item:
        vi += f"; khoản {cls.law_item} Điều 11 Luật 10/2022/QH15 ({cls.law_label}, dòng 'law_item: {cls.law_item}')"
        en += f"; Art. 11 item {cls.law_item}"
    return vi, en


def override_item(code: str, plan: Any, source: str) -> Classification:
    """A staff override (sidecar or folder): certain, but it must be a code of the plan."""
    from congkhai.errors import PermanentError

    wanted = code.strip()
    for it in plan.items:
        if it.code.lower() == wanted.lower():
            return Classification(it.code, it.law_item, 1.0, source=source)
    raise PermanentError(
        f"Mã mục '{wanted}' không có trong kế hoạch công khai năm {getattr(plan, 'year', '')}. "
        "Hãy sửa tên thư mục hoặc dòng 'item:' trong tệp .yaml (xem danh sách: congkhai plan items).",
        f"Item code '{wanted}' is not in the plan (see: congkhai plan items)", kind="unknown_item", field="item")


def plan_for(commune: str, issued: dt.date | None, settings: Any = None) -> Any:
    """The commune's plan for the document's year (the current year when undated); for a year
    without a plan, the nearest year that has one (the earlier of two as near); None when the
    commune has no plan at all. ``plan.year`` says which one was used."""
    from congkhai.errors import CongkhaiError
    from congkhai.plan import load_plan, plan_years

    year = issued.year if issued else dt.date.today().year
    try:
        return load_plan(commune, year, settings)
    except CongkhaiError as err:
        if err.kind != "missing_plan":
            return None
    try:
        years = plan_years(commune, settings)
    except OSError:
        return None
    for y in sorted(years, key=lambda y: (abs(y - year), y)):
        try:
            return load_plan(commune, y, settings)
        except CongkhaiError:
            continue
    return None
