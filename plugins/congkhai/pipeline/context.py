"""What every pipeline step needs about one commune, loaded once per step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from congkhai.archive.store import Archive, CaseFolder
from congkhai.case import Case
from congkhai.commune import Commune, load_commune
from congkhai.config import Settings, settings
from congkhai.documents.register import Register
from congkhai.errors import PermanentError
from congkhai.plan import Item, Plan, load_plan
from congkhai.schedule import Schedule, ScheduledCase, asked_period, compute_schedule
from congkhai.workdays import WorkCalendar, default_calendar

#: The plan item used for the schedule of a document that is in no plan item (an "activity plan" case).
FALLBACK_ITEM = "N-14"


@dataclass
class CommuneRun:
    """One commune, its settings, archive, register and plans."""

    code: str
    settings: Settings = field(default_factory=settings)

    @cached_property
    def commune(self) -> Commune:
        return load_commune(self.code, self.settings)

    def commune_on(self, day: dt.date, *, groups_on: dt.date | None = None) -> Commune:
        """The commune profile as of ``day`` (``Commune.on``): what a document dated that day prints.
        ``groups_on``: the residential groups of that day (where a case was posted)."""
        return self.commune.on(day, groups_on=groups_on)

    def profile_for(self, kind: str, default_date: dt.date, **build: Any) -> Commune:
        """The profile a document is built with: as of the date it is dated (``document_date``, else
        ``default_date``, the date it is filed under), its groups those of its case's posting start.
        A document made again later prints what it printed then, whatever changed in the profile since."""
        from congkhai.documents.context import document_date

        schedule = build.get("schedule")
        groups_on = schedule.posting_start if schedule is not None else None
        day = default_date
        for _ in range(3):  # the date may depend on the profile (its groups): settle it
            commune = self.commune_on(day, groups_on=groups_on)
            try:
                dated = document_date(kind, commune=commune, **build)
            except PermanentError:  # an answer the builder refuses, naming it: the builder reports it
                return commune
            if (dated or default_date) == day:
                return commune
            day = dated or default_date
        return self.commune_on(day, groups_on=groups_on)

    def posted_profile(self, case: Case) -> Commune:
        """The profile as of the case's posting start: the residential groups it was posted in."""
        schedule = self.schedule_of(case)
        return self.commune_on(schedule.posting_start if schedule is not None else case.issued)

    @cached_property
    def archive(self) -> Archive:
        return Archive(self.settings.archive_root, self.code, index_url=self.settings.index_url)

    @cached_property
    def register(self) -> Register:
        return Register(self.code, settings=self.settings)

    @cached_property
    def calendar(self) -> WorkCalendar:
        return default_calendar(self.settings)

    def plan(self, year: int) -> Plan | None:
        cache = self.__dict__.setdefault("_plans", {})
        if year not in cache:
            try:
                cache[year] = load_plan(self.code, year, self.settings)
            except Exception:  # noqa: BLE001 - no plan for that year: documents say so, nothing breaks
                cache[year] = None
        return cache[year]

    def plan_of(self, case: Case) -> Plan | None:
        """The plan a case's item belongs to: the one intake classified it with (``extra.plan_year``: the
        issue year's, or the nearest when that year had none), else its issue year's, else the year before.
        Never the year it was dropped or is processed in."""
        recorded = case.extra.get("plan_year") if isinstance(case.extra, dict) else None
        if isinstance(recorded, int) and (plan := self.plan(recorded)) is not None:
            return plan
        return self.plan(case.issued.year) or self.plan(case.issued.year - 1)

    def item_of(self, case: Case) -> tuple[Item | None, bool]:
        """The plan item of a case, and whether it is in the yearly plan (False → an activity plan)."""
        plan = self.plan_of(case)
        if plan is None:
            return None, False
        if case.item and case.item in plan.codes:
            return plan.item(case.item), True
        return (plan.item(FALLBACK_ITEM) if FALLBACK_ITEM in plan.codes else None), False

    def posting_day(self, case: Case) -> dt.date | None:
        """The posting date the documents print: the one an operator recorded; else, for a document
        dropped later than the working day after its issuance, the working day it was dropped (it
        cannot have been posted before the office had it); else None (the schedule's default)."""
        if case.posted is not None:
            return case.posted
        if case.dropped is not None and case.dropped > self.calendar.next_working_day(case.issued):
            return self.calendar.working_day_on_or_after(case.dropped)
        return None

    def schedule_of(self, case: Case) -> Schedule | None:
        """The case's schedule: the one place the pipeline computes a date (None: no plan item)."""
        item, _ = self.item_of(case)
        if item is None:
            return None
        asked = asked_period(case)  # the period a cover letter states: before the late-drop rule
        posted = case.posted if asked.start else self.posting_day(case)
        return compute_schedule(item, case.issued, posted=posted, commune=self.commune, calendar=self.calendar,
                                asked=asked)

    def scheduled(self, case: Case) -> ScheduledCase:
        """The case with its plan item and schedule: what a document builder receives."""
        item, _ = self.item_of(case)
        return ScheduledCase(case=case, item=item, schedule=self.schedule_of(case))

    def case_folders(self) -> list[CaseFolder]:
        """Every case folder of the commune (not the per-year folders), oldest first."""
        if not self.archive.commune_dir.is_dir():
            return []
        return [f for f in self.archive.iter_folders() if not f.is_year]


def schedule_record(schedule: Schedule, in_plan: bool) -> dict:
    """The schedule as stored in a case manifest (ISO dates; the CLI keys plus what the pipeline uses)."""
    rec = schedule.to_json_dict()
    rec.update(
        quarter=schedule.quarter,
        quarter_year=schedule.quarter_year,
        permanent=schedule.permanent,
        days_late=schedule.days_late,
        in_plan=in_plan,
    )
    return rec


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None
