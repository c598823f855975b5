"""`congkhai plan new`: a new year's plan drafted from an earlier year's, to be confirmed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from congkhai.cli import app
from congkhai.commune import load_commune
from congkhai.errors import ConfigError
from congkhai.plan import PlanExists, check_plan, load_plan, new_plan, new_plan_text, shift_years

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture()
def communes(tmp_path, monkeypatch) -> Path:
    """A private communes folder holding only Kép's 2024 plan."""
    dest = tmp_path / "communes"
    (dest / "kep").mkdir(parents=True)
    shutil.copy(REPO / "communes/kep/commune.yaml", dest / "kep/commune.yaml")
    shutil.copy(REPO / "communes/kep/plan-2024.yaml", dest / "kep/plan-2024.yaml")
    monkeypatch.setenv("CONGKHAI_COMMUNES", str(dest))
    return dest


def test_plan_new_2027_from_2024_then_plan_check_passes(communes):
    """GIVEN Kép's 2024 plan WHEN `plan new --year 2027 --from 2024` THEN plan-2027.yaml is written
    in the communes folder, has the same 61 items, and `plan check` passes."""
    r = run("plan", "new", "--commune", "kep", "--year", "2027", "--from", "2024")
    assert r.exit_code == 0, r.output
    path = communes / "kep/plan-2027.yaml"
    assert path.is_file() and str(path) in r.stdout and "DỰ THẢO" in r.stdout
    c = run("plan", "check", "--commune", "kep", "--year", "2027", "--json")
    assert c.exit_code == 0, c.output
    obj = json.loads(c.stdout)
    assert obj["ok"] is True and obj["year"] == 2027 and obj["items"] == 61
    assert any(f["rule"] == "draft" for f in obj["findings"])
    assert "DỰ THẢO" in c.stderr  # the operator is told the plan is a draft


def test_same_items_channels_and_responsibilities(communes):
    run("plan", "new", "--commune", "kep", "--year", "2027", "--from", "2024")
    old, new = load_plan("kep", 2024), load_plan("kep", 2027)
    assert new.codes == old.codes
    for a, b in zip(old.items, new.items, strict=True):
        assert (a.law_item, a.section, a.responsible, a.channels, a.timing) == (
            b.law_item, b.section, b.responsible, b.channels, b.timing)
    assert new.channel_sets == old.channel_sets


def test_years_named_in_titles_and_keywords_move(communes):
    run("plan", "new", "--commune", "kep", "--year", "2027", "--from", "2024")
    p = load_plan("kep", 2027)
    assert p.title.endswith("năm 2027")
    assert p.item("Q1-3").title == "Báo cáo tình hình phát triển kinh tế - xã hội năm 2026"  # last year's
    assert p.item("Q1-6").title == "Kế hoạch phát triển kinh tế - xã hội hằng năm 2027"
    assert "ke hoach phat trien kinh te xa hoi nam 2027" in p.item("Q1-6").keywords
    assert not any("2024" in i.title or "2023" in i.title for i in p.items)
    # a citation of an earlier document keeps its date
    assert "ngày 21/3/2022" in p.item("1.4").title


def test_marked_draft_without_number_or_issue_date(communes):
    """GIVEN a source plan with its number and issue date recorded
    THEN the new plan carries neither (recorded when issued, never defaulted) and is a draft."""
    src = communes / "kep/plan-2024.yaml"
    text = src.read_text(encoding="utf-8")
    text = text.replace("number: null     # số ký hiệu của Kế hoạch: điền khi biết / fill in from the register",
                        "number: 05/KH-UBND").replace("issued: null", "issued: 2024-01-05")
    src.write_text(text, encoding="utf-8")
    assert load_plan("kep", 2024).number == "05/KH-UBND"
    plan, path = new_plan("kep", 2027, 2024)
    assert plan.number is None and plan.issued is None
    assert plan.is_draft and plan.status == "draft" and plan.drafted_from == 2024
    assert plan.confirm is not None and plan.confirm.by is None and plan.confirm.date is None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["status"] == "draft" and data["confirm"] == {"by": None, "date": None}
    assert "05/KH-UBND" not in path.read_text(encoding="utf-8")
    # the source plan is untouched
    assert load_plan("kep", 2024).number == "05/KH-UBND" and not load_plan("kep", 2024).is_draft


