"""Context builders: from the commune profile, the plan, a case and its schedule to a template context.

``build_context(kind, commune, …)`` returns exactly the fields of the kind's manifest (plus the
text-only ones of the group notice). The package, one module per concern:

- :mod:`.wording`: dates in words, references to the disclosed document, channel names, blanks;
- :mod:`.facts`: what people recorded about a case (``case.evidence``) and the state it gives a
  document: a **draft** (dự thảo: ``DỰ THẢO`` on every page, unknown facts as dotted blanks,
  placeholder names marked ``(mẫu)``) or a **final** (only recorded facts, no placeholder);
- :mod:`.blocks`: the Nghị định 30 header, signatures, official numbers, the people of a minute,
  :func:`is_final` and :func:`document_date` (the date each kind is dated: builders and pipeline use
  the same rule);
- :mod:`.request`: what the case's document asks to post (``case.posting_request``: a cover letter's
  documents, places, responsible civil servant; its period reaches the builders through the schedule);
- :mod:`.plans`: the yearly plan, the plan of a specific activity;
- :mod:`.postings`: one case's start minutes, notice to group leaders, broadcast report, end minutes;
- :mod:`.lists`: the quarterly list and the council report (many cases, each with its schedule, and the
  documents waiting for a person in ``review/``, which are not disclosed yet).

Official numbers (``numbering`` in ``commune.yaml``): ``clerk`` (default) — the clerk's number
recorded for the document (``case.evidence.numbers[<document key>]``), else ``Số:       /BB-UBND``
left blank; ``register`` — a final takes the next number of this product's register
(``Register.number_for``, a stable key per document, ``f"{case_id}/{kind}/{group}"``, so rendering
it again reuses its number). A draft is never given a number.

Dates: nothing here computes a date. Every builder that prints one receives the case's
:class:`~congkhai.schedule.Schedule` (``CommuneRun.schedule_of``: the one place a date is
computed) as a required argument; lists receive :class:`~congkhai.schedule.ScheduledCase` values.
A case without a schedule (no plan item) prints a dotted blank to fill in by hand, never a guess.
Builders receive values (commune profile, plan, item, schedule, register): nothing here loads
configuration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from congkhai.case import Case
from congkhai.commune import Commune, upper_vi
from congkhai.documents.context.blocks import (
    doc_key,
    document_date,
    header_fields,
    is_final,
    number_key,
    signer_fields,
)
from congkhai.documents.context.facts import DRAFT_MARK, Printer, Recorded, State, draft_title
from congkhai.documents.context.lists import WaitingDocument, case_row, council_report, quarterly_list
from congkhai.documents.context.plans import activity_plan, yearly_plan
from congkhai.documents.context.postings import (
    broadcast_report,
    group_notice,
    posting_end,
    posting_start_group,
    posting_start_ubnd,
)
from congkhai.documents.context.request import Asked, disclosed
from congkhai.documents.context.wording import (
    BLANK_DATE_WORDS,
    BLANK_DMY,
    channel_line,
    document_ref,
    issuer_name,
    leader_of,
    period_text,
)
from congkhai.documents.kinds import KINDS, all_fields, get_kind
from congkhai.documents.register import Register
from congkhai.errors import PermanentError, UsageError
from congkhai.plan import Item, Plan
from congkhai.schedule import Schedule, ScheduledCase

#: Options a context file (CLI) may give besides the fields: where they go.
CASE_FIELDS = frozenset(Case.__dataclass_fields__) - {"extra"}
OPTION_FIELDS = frozenset({"commune", "year", "group", "quarter", "cases", "date", "number", "signer",
                           "period_start", "period_end", "period_label", "channels"})

#: The builder of each kind made for one case (the kind table's ``per_year`` kinds are built below):
#: ``(builder, takes_group)``.
CASE_BUILDERS: dict[str, tuple[Callable[..., dict[str, Any]], bool]] = {
    "activity_plan": (activity_plan, False),
    "posting_start_ubnd": (posting_start_ubnd, False),
    "posting_start_group": (posting_start_group, True),
    "group_notice": (group_notice, True),
    "broadcast_report": (broadcast_report, False),
    "posting_end": (posting_end, True),
}


def build_context(
    kind: str,
    commune: Commune,
    *,
    item: Item | None,
    schedule: Schedule | None,
    year: int | None = None,
    case: Case | None = None,
    plan: Plan | None = None,
    group: str | None = None,
    register: Register | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The context of ``kind`` from values the caller holds (nothing is loaded here).

    ``item`` and ``schedule`` are the case's plan item and schedule (``CommuneRun.item_of`` /
    ``schedule_of``; None for the kinds of the whole year, or when the case has no plan item: its
    dates are then blanks to fill in). ``plan``: the yearly plan (``yearly_plan`` only).
    ``options`` go to the kind's builder (``date``, ``number``, ``quarter``, ``cases``: a sequence of
    :class:`ScheduledCase` for the quarterly list and the council report; ``doc``: the document's key
    in the case, whose clerk's number is looked up; ``recorded``: the facts to print instead of the
    case's own, e.g. none for a January re-posting …). Each document is a draft or a final
    (:func:`state_of`); a final that would print a placeholder of ``commune.yaml`` raises
    ``PermanentError(kind="sample_value")`` naming the field.
    """
    k = get_kind(kind)
    y = year or (case.issued.year if case else None) or dt.date.today().year
    if k.per_year:
        if kind == "yearly_plan":
            if plan is None:
                raise UsageError(f"Chưa có kế hoạch công khai năm {y} của {commune.code} (plan-{y}.yaml)",
                                 f"No disclosure plan {y} for {commune.code} (plan-{y}.yaml)", kind="no_plan",
                                 field="plan")
            return yearly_plan(commune, plan, register=register, **options)
        cases = options.pop("cases", ())
        if kind == "quarterly_list":
            quarter = options.pop("quarter", None) or 1
            return quarterly_list(commune, y, int(quarter), cases, register=register, **options)
        return council_report(commune, y, cases, register=register, **options)
    if case is None:
        raise UsageError(
            f"Văn bản {kind} cần thông tin văn bản được công khai (issued, subject…)",
            f"Kind {kind} needs the disclosed document (issued, subject, …)", kind="missing_field", field="subject",
        )
    builder, takes_group = CASE_BUILDERS[kind]
    if kind == "posting_start_group":
        group = group or (commune.groups[0].code if commune.groups else None)
        if group is None:
            raise UsageError("Cần mã thôn/tổ dân phố (group)", "A group code is needed", field="group")
    if takes_group:
        options["group"] = group
    return builder(commune, case, item=item, schedule=schedule, register=register, **options)


