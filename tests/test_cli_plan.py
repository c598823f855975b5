"""The plan / schedule / calendar commands, as operators use them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from congkhai.cli import app

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture()
def communes(tmp_path, monkeypatch) -> Path:
    dest = tmp_path / "communes"
    shutil.copytree(REPO / "communes", dest)
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(dest))
    return dest


def test_schedule_json_is_one_object_with_exactly_the_keys():
    r = run("schedule", "--item", "Q1-8", "--issued", "2024-02-07", "--commune", "kep", "--json")
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    assert obj == {
        "item": "Q1-8",
        "law_item": 2,
        "issued": "2024-02-07",
        "deadline": "2024-02-21",
        "posting_start": "2024-02-15",
        "posting_end": "2024-03-18",
        "broadcast_days": ["2024-02-15", "2024-02-16", "2024-02-17"],
        "broadcast_report_due": "2024-02-19",
        "late": False,
    }
    assert len(r.stdout.strip().splitlines()) == 1


def test_schedule_with_posted_date_and_late():
    r = run("schedule", "--item", "N-1", "--issued", "2024-04-24", "--posted", "2024-05-06", "--json")
    obj = json.loads(r.stdout)
    assert obj["deadline"] == "2024-05-04" and obj["posting_start"] == "2024-05-06" and obj["late"] is True


def test_schedule_permanent_item_has_null_end():
    obj = json.loads(run("schedule", "--item", "1.3", "--issued", "2024-01-05", "--json").stdout)
    assert obj["posting_end"] is None and obj["broadcast_days"] == [] and obj["broadcast_report_due"] is None


def test_schedule_human_output():
    r = run("schedule", "--item", "1.2", "--issued", "2024-01-05")
    assert r.exit_code == 0
    assert "thường xuyên" in r.stdout and "2024-01-12" in r.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["schedule", "--item", "Z-1", "--issued", "2024-01-05"], "Z-1"),
        (["schedule", "--item", "1.1", "--issued", "05/01/2024"], "YYYY-MM-DD"),
        (["schedule", "--item", "1.1", "--issued", "2024-01-05", "--posted", "2024-02-31"], "--posted"),
        (["schedule", "--item", "1.1", "--issued", "2024-01-05", "--posted", "2024-01-01"], "trước"),
        (["schedule", "--item", "1.1", "--issued", "2024-01-05", "--commune", "nowhere"], "nowhere"),
        (["schedule", "--item", "1.1", "--issued", "2024-01-05", "--year", "2031"], "2031"),
        (["plan", "items", "--commune", "nowhere", "--year", "2024", "--json"], "nowhere"),
        (["plan", "check", "--commune", "nowhere", "--year", "2024"], "nowhere"),
        (["calendar", "--year", "99999"], "99999"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, needle):
    r = run(*args)
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("lỗi: ")
    assert needle in err
    assert "Traceback" not in r.output


def test_schedule_falls_back_to_the_latest_plan_with_a_warning():
    """GIVEN no 2027 plan (the latest is the 2026 draft) and no confirmed 2027 calendar
    THEN the schedule is computed, saying on stderr which plan stands in, that it is a draft, and
    that the 2027 days off are not confirmed."""
    r = run("schedule", "--item", "Q1-8", "--issued", "2027-01-06", "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["deadline"] == "2027-01-13"
    assert "dùng kế hoạch năm 2026" in r.stderr and "DỰ THẢO" in r.stderr
    assert "lịch nghỉ năm 2027 chưa được xác nhận" in r.stderr


def test_schedule_in_a_confirmed_year_has_no_calendar_warning():
    r = run("schedule", "--item", "Q1-8", "--issued", "2025-01-06", "--year", "2025", "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["deadline"] == "2025-01-13"
    assert "lịch nghỉ" not in r.stderr


@pytest.mark.parametrize("year", [2025, 2026])
def test_plan_items_of_the_drafted_years(year):
    """Kép's 2025 and 2026 plans are drafts made by `plan new` from 2024: 61 items each."""
    r = run("plan", "items", "--commune", "kep", "--year", str(year), "--json")
    assert r.exit_code == 0, r.output
    items = json.loads(r.stdout)
    assert len(items) == 61
    assert [i["code"] for i in items] == [i["code"] for i in json.loads(
        run("plan", "items", "--commune", "kep", "--year", "2024", "--json").stdout)]
    q13 = next(i for i in items if i["code"] == "Q1-3")
    assert q13["title"].endswith(f"năm {year - 1}")
    assert "DỰ THẢO" in r.stderr
    c = run("plan", "check", "--commune", "kep", "--year", str(year))
    assert c.exit_code == 0 and "ĐẠT" in c.stdout


