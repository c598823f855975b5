"""Cover letters: what a letter asks to post, where, by whom and for how long (``PostingRequest``).

Công văn 245/UBND-VP asks the Địa chính officer and the leaders of TDP 4 and 5 to post the district's
land-recovery notice at the People's Committee and at those two cultural houses from 14/8 to the end
of 12/9/2024; a district notice addressed to the commune asks it to post its content likewise. When
the document says so, the posting minutes must say the same, so intake reads it here:

- **who**: the ``Kính gửi:`` recipients (else the subject of "đề nghị … niêm yết"), and the civil
  servants' roles of the commune profile they name;
- **what**: the documents referred to in the sentence that asks to post (``Thông báo số
  125/TB-UBND ngày 05/8/2024 của UBND huyện …``, ``danh sách …``), or those of the type it names;
- **where**: ``tại trụ sở UBND …`` (the headquarters) and ``nhà văn hóa tổ dân phố số 4, số 5`` /
  ``TDP số 4 và TDP số 5`` / ``thôn Đông, thôn Đoài`` / ``các tổ dân phố`` (every group), matched
  against the commune profile's groups on folded text (no diacritics, any letter case, ``05`` = 5);
- **when**: ``từ ngày 14/8/2024 đến hết ngày 12/9/2024`` in a posting sentence or one about the
  posting time, ``trong thời gian 30 ngày`` (a stated duration, kept as such).

Nothing is guessed: a date, a place or a group the letter does not state stays empty (``None``, ``[]``),
what is unclear goes into ``notes`` for staff, and a document that asks for no posting gives ``None``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from congkhai.intake.parse import DOC_TYPES, RULE, _canon_code, fold_same_length, prepare
from congkhai.textutil import fold

# ------------------------------------------------------------------ the result


class DocRef(BaseModel):
    """A document a letter refers to: ``Thông báo số 125/TB-UBND ngày 05/8/2024 của UBND huyện …``."""

    model_config = ConfigDict(frozen=True)

    number: str | None = None  # "125/TB-UBND" (None: referred to without a number)
    type: str | None = None  # "THÔNG BÁO", "DANH SÁCH"
    date: dt.date | None = None
    subject: str | None = None  # "về việc thu hồi đất …" without "về việc"
    issuer: str | None = None  # "UBND huyện Lạng Giang"


class Places(BaseModel):
    """Where to post: the People's Committee headquarters and the groups' cultural houses."""

    hq: bool = False
    groups: list[str] = Field(default_factory=list)  # group codes of the commune profile
    all_groups: bool = False  # "các tổ dân phố", "tất cả các thôn": every group


class PostingRequest(BaseModel):
    """What a document asks to post, as stated in it (never completed by guesses)."""

    documents: list[DocRef] = Field(default_factory=list)
    content: str | None = None  # what to post, as printed in the posting sentence
    places: Places = Field(default_factory=Places)
    start: dt.date | None = None
    end: dt.date | None = None  # the last day ("đến hết ngày 12/9/2024")
    days: int | None = None  # a stated duration ("trong thời gian 30 ngày")
    responsible: list[str] = Field(default_factory=list)  # as printed ("Công chức Địa chính - Xây dựng")
    roles: list[str] = Field(default_factory=list)  # civil servants' roles of the profile they name
    notes: list[str] = Field(default_factory=list)  # what could not be read for sure (Vietnamese)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# ------------------------------------------------------------------ the commune's groups

#: Words that name a residential group (folded, as token sequences).
GROUP_WORDS: tuple[tuple[str, ...], ...] = (
    ("to", "dan", "pho"), ("khu", "dan", "cu"), ("khu", "pho"), ("tdp",), ("thon",), ("xom",),
)
_LIST_SEPARATORS = {",", "va", "&", "so", "-", "cac", ":"}
_ALL_WORDS = {"cac", "toan", "tat"}


def _tokens(folded: str) -> list[str]:
    return re.findall(r"[a-z]+|\d+|[,;&:/\-]", folded)


def _group_word_at(toks: list[str], i: int) -> int:
    """Length of the group word starting at token ``i`` (``tổ số 4`` counts as one), else 0."""
    for words in GROUP_WORDS:
        if tuple(toks[i:i + len(words)]) == words:
            return len(words)
    if toks[i] == "to" and i + 1 < len(toks) and (toks[i + 1] == "so" or toks[i + 1].isdigit()):
        return 1
    return 0


class GroupIndex:
    """The profile's groups by number (``Tổ dân phố số 05`` -> 5) and by name (``thôn Đông`` -> dong)."""

    def __init__(self, groups: Iterable[Any]):
        self.codes: list[str] = []
        self.by_number: dict[int, str] = {}
        self.by_name: list[tuple[tuple[str, ...], str]] = []
        for g in groups:
            self.codes.append(g.code)
            toks = [t for t in _tokens(fold(g.name)) if t not in {",", ":", "-"}]
            n = _group_word_at(toks, 0) if toks else 0
            rest = toks[n:]
            if rest[:1] == ["so"]:
                rest = rest[1:]
            if len(rest) == 1 and rest[0].isdigit():
                self.by_number[int(rest[0])] = g.code
            elif rest:
                self.by_name.append((tuple(rest), g.code))
        self.by_name.sort(key=lambda x: -len(x[0]))

    def _name_at(self, toks: list[str], i: int) -> tuple[str, int] | None:
        for words, code in self.by_name:
            if tuple(toks[i:i + len(words)]) == words:
                return code, len(words)
        return None

    def mentions(self, folded: str) -> tuple[list[str], bool, bool, list[str]]:
        """(codes named, "every group" said, a bare "tổ dân phố" without which, unknown numbers)."""
        toks = _tokens(folded)
        found: list[str] = []
        every = bare = False
        unknown: list[str] = []
        i = 0
        while i < len(toks):
            n = _group_word_at(toks, i)
            if not n:
                i += 1
                continue
            before = toks[max(0, i - 5):i]
            j = i + n
            items: list[str] = []
            need_sep = False
            while j < len(toks):
                t = toks[j]
                m = _group_word_at(toks, j)
                if m:
                    j += m
                    need_sep = False
                elif t in _LIST_SEPARATORS:
                    j += 1
                    need_sep = False
                elif t.isdigit():
                    if toks[j + 1:j + 2] == ["/"] or int(t) > 500:  # a date or a count, not a group
                        break
                    num = int(t)
                    code = self.by_number.get(num)
                    if code:
                        items.append(code)
                    else:
                        unknown.append(str(num))
                    j += 1
                    need_sep = True
                else:
                    hit = None if need_sep else self._name_at(toks, j)
                    if hit is None:
                        break
                    items.append(hit[0])
                    j += hit[1]
                    need_sep = True
            if items:
                found.extend(c for c in items if c not in found)
            elif any(w in _ALL_WORDS for w in before) or (
                before and before[-1].isdigit() and int(before[-1]) >= max(len(self.codes), 2)
            ):
                every = True
            else:
                bare = True
            i = max(j, i + n)
        return found, every, bare, unknown


