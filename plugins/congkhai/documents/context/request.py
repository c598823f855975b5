"""What a source document asks to post (``case.posting_request``): the documents, the places, the people.

Công văn 245/UBND-VP asks the Địa chính officer and the leaders of TDP 4 and 5 to post the district's
land-recovery notice of 05/8/2024 and the list of affected households at the People's Committee and
at those two cultural houses, from 14/8 to the end of 12/9/2024. Intake reads such a request
(:mod:`congkhai.intake.cover`) and keeps it on the case; the case's documents follow it:

- **what** is posted: the documents it refers to, ``kèm theo`` the letter itself (:func:`disclosed`);
- **where**: the headquarters when it says so, and only the groups it lists (:meth:`Asked.group_codes`,
  :func:`channel_kinds`);
- **by whom**: the civil servant of the role it names (``blocks.responsible_person``);
- **when**: its period, through the schedule (``Schedule.asked_*``, computed by
  :func:`congkhai.schedule.asked_period` and ``compute_schedule``), never re-derived here.

A case without a request, or whose request names no place, follows its plan item's channels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from congkhai.case import Case
from congkhai.commune import Commune, ResidentialGroup
from congkhai.documents.context.wording import about, dmy, document_ref, issuer_name, lower_first
from congkhai.intake.cover import DocRef, PostingRequest
from congkhai.plan import Item

#: The channels of a case without a plan item.
DEFAULT_KINDS = ("portal", "ubnd_board", "cultural_house", "group_leaders")


@dataclass(frozen=True)
class Asked:
    """The posting request of a case, validated (``request`` None: the document asks nothing)."""

    request: PostingRequest | None = None

    @classmethod
    def of(cls, case: Case | None) -> Asked:
        raw = case.posting_request if case is not None else None
        if not raw:
            return cls()
        try:
            return cls(PostingRequest.model_validate(raw))
        except ValidationError:  # a stored request is validated when corrected; a broken one asks nothing
            return cls()

    @property
    def places_given(self) -> bool:
        """Whether the document says where to post (then the places are its own, not the plan item's)."""
        p = self.request.places if self.request else None
        return bool(p and (p.hq or p.groups or p.all_groups))

    @property
    def hq(self) -> bool | None:
        """Posted at the People's Committee's headquarters (None: the document does not say where)."""
        return self.request.places.hq if self.request and self.places_given else None

    def group_codes(self, commune: Commune) -> list[str] | None:
        """The groups whose cultural houses the document lists, in the profile's order (``[]``: none;
        None: it names no place, the plan item decides)."""
        if not self.places_given:
            return None
        assert self.request is not None
        if self.request.places.all_groups:
            return [g.code for g in commune.groups]
        wanted = set(self.request.places.groups)
        return [g.code for g in commune.groups if g.code in wanted]

    def groups(self, commune: Commune) -> list[ResidentialGroup] | None:
        codes = self.group_codes(commune)
        return None if codes is None else [commune.group(c) for c in codes]

    @property
    def roles(self) -> list[str]:
        return list(self.request.roles) if self.request else []


def channel_kinds(item: Item | None, asked: Asked, commune: Commune) -> list[str]:
    """The channels of a case: its plan item's, with the UBND board and the cultural houses as the
    document asks (posted at the headquarters only when it says so, at cultural houses only when it
    lists groups)."""
    kinds = [c.kind for c in item.channels] if item is not None else list(DEFAULT_KINDS)
    if not asked.places_given:
        return kinds
    groups = asked.group_codes(commune) or []
    wanted = {"ubnd_board": bool(asked.hq), "cultural_house": bool(groups)}
    out = [k for k in kinds if wanted.get(k, True)]
    for k in ("ubnd_board", "cultural_house"):  # asked for, though the item does not post there
        if wanted[k] and k not in out:
            out.insert(1 if k == "ubnd_board" else len([x for x in out if x in ("portal", "ubnd_board")]), k)
    return out


def names_list(names: Sequence[str]) -> str:
    """``Tổ dân phố số 1, 3, 7`` for names that share their words but the last; else joined with commas."""
    heads = {n.rsplit(" ", 1)[0] for n in names if " " in n}
    if len(names) > 1 and len(heads) == 1 and all(" " in n for n in names):
        head = heads.pop()
        return f"{head} " + ", ".join(n.rsplit(" ", 1)[1] for n in names)
    return ", ".join(names)


def groups_text(groups: Sequence[ResidentialGroup]) -> str:
    """``tổ dân phố số 4, 5`` (the groups a document lists, as a sentence names them)."""
    return lower_first(names_list([g.name for g in groups]))


def _same_number(a: str, b: str) -> bool:
    return re.sub(r"\s+", "", a).upper() in re.sub(r"\s+", "", b).upper()


def ref_text(ref: DocRef) -> str:
    """``Thông báo số 125/TB-UBND ngày 05/08/2024 của UBND huyện Lạng Giang về việc thu hồi đất …``; a
    document named only by what it is: ``danh sách các hộ gia đình, cá nhân có đất bị thu hồi``."""
    kind = (ref.type or "văn bản").lower()
    if ref.number is None and ref.date is None:
        return f"{kind} {ref.subject}".strip() if ref.subject else kind
    parts = [kind[:1].upper() + kind[1:]]
    if ref.number:
        parts.append(f"số {ref.number}")
    if ref.date:
        parts.append(f"ngày {dmy(ref.date)}")
    if ref.issuer:  # only the issuer the document names: never assumed to be the commune
        parts.append(f"của {issuer_name(ref.issuer, None)}")
    if ref.subject:
        parts.append(about(ref.subject))
    return " ".join(parts)


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " và " + items[-1]


def posted_documents(request: PostingRequest) -> list[str]:
    """What the request asks to post, in its own order: each document it refers to in full, and what
    the posting sentence names besides (``bản vẽ quy hoạch tổng mặt bằng sử dụng đất``)."""
    docs = list(request.documents)
    out: list[str] = []
    used: list[DocRef] = []
    for part in re.split(r"\s+và\s+", request.content or ""):
        part = part.strip(" ,;.")
        if not part:
            continue
        ref = next((r for r in docs if r.number and _same_number(r.number, part) and r not in used), None)
        if ref is not None:
            out.append(ref_text(ref))
            used.append(ref)
        elif out and f"và {part}" in out[-1]:
            continue  # the end of a subject printed in full ("… thu hồi đất và giải phóng mặt bằng")
        else:
            out.append(lower_first(part))
            used += [r for r in docs if r.number is None and r.subject and r.subject in part]
    out += [ref_text(r) for r in docs if r not in used and not (r.subject and r.subject in (request.content or ""))]
    if out:
        out[0] = out[0][:1].upper() + out[0][1:]
    return out


def disclosed(case: Case, commune: Commune) -> str:
    """What a posting document names as posted: the case's document (``Quyết định số 15/QĐ-UBND ngày
    05/01/2024 của UBND thị trấn Kép về việc …``), or, for a letter asking to post other documents,
    those documents ``(kèm theo Công văn số 245/UBND-VP ngày 12/08/2024 của UBND thị trấn Kép về việc …)``."""
    own = document_ref(case, commune)
    asked = Asked.of(case)
    what = posted_documents(asked.request) if asked.request is not None and asked.request.documents else []
    if not what:
        return own
    return f"{_and(what)} (kèm theo {own})"


def period_source(case: Case, commune: Commune) -> str:
    """``theo Công văn số 245/UBND-VP ngày 12/08/2024`` (with ``của UBND huyện …`` for another body's
    document): where a period stated by the case's document comes from."""
    dtype = (case.doc_type or "văn bản").lower()
    parts = [f"theo {dtype[:1].upper() + dtype[1:]}"]
    if case.number_notation:
        parts.append(f"số {case.number_notation}")
    parts.append(f"ngày {dmy(case.issued)}")
    issuer = issuer_name(case.issuer, commune)
    if issuer and issuer.casefold() != (commune.body_short or "").casefold():
        parts.append(f"của {issuer}")
    return " ".join(parts)
