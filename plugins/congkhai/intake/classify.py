"""Decide which item of the commune's yearly plan a document discloses, with a confidence.

Scoring (all on folded text, so accents and OCR slips in diacritics do not matter):

- a plan keyword found in the subject (or in "type + subject": ``kế hoạch`` + ``lấy ý kiến …``)
  scores high, found only in the body scores low; longer keywords score more;
- words shared between the subject and the item's title add to it;
- items of a quarter list (``Q3-1``) gain when the document was issued in that quarter and lose
  otherwise (the "lấy ý kiến Nhân dân" items repeat in every quarter with the same words);
- the catch-all items ("nội dung khác …") are never chosen by words.

The confidence grows with the best score and with its margin over the runner-up. Staff overrides
(a sidecar ``item:`` or an inbox sub-folder named after the item) always win: ``override_item``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

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


def norm(text: str) -> str:
    """Folded, punctuation to spaces, single spaces: ``Kinh tế - xã hội`` -> ``kinh te xa hoi``."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text or "")).split())


def _words(text: str) -> set[str]:
    return {w for w in norm(text).split() if w not in STOPWORDS and len(w) > 1}


def _contains(hay: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {hay} "


def _is_catch_all(item: Any) -> bool:
    return norm(item.title).startswith(("nhung noi dung khac", "noi dung khac"))


def score_item(item: Any, subject: str, type_subject: str, body: str, quarter: int | None,
               doc_type: str = "", issuer: str = "") -> float:
    if _is_catch_all(item):
        return 0.0
    score = 0.0
    for kw in item.keywords:
        k = norm(kw)
        if not k:
            continue
        weight = 1.5 + 0.3 * min(len(k.split()), 8)
        if _contains(subject, k) or _contains(type_subject, k):
            score = max(score, weight) + 0.3 * (score > 0)  # more keywords: a little more
        elif _contains(body, k):
            score += 0.3
    title = _words(item.title)
    subj = set(subject.split()) - STOPWORDS
    if title and subj:
        overlap = len(title & subj)
        score += 2.0 * overlap / len(title) + 0.5 * overlap / max(len(subj), 1)
    title_n = norm(item.title)
    if score > 0 and doc_type and title_n.startswith(doc_type):
        score += 1.0  # "Kế hoạch thu hồi đất" for a KẾ HOẠCH
    if score > 0 and "hoi dong nhan dan" in issuer and "hoi dong nhan dan" in title_n:
        score += 1.5  # the council's own resolutions (dự toán, quyết toán)
    item_q = getattr(item, "quarter", None)
    if item_q and quarter:
        score = score + 1.0 if item_q == quarter else score * 0.35
    return score


def classify(subject: str | None, doc_type: str | None, issued: dt.date | None, plan: Any,
             body: str = "", issuer: str | None = None) -> Classification:
    """Best plan item for a document, with a confidence in 0..1."""
    subj = norm(subject or "")
    ts = norm(f"{doc_type or ''} {subject or ''}")
    body_n = norm(body[:4000])
    quarter = (issued.month - 1) // 3 + 1 if issued else None
    dt_n, iss_n = norm(doc_type or ""), norm(issuer or "")
    scored = sorted(((score_item(it, subj, ts, body_n, quarter, dt_n, iss_n), it) for it in plan.items),
                    key=lambda p: -p[0])
    if not scored or scored[0][0] <= 0:
        return Classification(None, None, 0.0)
    (s1, best), s2 = scored[0], (scored[1][0] if len(scored) > 1 else 0.0)
    strength = min(1.0, s1 / 4.5)
    margin = (s1 - s2) / s1
    conf = round(strength * (0.45 + 0.55 * margin), 3)
    cands = [(it.code, round(s, 2)) for s, it in scored[:5] if s > 0]
    if conf < MIN_REPORTED:
        return Classification(None, None, conf, candidates=cands)
    return Classification(best.code, best.law_item, conf, candidates=cands)


def classify_info(info: Any, plan: Any) -> Classification:
    """Classify a ``DocumentInfo`` (its subject, type, issue date and body text)."""
    return classify(info.subject, info.doc_type, info.issued, plan, body=getattr(info, "text", "") or "",
                    issuer=info.issuer)


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
    """The commune's plan for the document's year (the current year when undated), or None."""
    from congkhai.errors import CongkhaiError
    from congkhai.plan import load_plan

    year = issued.year if issued else dt.date.today().year
    try:
        return load_plan(commune, year, settings)
    except CongkhaiError:
        return None
