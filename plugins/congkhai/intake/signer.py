"""Who signed it? The signer of a commune's own document against the officials of its profile.

A decision of UBND thị trấn Kép signed ``CHỦ TỊCH Nguyễn Văn Tuấn`` while the profile's chairman is
Đặng Minh Khôi is either a misreading, a document of somebody else, or a profile out of date: a
person must look. This is a **review note, not a refusal**: the case is filed as usual, with
``extra.needs_review = "signer"`` and a Vietnamese note in ``review/`` naming whom the profile expects.

Only the People's Committee's own documents are checked (the profile lists the UBND's signers and
civil servants; an HĐND resolution or a district notice is signed by someone else's official).
Names are compared on folded text (no diacritics, any case; an OCR'd name may differ by a letter).
The title above the name, when read (``TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH``, ``KT. CHỦ TỊCH / PHÓ CHỦ
TỊCH``), must fit the person's role. When the profile's names for that role are samples
(``sample: true``, or a made-up ``demo: true`` commune), the note says so instead of doubting the document.

"An official on that date": the document is checked against the profile **as of its issue date**
(``Commune.on``: ``commune.yaml`` records who held each post from which day), so a decision signed by
the chairman of last spring is not doubted because the chairman has changed since, and a document
signed by a new chairman before the profile says he took office is. When the signer held the post on
other dates, the note says when (a misread date, or a ``from:`` to correct in the profile).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from congkhai.intake.origin import header_lines, names_commune
from congkhai.intake.parse import RULE, prepare
from congkhai.textutil import fold

#: Folded titles of the signature block and the role title they mean.
CHAIRMAN = "chu tich"
VICE = "pho chu tich"
#: Lines of a signature block above the name (folded, punctuation as spaces).
_AUTHORITY = re.compile(r"^(tm|kt|tl|tuq|q|thay mat|ky thay)\b|^(pho )?chu tich\b|^chu toa\b|^thu ky\b"
                        r"|^(chanh|pho chanh) van phong\b|^cong chuc\b|^nguoi (lap|ghi|ky)\b")
_SKIP = re.compile(r"^\(?(da ky|ky|ky ten|ky, ghi ro|ky ghi ro|dong dau|da ky va dong dau)\b")
#: Similarity two folded names must reach to be the same person in an OCR'd text (one letter off).
OCR_NAME_RATIO = 0.9


def _norm(text: str | None) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text or "")).split())


def signature_title(lines: list[str], signer: str | None) -> str | None:
    """The title lines above the signer's name (``KT. CHỦ TỊCH / PHÓ CHỦ TỊCH``), as printed; None if
    none were read."""
    prepared = prepare(lines)
    want = _norm(signer)
    k = len(prepared)
    if want:
        for i in range(len(prepared) - 1, max(-1, len(prepared) - 40), -1):
            if _norm(prepared[i]) == want:
                k = i
                break
        else:
            return None
    found: list[str] = []
    noise = 0
    for i in range(k - 1, max(-1, k - 9), -1):
        line = prepared[i]
        f = _norm(line)
        if line == RULE or not f or _SKIP.match(f):
            continue
        if _AUTHORITY.match(f):
            found.insert(0, line)
            continue
        if noise < 2 and not _ends_block(line):
            noise += 1  # an OCR'd smudge of the signature or the seal ("“gu kới")
            continue
        break  # a name, the "Nơi nhận" list or the body: the block ends
    return " / ".join(found) or None


def _ends_block(line: str) -> bool:
    """A line that cannot be inside a signature block: a list item, a name, body text."""
    words = line.split()
    name_like = len(words) >= 2 and all(w[:1].isupper() for w in words)
    return line.lstrip().startswith(("-", "+", "•")) or name_like or len(line) > 40 or _norm(line).startswith(
        "noi nhan")


def title_role(title: str | None) -> str | None:
    """``CHỦ TỊCH`` / ``PHÓ CHỦ TỊCH`` from a signature title (``KT. CHỦ TỊCH`` is signed by a deputy);
    None for any other title (a meeting chair, an acting chairman, a civil servant)."""
    parts = [_norm(p) for p in (title or "").split(" / ")]
    if any(p.startswith(VICE) for p in parts) or any(re.match(r"^(kt|ky thay) chu tich$", p) for p in parts):
        return VICE
    if any(p == CHAIRMAN for p in parts) and not any(re.match(r"^(q|quyen|tl|tuq)\b", p) for p in parts):
        return CHAIRMAN
    return None


@dataclass
class SignerCheck:
    """The outcome: ``flagged`` when the signer is not the profile's official for that title."""

    signer: str
    title: str | None  # as read
    role_title: str | None  # "CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / None
    flagged: bool
    reason: str = ""  # "unknown_name" | "wrong_title"
    expected: list[str] = field(default_factory=list)  # whom the profile names for that title
    holder_of_name: str | None = None  # the role of the profile's person with the signer's name
    sample: bool = False  # the expected names are samples of the profile
    other_terms: list[str] = field(default_factory=list)  # the signer's posts on other dates ("Chủ tịch từ …")
    profile_date: str | None = None  # the day of the profile checked against (the issue date)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _same_person(a: str, b: str, ocr: bool) -> bool:
    na, nb = _norm(a), _norm(b)
    if na == nb:
        return True
    return ocr and difflib.SequenceMatcher(None, na, nb).ratio() >= OCR_NAME_RATIO