# ------------------------------------------------------------------ text helpers

_DATE = (r"(?:(?P<{p}d>\d{{1,2}})\s*[/.\-]\s*(?P<{p}m>\d{{1,2}})(?:\s*[/.\-]\s*(?P<{p}y>\d{{4}}))?"
         r"|(?P<{p}d2>\d{{1,2}})\s+thang\s+(?P<{p}m2>\d{{1,2}})(?:\s*(?:,\s*)?nam\s+(?P<{p}y2>\d{{4}}))?)")


def _date_re(prefix: str) -> str:
    return _DATE.format(p=prefix)


def _date_of(m: re.Match[str], prefix: str, year: int | None) -> dt.date | None:
    d = m.group(f"{prefix}d") or m.group(f"{prefix}d2")
    mo = m.group(f"{prefix}m") or m.group(f"{prefix}m2")
    y = m.group(f"{prefix}y") or m.group(f"{prefix}y2")
    if d is None or mo is None:
        return None
    yy = int(y) if y else year
    if yy is None:
        return None
    try:
        return dt.date(yy, int(mo), int(d))
    except ValueError:
        return None


#: Sentences that ask to post (folded).
_POSTING = re.compile(r"\bniem yet\b|\bcong khai\b.{0,200}\b(tai|o) (cac )?(tru so|nha van hoa|bang tin|ban tin)")
#: Sentences about the posting time.
_POSTING_TIME = re.compile(r"\b(thoi gian|thoi han) (niem yet|cong khai)\b")
_BARE_TIME = re.compile(r"^\W*(\d{1,2}[.)]\s*)?(thoi gian|thoi han)\b")
_PERIOD = re.compile(r"\b(?:tu|ke tu|bat dau tu)\s+ngay\s+" + _date_re("a")
                     + r"\s*,?\s*(?:den|toi)\s+(?:het\s+)?(?:ngay\s+)?" + _date_re("b"))