def test_plan_items_json():
    r = run("plan", "items", "--commune", "kep", "--year", "2024", "--json")
    assert r.exit_code == 0
    items = json.loads(r.stdout)
    assert len(items) == 61
    first = items[0]
    assert {"code", "title", "law_item", "channels"} <= set(first)
    assert first["code"] == "1.1" and first["title"] == "Kế hoạch công khai thông tin hàng năm"
    q = next(i for i in items if i["code"] == "Q4-9")
    assert {"kind": "radio", "duration": "broadcast_days", "days": 3} in q["channels"]


def test_plan_check_passes_for_kep_and_demo():
    for commune in ("kep", "demo-xa"):
        r = run("plan", "check", "--commune", commune, "--year", "2024")
        assert r.exit_code == 0, r.output
        assert "ĐẠT" in r.stdout
    r = run("plan", "check", "--commune", "kep", "--year", "2024", "--json")
    assert json.loads(r.stdout)["ok"] is True


def test_plan_check_exit_1_below_the_law(communes):
    path = communes / "kep" / "plan-2024.yaml"
    text = path.read_text(encoding="utf-8")
    # make the whole of section 2 post for 20 days only
    text = text.replace("    - {kind: ubnd_board, days: 30}", "    - {kind: ubnd_board, days: 20}", 1)
    path.write_text(text, encoding="utf-8")
    r = run("plan", "check", "--commune", "kep", "--year", "2024")
    assert r.exit_code == 1
    assert "ERROR [Q1-1]" in r.stdout and "KHÔNG ĐẠT" in r.stdout


def test_plan_check_exit_1_on_an_invalid_plan_file(communes):
    path = communes / "kep" / "plan-2024.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("law_item: 11", "law_item: 99", 1), encoding="utf-8")
    r = run("plan", "check", "--commune", "kep", "--year", "2024")
    assert r.exit_code == 1
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and "Q1-1" in err and "law_item" in err and str(path) in err


def test_schedule_on_an_invalid_plan_file_is_exit_2(communes):
    path = communes / "kep" / "plan-2024.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("law_item: 11", "law_item: 99", 1), encoding="utf-8")
    r = run("schedule", "--item", "1.1", "--issued", "2024-01-05")
    assert r.exit_code == 2 and "law_item" in r.stderr


def test_calendar_2024():
    r = run("calendar", "--year", "2024", "--json")
    assert r.exit_code == 0
    obj = json.loads(r.stdout)
    off = {d["date"] for d in obj["days_off"]}
    assert {"2024-02-08", "2024-02-14", "2024-04-18", "2024-04-29", "2024-05-01", "2024-09-03", "2024-01-01"} <= off
    assert [d["date"] for d in obj["make_up_days"]] == ["2024-05-04"]
    text = run("calendar", "--year", "2024").stdout
    assert "2024-05-04 Thứ Bảy" in text


def test_calendar_without_override_warns():
    r = run("calendar", "--year", "2029", "--json")
    assert r.exit_code == 0
    assert "2029" in r.stderr and json.loads(r.stdout)["override_file"] is None


def test_real_entry_point_prints_no_traceback():
    exe = Path(sys.executable).parent / "congkhai"
    p = subprocess.run([str(exe), "schedule", "--item", "Q1-99", "--issued", "2024-01-05"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "Q1-99" in p.stderr and "Traceback" not in p.stderr
    p = subprocess.run([str(exe), "schedule", "--item", "Q1-8", "--issued", "2024-02-07", "--json"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and json.loads(p.stdout)["deadline"] == "2024-02-21"