def state_of(ctx: dict[str, Any]) -> State:
    """The state of a built document: ``draft`` when its pages carry the DỰ THẢO mark, else ``final``."""
    return "draft" if ctx.get("draft_mark") else "final"


def check_context(kind: str, ctx: dict[str, Any]) -> None:
    """Every manifest field present (the builders and the manifests must agree)."""
    missing = sorted(set(all_fields(kind)) - set(ctx))
    if missing:
        raise PermanentError(f"Thiếu trường {', '.join(missing)} cho {kind}", f"Missing {missing} for {kind}",
                             kind="missing_field", field=missing[0])


__all__ = [
    "Asked", "WaitingDocument", "disclosed",
    "BLANK_DATE_WORDS", "BLANK_DMY", "CASE_BUILDERS", "CASE_FIELDS", "DRAFT_MARK", "KINDS", "OPTION_FIELDS",
    "Printer", "Recorded", "ScheduledCase", "State", "activity_plan", "broadcast_report", "build_context",
    "case_row", "channel_line", "check_context", "council_report", "doc_key", "document_date", "document_ref",
    "draft_title", "group_notice", "header_fields", "is_final", "issuer_name", "leader_of", "number_key",
    "period_text", "posting_end", "posting_start_group", "posting_start_ubnd", "quarterly_list", "signer_fields",
    "state_of", "upper_vi", "yearly_plan",
]