_START = re.compile(r"\b(?:tu|ke tu|bat dau tu|bat dau)\s+(?:ngay\s+)?" + _date_re("a"))
_END = re.compile(r"\b(?:den|toi)\s+(?:het\s+)?ngay\s+" + _date_re("b"))
_DAYS = re.compile(r"\b(?:trong|it nhat|toi thieu|lien tuc|thoi gian|thoi han)\D{0,25}?\b(\d{1,3})\s+ngay\b"
                   r"(?!\s+lam viec)|\b(\d{1,3})\s+ngay\s+lien tuc\b")
#: "tại/ở" + a place where things are posted (the start of the "where" phrase).
_PLACE = re.compile(r"\b(?:tai|o)\s+(?:cac\s+)?(?:tru so|bang tin|ban tin|nha van hoa|diem sinh hoat|hoi truong"
                    r"|nha sinh hoat|diem niem yet|noi sinh hoat)")
_PLACE_END = re.compile(r"\b(thoi gian|thoi han|tu ngay|ke tu|trong thoi|trong vong|trong \d+|lien tuc|de nhan dan"
                        r"|de moi|nham|theo quy dinh|dong thoi)\b|;")
_DOC_TYPES = dict(DOC_TYPES, **{"danh sach": "DANH SÁCH", "van ban": "VĂN BẢN"})
_TYPE_ALT = "|".join(sorted(_DOC_TYPES, key=len, reverse=True))
_REF_NUM = re.compile(
    rf"\b(?P<type>{_TYPE_ALT})\b(?P<desc>(?:\s+(?!so\b|ngay\b)[^\s,;]+){{0,6}}?)\s+so\s*:?\s*"
    r"(?P<nums>\d{1,5}\s*/\s*[a-z0-9đ]+(?:\s*[-/]\s*[a-z0-9đ]+){0,4}(?:\s*(?:,|va)\s*\d{1,5}\s*/\s*[a-z0-9đ]+"
    r"(?:\s*[-/]\s*[a-z0-9đ]+){0,4})*)"
    r"(?:\s*,?\s*ngay\s+" + _date_re("a") + ")?")
_REF_DATE = re.compile(rf"\b(?P<type>{_TYPE_ALT})\b(?P<desc>(?:\s+(?!so\b|ngay\b)[^\s,;]+){{0,6}}?)\s*,?\s+ngay\s+"
                       + _date_re("a"))
_ISSUER = re.compile(r"^\s*,?\s*cua\s+(?P<who>.+?)(?=\s+(?:ve viec|v/v|ve|kem theo|va|tai|cho)\b|[,;.(]|$)")
_STOP_PLACE = r"\s+(?:tai|o)\s+(?:cac\s+)?(?:tru so|bang tin|ban tin|nha van hoa|diem|hoi truong)\b"
_SUBJECT = re.compile(r"^\s*,?\s*(?:ve viec|v/v|ve)\s+(?P<what>.+?)(?=\s+(?:kem theo|va danh sach|den het|den ngay|tu"
                      r" ngay|trong thoi|thoi gian)\b|" + _STOP_PLACE
                      + r"|\s*,\s+(?:uy ban|ubnd|de nghi|chu tich|cong chuc|to truong)\b|[;(:]|\.\s|\.$|$)")
_LIST = re.compile(r"(?:\bva|\bkem theo|\bniem yet(?: cong khai)?|,)\s+(?:cac\s+)?danh sach\b(?P<what>.+?)"
                   r"(?=\s+(?:kem theo|den het|den ngay|tu ngay|trong thoi|thoi gian)\b|" + _STOP_PLACE
                   + r"|[;(]|\.\s|\.$|$)")
#: Lines that end a "Kính gửi" list (folded prefixes).
_RECIPIENTS_END = ("can cu", "thuc hien", "de nghi", "vao hoi", "hom nay", "theo ", "uy ban nhan dan ",
                   "ubnd ", "noi nhan")
