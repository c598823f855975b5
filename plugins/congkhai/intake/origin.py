"""Whose document is it? The issuer against the commune's profile, and whether it is sent here to post.

A commune discloses its own documents, and also what its superiors send down to be posted (a
district notice "Kính gửi: UBND thị trấn Kép …", "đề nghị UBND các xã, thị trấn niêm yết …").
Another commune's document dropped by mistake must not be filed and posted as this commune's: it
goes to review with a note naming its issuer, unless staff confirm it with ``issuer:`` in a sidecar.

Names are compared on folded text (no diacritics, lower case, punctuation as spaces), with the
unit word of the commune's kind (``xã``/``phường``/``thị trấn``), so ``UBND XÃ TÂN DĨNH``,
``Ủy ban nhân dân xã Tân Dĩnh`` and ``UBND xa Tan Dinh`` are one body, and ``xã Kép`` is not
``thị trấn Kép``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from congkhai.intake.classify import norm

#: Folded unit words of each commune kind (with the abbreviations seen in headers).
UNIT_FORMS: dict[str, tuple[str, ...]] = {"xa": ("xa",), "phuong": ("phuong",), "thi_tran": ("thi tran", "tt")}
#: Folded unit words that may follow "các" when a document is addressed to every commune.
_PLURAL_UNITS = r"(?:(?:xa|phuong|thi tran|thi xa|tt)\s*)+"
#: Lines that end the header block (the motto, the number line).
_HEADER_END = re.compile(r"^(cong hoa|doc lap|s[o0]\s*[:.]?\s*\d)")
#: Lines that end a "Kính gửi" list.
_RECIPIENTS_END = ("can cu", "thuc hien", "de nghi", "ubnd huyen", "vao hoi", "hom nay", "theo ")


@dataclass(frozen=True)
class Origin:
    """``own``: issued by this commune's bodies; ``addressed``: sent here to be posted; ``confirmed``:
    staff named the issuer in a sidecar; ``unknown``: no issuer could be read; ``foreign``: another
    body's document, not addressed here."""

    status: str
    issuer: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "foreign"


def _own_patterns(commune: Any) -> list[str]:
    """`` thi tran kep `` / `` tt kep ``: the commune's name with each form of its unit word."""
    name = norm(commune.name)
    proper = name
    for form in UNIT_FORMS[commune.kind]:
        if name.startswith(form + " "):
            proper = name[len(form) + 1:]
            break
    return [f" {form} {proper} " for form in UNIT_FORMS[commune.kind]]


def names_commune(text: str | None, commune: Any) -> bool:
    """Does ``text`` name this commune (``UBND THỊ TRẤN KÉP``, ``thị trấn Kép``, ``TT Kép``)?"""
    hay = f" {norm(text or '')} "
    return any(p in hay for p in _own_patterns(commune))


def _addresses_every_commune(text: str, commune: Any) -> bool:
    """``UBND các xã, thị trấn``: every commune of this commune's kind."""
    for m in re.finditer(r"\bcac\s+(" + _PLURAL_UNITS + ")", norm(text)):
        units = f" {m.group(1).strip()} "
        if any(f" {form} " in units for form in UNIT_FORMS[commune.kind]):
            return True
    return False


def header_lines(lines: list[str]) -> list[str]:
    """The top-left header block: the lines before the motto or the ``Số:`` line (at most 6)."""
    out = []
    for line in lines[:8]:
        f = norm(line)
        if not f:
            continue
        if _HEADER_END.match(f) or len(out) == 6:
            break
        out.append(line)
    return out


def recipients(lines: list[str]) -> str | None:
    """The ``Kính gửi:`` line and the list under it (``- UBND thị trấn Kép;``), joined; None if absent."""
    for i, line in enumerate(lines):
        f = norm(line)
        if not f.startswith("kinh gui"):
            continue
        parts = [line.split(":", 1)[1] if ":" in line else line[8:]]
        for nxt in lines[i + 1:i + 12]:
            s = nxt.strip()
            if not s or not s.startswith(("-", "+", "•", "–")) or norm(s).startswith(_RECIPIENTS_END):
                break
            parts.append(s)
        return " ".join(p.strip() for p in parts if p.strip()) or None
    return None


def asks_to_post(text: str, commune: Any) -> bool:
    """A sentence asking this commune (or every commune of its kind) to post (niêm yết) something."""
    for sentence in re.split(r"[.;!?\n]\s*|\s-\s", text):
        n = norm(sentence)
        if "niem yet" in n and (names_commune(sentence, commune) or _addresses_every_commune(sentence, commune)):
            return True
    return False


def check_origin(info: Any, commune: Any, *, confirmed_issuer: str | None = None) -> Origin:
    """Whose document ``info`` (a ``DocumentInfo``) is, for ``commune`` (a ``congkhai.commune.Commune``)."""
    if confirmed_issuer:
        return Origin("confirmed", confirmed_issuer)
    lines = (getattr(info, "text", "") or "").splitlines()
    issuer = info.issuer
    if names_commune(issuer, commune) or any(names_commune(h, commune) for h in header_lines(lines)):
        return Origin("own", issuer)
    if not issuer:
        return Origin("unknown", None)
    to = recipients(lines)
    if to and (names_commune(to, commune) or _addresses_every_commune(to, commune)):
        return Origin("addressed", issuer)
    if asks_to_post(" ".join(lines), commune):
        return Origin("addressed", issuer)
    return Origin("foreign", issuer)
