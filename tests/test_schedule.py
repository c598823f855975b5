"""The schedule engine: deadlines, posting windows, radio days, lateness (docs/counting-rule.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from congkhai.commune import CountingRule, load_commune
from congkhai.errors import UsageError
from congkhai.plan import load_plan
from congkhai.schedule import compute_schedule
from congkhai.workdays import PACKAGE_CALENDAR_DIR, WorkCalendar

D = dt.date
CAL = WorkCalendar([PACKAGE_CALENDAR_DIR])
PLAN = load_plan("kep", 2024)
KEP = load_commune("kep")


def sched(code: str, issued: dt.date, posted: dt.date | None = None, commune=KEP):
    return compute_schedule(PLAN.item(code), issued, posted, commune=commune, calendar=CAL)


def test_section_2_item_ordinary_week():
    """GIVEN a budget decision (Q1-8) issued Fri 5/1/2024 THEN deadline Fri 12/1, posted Mon 8/1
    for 30 days to Wed 7/2, radio 8–10/1, report Thu 11/1."""
    s = sched("Q1-8", D(2024, 1, 5))
    assert s.deadline == D(2024, 1, 12)
    assert s.posting_start == D(2024, 1, 8)
    assert s.posting_end == D(2024, 2, 7)
    assert s.broadcast_days == [D(2024, 1, 8), D(2024, 1, 9), D(2024, 1, 10)]
    assert s.broadcast_report_due == D(2024, 1, 11)
    assert not s.late and s.days_late == 0
    assert s.quarter == 1 and s.plan_quarter == 1 and s.law_item == 2


def test_over_tet_posting_ends_on_a_saturday():
    """Issued Wed 7/2/2024, the day before Tết: 5 working days end Wed 21/2; the 30-day posting
    from Thu 15/2 ends Sat 16/3 → moved to Mon 18/3; the report of radio 15–17/2 is due Mon 19/2."""
    s = sched("Q1-7", D(2024, 2, 7))
    assert s.deadline == D(2024, 2, 21)
    assert s.posting_start == D(2024, 2, 15)
    assert s.posting_end == D(2024, 3, 18)
    assert s.broadcast_days == [D(2024, 2, 15), D(2024, 2, 16), D(2024, 2, 17)]
    assert s.broadcast_report_due == D(2024, 2, 19)


def test_deadline_on_the_make_up_saturday():
    """Issued Wed 24/4/2024: 25, 26 Apr, (27/4–1/5 off), 2, 3 May and Sat 4 May (make-up) → 4 May."""
    s = sched("N-1", D(2024, 4, 24))
    assert s.deadline == D(2024, 5, 4)
    assert s.posting_start == D(2024, 4, 25)


def test_posting_ending_on_a_holiday_moves_to_the_next_working_day():
    s = sched("N-2", D(2024, 3, 28), posted=D(2024, 4, 1))  # 1/4 + 30 = Wed 1/5 (holiday)
    assert s.posting_end == D(2024, 5, 2)
    s = sched("N-2", D(2024, 7, 31), posted=D(2024, 8, 2))  # 2/8 + 30 = Sun 1/9 (in 31/8–3/9)
    assert s.posting_end == D(2024, 9, 4)


def test_radio_report_after_a_holiday():
    """Radio on 26, 27, 28/4/2024: the report is due on the first working day after 28/4: Thu 2/5."""
    s = sched("U-4", D(2024, 4, 23), posted=D(2024, 4, 26))
    assert s.broadcast_days == [D(2024, 4, 26), D(2024, 4, 27), D(2024, 4, 28)]
    assert s.broadcast_report_due == D(2024, 5, 2)


def test_national_day_2024():
    s = sched("Q3-1", D(2024, 8, 29))  # Thu; off 31/8–3/9
    assert s.posting_start == D(2024, 8, 30)
    assert s.deadline == D(2024, 9, 9)  # 30/8, 4/9, 5/9, 6/9, 9/9


def test_late_posting():
    s = sched("Q2-1", D(2024, 6, 3), posted=D(2024, 6, 12))
    assert s.deadline == D(2024, 6, 10)
    assert s.late and s.days_late == 2
    on_time = sched("Q2-1", D(2024, 6, 3), posted=D(2024, 6, 10))
    assert not on_time.late


def test_year_boundary():
    """Issued Fri 27/12/2024: 30, 31/12, (1/1 off), 2, 3, 6/1/2025 → deadline Mon 6/1/2025."""
    s = sched("N-9", D(2024, 12, 27))
    assert s.deadline == D(2025, 1, 6)
    assert s.posting_start == D(2024, 12, 30)
    # 30 days after Mon 30/12/2024 is Wed 29/1/2025, inside Tết 2025 (25/1–2/2) → Mon 3/2/2025
    assert s.posting_end == D(2025, 2, 3)
    assert s.quarter == 4 and s.quarter_year == 2024


def test_posting_across_the_year_end_is_in_the_quarter_it_started():
    s = sched("N-9", D(2024, 12, 31), posted=D(2025, 1, 2))
    assert s.deadline == D(2025, 1, 8)
    assert (s.quarter, s.quarter_year) == (1, 2025)
    assert s.posting_end == D(2025, 2, 3)  # Sat 1/2/2025 inside Tết → Mon 3/2


def test_permanent_items_have_no_end():
    for code in ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"):
        s = sched(code, D(2024, 1, 3))
        assert s.permanent and s.posting_end is None, code
        assert s.broadcast_days == [] and s.broadcast_report_due is None
        assert s.deadline == D(2024, 1, 10)
        assert s.to_json_dict()["posting_end"] is None


def test_quarterly_list_due_on_day_5_of_the_quarter():
    assert sched("1.8", D(2024, 7, 2)).deadline == D(2024, 7, 5)
    assert sched("1.8", D(2024, 10, 3)).deadline == D(2024, 10, 7)  # 5/10 is a Saturday
    s = sched("1.8", D(2024, 3, 29))  # prepared before the quarter starts
    assert s.deadline == D(2024, 4, 5)
    assert s.posting_start == D(2024, 4, 1)
    assert s.posting_end == D(2024, 7, 1)  # 90 days: Sun 30/6 → Mon 1/7
    assert sched("1.8", D(2024, 12, 30)).deadline == D(2025, 1, 6)  # 5/1/2025 is a Sunday
    late = sched("1.8", D(2024, 4, 8))
    assert late.deadline == D(2024, 4, 5) and late.late


def test_commune_without_radio_has_no_broadcast():
    s = compute_schedule(load_plan("demo-xa", 2024).item("Q4-9"), D(2024, 11, 4),
                         commune=load_commune("demo-xa"), calendar=CAL)
    assert s.broadcast_days == [] and s.broadcast_report_due is None
    # even the Kép plan's radio item: no station, no broadcast
    s = sched("Q4-9", D(2024, 11, 4), commune=load_commune("demo-xa"))
    assert s.broadcast_days == []


def test_counting_rule_is_configurable():
    kep_counting_first = KEP.model_copy(update={"counting": CountingRule(
        first_day_counted=True, posting_end_moves_to_working_day=False, radio_starts_on_posting_day=False)})
    s = sched("Q1-8", D(2024, 1, 5), commune=kep_counting_first)
    assert s.deadline == D(2024, 1, 11)  # Fri 5/1 counts as day 1
    assert s.posting_end == D(2024, 2, 6)  # day 30 counting the posting day
    assert s.broadcast_days[0] == D(2024, 1, 9)
    s = sched("Q1-7", D(2024, 2, 7), commune=kep_counting_first)
    assert s.posting_end == D(2024, 3, 15)  # 15/2 + 29 days, not moved
    weekend_issue = sched("Q1-8", D(2024, 1, 6), commune=kep_counting_first)  # Saturday: not a day 1
    assert weekend_issue.deadline == D(2024, 1, 12)


def test_item_own_working_days(tmp_path):
    item = PLAN.item("N-5").model_copy(update={"timing": PLAN.item("N-5").timing.model_copy(update={"working_days": 3})})
    assert compute_schedule(item, D(2024, 1, 5), commune=KEP, calendar=CAL).deadline == D(2024, 1, 10)


def test_posted_before_issued_is_refused():
    with pytest.raises(UsageError):
        sched("N-1", D(2024, 5, 10), posted=D(2024, 5, 9))


def test_json_keys_are_exactly_the_cli_keys():
    d = sched("Q4-7", D(2024, 10, 1)).to_json_dict()
    assert list(d) == ["item", "law_item", "issued", "deadline", "posting_start", "posting_end",
                       "broadcast_days", "broadcast_report_due", "late"]
    assert d["issued"] == "2024-10-01" and isinstance(d["late"], bool)


def test_default_calendar_is_used_without_one(monkeypatch, tmp_path):
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(tmp_path))
    s = compute_schedule(PLAN.item("Q1-8"), D(2024, 2, 7))
    assert s.deadline == D(2024, 2, 21)


AFTER_ISSUANCE = [i.code for i in PLAN.items if i.timing.rule == "after_issuance"]


@settings(max_examples=300, deadline=None)
@given(
    issued=st.dates(min_value=D(2023, 6, 1), max_value=D(2026, 12, 15)),
    code=st.sampled_from(AFTER_ISSUANCE),
    delay=st.integers(min_value=0, max_value=40),
)
def test_property_deadline_is_a_working_day_at_least_5_working_days_later(issued, code, delay):
    item = PLAN.item(code)
    posted = issued + dt.timedelta(days=delay)
    s = compute_schedule(item, issued, posted, commune=KEP, calendar=CAL)
    assert CAL.is_working_day(s.deadline)
    assert s.deadline > issued
    assert CAL.working_days_between(issued, s.deadline) >= 5
    assert CAL.working_days_between(issued, s.deadline) == item.timing.working_days
    assert s.late == (posted > s.deadline)
    if s.posting_end is not None:
        assert CAL.is_working_day(s.posting_end)
        assert (s.posting_end - s.posting_start).days >= item.channel("ubnd_board").days
    if s.broadcast_days:
        assert s.broadcast_days[0] == posted
        assert all((b - a).days == 1 for a, b in zip(s.broadcast_days, s.broadcast_days[1:], strict=False))
        assert s.broadcast_report_due > s.broadcast_days[-1]
        assert CAL.is_working_day(s.broadcast_report_due)
