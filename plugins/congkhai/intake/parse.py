"""Parse the Nghị định 30/2020 fields out of a document's text.

Input is a list of lines in *reading order*: the two-column header read column by column (issuing
body and ``Số:`` first, then the motto and the place-and-date line), then the type, the subject,
the body, the ``Nơi nhận:`` list and the signature block. ``columnize`` turns layout text (pypdf's
layout mode, OCR words with positions) into that order; python-docx gives it directly.

Matching is done on *folded* text (lower case, no diacritics; ``congkhai.textutil.fold``) so NFD
text, OCR slips in diacritics (``Sô``, ``ngảy``, ``thäng``) and missing accents all read the same;
the values returned are cut from the original NFC text so they keep their diacritics.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from congkhai.textutil import fold, nfc

#: Document types as printed (upper case), keyed by their folded form.
DOC_TYPES: dict[str, str] = {
    "quyet dinh": "QUYẾT ĐỊNH",
    "ke hoach": "KẾ HOẠCH",
    "bao cao": "BÁO CÁO",
    "thong bao": "THÔNG BÁO",
    "to trinh": "TỜ TRÌNH",
    "nghi quyet": "NGHỊ QUYẾT",
    "bien ban": "BIÊN BẢN",
    "chi thi": "CHỈ THỊ",
    "quy che": "QUY CHẾ",
    "quy dinh": "QUY ĐỊNH",
    "huong dan": "HƯỚNG DẪN",
    "chuong trinh": "CHƯƠNG TRÌNH",
    "phuong an": "PHƯƠNG ÁN",
    "giay moi": "GIẤY MỜI",
    "cong van": "CÔNG VĂN",
}
LETTER = "CÔNG VĂN"

#: Parts of a number's code whose diacritics OCR or ASCII typing loses (folded upper -> printed).
CODE_PARTS = {"QD": "QĐ", "HDND": "HĐND", "DC": "ĐC", "TTR": "TTr", "DU": "ĐU", "HD": "HĐ", "DTN": "ĐTN",
              "BCD": "BCĐ", "KTDT": "KTĐT", "DKT": "ĐKT"}

#: Words that open an issuing body's name (folded): a new group in the top-left block.
BODY_STARTS = ("uy ban", "ubnd", "hoi dong", "hdnd", "ban ", "dai ", "cong an", "truong", "mat tran",
               "dang ", "dang uy", "van phong", "phong ", "tram ", "doan ", "hoi ", "bch", "cuc ", "so ",
               "chi cuc", "trung tam", "ubmttq")

#: Common Vietnamese family names (folded): a strong hint that a line is a signer's name.
SURNAMES = set("""nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh doan luong trinh
ha mai ta cao luu chu than giap luc nong la vi hua trieu to dao kieu quach thai lam truong phung tang dam
khuc nghiem la lai tong van au la quan hoang mac""".split())

#: Lines that end a subject (folded prefixes).
SUBJECT_STOPS = ("can cu", "kinh gui", "hom nay", "vao hoi", "thuc hien", "xet ", "dieu ", "i.", "1.",
                 "chu tich", "noi nhan", "cong hoa", "doc lap",
                 "de nghi", "phan ", "ubnd ", "tm.", "kt.")

RULE = "\x00RULE"  # a separator line (___, ---) kept as a marker: it ends a subject or a V/v


@dataclass
class Fields:
    doc_number: str | None = None
    doc_code: str | None = None
    doc_type: str | None = None
    issued: dt.date | None = None
    place: str | None = None
    issuer: str | None = None
    subject: str | None = None
    signer: str | None = None
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ normalisation


_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2009\u202f\u3000\t"), " ")


def clean_line(line: str) -> str:
    """NFC, one kind of dash and space, Eth (Ð, what OCR reads for Đ) -> Đ, no control characters."""
    line = nfc(line).translate(_DASHES).translate(_SPACES)
    line = line.replace("Ð", "Đ").replace("ð", "đ")
    line = "".join(ch for ch in line if ch == " " or unicodedata.category(ch)[0] != "C")
    return line


def fold_same_length(text: str) -> str:
    """``fold`` character by character, so positions in the folded text match the original."""
    out = []
    for ch in text:
        f = fold(ch)
        out.append(f if len(f) == 1 else ch.lower()[:1] or ch)
    return "".join(out)


def prepare(lines: list[str]) -> list[str]:
    """Clean lines; drop empty ones; turn separator rules into RULE markers."""
    out: list[str] = []
    for raw in lines:
        line = " ".join(clean_line(raw).split())
        if not line:
            continue
        if re.fullmatch(r"[_\-=.*~—–•·]{3,}", line.replace(" ", "")):
            if out and out[-1] != RULE:
                out.append(RULE)
            continue
        out.append(line)
    return out


# ------------------------------------------------------------------ column order


@dataclass
class Segment:
    x0: float  # 0..1 of the text width
    x1: float
    text: str


def columnize(rows: list[list[Segment]]) -> list[str]:
    """Reading order from positioned lines: two-column blocks are read left column first.

    A row is *full width* when it has one segment that crosses the middle of the page (body text,
    a centred title); the rows between two full-width rows form a block, and within a block all
    left-column segments come before the right-column ones. That reads the header table as
    issuer / Số / V/v… then motto / date, and the signature table as Nơi nhận… then the signer.
    """
    out: list[str] = []
    left: list[str] = []
    right: list[str] = []

    def flush() -> None:
        out.extend(left)
        out.extend(right)
        left.clear()
        right.clear()

    for segs in rows:
        segs = [s for s in segs if s.text.strip()]
        if not segs:
            continue
        if len(segs) == 1 and segs[0].x0 < 0.36 and segs[0].x1 > 0.55:
            flush()
            out.append(segs[0].text)
            continue
        for s in segs:
            (left if s.x0 < 0.36 and s.x1 <= 0.62 else right).append(s.text)
    flush()
    return out


def layout_rows(text: str) -> list[list[Segment]]:
    """Split pypdf layout-mode text into positioned segments (a gap of 3+ spaces splits columns)."""
    lines = text.splitlines()
    width = max((len(line.rstrip()) for line in lines), default=1) or 1
    rows: list[list[Segment]] = []
    for line in lines:
        segs = []
        for m in re.finditer(r"\S+(?: {1,2}\S+)*", line):
            segs.append(Segment(m.start() / width, m.end() / width, m.group()))
        rows.append(segs)
    return rows


# ------------------------------------------------------------------ fields

_DIGITS = str.maketrans({"o": "0", "O": "0", "l": "1", "I": "1", "i": "1", "|": "1", "S": "5", "B": "8"})
_NUM = r"[0-9oOlI|]"
_NUMBER_RE = re.compile(
    rf"(?:^|\s)s[o06ơóòốồ]?\s*[:;.,]?\s*(?P<num>{_NUM}{{1,5}})\s*[/|]\s*"
    r"(?P<code>[a-z0-9đ]+(?:\s*[-/]\s*[a-z0-9đ]+){0,4})",
)
_DATE_RE = re.compile(
    rf"(?P<place>[^\W\d_][^,;:]{{0,40}}?)\s*[,.]\s*ng\w{{1,3}}\s+(?P<d>{_NUM}{{1,2}})\s+th\w{{2,4}}\s+"
    rf"(?P<m>{_NUM}{{1,2}})\s+n\w{{1,2}}m\s+(?P<y>{_NUM}{{4}})"
)


def _canon_code(code: str) -> str:
    """``qd - ubnd`` / ``QÐ-UBND`` -> ``QĐ-UBND``; keeps ``TTr``; year parts stay digits."""
    code = re.sub(r"\s+", "", code)
    parts = re.split(r"([-/])", code)
    out = []
    for p in parts:
        if p in "-/" or p.isdigit():
            out.append(p)
            continue
        up = p.upper()
        folded = fold(p).upper()
        out.append(CODE_PARTS.get(folded, up if "Đ" in up else up))
    return "".join(out)


def find_number(lines: list[str], folded: list[str]) -> tuple[int, str, str] | None:
    """(line index, number, code) from ``Số: 15/QĐ-UBND`` (``Số: 05/2024/QĐ-UBND`` -> 05, 2024/QĐ-UBND)."""
    for i, fl in enumerate(folded[:40]):
        for m in _NUMBER_RE.finditer(fl):
            start = m.start() + (1 if fl[m.start()].isspace() else 0)
            # "Luật số 10/2022/QH15" in the body: a number mid-sentence needs the colon
            if start > 0 and ":" not in fl[start:m.start("num")]:
                continue
            num = m.group("num").translate(_DIGITS)
            raw_code = lines[i][m.start("code"):m.end("code")]
            code = _canon_code(raw_code)
            if not re.search(r"[A-ZĐ]", code):
                continue
            return i, num, code
    return None


def _title_tail(text: str) -> str | None:
    """The trailing run of capitalised words: ``Số: 80/TB-UBND Kép`` -> ``Kép``; ``Hà Nội`` stays."""
    words = text.split()
    tail: list[str] = []
    for w in reversed(words):
        if w[:1].isupper() and w.isalpha():
            tail.insert(0, w)
            if len(tail) == 4:
                break
        else:
            break
    return " ".join(tail) or None


def find_date(lines: list[str], folded: list[str]) -> tuple[int, dt.date, str | None] | None:
    """(line index, date, place) from ``Kép, ngày 05 tháng 01 năm 2024`` (the first valid one)."""
    for i, fl in enumerate(folded[:60]):
        for m in _DATE_RE.finditer(fl):
            try:
                d = dt.date(int(m.group("y").translate(_DIGITS)), int(m.group("m").translate(_DIGITS)),
                            int(m.group("d").translate(_DIGITS)))
            except ValueError:
                continue
            if not 1990 <= d.year <= 2100:
                continue
            place_raw = lines[i][m.start("place"):m.end("place")]
            if fold(place_raw).strip() in ("hom nay", "vao", "luc"):
                continue
            return i, d, _title_tail(place_raw)
    return None


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _type_key(fl: str) -> str | None:
    key = re.sub(r"[^a-z ]", "", fl).strip()
    key = " ".join(key.split())
    if key in DOC_TYPES:
        return key
    if 5 <= len(key) <= 14:
        best = difflib.get_close_matches(key, DOC_TYPES.keys(), n=1, cutoff=0.8)
        if best:
            return best[0]
    return None


def find_type(lines: list[str], folded: list[str], after: int) -> tuple[int, str] | None:
    """The first upper-case line after the header that is a document type (fuzzy on folded text)."""
    for i in range(max(after, 0), min(len(lines), after + 30)):
        if lines[i] == RULE or not _is_upper(lines[i]):
            continue
        key = _type_key(folded[i])
        if key:
            return i, DOC_TYPES[key]
    return None


def _is_vv(fl: str) -> bool:
    return bool(re.match(r"v\s*[/.]\s*v\b", fl))


def _subject_from(lines: list[str], folded: list[str], start: int, stop_on_date: bool) -> str | None:
    parts: list[str] = []
    for i in range(start, min(len(lines), start + 4)):
        line, fl = lines[i], folded[i]
        if line == RULE:
            break
        if parts and (fl.startswith(SUBJECT_STOPS) or (_is_upper(line) and not _is_upper(parts[-1]))):
            break
        if stop_on_date and _DATE_RE.search(fl):
            break
        if parts and (len(line) > 110 or line.endswith((";", ":"))):
            break
        # "Ủy ban nhân dân thị trấn" may end a subject; a body sentence or the authority line
        # ("CHỦ TỊCH ỦY BAN NHÂN DÂN …") starting with it is long or upper case
        if parts and fl.startswith(("uy ban nhan dan", "hoi dong nhan dan")) and (
            len(line) > 70 or _is_upper(line)
        ):
            break
        parts.append(line)
    text = " ".join(parts).strip(" .")
    return text or None


def find_subject(lines: list[str], folded: list[str], type_idx: int | None, header_end: int) -> str | None:
    """The subject under the type line, or the ``V/v …`` lines of a letter (spanning lines joined)."""
    if type_idx is not None:
        subj = _subject_from(lines, folded, type_idx + 1, stop_on_date=False)
        if subj:
            return subj
    for i in range(0, min(len(lines), header_end + 12)):
        if _is_vv(folded[i]):
            return _subject_from(lines, folded, i, stop_on_date=True)
    return None


def find_issuer(lines: list[str], folded: list[str], end: int) -> str | None:
    """The issuing body: the last name group of the top-left block (a superior body above it dropped)."""
    groups: list[list[str]] = []
    for i in range(0, max(end, 0)):
        line, fl = lines[i], folded[i]
        if line == RULE:
            continue
        if fl.startswith(("cong hoa", "doc lap")) or not _is_upper(line):
            break
        # OCR may glue the motto to the body name: cut it off
        cut = re.search(r"\s(cong hoa|doc lap)\b", fl)
        if cut:
            line = line[:cut.start()].strip()
            fl = fl[:cut.start()].strip()
        if not groups or fl.startswith(BODY_STARTS):
            groups.append([line])
        else:
            groups[-1].append(line)
    return " ".join(groups[-1]) if groups else None


def _name_like(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 5:
        return False
    if any(not w.isalpha() or not w[0].isupper() for w in words):
        return False
    return not all(w.isupper() for w in words)


def find_signer(lines: list[str], folded: list[str]) -> str | None:
    """The signer's name: the last name-like line of the signature block (a surname first preferred)."""
    tail = list(range(max(0, len(lines) - 30), len(lines)))
    fallback = None
    for i in reversed(tail):
        line = lines[i]
        if line == RULE or not _name_like(line):
            continue
        first = folded[i].split()[0]
        if first in SURNAMES:
            return line
        fallback = fallback or line
    return fallback


def parse_lines(raw_lines: list[str]) -> Fields:
    """All fields from lines in reading order (see the module docstring)."""
    lines = prepare(raw_lines)
    folded = [fold_same_length(line) for line in lines]
    f = Fields()
    num = find_number(lines, folded)
    date = find_date(lines, folded)
    header_end = 0
    if num:
        header_end, f.doc_number, f.doc_code = num
    if date:
        f.issued, f.place = date[1], date[2]
        header_end = max(header_end, date[0])
    typ = find_type(lines, folded, header_end + 1 if (num or date) else 0)
    if typ:
        f.doc_type = typ[1]
    f.subject = find_subject(lines, folded, typ[0] if typ else None, header_end)
    if not typ and f.subject and _is_vv(fold(f.subject)):
        f.doc_type = LETTER
    f.issuer = find_issuer(lines, folded, num[0] if num else min(len(lines), 6))
    f.signer = find_signer(lines, folded)
    return f
