"""The posting date the documents print, before an operator records the real one.

GIVEN a document issued on Friday 1 March 2024 WHEN it is dropped the same day THEN it is posted on
the working day after its issuance (Monday 4 March, on time); WHEN it is dropped on Saturday 16 March
THEN it cannot have been posted before the office had it: posting starts Monday 18 March, past the
5-working-day deadline (8 March), so the case is late; WHEN an operator records a date, that date wins.
"""

from __future__ import annotations

import datetime as dt

import pytest

from congkhai.case import Case
from congkhai.pipeline.context import CommuneRun


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("CONGKHAI_DATA", str(tmp_path))
    return CommuneRun("kep")


def case(**kw) -> Case:
    return Case(commune="kep", issued=dt.date(2024, 3, 1), subject="Dự toán", doc_number="15",
                doc_code="QĐ-UBND", item="Q1-8", **kw)


def test_dropped_on_issue_day(run):
    s = run.schedule_of(case(dropped=dt.date(2024, 3, 1)))
    assert s.posting_start == dt.date(2024, 3, 4) and s.deadline == dt.date(2024, 3, 8) and not s.late


def test_dropped_late_is_posted_when_dropped_and_flagged(run):
    s = run.schedule_of(case(dropped=dt.date(2024, 3, 16)))
    assert s.posting_start == dt.date(2024, 3, 18) and s.late


def test_recorded_posting_wins(run):
    s = run.schedule_of(case(dropped=dt.date(2024, 3, 16), posted=dt.date(2024, 3, 5)))
    assert s.posting_start == dt.date(2024, 3, 5) and not s.late