_DATE_LINE = re.compile(r"ng\w{1,3}\s+\d{1,2}\s+th\w{2,4}\s+\d{1,2}\s+n\w{1,2}m\s+\d{4}")


def recipients(lines: list[str]) -> tuple[list[str], int]:
    """The ``Kính gửi:`` recipients, one per item (``- …;`` lines or ``;`` in one line), and the index
    of the first line after the block (0 when there is none)."""
    for i, line in enumerate(lines):
        f = fold(line).strip()
        if not f.startswith("kinh gui"):
            continue
        cur = line.split(":", 1)[1].strip() if ":" in line else line.strip()[len("kinh gui"):].strip()
        items: list[str] = []
        j = i + 1
        while j < len(lines) and j < i + 14:
            s = lines[j].strip()
            fs = fold(s)
            if s == RULE:
                break
            if s.startswith(("-", "+", "•")):
                if cur:
                    items.append(cur)
                cur = s.lstrip("-+• ").strip()
            elif not fs.startswith(_RECIPIENTS_END) and len(s) < 90 and (
                (cur and not cur.endswith((";", "."))) or (not cur and not items)
            ):
                cur = f"{cur} {s}".strip()
            else:
                break
            j += 1
        if cur:
            items.append(cur)
        out = [x.strip(" ;.,") for part in items for x in part.split(";")]
        return [x for x in out if x], j
    return [], 0


def _body(lines: list[str]) -> tuple[list[str], list[str]]:
    """(recipients, body lines): from after the ``Kính gửi`` block (else after the date line) to
    ``Nơi nhận``."""
    rec, after = recipients(lines)
    if not after:
        after = next((i + 1 for i, line in enumerate(lines[:40]) if _DATE_LINE.search(fold(line))), 0)
    body = []
    for line in lines[after:]:
        if fold(line).startswith("noi nhan"):
            break
        if line != RULE:
            body.append(line)
    return rec, body


def sentences(text: str) -> list[str]:
    """Split running text into sentences and numbered requests (``1.``, ``a)``, ``- ``)."""
    out: list[str] = []
    start = 0
    for m in re.finditer(r"[.;:!?]\s+", text):
        nxt = text[m.end():m.end() + 4]
        if re.fullmatch(r"\s*(\d{1,2}|[a-zđ])[.)]\s*", text[start:m.end()]):
            continue  # "1. Công chức …": the item's own number
        item = re.match(r"\d{1,2}[.)]\s|[a-zđ][)]\s|[-+•]\s", nxt)
        if item or (nxt[:1].isupper() and text[m.start()] != ":"):
            out.append(text[start:m.end()].strip())
            start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _cut(original: str, folded: str, start: int, end: int) -> str:
    assert len(original) == len(folded)
    return original[start:end].strip(" ,;.:")


# ------------------------------------------------------------------ reading


def _refs(sentence: str, folded: str, year: int | None, own_number: str | None) -> list[DocRef]:
    refs: list[DocRef] = []
    taken: list[tuple[int, int]] = []
    for m in _REF_NUM.finditer(folded):
        typ = _DOC_TYPES[m.group("type")]
        date = _date_of(m, "a", year) if m.group("ad") or m.group("ad2") else None
        tail_o, tail_f = sentence[m.end():], folded[m.end():]
        issuer = subject = None
        im = _ISSUER.match(tail_f)
        if im:
            issuer = tail_o[im.start("who"):im.end("who")].strip()
            tail_o, tail_f = tail_o[im.end():], tail_f[im.end():]
        sm = _SUBJECT.match(tail_f)
        if sm:
            subject = tail_o[sm.start("what"):sm.end("what")].strip(" ,.")
        elif m.group("desc").strip():
            subject = sentence[m.start("desc"):m.end("desc")].strip(" ,")
        raw = sentence[m.start("nums"):m.end("nums")]
        for part in re.split(r"\s*,\s*|\s+và\s+|\s+va\s+", raw):
            if "/" not in part:
                continue
            num, code = part.split("/", 1)
            number = f"{num.strip()}/{_canon_code(code)}"
            if own_number and number == own_number:
                continue
            refs.append(DocRef(number=number, type=typ, date=date, subject=subject or None, issuer=issuer))
        taken.append((m.start(), m.end()))
    for m in _REF_DATE.finditer(folded):
        if any(a <= m.start() < b for a, b in taken) or m.group("type") == "danh sach":
            continue
        # "báo cáo UBND thị trấn trước ngày 16/9" is a verb: a document cited by its date alone is
        # written with a capital ("các Thông báo thu hồi đất ngày 05/8/2024") or after "các"
        if not (sentence[m.start()].isupper() or re.search(r"\b(cac|nhung)\s+$", folded[:m.start()])) or re.search(
                r"\b(truoc|sau|tu|den|vao|trong|ke|cham nhat)\b", m.group("desc")):
            continue
        tail_o, tail_f = sentence[m.end():], folded[m.end():]
        issuer = None
        im = _ISSUER.match(tail_f)
        if im:
            issuer = tail_o[im.start("who"):im.end("who")].strip()
        desc = sentence[m.start("desc"):m.end("desc")].strip(" ,") or None
        refs.append(DocRef(number=None, type=_DOC_TYPES[m.group("type")], date=_date_of(m, "a", year),
                           subject=desc, issuer=issuer))
    return refs


