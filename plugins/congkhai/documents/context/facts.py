"""What people recorded about a case, and how a document prints it: a draft (dự thảo) or a final.

The first rule of the documents: **a generated document never states a fact that no source document
and no person recorded.** A fact a person must record (when and by whom a document was posted, who
witnessed it, the days and sessions broadcast, the feedback received, the clerk's official number)
is printed only from ``case.evidence`` (:mod:`congkhai.evidence`); until then it is a dotted blank
to fill in by hand, and the document is a **draft**: every page carries ``DỰ THẢO`` in its header
and its PDF title begins with ``DỰ THẢO - ``. A **final** is made only when every fact it prints was
recorded; it never prints a placeholder of ``commune.yaml`` (``sample: true``): making one that
would refuses, naming the field to fill.

- :class:`Recorded`: a case's recorded facts, read once (``Recorded.of(case)``);
- :class:`Who`: a person a document names, with where the name comes from;
- :class:`Printer`: the state of one document and how it prints names and marks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from congkhai import evidence
from congkhai.case import Case
from congkhai.commune import Commune, Person, ResidentialGroup
from congkhai.documents.context.request import Asked
from congkhai.documents.context.wording import leader_of
from congkhai.documents.kinds import DRAFT_MARK
from congkhai.errors import PermanentError

State = Literal["draft", "final"]
#: Appended to a placeholder name of ``commune.yaml`` on a draft.
SAMPLE_SUFFIX = "(mẫu)"


def draft_title(title: str, state: State) -> str:
    """``DỰ THẢO - Biên bản …`` for a draft; the title unchanged for a final."""
    return f"{DRAFT_MARK} - {title}" if state == "draft" and not title.startswith(DRAFT_MARK) else title


@dataclass(frozen=True)
class Recorded:
    """The facts recorded for one case (``None``: that section was not answered)."""

    posting: evidence.PostingFacts | None = None
    broadcast: evidence.BroadcastFacts | None = None
    end: evidence.EndFacts | None = None
    numbers: Mapping[str, int] = field(default_factory=dict)
    posted: dt.date | None = None  # a posting day recorded alone (the older ``record_posting`` action)
    asked: Asked = field(default_factory=Asked)  # what the document asks to post (its places)

    @classmethod
    def of(cls, case: Case | None) -> Recorded:
        if case is None:
            return cls()
        asked = Asked.of(case)
        if not case.evidence:
            return cls(posted=case.posted, asked=asked)
        return cls(
            posting=evidence.facts_of(case.evidence, "posting"),
            broadcast=evidence.facts_of(case.evidence, "broadcast"),
            end=evidence.facts_of(case.evidence, "end"),
            numbers=evidence.facts_of(case.evidence, "numbers") or {},
            posted=case.posted,
            asked=asked,
        )

    @property
    def posted_day(self) -> dt.date | None:
        """The day the document was posted, as a person recorded it (None: not recorded)."""
        return self.posting.at.date() if self.posting else self.posted

    def posted_groups(self, commune: Commune) -> list[ResidentialGroup] | None:
        """The groups whose cultural house the posting answer lists (in the commune's order); ``all``:
        every group the document asks to post at (every group when it lists none); None while no posting
        was recorded. An unknown group code is refused, named."""
        if self.posting is None:
            return None
        if self.posting.groups == "all":
            asked = self.asked.groups(commune)
            return list(commune.groups) if asked is None else asked
        wanted = list(dict.fromkeys(self.posting.groups))
        known = {g.code for g in commune.groups}
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise PermanentError(
                f"Xác nhận niêm yết ghi {commune.group_word} không có trong commune.yaml: {', '.join(unknown)}",
                f"posting answer names unknown groups: {unknown}", kind="bad_evidence", field="posting.groups",
            )
        return [g for g in commune.groups if g.code in wanted]

    def posted_at_group(self, commune: Commune, code: str) -> bool:
        groups = self.posted_groups(commune)
        return groups is not None and any(g.code == code for g in groups)


@dataclass(frozen=True)
class Who:
    """A person a document names: ``field`` says where ``commune.yaml`` holds the name (empty for a
    name a person recorded); ``sample``: the name is a placeholder of ``commune.yaml``."""

    name: str
    title: str = ""
    sample: bool = False
    field: str = ""

    @classmethod
    def of(cls, person: Person | None, where: str, title: str | None = None) -> Who:
        if person is None:
            return cls(name="", title=title or "", field=where)
        return cls(name=person.name, title=person.title if title is None else title, sample=person.sample,
                   field=where)


class Printer:
    """How one document prints: ``final`` (only recorded facts, no placeholder) or a draft."""

    def __init__(self, commune: Commune, final: bool, kind: str) -> None:
        self.commune = commune
        self.final = final
        self.kind = kind

    @property
    def state(self) -> State:
        return "final" if self.final else "draft"

    def fields(self) -> dict[str, Any]:
        """The fields every template has for its state (the page-header mark)."""
        return {"draft_mark": "" if self.final else DRAFT_MARK}

    def name(self, who: Who) -> str:
        """The name to print: a placeholder is marked ``(mẫu)`` on a draft and refused on a final."""
        if not who.name:
            return ""
        if not who.sample:
            return who.name
        if self.final:
            path = f"communes/{self.commune.code}/commune.yaml"
            flag = "groups_sample: true / sample: true" if who.field.startswith("groups[") else "sample: true"
            raise PermanentError(
                f"Không lập được bản chính thức ({self.kind}): '{who.name}' ở trường {who.field} của {path} là "
                f"dữ liệu mẫu. Hãy điền tên thật vào trường {who.field} và bỏ đánh dấu mẫu ({flag}), rồi lập "
                "lại văn bản.",
                f"cannot make a final {self.kind}: {who.field} of {path} is a sample value ({who.name!r})",
                kind="sample_value", field=who.field, path=path,
            )
        name = who.name.removesuffix(SAMPLE_SUFFIX).rstrip()
        return f"{name} {SAMPLE_SUFFIX}"


def leader_who(commune: Commune, grp: ResidentialGroup) -> Who:
    """A group's leader as a minute names them (``groups[tdp01].leader``)."""
    return Who(name=grp.leader, title=leader_of(commune, grp), sample=commune.leader_is_sample(grp),
               field=f"groups[{grp.code}].leader")