def is_commune_ubnd(issuer: str | None, lines: list[str], commune: Any) -> bool:
    """Issued by this commune's People's Committee (not its council, Party committee or Front)?"""
    texts = [issuer] if issuer else [" ".join(header_lines(lines))]
    for t in texts:
        n = _norm(t)
        if names_commune(t, commune) and re.search(r"\b(uy ban nhan dan|ubnd)\b", n) and not re.search(
            r"\b(hoi dong nhan dan|hdnd|dang uy|mat tran)\b", n):
            return True
    return False


def profile_on(commune: Any, day: dt.date | None) -> Any:
    """The profile as of a document's date (``Commune.on``); the profile itself when undated."""
    on = getattr(commune, "on", None)
    return on(day) if day is not None and callable(on) else commune


def _people(commune: Any) -> list[tuple[str, Any]]:
    """Every official of a profile, with the title it gives them: signers, chairman, office head, civil servants."""
    people: list[tuple[str, Any]] = [(s.title, s) for s in getattr(commune, "signers", []) or []]
    people.append((commune.chairman.title, commune.chairman))
    if getattr(commune.office, "head", None) is not None:
        people.append((commune.office.head.title, commune.office.head))
    people += [(cs.title, cs) for cs in getattr(commune, "civil_servants", []) or []]
    return people