def test_dates_move_to_the_new_year():
    text = ("year: 2024\nnote: họp ngày 2024-07-12, quý IV ngày 2024-12-20, tháng 1 năm sau 2025-01-06; "
            "nhuận 2024-02-29; cũ 2020-05-05; năm 2023 và Năm 2024; Luật 10/2022/QH15; ngày 18/1/2024\n")
    out = shift_years(text, 2024, 2027)
    assert "2027-07-12" in out and "2027-12-20" in out and "2028-01-06" in out
    assert "2027-02-28" in out  # 2027 has no 29 February
    assert "2020-05-05" in out and "10/2022/QH15" in out and "18/1/2024" in out
    assert "năm 2026 và Năm 2027" in out


def test_a_confirmed_plan_date_in_the_file_moves(communes):
    """A date the plan itself holds (e.g. a confirmation) is moved with the year, then the new
    plan's own confirm block is emptied."""
    src = communes / "kep/plan-2024.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace(
        "source: Kế hoạch", "confirm: {by: Trần Thị Mẫu, date: 2024-01-04}\nsource: Kế hoạch"), encoding="utf-8")
    assert load_plan("kep", 2024).confirm.date == dt.date(2024, 1, 4)
    plan, _ = new_plan("kep", 2025, 2024)
    assert plan.confirm.by is None and plan.confirm.date is None


def test_refuses_to_overwrite_unless_force(communes):
    assert run("plan", "new", "--commune", "kep", "--year", "2027", "--from", "2024").exit_code == 0
    path = communes / "kep/plan-2027.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# sửa tay\n", encoding="utf-8")
    r = run("plan", "new", "--commune", "kep", "--year", "2027", "--from", "2024")
    assert r.exit_code == 2
    assert "Đã có kế hoạch" in r.stderr and "--force" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert path.read_text(encoding="utf-8").endswith("# sửa tay\n")
    with pytest.raises(PlanExists):
        new_plan("kep", 2027, 2024)
    r = run("plan", "new", "--commune", "kep", "--year", "2027", "--from", "2024", "--force")
    assert r.exit_code == 0 and "# sửa tay" not in path.read_text(encoding="utf-8")


def test_default_source_is_the_latest_earlier_plan_and_a_draft_of_a_draft(communes):
    run("plan", "new", "--commune", "kep", "--year", "2025")
    assert load_plan("kep", 2025).drafted_from == 2024
    run("plan", "new", "--commune", "kep", "--year", "2026")
    p = load_plan("kep", 2026)
    assert p.drafted_from == 2025 and p.item("Q1-3").title.endswith("năm 2025")
    text = (communes / "kep/plan-2026.yaml").read_text(encoding="utf-8")
    assert text.count("# DỰ THẢO") == 1 and text.count("Ghi chú của tệp gốc") == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--commune", "nowhere", "--year", "2025"], "nowhere"),
        (["--commune", "kep", "--year", "2023"], "2023"),  # nothing earlier to draft from
        (["--commune", "kep", "--year", "2027", "--from", "2019"], "2019"),
        (["--commune", "kep", "--year", "2024", "--from", "2024"], "--from"),
    ],
)
def test_bad_input_is_one_line_exit_2(communes, args, needle):
    r = run("plan", "new", *args)
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("lỗi: ") and needle in err


def test_an_invalid_source_plan_is_refused(communes):
    src = communes / "kep/plan-2024.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace("law_item: 11", "law_item: 99", 1), encoding="utf-8")
    with pytest.raises(ConfigError):
        new_plan("kep", 2027, 2024)
    assert not (communes / "kep/plan-2027.yaml").exists()


def test_new_plan_text_keeps_comments_and_channel_sets():
    text = (REPO / "communes/kep/plan-2024.yaml").read_text(encoding="utf-8")
    out = new_plan_text(text, "kep", 2024, 2027)
    assert "channel_sets:" in out and "channels: section_2" in out
    assert "# Mục 2.2: mọi nội dung công khai trong năm 2027" in out
    assert out.startswith("# DỰ THẢO") and "year: 2027\n" in out


def test_draft_plan_passes_the_law_check_like_its_source(communes):
    plan, _ = new_plan("kep", 2027, 2024)
    c = load_commune("kep")
    rules = lambda p: sorted((f.item, f.rule) for f in check_plan(p, c) if f.rule != "draft")  # noqa: E731
    assert rules(plan) == rules(load_plan("kep", 2024))