def _fuller(ref: DocRef, others: list[DocRef]) -> DocRef:
    """The same document as cited elsewhere in the letter with more detail ("… về việc thu hồi đất để
    thực hiện dự án …" in the opening sentence, a bare number in the request)."""
    if ref.number is None:
        return ref
    update: dict[str, Any] = {}
    for o in others:
        if o.number != ref.number:
            continue
        if o.subject and len(o.subject) > len(update.get("subject") or ref.subject or ""):
            update["subject"] = o.subject
        for k in ("date", "issuer", "type"):
            if getattr(ref, k) is None and getattr(o, k) is not None:
                update[k] = getattr(o, k)
    return ref.model_copy(update=update) if update else ref


def _list_ref(sentence: str, folded: str) -> DocRef | None:
    """``… và danh sách các hộ gia đình, cá nhân có đất bị thu hồi`` (a list posted with a notice)."""
    m = _LIST.search(folded)
    if not m or re.search(r"\bso\s*:?\s*\d", folded[m.start():m.end()]):
        return None
    what = sentence[m.start("what"):m.end("what")].strip(" ,.")
    return DocRef(type="DANH SÁCH", subject=what or None) if what else None


def _period(sent: str, year: int | None) -> tuple[dt.date | None, dt.date | None, int | None]:
    start = end = None
    days = None
    m = _PERIOD.search(sent)
    if m:
        end = _date_of(m, "b", year)
        start = _date_of(m, "a", end.year if end else year)
        if start and end and start > end and not (m.group("ay") or m.group("ay2")):
            start = _date_of(m, "a", end.year - 1)  # "từ ngày 20/12 đến ngày 18/01/2025"
    else:
        ms = _START.search(sent)
        if ms:
            start = _date_of(ms, "a", year)
        me = _END.search(sent)
        if me:
            end = _date_of(me, "b", year)
    md = _DAYS.search(sent)
    if md:
        days = int(md.group(1) or md.group(2))
    return start, end, days


def _roles(responsible: list[str], commune: Any) -> list[str]:
    """The civil servants' roles named among the recipients (``Công chức Địa chính …`` -> dia_chinh)."""
    roles: list[str] = []
    for cs in getattr(commune, "civil_servants", []) or []:
        key = fold(cs.title).split(" - ")[0].strip()
        key = re.sub(r"^cong chuc\s+", "", key)
        if not key:
            continue
        for r in responsible:
            if re.search(rf"\b{re.escape(key)}\b", fold(r)) and cs.role not in roles:
                roles.append(cs.role)
    return roles