def _span(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    if start:
        return f"từ {start:%d/%m/%Y}"
    return f"đến {end:%d/%m/%Y}" if end else ""


def other_terms(commune: Any, name: str, day: dt.date | None, *, ocr: bool = False) -> list[str]:
    """The posts the profile gives ``name`` on other dates than ``day`` (``Chủ tịch từ 15/07/2024``)."""
    periods = getattr(commune, "periods", None)
    if day is None or not callable(periods) or not getattr(commune, "changes", ()):
        return []
    terms: list[list[Any]] = []  # [title, start, end], adjacent periods of one title merged
    for start, end, snap in periods():
        if (start is None or start <= day) and (end is None or day <= end):
            continue
        title = next((t for t, p in _people(snap) if _same_person(name, p.name, ocr)), None)
        if title is None:
            continue
        last = terms[-1] if terms else None
        if last and last[0] == title and last[2] is not None and start == last[2] + dt.timedelta(days=1):
            last[2] = end
        else:
            terms.append([title, start, end])
    return [f"{title} {_span(start, end)}".strip() for title, start, end in terms]


def check_signer(info: Any, commune: Any, origin_status: str | None, *, issuer: str | None = None,
                 confirmed: bool = False) -> SignerCheck | None:
    """Check ``info`` (a ``DocumentInfo``) against ``commune`` (a ``Commune`` profile).

    ``origin_status`` is ``check_origin``'s (``own``, ``confirmed``, ``addressed``…): only the commune's
    own documents are checked. ``confirmed``: staff named the signer in a sidecar (nothing to check).
    None when nothing was checked (another body's document, no signer read).
    """
    if confirmed or origin_status not in ("own", "confirmed") or not info.signer:
        return None
    issued = getattr(info, "issued", None)
    history, commune = commune, profile_on(commune, issued)  # who held each post on the document's date
    lines = (getattr(info, "text", "") or "").splitlines()
    if not is_commune_ubnd(issuer or info.issuer, lines, commune):
        return None
    ocr = getattr(info, "text_source", None) == "ocr"
    title = getattr(info, "signer_title", None)
    role = title_role(title)
    signers = list(getattr(commune, "signers", []) or [])
    people = _people(commune)
    expected = []
    if role is not None:
        expected = [s for s in signers if _norm(s.title_upper) == role]
        if role == CHAIRMAN and not any(_same_person(s.name, commune.chairman.name, False) for s in expected):
            expected.append(commune.chairman)
    if not expected:  # no title read, or none in the profile for it: any official of the commune
        role = None
        expected = [p for _, p in people]
    if any(_same_person(info.signer, p.name, ocr) for p in expected):
        return None
    holder = next((t for t, p in people if _same_person(info.signer, p.name, ocr)), None)
    names = []
    for p in expected:
        if p.name not in names:
            names.append(p.name)
    return SignerCheck(
        signer=info.signer, title=title, role_title=role.upper() if role else None, flagged=True,
        reason="wrong_title" if holder else "unknown_name",
        expected=names if role is not None else [],
        holder_of_name=holder,
        sample=bool(getattr(commune, "demo", False)) or any(getattr(p, "sample", False) for p in expected)
        or (role is None and _profile_sample(commune)),
        other_terms=other_terms(history, info.signer, issued, ocr=ocr),
        profile_date=issued.isoformat() if isinstance(issued, dt.date) and getattr(history, "changes", ()) else None,
    )


def _profile_sample(commune: Any) -> bool:
    """Does the profile hold sample officials (``sample: true`` on a signer, the office head, a civil
    servant; or the whole commune is a made-up ``demo: true``)?"""
    people = [*getattr(commune, "signers", []), commune.chairman, getattr(commune.office, "head", None),
              *getattr(commune, "civil_servants", [])]
    return bool(getattr(commune, "demo", False)) or any(getattr(p, "sample", False) for p in people if p is not None)


_ROLE_VI = {CHAIRMAN: "Chủ tịch", VICE: "Phó Chủ tịch"}


def note_lines(check: dict[str, Any], case: Any, commune: Any, *, where: str = "",
               profile_path: str | Path = "") -> tuple[list[str], list[str]]:
    """The review note (Vietnamese, English) for a flagged signer (``check`` as in ``to_json``); the
    profile's words are those of the document's date."""
    commune = profile_on(commune, getattr(case, "issued", None))
    body = commune.body_short
    role = check.get("role_title")
    role_vi = _ROLE_VI.get(_norm(role), role) if role else None
    read = f"{check.get('title')} {check['signer']}" if check.get("title") else check["signer"]
    doc = f"{case.number_notation or '(không số)'} ngày {case.issued:%d/%m/%Y} — {case.subject}"
    vi = ["Người ký văn bản không khớp hồ sơ đơn vị", "", f"Văn bản: {doc}", f"Người ký đọc được: {read}"]
    en = ["The signer does not match the commune profile", "", f"Document: {doc}", f"Signer read: {read}"]
    expected = ", ".join(check.get("expected") or [])
    when = f" vào ngày {case.issued:%d/%m/%Y}" if check.get("profile_date") else ""
    if role_vi and expected:
        vi.append(f"Theo hồ sơ đơn vị, {role_vi} {body}{when} là: {expected}.")
        en.append(f"The profile's {role_vi} of {body}: {expected}.")
    else:
        vi.append(f"Tên này không có trong danh sách người ký, lãnh đạo và công chức của {body} trong hồ sơ đơn vị.")
        en.append(f"This name is not among the signers, leaders and civil servants of {body} in the profile.")
    if check.get("holder_of_name"):
        vi.append(f"Hồ sơ đơn vị có người tên này nhưng với chức danh: {check['holder_of_name']} — khác chức danh "
                  "in trên văn bản.")
        en.append(f"The profile has this name as: {check['holder_of_name']}, not the title printed.")
    if check.get("other_terms"):
        vi.append(f"Hồ sơ đơn vị ghi {check['signer']} là: {'; '.join(check['other_terms'])} — không phải vào ngày "
                  f"{case.issued:%d/%m/%Y} của văn bản. Kiểm tra ngày ban hành đọc được, hoặc mốc 'from:'/'until:' "
                  "trong hồ sơ đơn vị.")
        en.append(f"The profile gives {check['signer']} that post on other dates: {'; '.join(check['other_terms'])}.")
    vi += ["", f"Văn bản VẪN được tiếp nhận và lưu vào hồ sơ{': ' + where if where else ''}; các giấy tờ công khai "
           "vẫn được lập.", ""]
    en += ["", f"The document WAS filed{': ' + where if where else ''}; its disclosure papers are made as usual.", ""]
    if check.get("sample"):
        which = "cho chức danh này" if role_vi and expected else "cho lãnh đạo, công chức"
        vi.append(f"Lưu ý: hồ sơ đơn vị ({profile_path or 'commune.yaml'}) đang ghi TÊN MẪU {which} "
                  "(đánh dấu 'sample: true'), chưa phải tên thật. Văn bản có thể hoàn toàn đúng: hãy thay tên mẫu "
                  "bằng tên thật của người ký trong hồ sơ đơn vị.")
        en.append("Note: the profile holds SAMPLE names for this title (sample: true); the document may well be "
                  "right. Replace the sample names with the real ones.")
    else:
        vi.append("Cách xử lý: kiểm tra văn bản có đúng của " + body + " và đúng người ký không. Nếu người ký mới "
                  f"nhận nhiệm vụ, cập nhật danh sách người ký trong hồ sơ đơn vị ({profile_path or 'commune.yaml'}). "
                  "Nếu máy đọc sai tên, sửa trường 'signer' bằng thao tác sửa hồ sơ (congkhai_action_correct).")
        en.append("Check the document and its signer; update the profile's signers if they changed, or correct "
                  "the 'signer' field (congkhai_action_correct) if it was misread.")
    vi.append("Xóa ghi chú này khi đã xem.")
    en.append("Delete this note when done.")
    return vi, en
