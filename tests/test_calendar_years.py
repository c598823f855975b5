"""Calendars for the years ahead: the announced 2025 and 2026 days off, a computed default for
2027 onwards, and whether each year is confirmed by a government announcement."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from congkhai.cli import app
from congkhai.errors import ConfigError
from congkhai.workdays import PACKAGE_CALENDAR_DIR, WorkCalendar, calendar_status, statutory_days_off

D = dt.date
runner = CliRunner()


@pytest.fixture()
def cal(tmp_path) -> WorkCalendar:
    return WorkCalendar([tmp_path / "none", PACKAGE_CALENDAR_DIR])


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


# --- 2025: Thông báo 6150/TB-BLĐTBXH ------------------------------------------------------------
def test_2025_tet_25_january_to_2_february(cal):
    assert all(cal.is_day_off(d) for d in days(D(2025, 1, 25), D(2025, 2, 2)))
    assert cal.is_working_day(D(2025, 1, 24)) and cal.is_working_day(D(2025, 2, 3))
    assert cal.add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)


def test_2025_reunification_day_swap_and_make_up_saturday(cal):
    assert all(cal.is_day_off(d) for d in days(D(2025, 4, 30), D(2025, 5, 4)))
    assert cal.is_working_day(D(2025, 4, 26))  # Saturday worked for Friday 2/5
    assert cal.make_up_days(2025) == [D(2025, 4, 26)]
    assert cal.is_day_off(D(2025, 4, 7))  # Giỗ Tổ Hùng Vương, Monday


def test_2025_national_day_two_days(cal):
    assert all(cal.is_day_off(d) for d in days(D(2025, 8, 30), D(2025, 9, 2)))
    assert cal.is_working_day(D(2025, 9, 3)) and cal.is_working_day(D(2025, 8, 29))


def test_2025_is_confirmed_with_its_source(cal):
    s = cal.status(2025)
    assert s.confirmed and not s.computed and s.warning_vi is None
    assert "6150/TB-BLĐTBXH" in s.source and "8726/VPCP-KGVX" in s.source
    assert s.source_url and all(u.startswith("http") for u in s.source_url)
    assert cal.status(2024).confirmed


# --- 2026: 12729/VPCP-KGVX, Thông báo 9441/TB-BNV -----------------------------------------------
def test_2026_new_year_four_days_with_make_up_saturday_10_january(cal):
    assert all(cal.is_day_off(d) for d in days(D(2026, 1, 1), D(2026, 1, 4)))
    assert cal.is_working_day(D(2026, 1, 10))  # Saturday worked for Friday 2/1
    assert cal.next_working_day(D(2025, 12, 31)) == D(2026, 1, 5)


def test_2026_tet_14_to_22_february(cal):
    assert all(cal.is_day_off(d) for d in days(D(2026, 2, 14), D(2026, 2, 22)))
    assert cal.is_working_day(D(2026, 2, 13)) and cal.is_working_day(D(2026, 2, 23))


def test_2026_hung_kings_30_4_and_national_day(cal):
    assert cal.is_day_off(D(2026, 4, 27))  # 10/3 lunar on Sunday 26/4 → Monday off
    assert all(cal.is_day_off(d) for d in days(D(2026, 4, 30), D(2026, 5, 3)))
    assert all(cal.is_day_off(d) for d in days(D(2026, 8, 29), D(2026, 9, 2)))
    assert cal.is_working_day(D(2026, 8, 22))  # Saturday worked for Monday 31/8
    assert cal.make_up_days(2026) == [D(2026, 1, 10), D(2026, 8, 22)]


def test_2026_culture_day_is_counted_as_a_working_day_and_left_open(cal):
    """GIVEN no text found making 24/11/2026 a day off (only a Politburo resolution)
    THEN it is a working day, and the year is not confirmed, naming that open question."""
    assert cal.is_working_day(D(2026, 11, 24))
    s = cal.status(2026)
    assert not s.confirmed and not s.computed
    assert any("24/11" in u for u in s.uncertain)
    assert "2026" in s.warning_vi and "24/11" in s.warning_vi


# --- 2027 onwards: computed from the Labour Code, not confirmed ---------------------------------
def test_2027_is_computed_and_not_confirmed(cal):
    s = cal.status(2027)
    assert s.computed and not s.confirmed and s.source is None
    assert "2027" in s.warning_vi and "CHƯA ĐƯỢC XÁC NHẬN" in s.warning_vi


def test_2027_tet_contains_lunar_new_year_day(cal):
    off = cal.days_off(2027)
    assert D(2027, 2, 6) in off  # mùng 1 Tết Đinh Mùi, a Saturday
    tet = [d for d in off if d.month == 2]
    # five Tết days, plus compensation for the two that fall on the weekend
    assert tet == days(D(2027, 2, 4), D(2027, 2, 10))
    assert cal.next_working_day(D(2027, 2, 3)) == D(2027, 2, 11)


def test_2027_other_statutory_days(cal):
    assert cal.is_day_off(D(2027, 1, 1))
    assert cal.is_day_off(D(2027, 4, 16))  # 10/3 Đinh Mùi
    assert cal.is_day_off(D(2027, 4, 30))
    assert cal.is_day_off(D(2027, 5, 3))  # 1/5 on a Saturday → Monday off
    assert cal.is_day_off(D(2027, 9, 2)) and cal.is_day_off(D(2027, 9, 3))
    assert cal.is_working_day(D(2027, 11, 24))  # Culture Day: not law yet
    assert cal.make_up_days(2027) == []


def test_statutory_leaves_out_what_is_not_law():
    assert D(2027, 11, 24) not in {c.date for c in statutory_days_off(2027)}


def test_calendar_status_uses_the_installation_folder(tmp_path, monkeypatch):
    """GIVEN the commune office adds its own confirmed 2027 file THEN 2027 is confirmed."""
    communes = tmp_path / "communes"
    (communes / "_calendar").mkdir(parents=True)
    (communes / "_calendar" / "2027.yaml").write_text(
        "year: 2027\nconfirmed: true\nsource: Thông báo số 1/TB-BNV ngày 01/10/2026\n"
        "days_off:\n  - {from: 2027-02-04, to: 2027-02-12, name: Tết Nguyên đán}\n",
        encoding="utf-8")
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(communes))
    s = calendar_status(2027)
    assert s.confirmed and "1/TB-BNV" in s.source and s.warning_vi is None


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("year: 2027\nconfirmed: true\n", "source"),
        ("year: 2027\nconfirmed: true\nsource: TB 1\nuncertain: [x]\n", "uncertain"),
        ("year: 2027\nconfirmed: maybe\n", "confirmed"),
    ],
)
def test_confirmed_needs_a_source_and_nothing_open(tmp_path, text, needle):
    (tmp_path / "2027.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        WorkCalendar([tmp_path]).status(2027)
    assert needle in str(exc.value) and "2027.yaml" in str(exc.value)


# --- the command ---------------------------------------------------------------------------------
def test_calendar_command_warns_for_an_unconfirmed_year():
    r = runner.invoke(app, ["calendar", "--year", "2027"])
    assert r.exit_code == 0
    assert "CHƯA ĐƯỢC XÁC NHẬN" in r.stderr and "2027" in r.stderr
    assert "2027-02-06" in r.stdout and "CHƯA XÁC NHẬN" in r.stdout
    j = runner.invoke(app, ["calendar", "--year", "2027", "--json"])
    obj = json.loads(j.stdout)
    assert obj["confirmed"] is False and obj["computed"] is True and obj["source"] is None
    assert "CHƯA ĐƯỢC XÁC NHẬN" in j.stderr


def test_calendar_command_quiet_for_a_confirmed_year():
    r = runner.invoke(app, ["calendar", "--year", "2025", "--json"])
    assert r.exit_code == 0 and r.stderr == ""
    obj = json.loads(r.stdout)
    assert obj["confirmed"] is True and "6150" in obj["source"]
    off = {d["date"] for d in obj["days_off"]}
    assert {"2025-01-25", "2025-02-02", "2025-09-01"} <= off
    assert [d["date"] for d in obj["make_up_days"]] == ["2025-04-26"]


def test_calendar_warnings_for_the_daily_run(tmp_path, monkeypatch):
    """The daily DAG's question: does anything counted from today reach an unconfirmed year?"""
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(tmp_path / "communes"))
    from congkhai.workdays import calendar_warnings

    assert calendar_warnings(D(2025, 6, 2)) == []  # 2025 confirmed, 45 days stay in 2025
    w = calendar_warnings(D(2025, 12, 15))  # reaches into January 2026
    assert len(w) == 1 and "2026" in w[0] and "24/11" in w[0]
    w = calendar_warnings(D(2026, 12, 2))
    assert [("2026" in x, "2027" in x) for x in w] == [(True, False), (False, True)]
