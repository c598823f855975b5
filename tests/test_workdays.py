"""The Vietnamese working-day calendar: weekends, statutory holidays, announced swaps."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from congkhai.errors import ConfigError
from congkhai.workdays import PACKAGE_CALENDAR_DIR, WorkCalendar, statutory_days_off

D = dt.date


@pytest.fixture()
def cal(tmp_path) -> WorkCalendar:
    # the shipped override files only (no installation overrides)
    return WorkCalendar([tmp_path / "none", PACKAGE_CALENDAR_DIR])


def test_weekends_and_ordinary_days(cal):
    assert cal.is_working_day(D(2024, 3, 6))  # Wednesday
    assert not cal.is_working_day(D(2024, 3, 9))  # Saturday
    assert not cal.is_working_day(D(2024, 3, 10))  # Sunday
    assert cal.next_working_day(D(2024, 3, 8)) == D(2024, 3, 11)


def test_2024_tet_8_to_14_february(cal):
    for day in range(8, 15):
        assert not cal.is_working_day(D(2024, 2, day)), day
    assert cal.is_working_day(D(2024, 2, 7)) and cal.is_working_day(D(2024, 2, 15))
    assert cal.next_working_day(D(2024, 2, 7)) == D(2024, 2, 15)


def test_2024_hung_kings_and_30_4_with_make_up_saturday(cal):
    assert not cal.is_working_day(D(2024, 4, 18))  # Giỗ Tổ Hùng Vương (10/3 lunar)
    for day in (27, 28, 29, 30):
        assert not cal.is_working_day(D(2024, 4, day))
    assert not cal.is_working_day(D(2024, 5, 1))
    assert cal.is_working_day(D(2024, 5, 4))  # Saturday made a working day
    assert cal.make_up_days(2024) == [D(2024, 5, 4)]
    assert cal.next_working_day(D(2024, 4, 26)) == D(2024, 5, 2)


def test_2024_national_day(cal):
    for d in (D(2024, 8, 31), D(2024, 9, 1), D(2024, 9, 2), D(2024, 9, 3)):
        assert not cal.is_working_day(d)
    assert cal.next_working_day(D(2024, 8, 30)) == D(2024, 9, 4)


def test_2024_new_year(cal):
    assert not cal.is_working_day(D(2024, 1, 1))
    assert cal.next_working_day(D(2023, 12, 29)) == D(2024, 1, 2)


def test_2025_announcements(cal):
    for d in (D(2025, 1, 27), D(2025, 1, 31), D(2025, 2, 1), D(2025, 2, 2)):
        assert not cal.is_working_day(d)
    assert cal.next_working_day(D(2025, 1, 24)) == D(2025, 2, 3)
    assert not cal.is_working_day(D(2025, 4, 7))  # Hùng Kings
    assert not cal.is_working_day(D(2025, 5, 2))
    assert cal.is_working_day(D(2025, 4, 26))  # make-up Saturday
    assert not cal.is_working_day(D(2025, 9, 1)) and not cal.is_working_day(D(2025, 9, 2))
    assert cal.next_working_day(D(2025, 8, 29)) == D(2025, 9, 3)


def test_2026_tet_nine_days(cal):
    off = [D(2026, 2, 14) + dt.timedelta(days=i) for i in range(9)]
    assert all(not cal.is_working_day(d) for d in off)
    assert cal.is_working_day(D(2026, 2, 13)) and cal.is_working_day(D(2026, 2, 23))
    assert not cal.is_working_day(D(2026, 4, 27))  # Hùng Kings on Sunday 26/4 → Monday off


def test_days_off_lists_holidays_not_ordinary_weekends(cal):
    off = cal.days_off(2024)
    assert D(2024, 2, 10) in off  # a Saturday inside Tết
    assert D(2024, 3, 9) not in off  # an ordinary Saturday
    assert D(2024, 5, 4) not in off
    names = {c.date: c.name for c in cal.days_off_entries(2024)}
    assert names[D(2024, 1, 1)] == "Tết Dương lịch"


def test_counting(cal):
    start = D(2024, 2, 7)
    assert cal.add_working_days(start, 0) == start
    assert cal.add_working_days(start, 1) == D(2024, 2, 15)
    assert cal.add_working_days(start, 5) == D(2024, 2, 21)
    assert cal.working_days_between(start, D(2024, 2, 21)) == 5
    assert cal.working_days_between(D(2024, 2, 21), start) == -5
    assert cal.add_working_days(D(2024, 2, 21), -5) == start
    assert cal.previous_working_day(D(2024, 2, 15)) == start


def test_year_boundary(cal):
    # Tue 31/12/2024 → Thu 2/1/2025 (1/1 off)
    assert cal.next_working_day(D(2024, 12, 31)) == D(2025, 1, 2)
    assert cal.working_days_between(D(2024, 12, 27), D(2025, 1, 3)) == 4


def test_year_without_override_uses_statutory_rules_and_warns(cal, caplog):
    with caplog.at_level(logging.WARNING, logger="congkhai.workdays"):
        assert not cal.is_working_day(D(2030, 1, 1))
    assert not cal.has_override(2030)
    assert any("2030" in w for w in cal.warnings)
    assert any("2030" in r.getMessage() for r in caplog.records)
    # Tết 2030: lunar new year on Sun 3 Feb 2030 → statutory days around it are off
    assert any(d.month == 2 for d in cal.days_off(2030))
    assert cal.make_up_days(2030) == []


def test_statutory_excludes_government_swaps():
    # the holidays package knows the 29/4/2024 swap; the statutory list must not
    assert D(2024, 4, 29) not in {c.date for c in statutory_days_off(2024)}
    assert D(2024, 4, 30) in {c.date for c in statutory_days_off(2024)}


def test_installation_override_wins(tmp_path):
    own = tmp_path / "_calendar"
    own.mkdir()
    (own / "2024.yaml").write_text(
        "year: 2024\ndays_off:\n  - {from: 2024-03-08, to: 2024-03-08, name: Ngày nghỉ riêng}\n"
        "make_up_days:\n  - {date: 2024-03-09, name: Làm bù}\n",
        encoding="utf-8",
    )
    cal = WorkCalendar([own, PACKAGE_CALENDAR_DIR])
    assert not cal.is_working_day(D(2024, 3, 8))
    assert cal.is_working_day(D(2024, 3, 9))
    # statutory holidays still apply; the package's 2024 file is not read (the installation's wins)
    assert not cal.is_working_day(D(2024, 4, 30))
    assert cal.is_working_day(D(2024, 4, 29))


@pytest.mark.parametrize(
    "text",
    [
        "year: 2024\ndays_off:\n  - {from: 2024-02-30}\n",
        "year: 2024\ndays_off:\n  - {from: 2024-03-10, to: 2024-03-01}\n",
        "year: 2023\n",
        "days_off: []\n",
        "year: 2024\ndays_off:\n  - {from: 2024-03-08}\nmake_up_days:\n  - {date: 2024-03-08}\n",
    ],
)
def test_bad_override_files_are_named(tmp_path, text):
    (tmp_path / "2024.yaml").write_text(text, encoding="utf-8")
    cal = WorkCalendar([tmp_path])
    with pytest.raises(ConfigError) as exc:
        cal.is_working_day(D(2024, 3, 8))
    assert "2024.yaml" in str(exc.value)