def read_posting_request(lines: list[str], commune: Any, *, issued: dt.date | None = None,
                         own_number: str | None = None) -> PostingRequest | None:
    """What ``lines`` (a document's text in reading order) ask to post, read against ``commune`` (its
    profile: groups, civil servants); ``None`` when the document asks for no posting."""
    prepared = prepare(lines)
    rec, body = _body(prepared)
    text = " ".join(body)
    sents = sentences(text)
    year = issued.year if issued else None
    posting = [i for i, s in enumerate(sents) if _POSTING.search(fold(s))]
    if not posting:
        return None
    groups = GroupIndex(getattr(commune, "groups", []) or [])
    req = PostingRequest()

    # what: the documents named in the posting sentences (else those of the type they name)
    all_refs: list[DocRef] = []
    for s in sents:
        all_refs.extend(_refs(s, fold_same_length(s), year, own_number))
    for i in posting:
        s = sents[i]
        fs = fold_same_length(s)
        for ref in _refs(s, fs, year, own_number):
            ref = _fuller(ref, all_refs)
            if ref not in req.documents:
                req.documents.append(ref)
        lst = _list_ref(s, fs)
        if lst and lst not in req.documents:
            req.documents.append(lst)
        if req.content is None:
            m = re.search(r"\bniem yet\s+(?:cong khai\s+)?", fs) or re.search(r"\bcong khai\s+", fs)
            pm = _PLACE.search(fs, m.end()) if m else None
            if m and pm and pm.start() > m.end():
                req.content = _cut(s, fs, m.end(), pm.start()) or None
    if not any(r.number or r.date for r in req.documents):
        named = {fold(t) for i in posting for t in _DOC_TYPES.values() if re.search(
            rf"\b{fold(t)}\b", fold(sents[i]))}
        for ref in all_refs:
            if fold(ref.type or "") in named and ref not in req.documents:
                req.documents.append(ref)

    # where
    mentioned_elsewhere: list[str] = []
    bare = False
    for i in posting:
        s = sents[i]
        fs = fold_same_length(s)
        for pm in _PLACE.finditer(fs):
            end = _PLACE_END.search(fs, pm.end())
            phrase = fs[pm.start():end.start() if end else len(fs)]
            if re.search(r"\b(tru so|bang tin|ban tin|hoi truong)\b", phrase) and not re.search(
                r"\b(tru so|bang tin|ban tin)\s+(cua\s+)?(uy ban nhan dan|ubnd)\s+(huyen|tinh|thanh pho|quan|thi xa)\b",
                phrase):
                req.places.hq = True
            found, every, is_bare, unknown = groups.mentions(phrase)
            for c in found:
                if c not in req.places.groups:
                    req.places.groups.append(c)
            req.places.all_groups = req.places.all_groups or every
            bare = bare or is_bare
            for n in unknown:
                req.notes.append(f"Văn bản nêu nơi niêm yết số {n} nhưng hồ sơ đơn vị không có nhóm dân cư số {n}.")
        # groups named elsewhere in the sentence ("Tổ trưởng tổ dân phố số 4, số 5 niêm yết tại nhà văn hóa")
        found, _, _, _ = groups.mentions(fs)
        mentioned_elsewhere.extend(c for c in found if c not in mentioned_elsewhere)
    if bare and not req.places.groups and not req.places.all_groups:
        named = mentioned_elsewhere or groups.mentions(" ".join(fold(r) for r in rec))[0]
        if named:
            req.places.groups = list(named)
        else:
            req.notes.append("Văn bản yêu cầu niêm yết tại nhà văn hóa nhưng không nói của tổ dân phố/thôn nào.")
    if req.places.all_groups:
        req.places.groups = list(groups.codes)

    # when: the posting sentences, then sentences about the posting time
    timed = list(posting)
    for i, s in enumerate(sents):
        f = fold(s)
        if i not in timed and (_POSTING_TIME.search(f) or (_BARE_TIME.search(f) and i - 1 in posting)):
            timed.append(i)
    for i in sorted(timed):
        start, end, days = _period(fold(sents[i]), year)
        if start and req.start is None:
            req.start = start
        if end and req.end is None:
            req.end = end
        if days and req.days is None:
            req.days = days
    if req.start and req.end and req.end < req.start:
        req.notes.append(f"Ngày kết thúc niêm yết ({req.end:%d/%m/%Y}) trước ngày bắt đầu ({req.start:%d/%m/%Y}).")

    # who
    req.responsible = rec
    if not rec:
        for i in posting:
            m = re.search(r"\bde nghi\s+(.+?)\s+(?:to chuc\s+|thuc hien\s+|phoi hop\s+)?niem yet\b",
                          fold_same_length(sents[i]))
            if m:
                who = sents[i][m.start(1):m.end(1)].strip(" ,:")
                if who and who not in req.responsible:
                    req.responsible.append(who)
    req.roles = _roles(req.responsible, commune)

    if not (req.places.hq or req.places.groups or req.start or req.end or req.days):
        return None
    return req
